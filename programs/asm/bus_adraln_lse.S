/* Misaligned LSE atomics: ldadd (then cas, only if ldadd did not fault) on buf+13.
 * buf+13 with an 8-byte access crosses a 16-byte boundary, so it faults even on CPUs with
 * FEAT_LSE2 (which allows misaligned atomics inside one aligned 16-byte block). */
#include "fault.inc"
	.arch armv8.1-a
	.text
	.global _start, fault_insn, fault_insn_cas
_start:
	mark_regs
	adr x0, buf
	str xzr, [x0]		/* page present: only the alignment fault can happen */
	add x0, x0, #13
	mov x1, #1
fault_insn:
	ldadd x1, x2, [x0]
	mov x3, #0
	mov x4, #1
fault_insn_cas:
	cas x3, x4, [x0]
	no_fault

	.data
	.balign 16
	.global buf
buf:	.skip 64
