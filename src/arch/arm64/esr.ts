// Mirrors torvalds/linux arch/arm64/include/asm/esr.h and esr_class_str[] from arch/arm64/kernel/traps.c (v6.17).
// Simplified: only the EC table, the common/abort ISS fields and the helpers user-mode fault handling needs.
//
// Read: ColinIanKing/linux-next arch/arm64/include/asm/esr.h @ 122d43a6c4714776647c555cad73ca8a2a12c56e,
//       ColinIanKing/linux-next arch/arm64/kernel/traps.c @ e4b9a6bedccd6faa7ad18c1df724b3decd833a9c,
//       FPEXC_* from arch/arm64/kernel/fpsimd.c (a recent copy). kernel.md §1.
//
// ESR values are `number`, not `bigint`: the kernel keeps ESR in a 64-bit `unsigned long`, but bits 63:32
// are RES0 + ISS2 (FEAT_LS64/MTE/GCS/POE syndrome) and this emulator never sets ISS2.
// DIVERGENCE: ISS2 is always zero, so ESR fits in 32 bits. Use `>>> 0` after `|` to keep values unsigned.

/* Exception classes (ESR_ELx.EC, bits 31:26). */
export const ESR_ELx_EC_UNKNOWN = 0x00;
export const ESR_ELx_EC_WFx = 0x01;
// Unallocated EC: 0x02
export const ESR_ELx_EC_CP15_32 = 0x03;
export const ESR_ELx_EC_CP15_64 = 0x04;
export const ESR_ELx_EC_CP14_MR = 0x05;
export const ESR_ELx_EC_CP14_LS = 0x06;
export const ESR_ELx_EC_FP_ASIMD = 0x07;
export const ESR_ELx_EC_CP10_ID = 0x08; // EL2 only
export const ESR_ELx_EC_PAC = 0x09; // EL2 and above
export const ESR_ELx_EC_OTHER = 0x0a;
// Unallocated EC: 0x0B
export const ESR_ELx_EC_CP14_64 = 0x0c;
export const ESR_ELx_EC_BTI = 0x0d;
export const ESR_ELx_EC_ILL = 0x0e;
// Unallocated EC: 0x0F - 0x10
export const ESR_ELx_EC_SVC32 = 0x11;
export const ESR_ELx_EC_HVC32 = 0x12; // EL2 only
export const ESR_ELx_EC_SMC32 = 0x13; // EL2 and above
// Unallocated EC: 0x14
export const ESR_ELx_EC_SVC64 = 0x15;
export const ESR_ELx_EC_HVC64 = 0x16; // EL2 and above
export const ESR_ELx_EC_SMC64 = 0x17; // EL2 and above
export const ESR_ELx_EC_SYS64 = 0x18;
export const ESR_ELx_EC_SVE = 0x19;
export const ESR_ELx_EC_ERET = 0x1a; // EL2 only
// Unallocated EC: 0x1B
export const ESR_ELx_EC_FPAC = 0x1c; // EL1 and above
export const ESR_ELx_EC_SME = 0x1d;
// Unallocated EC: 0x1E
export const ESR_ELx_EC_IMP_DEF = 0x1f; // EL3 only
export const ESR_ELx_EC_IABT_LOW = 0x20;
export const ESR_ELx_EC_IABT_CUR = 0x21;
export const ESR_ELx_EC_PC_ALIGN = 0x22;
// Unallocated EC: 0x23
export const ESR_ELx_EC_DABT_LOW = 0x24;
export const ESR_ELx_EC_DABT_CUR = 0x25;
export const ESR_ELx_EC_SP_ALIGN = 0x26;
export const ESR_ELx_EC_MOPS = 0x27;
export const ESR_ELx_EC_FP_EXC32 = 0x28;
// Unallocated EC: 0x29 - 0x2B
export const ESR_ELx_EC_FP_EXC64 = 0x2c;
export const ESR_ELx_EC_GCS = 0x2d;
// Unallocated EC: 0x2E
export const ESR_ELx_EC_SERROR = 0x2f;
export const ESR_ELx_EC_BREAKPT_LOW = 0x30;
export const ESR_ELx_EC_BREAKPT_CUR = 0x31;
export const ESR_ELx_EC_SOFTSTP_LOW = 0x32;
export const ESR_ELx_EC_SOFTSTP_CUR = 0x33;
export const ESR_ELx_EC_WATCHPT_LOW = 0x34;
export const ESR_ELx_EC_WATCHPT_CUR = 0x35;
// Unallocated EC: 0x36 - 0x37
export const ESR_ELx_EC_BKPT32 = 0x38;
// Unallocated EC: 0x39
export const ESR_ELx_EC_VECTOR32 = 0x3a; // EL2 only
// Unallocated EC: 0x3B
export const ESR_ELx_EC_BRK64 = 0x3c;
// Unallocated EC: 0x3D - 0x3F
export const ESR_ELx_EC_MAX = 0x3f;

export const ESR_ELx_EC_SHIFT = 26;
export const ESR_ELx_EC_WIDTH = 6;
export const ESR_ELx_EC_MASK = (0x3f << ESR_ELx_EC_SHIFT) >>> 0;

/** ESR_ELx_EC(esr): the exception class, bits 31:26. */
export function ESR_ELx_EC(esr: number): number {
  return (esr >>> ESR_ELx_EC_SHIFT) & 0x3f;
}

export const ESR_ELx_IL_SHIFT = 25;
export const ESR_ELx_IL = 1 << ESR_ELx_IL_SHIFT; // 32-bit instruction
export const ESR_ELx_ISS_MASK = 0x01ffffff; // GENMASK(24, 0)

/** ESR_ELx_ISS(esr): the instruction-specific syndrome, bits 24:0. */
export function ESR_ELx_ISS(esr: number): number {
  return esr & ESR_ELx_ISS_MASK;
}

/* ISS field definitions shared by different classes */
export const ESR_ELx_WNR_SHIFT = 6;
export const ESR_ELx_WNR = 1 << ESR_ELx_WNR_SHIFT;

/* Shared ISS field definitions for Data/Instruction aborts */
export const ESR_ELx_SET_SHIFT = 11;
export const ESR_ELx_SET_MASK = 3 << ESR_ELx_SET_SHIFT;
export const ESR_ELx_FnV_SHIFT = 10;
export const ESR_ELx_FnV = 1 << ESR_ELx_FnV_SHIFT;
export const ESR_ELx_EA_SHIFT = 9;
export const ESR_ELx_EA = 1 << ESR_ELx_EA_SHIFT;
export const ESR_ELx_S1PTW_SHIFT = 7;
export const ESR_ELx_S1PTW = 1 << ESR_ELx_S1PTW_SHIFT;

/* Shared ISS fault status code (IFSC/DFSC) for Data/Instruction aborts */
export const ESR_ELx_FSC = 0x3f;
export const ESR_ELx_FSC_TYPE = 0x3c;
export const ESR_ELx_FSC_LEVEL = 0x03;
export const ESR_ELx_FSC_EXTABT = 0x10;
export const ESR_ELx_FSC_MTE = 0x11;
export const ESR_ELx_FSC_SERROR = 0x11;
export const ESR_ELx_FSC_ACCESS = 0x08;
export const ESR_ELx_FSC_FAULT = 0x04;
export const ESR_ELx_FSC_PERM = 0x0c;
export const ESR_ELx_FSC_SECC = 0x18;
export const ESR_ELx_FSC_ADDRSZ = 0x00;
/** Translation fault, level -1 (FEAT_LPA2) is 0x2C + (-1) = 0x2B. */
export const ESR_ELx_FSC_FAULT_nL = 0x2c;

/** ESR_ELx_FSC_SEA_TTW(n): synchronous external abort on a table walk at level n (-1..3). */
export function ESR_ELx_FSC_SEA_TTW(n: number): number {
  return 0x14 + n;
}

/** ESR_ELx_FSC_SECC_TTW(n): parity/ECC error on a table walk at level n (-1..3). */
export function ESR_ELx_FSC_SECC_TTW(n: number): number {
  return 0x1c + n;
}

/** ESR_ELx_FSC_FAULT_L(n): translation fault at level n (-1..3). */
export function ESR_ELx_FSC_FAULT_L(n: number): number {
  return (n < 0 ? ESR_ELx_FSC_FAULT_nL : ESR_ELx_FSC_FAULT) + n;
}

/** ESR_ELx_FSC_ACCESS_L(n): access flag fault at level n (0..3). */
export function ESR_ELx_FSC_ACCESS_L(n: number): number {
  return ESR_ELx_FSC_ACCESS + n;
}

/** ESR_ELx_FSC_PERM_L(n): permission fault at level n (0..3). */
export function ESR_ELx_FSC_PERM_L(n: number): number {
  return ESR_ELx_FSC_PERM + n;
}

/**
 * ESR_ELx_FSC_ADDRSZ_L(n): address size fault at level n (-1..3).
 * "Annoyingly, the negative levels for Address size faults aren't laid out contiguously" (esr.h):
 * level -1 is 0x25 here, while fault.c's fault_info[] names 0x29 "level -1" (kernel.md §1.4).
 */
export function ESR_ELx_FSC_ADDRSZ_L(n: number): number {
  if (n >= 0) return ESR_ELx_FSC_ADDRSZ + n;
  return n === -1 ? 0x25 : 0x2c;
}

/* ISS field definitions for Data Aborts (valid when ISV is set) */
export const ESR_ELx_ISV_SHIFT = 24;
export const ESR_ELx_ISV = 1 << ESR_ELx_ISV_SHIFT;
export const ESR_ELx_SAS_SHIFT = 22;
export const ESR_ELx_SAS = 3 << ESR_ELx_SAS_SHIFT; // access size = 1 << SAS bytes
export const ESR_ELx_SSE_SHIFT = 21;
export const ESR_ELx_SSE = 1 << ESR_ELx_SSE_SHIFT;
export const ESR_ELx_SRT_SHIFT = 16;
export const ESR_ELx_SRT_MASK = 0x1f << ESR_ELx_SRT_SHIFT;
export const ESR_ELx_SF_SHIFT = 15;
export const ESR_ELx_SF = 1 << ESR_ELx_SF_SHIFT;
export const ESR_ELx_AR_SHIFT = 14;
export const ESR_ELx_AR = 1 << ESR_ELx_AR_SHIFT;
export const ESR_ELx_CM_SHIFT = 8;
export const ESR_ELx_CM = 1 << ESR_ELx_CM_SHIFT;

/* ISS field definitions for exceptions taken in to Hyp; xVC = HVC/SVC immediate */
export const ESR_ELx_xVC_IMM_MASK = (1 << 16) - 1;

/* BRK instruction trap from AArch64 state */
export const ESR_ELx_BRK64_ISS_COMMENT_MASK = 0xffff;

/** esr_brk_comment(esr): the BRK immediate. */
export function esrBrkComment(esr: number): number {
  return esr & ESR_ELx_BRK64_ISS_COMMENT_MASK;
}

/** esr_is_data_abort(esr) */
export function esrIsDataAbort(esr: number): boolean {
  const ec = ESR_ELx_EC(esr);
  return ec === ESR_ELx_EC_DABT_LOW || ec === ESR_ELx_EC_DABT_CUR;
}

/*
 * ISS field definitions for floating-point exception traps (FP_EXC_32/FP_EXC_64).
 * "(The FPEXC_* constants are used instead for common bits.)" — those live in arch/arm64/kernel/fpsimd.c,
 * which tests them against the ESR in do_fpsimd_exc(); they are kept under their kernel names.
 */
export const ESR_ELx_FP_EXC_TFV = 1 << 23; // trapped fault valid: the flag bits below are meaningful
export const FPEXC_IOF = 1 << 0; // invalid operation  -> FPE_FLTINV
export const FPEXC_DZF = 1 << 1; // divide by zero     -> FPE_FLTDIV
export const FPEXC_OFF = 1 << 2; // overflow           -> FPE_FLTOVF
export const FPEXC_UFF = 1 << 3; // underflow          -> FPE_FLTUND
export const FPEXC_IXF = 1 << 4; // inexact            -> FPE_FLTRES
export const FPEXC_IDF = 1 << 7; // input denormal (no si_code of its own)

/**
 * esr_class_str[] from traps.c: `[0 ... ESR_ELx_EC_MAX] = "UNRECOGNIZED EC"`, then the named classes.
 * ESR_ELx_EC_OTHER (0x0A) has no entry upstream, so it prints as "UNRECOGNIZED EC".
 */
export const esrClassStr: readonly string[] = (() => {
  const t: string[] = new Array<string>(ESR_ELx_EC_MAX + 1).fill('UNRECOGNIZED EC');
  t[ESR_ELx_EC_UNKNOWN] = 'Unknown/Uncategorized';
  t[ESR_ELx_EC_WFx] = 'WFI/WFE';
  t[ESR_ELx_EC_CP15_32] = 'CP15 MCR/MRC';
  t[ESR_ELx_EC_CP15_64] = 'CP15 MCRR/MRRC';
  t[ESR_ELx_EC_CP14_MR] = 'CP14 MCR/MRC';
  t[ESR_ELx_EC_CP14_LS] = 'CP14 LDC/STC';
  t[ESR_ELx_EC_FP_ASIMD] = 'ASIMD';
  t[ESR_ELx_EC_CP10_ID] = 'CP10 MRC/VMRS';
  t[ESR_ELx_EC_PAC] = 'PAC';
  t[ESR_ELx_EC_CP14_64] = 'CP14 MCRR/MRRC';
  t[ESR_ELx_EC_BTI] = 'BTI';
  t[ESR_ELx_EC_ILL] = 'PSTATE.IL';
  t[ESR_ELx_EC_SVC32] = 'SVC (AArch32)';
  t[ESR_ELx_EC_HVC32] = 'HVC (AArch32)';
  t[ESR_ELx_EC_SMC32] = 'SMC (AArch32)';
  t[ESR_ELx_EC_SVC64] = 'SVC (AArch64)';
  t[ESR_ELx_EC_HVC64] = 'HVC (AArch64)';
  t[ESR_ELx_EC_SMC64] = 'SMC (AArch64)';
  t[ESR_ELx_EC_SYS64] = 'MSR/MRS (AArch64)';
  t[ESR_ELx_EC_SVE] = 'SVE';
  t[ESR_ELx_EC_ERET] = 'ERET/ERETAA/ERETAB';
  t[ESR_ELx_EC_FPAC] = 'FPAC';
  t[ESR_ELx_EC_SME] = 'SME';
  t[ESR_ELx_EC_IMP_DEF] = 'EL3 IMP DEF';
  t[ESR_ELx_EC_IABT_LOW] = 'IABT (lower EL)';
  t[ESR_ELx_EC_IABT_CUR] = 'IABT (current EL)';
  t[ESR_ELx_EC_PC_ALIGN] = 'PC Alignment';
  t[ESR_ELx_EC_DABT_LOW] = 'DABT (lower EL)';
  t[ESR_ELx_EC_DABT_CUR] = 'DABT (current EL)';
  t[ESR_ELx_EC_SP_ALIGN] = 'SP Alignment';
  t[ESR_ELx_EC_MOPS] = 'MOPS';
  t[ESR_ELx_EC_FP_EXC32] = 'FP (AArch32)';
  t[ESR_ELx_EC_FP_EXC64] = 'FP (AArch64)';
  t[ESR_ELx_EC_GCS] = 'Guarded Control Stack';
  t[ESR_ELx_EC_SERROR] = 'SError';
  t[ESR_ELx_EC_BREAKPT_LOW] = 'Breakpoint (lower EL)';
  t[ESR_ELx_EC_BREAKPT_CUR] = 'Breakpoint (current EL)';
  t[ESR_ELx_EC_SOFTSTP_LOW] = 'Software Step (lower EL)';
  t[ESR_ELx_EC_SOFTSTP_CUR] = 'Software Step (current EL)';
  t[ESR_ELx_EC_WATCHPT_LOW] = 'Watchpoint (lower EL)';
  t[ESR_ELx_EC_WATCHPT_CUR] = 'Watchpoint (current EL)';
  t[ESR_ELx_EC_BKPT32] = 'BKPT (AArch32)';
  t[ESR_ELx_EC_VECTOR32] = 'Vector catch (AArch32)';
  t[ESR_ELx_EC_BRK64] = 'BRK (AArch64)';
  return Object.freeze(t);
})();

/** esr_get_class_string(esr) */
export function esrGetClassString(esr: number): string {
  return esrClassStr[ESR_ELx_EC(esr)];
}
