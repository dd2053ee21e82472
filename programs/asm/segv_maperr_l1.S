/* Load from 0x0000007f00000000: shares L0 entry 0 with the image, L1 index 0x1fc is empty -> level 1. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x0000007f00000000
fault_insn:
	ldr x1, [x0]
	no_fault

