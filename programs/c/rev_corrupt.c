/* rev_corrupt: a pointer is corrupted by a stray store long before it is used; the use crashes with SIGSEGV.
 * The gdb stub's reverse execution test: stop at the crash, watch the pointer, reverse-continue to the store.
 * argv[1] = iterations of a compute loop between the corruption and the crash (default 1000; 4 instructions
 * each), so the crash can be put 1e7 or 1e8 instructions into the run for bench/reverse.ts. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct node { long value; struct node *next; };

static struct node second = { 2, NULL };
static struct node first = { 1, &second };
volatile long sink;

/* the bug: a store through a pointer that happens to alias first.next */
__attribute__((noinline)) void scribble(long *base, long i, long v)
{
	base[i] = v;
}

__attribute__((noinline)) long churn(unsigned long n)
{
	unsigned long x = 0x9e3779b97f4a7c15UL;
	for (unsigned long i = 0; i < n; i++)
		x ^= x << 7;
	return (long)x;
}

__attribute__((noinline)) long sum(const struct node *n)
{
	long s = 0;
	for (; n; n = n->next)
		s += n->value;
	return s;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	long *next_slot = (long *)&first.next;
	write(1, "before the store\n", 17); /* unbuffered: a replay must not print it again */
	scribble(next_slot, 0, 0x10);
	sink = churn(n);
	printf("sum = %ld\n", sum(&first));
	return 0;
}
