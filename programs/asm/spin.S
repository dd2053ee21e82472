// spin: 1.6e9 iterations of a 3-instruction register-only loop (4.8e9 instructions), then exit 0.
// The benchmark's control: no loads or stores, so it measures translation and dispatch alone.
	.globl _start
_start:
	mov	x0, #0
	movz	x2, #0x5f5e, lsl #16
	movk	x2, #0x1000
1:	add	x0, x0, #1
	cmp	x0, x2
	b.ne	1b
	mov	x0, #0
	mov	x8, #93
	svc	#0
