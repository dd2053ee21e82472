/* Misaligned load-acquire exclusive (buf+1) -> alignment fault, SIGBUS BUS_ADRALN. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, buf
	str xzr, [x0]
	add x0, x0, #1
fault_insn:
	ldaxr x1, [x0]
	no_fault
	.data
	.balign 16
	.global buf
buf:	.skip 64
