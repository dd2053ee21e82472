/* Load from 0x5ff000: inside the image's 2 MiB block (L3 table exists), L3 index 0x1ff empty -> level 3. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	ldr x0, =0x5ff000
fault_insn:
	ldr x1, [x0]
	no_fault

