/* Store to unmapped 0x5fe008 (image's L3 table exists) -> SEGV_MAPERR, level-3 translation fault, WnR=1. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x5fe008
	ldr x1, =0x5757575757575757
fault_insn:
	str x1, [x0]
	no_fault

