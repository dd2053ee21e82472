/* abort() called from a shared library of ours (libfault.so, found through DT_RUNPATH $ORIGIN):
 * SIGABRT, core with frames abort → raise … lib_abort → call_lib → main. */
#include <stdio.h>

void lib_abort(void);

__attribute__((noinline)) void call_lib(void)
{
	lib_abort();
}

int main(void)
{
	printf("dyn_abort: start\n");
	fflush(stdout);
	call_lib();
	return 0;
}
