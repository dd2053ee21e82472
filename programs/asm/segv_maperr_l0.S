/* Load from 0x0000400000000000: L0 index 0x80 is used by no mapping -> level-0 translation fault. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x0000400000000000
fault_insn:
	ldr x1, [x0]
	no_fault

