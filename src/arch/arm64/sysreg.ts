// System-register instructions (MRS, MSR, SYS, SYSL) for the EL0 trap emulation, and the register names the
// kernel's sysreg.h spells (arch/arm64/include/asm/sysreg.h, v6.17): encodings from the Arm ARM (DDI 0487)
// C5.2 "System instructions", names as in binutils opcodes/aarch64-sys-regs.def (the tests assemble each name
// with gas and check the encoding). Emulator-side decoding; the instruction decoder for memory accesses is insn.ts.

import { bit, bits } from './insn.ts';

export interface SysInsn {
  op0: number; op1: number; crn: number; crm: number; op2: number; rt: number;
  read: boolean; /* MRS, SYSL */
  kind: 'mrs' | 'msr-reg' | 'msr-imm' | 'sys' | 'sysl';
}

/** MRS / MSR (register) / MSR (immediate) / SYS / SYSL; null for hints, barriers and everything else. */
export function decodeSys(insn: number): SysInsn | null {
  insn >>>= 0;
  if ((insn & 0xffc00000) >>> 0 !== 0xd5000000) return null;
  const l = bit(insn, 21), op0 = bits(insn, 20, 19);
  const s = {
    op0, op1: bits(insn, 18, 16), crn: bits(insn, 15, 12), crm: bits(insn, 11, 8), op2: bits(insn, 7, 5),
    rt: bits(insn, 4, 0),
  };
  if (op0 === 0) {
    if (l || s.crn !== 4 || s.rt !== 31) return null;
    return { ...s, read: false, kind: 'msr-imm' };
  }
  if (op0 === 1) return { ...s, read: l === 1, kind: l ? 'sysl' : 'sys' };
  return { ...s, read: l === 1, kind: l ? 'mrs' : 'msr-reg' };
}

/** The generic S<op0>_<op1>_C<n>_C<m>_<op2> spelling gas and the kernel's sys_reg() use. */
export function sysregEncodingName(s: SysInsn): string {
  return `S${s.op0}_${s.op1}_C${s.crn}_C${s.crm}_${s.op2}`;
}

/** Architectural name of the register, PSTATE field or SYS operation; null when not in our tables. */
export function sysregName(s: SysInsn): string | null {
  if (s.kind === 'msr-imm') return pstateFieldNames.get(`${s.op1},${s.op2}`) ?? null;
  const key = `${s.op0},${s.op1},${s.crn},${s.crm},${s.op2}`;
  if (s.kind === 'sys' || s.kind === 'sysl') return sysInsnNames.get(key) ?? null;
  return sysregNames.get(key) ?? null;
}

// ---- Tables (names as in the Arm ARM and binutils opcodes/aarch64-sys-regs.def; the tests assemble each
// name with gas and check the encoding). Key: "op0,op1,CRn,CRm,op2". --------------------------------------

function table(rows: readonly (readonly [string, string])[]): ReadonlyMap<string, string> {
  return new Map(rows);
}

/** MRS/MSR registers: EL0-accessible ones, the ID space Linux emulates (cpufeature.c emulate_mrs), a few EL1. */
export const sysregNames = table([
  ['3,0,0,0,0', 'MIDR_EL1'], ['3,0,0,0,5', 'MPIDR_EL1'], ['3,0,0,0,6', 'REVIDR_EL1'],
  ['3,0,0,1,0', 'ID_PFR0_EL1'], ['3,0,0,1,1', 'ID_PFR1_EL1'], ['3,0,0,1,2', 'ID_DFR0_EL1'],
  ['3,0,0,1,3', 'ID_AFR0_EL1'], ['3,0,0,1,4', 'ID_MMFR0_EL1'], ['3,0,0,1,5', 'ID_MMFR1_EL1'],
  ['3,0,0,1,6', 'ID_MMFR2_EL1'], ['3,0,0,1,7', 'ID_MMFR3_EL1'],
  ['3,0,0,2,0', 'ID_ISAR0_EL1'], ['3,0,0,2,1', 'ID_ISAR1_EL1'], ['3,0,0,2,2', 'ID_ISAR2_EL1'],
  ['3,0,0,2,3', 'ID_ISAR3_EL1'], ['3,0,0,2,4', 'ID_ISAR4_EL1'], ['3,0,0,2,5', 'ID_ISAR5_EL1'],
  ['3,0,0,2,6', 'ID_MMFR4_EL1'], ['3,0,0,2,7', 'ID_ISAR6_EL1'],
  ['3,0,0,3,0', 'MVFR0_EL1'], ['3,0,0,3,1', 'MVFR1_EL1'], ['3,0,0,3,2', 'MVFR2_EL1'],
  ['3,0,0,3,4', 'ID_PFR2_EL1'], ['3,0,0,3,5', 'ID_DFR1_EL1'], ['3,0,0,3,6', 'ID_MMFR5_EL1'],
  ['3,0,0,4,0', 'ID_AA64PFR0_EL1'], ['3,0,0,4,1', 'ID_AA64PFR1_EL1'], ['3,0,0,4,2', 'ID_AA64PFR2_EL1'],
  ['3,0,0,4,4', 'ID_AA64ZFR0_EL1'], ['3,0,0,4,5', 'ID_AA64SMFR0_EL1'], ['3,0,0,4,7', 'ID_AA64FPFR0_EL1'],
  ['3,0,0,5,0', 'ID_AA64DFR0_EL1'], ['3,0,0,5,1', 'ID_AA64DFR1_EL1'], ['3,0,0,5,2', 'ID_AA64DFR2_EL1'],
  ['3,0,0,5,4', 'ID_AA64AFR0_EL1'], ['3,0,0,5,5', 'ID_AA64AFR1_EL1'],
  ['3,0,0,6,0', 'ID_AA64ISAR0_EL1'], ['3,0,0,6,1', 'ID_AA64ISAR1_EL1'], ['3,0,0,6,2', 'ID_AA64ISAR2_EL1'],
  ['3,0,0,6,3', 'ID_AA64ISAR3_EL1'],
  ['3,0,0,7,0', 'ID_AA64MMFR0_EL1'], ['3,0,0,7,1', 'ID_AA64MMFR1_EL1'], ['3,0,0,7,2', 'ID_AA64MMFR2_EL1'],
  ['3,0,0,7,3', 'ID_AA64MMFR3_EL1'], ['3,0,0,7,4', 'ID_AA64MMFR4_EL1'],
  ['3,1,0,0,0', 'CCSIDR_EL1'], ['3,1,0,0,1', 'CLIDR_EL1'], ['3,1,0,0,2', 'CCSIDR2_EL1'],
  ['3,1,0,0,4', 'GMID_EL1'], ['3,1,0,0,7', 'AIDR_EL1'], ['3,2,0,0,0', 'CSSELR_EL1'],
  ['3,3,0,0,1', 'CTR_EL0'], ['3,3,0,0,7', 'DCZID_EL0'],
  ['3,0,1,0,0', 'SCTLR_EL1'], ['3,0,1,0,1', 'ACTLR_EL1'], ['3,0,1,0,2', 'CPACR_EL1'],
  ['3,0,1,2,0', 'ZCR_EL1'], ['3,0,1,2,6', 'SMCR_EL1'],
  ['3,0,2,0,0', 'TTBR0_EL1'], ['3,0,2,0,1', 'TTBR1_EL1'], ['3,0,2,0,2', 'TCR_EL1'],
  ['3,3,2,4,0', 'RNDR'], ['3,3,2,4,1', 'RNDRRS'],
  ['3,0,4,0,0', 'SPSR_EL1'], ['3,0,4,0,1', 'ELR_EL1'], ['3,0,4,1,0', 'SP_EL0'],
  ['3,0,4,2,0', 'SPSel'], ['3,0,4,2,2', 'CurrentEL'], ['3,0,4,2,3', 'PAN'], ['3,0,4,2,4', 'UAO'],
  ['3,3,4,2,0', 'NZCV'], ['3,3,4,2,1', 'DAIF'], ['3,3,4,2,2', 'SVCR'], ['3,3,4,2,5', 'DIT'],
  ['3,3,4,2,6', 'SSBS'], ['3,3,4,2,7', 'TCO'], ['3,3,4,4,0', 'FPCR'], ['3,3,4,4,1', 'FPSR'],
  ['3,3,4,5,0', 'DSPSR_EL0'], ['3,3,4,5,1', 'DLR_EL0'],
  ['3,0,5,1,0', 'AFSR0_EL1'], ['3,0,5,1,1', 'AFSR1_EL1'], ['3,0,5,2,0', 'ESR_EL1'],
  ['3,0,6,0,0', 'FAR_EL1'], ['3,0,7,4,0', 'PAR_EL1'],
  ['3,3,9,12,0', 'PMCR_EL0'], ['3,3,9,12,1', 'PMCNTENSET_EL0'], ['3,3,9,13,0', 'PMCCNTR_EL0'],
  ['3,3,9,14,0', 'PMUSERENR_EL0'],
  ['3,0,10,2,0', 'MAIR_EL1'], ['3,0,10,3,0', 'AMAIR_EL1'], ['3,0,12,0,0', 'VBAR_EL1'],
  ['3,0,13,0,1', 'CONTEXTIDR_EL1'], ['3,0,13,0,4', 'TPIDR_EL1'],
  ['3,3,13,0,2', 'TPIDR_EL0'], ['3,3,13,0,3', 'TPIDRRO_EL0'], ['3,3,13,0,5', 'TPIDR2_EL0'],
  ['3,0,14,1,0', 'CNTKCTL_EL1'],
  ['3,3,14,0,0', 'CNTFRQ_EL0'], ['3,3,14,0,1', 'CNTPCT_EL0'], ['3,3,14,0,2', 'CNTVCT_EL0'],
  ['3,3,14,0,5', 'CNTPCTSS_EL0'], ['3,3,14,0,6', 'CNTVCTSS_EL0'],
  ['3,3,14,2,0', 'CNTP_TVAL_EL0'], ['3,3,14,2,1', 'CNTP_CTL_EL0'], ['3,3,14,2,2', 'CNTP_CVAL_EL0'],
  ['3,3,14,3,0', 'CNTV_TVAL_EL0'], ['3,3,14,3,1', 'CNTV_CTL_EL0'], ['3,3,14,3,2', 'CNTV_CVAL_EL0'],
  ['2,0,0,2,2', 'MDSCR_EL1'], ['2,3,0,1,0', 'MDCCSR_EL0'], ['2,3,0,4,0', 'DBGDTR_EL0'],
]);

/** SYS/SYSL operations: DC, IC, AT, a few TLBI, and the FEAT_SPECRES prediction-restriction ops. */
export const sysInsnNames = table([
  ['1,0,7,1,0', 'IC IALLUIS'], ['1,0,7,5,0', 'IC IALLU'], ['1,3,7,5,1', 'IC IVAU'],
  ['1,0,7,6,1', 'DC IVAC'], ['1,0,7,6,2', 'DC ISW'], ['1,0,7,10,2', 'DC CSW'], ['1,0,7,14,2', 'DC CISW'],
  ['1,3,7,4,1', 'DC ZVA'], ['1,3,7,4,3', 'DC GVA'], ['1,3,7,4,4', 'DC GZVA'],
  ['1,3,7,10,1', 'DC CVAC'], ['1,3,7,11,1', 'DC CVAU'], ['1,3,7,12,1', 'DC CVAP'],
  ['1,3,7,13,1', 'DC CVADP'], ['1,3,7,14,1', 'DC CIVAC'],
  ['1,0,7,8,0', 'AT S1E1R'], ['1,0,7,8,1', 'AT S1E1W'], ['1,0,7,8,2', 'AT S1E0R'], ['1,0,7,8,3', 'AT S1E0W'],
  ['1,0,8,3,0', 'TLBI VMALLE1IS'], ['1,0,8,7,0', 'TLBI VMALLE1'], ['1,0,8,7,1', 'TLBI VAE1'],
  ['1,0,8,7,2', 'TLBI ASIDE1'],
  ['1,3,7,3,4', 'CFP RCTX'], ['1,3,7,3,5', 'DVP RCTX'], ['1,3,7,3,7', 'CPP RCTX'],
]);

/** MSR (immediate) PSTATE fields and the flag-manipulation ops sharing the space. Key: "op1,op2". */
export const pstateFieldNames = table([
  ['0,0', 'CFINV'], ['0,1', 'XAFLAG'], ['0,2', 'AXFLAG'], ['0,3', 'UAO'], ['0,4', 'PAN'], ['0,5', 'SPSel'],
  ['3,1', 'SSBS'], ['3,2', 'DIT'], ['3,3', 'SVCR'], ['3,4', 'TCO'], ['3,6', 'DAIFSet'], ['3,7', 'DAIFClr'],
]);
