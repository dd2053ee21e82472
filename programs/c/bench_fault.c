/* bench_fault: N (argv[1], default 100000) round trips SIGSEGV -> handler -> siglongjmp, each a load from
 * NULL; prints the count and exits 0. The benchmark of the fault and signal-frame path. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static sigjmp_buf env;
static void on_segv(int sig) { siglongjmp(env, sig); }

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 100000;
	volatile long done = 0;
	struct sigaction sa = { .sa_handler = on_segv };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	while (done < n) {
		if (sigsetjmp(env, 1) == 0)
			*(volatile int *)0 = 1;
		done++;
	}
	printf("faults=%ld\n", (long)done);
	return 0;
}
