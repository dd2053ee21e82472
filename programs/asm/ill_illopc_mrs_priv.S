/* mrs x0, sctlr_el1 at EL0 is UNDEFINED -> EC 0x00, not emulated (CRn != 0) -> SIGILL ILL_ILLOPC. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	mov x0, #0
fault_insn:
	mrs x0, sctlr_el1
	no_fault

