/* bench_getppid: N (argv[1], default 1000000) getppid system calls (raw svc, no libc wrapper in the loop);
 * prints the count and exits 0. The benchmark of the syscall path. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1000000;
	long sum = 0;
	for (long i = 0; i < n; i++) {
		register long x8 __asm__("x8") = 173; /* __NR_getppid */
		register long x0 __asm__("x0");
		__asm__ volatile("svc #0" : "=r"(x0) : "r"(x8) : "memory");
		sum += x0;
	}
	printf("calls=%ld ppid_sum=%ld\n", n, sum);
	return 0;
}
