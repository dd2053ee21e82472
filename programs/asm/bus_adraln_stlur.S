/* Misaligned store-release with an unscaled offset: stlur x1, [x0, #-3] with x0 = buf+16 writes buf+13
 * -> alignment fault (WnR=1) at buf+13, SIGBUS BUS_ADRALN (FEAT_LRCPC2). The offset is part of the address. */
#include "fault.inc"
	.arch armv8.4-a
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, buf
	str xzr, [x0]
	add x0, x0, #16
	ldr x1, =0x5757575757575757
fault_insn:
	stlur x1, [x0, #-3]
	no_fault
	.data
	.balign 16
	.global buf
buf:	.skip 64
