/* nosig_divzero: integer division by zero does not trap on AArch64 (sdiv/udiv return 0),
 * so no SIGFPE: prints the results and exits 0. divzero_insn labels the sdiv. */
#include <stdio.h>

int main(void)
{
	long n = 1234567, d = 0, q, uq;
	__asm__ volatile(".global divzero_insn\n"
			 "divzero_insn:\n\t"
			 "sdiv %0, %1, %2" : "=r"(q) : "r"(n), "r"(d));
	__asm__ volatile("udiv %0, %1, %2" : "=r"(uq) : "r"(n), "r"(d));
	printf("sdiv 1234567/0 = %ld\n", q);
	printf("udiv 1234567/0 = %ld\n", uq);
	return 0;
}
