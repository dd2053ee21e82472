/* ok_el0_sysregs: system registers EL0 may read (TPIDR_EL0 read/write, CNTVCT_EL0,
 * CNTFRQ_EL0, CTR_EL0, DCZID_EL0) and ID registers Linux emulates for EL0 (MIDR_EL1,
 * ID_AA64ISAR0_EL1: trapped and emulated by do_el0_undef/emulate_mrs), plus FP and SIMD.
 * Counter values vary, so only their properties are printed. Exits 0. */
#include <stdio.h>

#define MRS(reg) ({ unsigned long v_; __asm__ volatile("mrs %0, " reg : "=r"(v_)); v_; })

int main(void)
{
	unsigned long old_tp = MRS("tpidr_el0");
	__asm__ volatile("msr tpidr_el0, %0" : : "r"(0x1122334455667788UL));
	unsigned long new_tp = MRS("tpidr_el0");
	/* Restore glibc's TLS pointer before any libc call (printf uses TLS). */
	__asm__ volatile("msr tpidr_el0, %0" : : "r"(old_tp));
	printf("tpidr_el0=0x%lx\n", new_tp);

	unsigned long c1 = MRS("cntvct_el0");
	unsigned long c2 = MRS("cntvct_el0");
	printf("cntvct_el0 nonzero=%d monotonic=%d\n", c1 != 0, c2 >= c1);
	printf("cntfrq_el0 nonzero=%d\n", MRS("cntfrq_el0") != 0);
	printf("ctr_el0=0x%lx\n", MRS("ctr_el0"));
	printf("dczid_el0=0x%lx\n", MRS("dczid_el0"));
	printf("midr_el1=0x%lx\n", MRS("midr_el1"));
	printf("id_aa64isar0_el1=0x%lx\n", MRS("id_aa64isar0_el1"));

	/* FP and Advanced SIMD. */
	volatile double a = 1.5, b = 2.25;
	printf("fp 1.5*2.25+0.125=%.4f\n", a * b + 0.125);
	unsigned int lanes[4] = { 1, 2, 3, 4 }, out[4];
	__asm__ volatile("ld1 {v0.4s}, [%1]\n\t"
			 "add v0.4s, v0.4s, v0.4s\n\t"
			 "st1 {v0.4s}, [%0]" : : "r"(out), "r"(lanes) : "v0", "memory");
	printf("simd add=%u,%u,%u,%u\n", out[0], out[1], out[2], out[3]);
	return 0;
}
