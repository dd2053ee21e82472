/* hlt #0 with halting debug disabled is UNDEFINED -> EC 0x00 -> SIGILL ILL_ILLOPC. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs

fault_insn:
	hlt #0
	no_fault

