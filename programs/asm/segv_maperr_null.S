/* Load from address 0: SIGSEGV SEGV_MAPERR, si_addr 0 (level-2 translation fault, see README). */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	mov x0, #0
fault_insn:
	ldr x1, [x0]
	no_fault

