/* Branch into a writable, non-executable .data page (written first so it is present) -> level-3 permission fault on fetch, SEGV_ACCERR. */
#include "fault.inc"
	.text
	.global _start, fault_insn
_start:
	mark_regs
	adr x0, nx_target
	ldr x1, [x0]
	str x1, [x0]		/* touch: page present (CoW done), so the fetch gets a permission fault */
fault_insn:
	br x0
	no_fault
	.data
	.balign 16
	.global nx_target
nx_target:
	ret			/* never executed: the page is not executable */
	ret
