/* bench_fork: N (argv[1], default 1000) short children, each forked, exiting with i & 0xff and reaped by
 * waitpid; prints the count and the sum of their exit codes. The benchmark of fork + exit + wait4. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1000;
	long sum = 0;
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(i & 0xff);
		int st;
		waitpid(p, &st, 0);
		sum += WEXITSTATUS(st);
	}
	printf("children=%ld exit_sum=%ld\n", n, sum);
	return 0;
}
