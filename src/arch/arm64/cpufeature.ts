// Mirrors arch/arm64/kernel/cpufeature.c (v6.17): arm64_elf_hwcaps and the sanitised ID registers that
// EL0 sees through MRS emulation. The values are derived from the ID registers the emulated CPU (Unicorn's
// MAX model) really reports, minus every feature Linux would not enable here, so AT_HWCAP never advertises
// something the CPU cannot do.
import type { Cpu } from '../../cpu/cpu.ts';

/** (op0, op1, CRn, CRm, op2) of the ID registers we read */
export const ID_AA64PFR0_EL1 = [3, 0, 0, 4, 0] as const;
export const ID_AA64PFR1_EL1 = [3, 0, 0, 4, 1] as const;
export const ID_AA64ISAR0_EL1 = [3, 0, 0, 6, 0] as const;
export const ID_AA64ISAR1_EL1 = [3, 0, 0, 6, 1] as const;
export const ID_AA64MMFR2_EL1 = [3, 0, 0, 7, 2] as const;

interface HwcapRule {
  reg: 'isar0' | 'isar1' | 'pfr0' | 'mmfr2';
  shift: number;
  /** field value (unsigned) that enables the cap */
  min: number;
  /** for signed fields where 0xf means "not implemented" */
  signed?: boolean;
  cap: string;
  word: 1 | 2;
  bit: number;
}

/** arm64_elf_hwcaps, restricted to the features this CPU model can have and Linux exposes without extra
 *  state (no SVE/SME, no pointer auth, no MTE, no BTI: those need kernel support we do not model). */
const hwcapRules: readonly HwcapRule[] = [
  { reg: 'pfr0', shift: 16, min: 0, signed: true, cap: 'FP', word: 1, bit: 0 },
  { reg: 'pfr0', shift: 16, min: 1, signed: true, cap: 'FPHP', word: 1, bit: 9 },
  { reg: 'pfr0', shift: 20, min: 0, signed: true, cap: 'ASIMD', word: 1, bit: 1 },
  { reg: 'pfr0', shift: 20, min: 1, signed: true, cap: 'ASIMDHP', word: 1, bit: 10 },
  { reg: 'pfr0', shift: 48, min: 1, cap: 'DIT', word: 1, bit: 24 },
  { reg: 'isar0', shift: 4, min: 1, cap: 'AES', word: 1, bit: 3 },
  { reg: 'isar0', shift: 4, min: 2, cap: 'PMULL', word: 1, bit: 4 },
  { reg: 'isar0', shift: 8, min: 1, cap: 'SHA1', word: 1, bit: 5 },
  { reg: 'isar0', shift: 12, min: 1, cap: 'SHA2', word: 1, bit: 6 },
  { reg: 'isar0', shift: 12, min: 2, cap: 'SHA512', word: 1, bit: 21 },
  { reg: 'isar0', shift: 16, min: 1, cap: 'CRC32', word: 1, bit: 7 },
  { reg: 'isar0', shift: 20, min: 2, cap: 'ATOMICS', word: 1, bit: 8 },
  { reg: 'isar0', shift: 28, min: 1, cap: 'ASIMDRDM', word: 1, bit: 12 },
  { reg: 'isar0', shift: 32, min: 1, cap: 'SHA3', word: 1, bit: 17 },
  { reg: 'isar0', shift: 36, min: 1, cap: 'SM3', word: 1, bit: 18 },
  { reg: 'isar0', shift: 40, min: 1, cap: 'SM4', word: 1, bit: 19 },
  { reg: 'isar0', shift: 44, min: 1, cap: 'ASIMDDP', word: 1, bit: 20 },
  { reg: 'isar0', shift: 48, min: 1, cap: 'ASIMDFHM', word: 1, bit: 23 },
  { reg: 'isar0', shift: 52, min: 1, cap: 'FLAGM', word: 1, bit: 27 },
  { reg: 'isar0', shift: 52, min: 2, cap: 'FLAGM2', word: 2, bit: 7 },
  { reg: 'isar1', shift: 0, min: 1, cap: 'DCPOP', word: 1, bit: 16 },
  { reg: 'isar1', shift: 0, min: 2, cap: 'DCPODP', word: 2, bit: 0 },
  { reg: 'isar1', shift: 12, min: 1, cap: 'JSCVT', word: 1, bit: 13 },
  { reg: 'isar1', shift: 16, min: 1, cap: 'FCMA', word: 1, bit: 14 },
  { reg: 'isar1', shift: 20, min: 1, cap: 'LRCPC', word: 1, bit: 15 },
  { reg: 'isar1', shift: 20, min: 2, cap: 'ILRCPC', word: 1, bit: 26 },
  { reg: 'isar1', shift: 32, min: 1, cap: 'FRINT', word: 2, bit: 8 },
  { reg: 'isar1', shift: 36, min: 1, cap: 'SB', word: 1, bit: 29 },
  { reg: 'mmfr2', shift: 32, min: 1, cap: 'USCAT', word: 1, bit: 25 },
];

/** HWCAP_CPUID: the kernel always emulates MRS of the ID registers for EL0. */
const HWCAP_CPUID = 1n << 11n;

/** Fields cleared from the ID registers EL0 sees because Linux does not enable them here. */
const hiddenFields: Record<string, readonly number[]> = {
  pfr0: [32 /* SVE */, 56 /* CSV2 kept by Linux, but unmodelled */],
  pfr1: [0 /* BT */, 8 /* MTE */, 24 /* SME */],
  isar1: [4 /* APA */, 8 /* API */, 24 /* GPA */, 28 /* GPI */],
};

export interface CpuFeatures {
  hwcap: bigint;
  hwcap2: bigint;
  caps: string[];
  /** sanitised ID register values keyed by 'op0:op1:crn:crm:op2' */
  idRegs: Map<string, bigint>;
}

const field = (v: bigint, shift: number): number => Number((v >> BigInt(shift)) & 0xfn);

export function readCpuFeatures(cpu: Cpu): CpuFeatures {
  const read = (r: readonly number[]) => cpu.readSysreg(r[0], r[1], r[2], r[3], r[4]) ?? 0n;
  const regs: Record<string, bigint> = {
    pfr0: read(ID_AA64PFR0_EL1), pfr1: read(ID_AA64PFR1_EL1), isar0: read(ID_AA64ISAR0_EL1),
    isar1: read(ID_AA64ISAR1_EL1), mmfr2: read(ID_AA64MMFR2_EL1),
  };
  for (const [reg, shifts] of Object.entries(hiddenFields)) {
    for (const s of shifts) regs[reg] &= ~(0xfn << BigInt(s));
  }
  let hwcap = HWCAP_CPUID;
  let hwcap2 = 0n;
  const caps = ['CPUID'];
  for (const r of hwcapRules) {
    let f = field(regs[r.reg], r.shift);
    if (r.signed && f === 0xf) continue;
    if (r.signed && f >= 8) f -= 16;
    if (f < r.min) continue;
    if (r.word === 1) hwcap |= 1n << BigInt(r.bit);
    else hwcap2 |= 1n << BigInt(r.bit);
    caps.push(r.cap);
  }
  const idRegs = new Map<string, bigint>([
    [ID_AA64PFR0_EL1.join(':'), regs.pfr0], [ID_AA64PFR1_EL1.join(':'), regs.pfr1],
    [ID_AA64ISAR0_EL1.join(':'), regs.isar0], [ID_AA64ISAR1_EL1.join(':'), regs.isar1],
    [ID_AA64MMFR2_EL1.join(':'), regs.mmfr2],
  ]);
  return { hwcap, hwcap2, caps: caps.sort(), idRegs };
}
