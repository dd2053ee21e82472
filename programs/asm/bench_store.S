/* bench_store: the store benchmark of bench/. N iterations (argv[1], default 166666667: 1e9 instructions) of a
 * 6-instruction loop with one load and one store to the same stack word, then exit 0. */
#include "bench_loop.inc"
	.text
	.global _start
_start:
	iterations 166666667
	sub	sp, sp, #16
	mov	x1, sp
	str	xzr, [x1]
	mov	x0, #0
loop:	ldr	x3, [x1]
	add	x3, x3, #1
	str	x3, [x1]
	add	x0, x0, #1
	cmp	x0, x2
	b.ne	loop
	exit0
