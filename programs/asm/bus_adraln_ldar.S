/* Misaligned load-acquire (buf+4, 8 bytes) -> alignment fault (WnR=0), SIGBUS BUS_ADRALN. LDAR needs natural
 * alignment whatever SCTLR_EL1.A says; the engine runs it misaligned, the emulator's site check faults it. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, buf
	str xzr, [x0]		/* page present: only the alignment fault can happen */
	add x0, x0, #4
fault_insn:
	ldar x1, [x0]
	no_fault
	.data
	.balign 16
	.global buf
buf:	.skip 64
