/* udf #0 -> EC 0x00 (unknown), SIGILL ILL_ILLOPC. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs

fault_insn:
	udf #0
	no_fault

