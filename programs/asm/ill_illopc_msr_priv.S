/* msr sctlr_el1, x0 at EL0 is UNDEFINED -> EC 0x00 -> SIGILL ILL_ILLOPC. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	mov x0, #0
fault_insn:
	msr sctlr_el1, x0
	no_fault

