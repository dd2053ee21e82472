/* tbi: top-byte ignore at EL0 (Linux sets TCR_EL1.TBI0): loads and stores through pointers with a tag in bits
 * 63:56 reach the untagged address — single registers, pairs, FP, pre/post-index writeback — and a tagged
 * pointer to unmapped memory faults with SIGSEGV SEGV_MAPERR. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define TAG(p, t) ((void *)((uintptr_t)(p) | ((uintptr_t)(t) << 56)))

struct pair { long a, b; };
static long words[4] = { 1, 2, 3, 4 };
static double d = 1.5;

int main(void)
{
	volatile long *w = TAG(words, 0x5a);
	w[0] = 10;                               /* str */
	long sum = 0;
	for (volatile long *p = w; p < w + 4; p++) sum += *p;   /* ldr */
	struct pair src = { 7, 8 }, dst;
	struct pair *ps = TAG(&src, 0x11);
	memcpy(&dst, (void *)ps, sizeof dst);    /* ldp/stp or ldr q */
	long post = 0, *q = TAG(words, 0x22);
	__asm__ volatile("ldr %0, [%1], #8" : "=r"(post), "+r"(q));      /* post-index writeback keeps the tag */
	volatile double *pd = TAG(&d, 0x33);
	dprintf(1, "sum=%ld pair=%ld,%ld post=%ld tag_kept=%d fp=%.1f\n", sum, dst.a, dst.b, post,
		(int)((uintptr_t)q >> 56), *pd * 2);
	volatile long *bad = TAG((long *)0x5ff000, 0x7f);
	dprintf(1, "%ld\n", *bad);
	return 0;
}
