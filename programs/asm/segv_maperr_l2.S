/* Load from 0x200000: shares L0/L1 entry 0 with the image (at 0x400000, L2 index 2), L2 index 1 empty -> level 2. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x200000
fault_insn:
	ldr x1, [x0]
	no_fault

