/* Misaligned exclusive load (buf+1) -> alignment fault, SIGBUS BUS_ADRALN. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, buf
	str xzr, [x0]		/* page present: only the alignment fault can happen */
	add x0, x0, #1
fault_insn:
	ldxr x1, [x0]
	no_fault
	.data
	.balign 16
	.global buf
buf:	.skip 64
