/* br to pc_target+2 (2 mod 4) inside .text -> PC alignment fault on the fetch at the
 * misaligned address: SIGBUS BUS_ADRALN, si_addr = pc = misaligned_pc. fault_insn is the br;
 * the exception is taken at misaligned_pc (the branch itself completes). */
#include "fault.inc"
	.text
	.global _start, fault_insn, pc_target, misaligned_pc
_start:
	mark_regs
	adr x0, pc_target
	add x0, x0, #2
fault_insn:
	br x0
	.balign 8
pc_target:
	nop
	nop
	.set misaligned_pc, pc_target + 2
	no_fault
