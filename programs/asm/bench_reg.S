/* bench_reg: the register-only control of bench/. N iterations (argv[1], default 166666667: 1e9 instructions) of
 * a 6-instruction loop without loads or stores, then exit 0. */
#include "bench_loop.inc"
	.text
	.global _start
_start:
	iterations 166666667
	mov	x0, #0
	mov	x3, #0
loop:	add	x3, x3, #3
	eor	x4, x3, x0
	add	x5, x4, #1
	add	x0, x0, #1
	cmp	x0, x2
	b.ne	loop
	exit0
