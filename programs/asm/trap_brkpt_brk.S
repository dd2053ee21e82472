/* brk #0x3e8 (what GCC emits for __builtin_trap) -> EC 0x3c, SIGTRAP TRAP_BRKPT. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs

fault_insn:
	brk #0x3e8
	no_fault

