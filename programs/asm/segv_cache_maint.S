/* dc civac on unmapped 0x5fc000 (EL0 cache maintenance allowed: SCTLR_EL1.UCI=1) -> data abort CM=1 WnR=1, SEGV_MAPERR. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x5fc000
fault_insn:
	dc civac, x0
	no_fault

