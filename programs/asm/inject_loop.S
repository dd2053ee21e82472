/* A load/store loop for fault injection (--inject KIND@insns=N): every third instruction of the loop touches
 * `counter`, so the next memory access after any count is at most two instructions away. 100 rounds, then it
 * writes "done\n" and exits 0: a run that ends with exit 0 handled its injected fault silently. */
#include "fault.inc"
	.text
	.globl _start
_start:
	adr x1, counter
	mov x2, #100
	.globl inject_loop
inject_loop:
	ldr x0, [x1]
	add x0, x0, #1
	str x0, [x1]
	subs x2, x2, #1
	b.ne inject_loop
	mov x0, #1
	adr x1, 8f
	mov x2, #5
	mov x8, #SYS_write
	svc #0
	mov x0, #0
	mov x8, #SYS_exit_group
	svc #0
8:	.ascii "done\n"

	.data
	.balign 8
	.globl counter
counter:
	.quad 0
