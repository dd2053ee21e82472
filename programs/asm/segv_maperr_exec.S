/* blr to unmapped 0x5fd000 -> instruction abort, level-3 translation fault, SEGV_MAPERR, pc = 0x5fd000. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x5fd000
fault_insn:
	blr x0
	no_fault

