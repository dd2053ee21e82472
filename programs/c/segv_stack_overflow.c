/* segv_stack_overflow: unbounded recursion with a 1 KiB local array. The stack VMA grows
 * until RLIMIT_STACK refuses, then the next push faults: SIGSEGV SEGV_MAPERR. */
#include <stdio.h>

static int depth_sink;

static int recurse(int depth)
{
	volatile char frame[1024];
	frame[0] = (char)depth;
	frame[sizeof frame - 1] = (char)depth;
	/* Not a tail call: the result is used after the call returns. */
	return recurse(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

int main(void)
{
	puts("recursing");
	fflush(stdout);
	depth_sink = recurse(0);
	printf("no fault %d\n", depth_sink);
	return 99;
}
