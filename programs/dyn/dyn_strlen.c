/* Faults inside libc: strlen(NULL) → SIGSEGV SEGV_MAPERR addr=0 at a pc in libc.so.6 (core: libc frames). */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) size_t measure(const char *s)
{
	return strlen(s);
}

int main(void)
{
	volatile const char *p = NULL;
	printf("calling strlen(NULL)\n");
	fflush(stdout);
	return (int)measure((const char *)p);
}
