/* ldr with base sp while sp = buf+8 (8 mod 16) -> SP alignment fault, SIGBUS BUS_ADRALN, si_addr = sp. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, buf
	add x0, x0, #8
	mov sp, x0
fault_insn:
	ldr x1, [sp]
	no_fault
	.data
	.balign 16
	.global buf
buf:	.skip 64
