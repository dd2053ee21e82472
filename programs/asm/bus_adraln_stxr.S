/* Misaligned exclusive store (buf+1) -> alignment fault (WnR=1), SIGBUS BUS_ADRALN. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, buf
	str xzr, [x0]
	add x0, x0, #1
	ldr x1, =0x5757575757575757
fault_insn:
	stxr w2, x1, [x0]
	no_fault
	.data
	.balign 16
	.global buf
buf:	.skip 64
