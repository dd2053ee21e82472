/* Store into its own .text (same page as the store, so the page is present) -> level-3 permission fault, SEGV_ACCERR. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, ro_word
	ldr x1, =0x5757575757575757
fault_insn:
	str x1, [x0]
	no_fault
	.global ro_word
	.balign 8
ro_word: .quad 0x0123456789abcdef
