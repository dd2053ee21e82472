// Natural-alignment checks the engine does not make (emulator-only; the hardware's part of an Alignment fault).
//
// Without FEAT_LSE2 (this CPU has none: AT_HWCAP has no USCAT), every instruction insn.ts marks `mustAlign` —
// exclusives, LSE atomics, CAS/CASP, LDAR/STLR/LDAPR/LDLAR/STLLR, LDAPUR/STLUR — takes an Alignment fault
// (DFSC 0b100001) on a misaligned address whatever SCTLR_EL1.A says, before any translation or permission
// fault (Arm ARM B2.5.2 and the ASL's AArch64.MemSingle: the alignment check comes before the walk). QEMU,
// hence Unicorn, checks only some of these itself (MO_ALIGN in its translator); the others run silently. This
// table says who checks each class, so one mechanism covers them all: the text scan (mm/text_scan.ts)
// arms a native site check (native/icount.c align_check) for every instruction of an 'emulator' class, and
// the stop is then folded like the engine's own alignment data abort (syndrome.ts synthesizeEsr).
import { decodeMemAccess, type MemAccess } from './insn.ts';

/** Who raises the alignment fault of a mustAlign class: the engine itself, or our site check. */
export type AlignChecker = 'engine' | 'emulator';

/**
 * Measured with programs/c/sig_align on Unicorn 2.1.4 (UC_CPU_ARM64_MAX; insn.ts records the same for 2.0.1): the
 * rows marked 'emulator' ran misaligned without a fault. The store-exclusives are there because QEMU compares the address
 * with the exclusive monitor first and fails the store (status 1) without checking alignment.
 */
const alignChecker: Record<string, AlignChecker> = {
  'load-exclusive/exclusive': 'engine', // LDXR, LDAXR (B/H/W/X)
  'load-exclusive/exclusive-pair': 'engine', // LDXP, LDAXP: aligned to the pair's total size
  'store-exclusive/exclusive': 'emulator', // STXR, STLXR
  'store-exclusive/exclusive-pair': 'emulator', // STXP, STLXP
  'atomic/atomic': 'engine', // LDADD…LDUMIN, ST<op>, SWP (all orderings and sizes)
  'cas/cas': 'engine', // CAS, CASA, CASL, CASAL
  'cas/casp': 'engine', // CASP…: aligned to the pair's total size
  'load/ordered': 'emulator', // LDAR, LDLAR, LDAPR
  'store/ordered': 'emulator', // STLR, STLLR
  'load/rcpc-unscaled': 'emulator', // LDAPUR, LDAPURS*
  'store/rcpc-unscaled': 'emulator', // STLUR
};

/** The class's checker; null when the access has no alignment requirement (or a byte-sized one). */
export function alignCheckerOf(m: MemAccess): AlignChecker | null {
  if (!m.mustAlign || m.alignment <= 1) return null;
  const c = alignChecker[`${m.kind}/${m.form}`];
  if (c === undefined) throw new Error(`align.ts: no checker for the mustAlign class ${m.kind}/${m.form}`);
  return c;
}

/** What the native check needs: the address is X[rn] (SP when 31) + imm, faulting when not a multiple of alignment. */
export interface AlignSite {
  rn: number;
  imm: number;
  alignment: number;
}

/**
 * The site check for insn, or null when the engine checks it or nothing must be checked. Every class above has
 * a plain base + imm9 address (no writeback, no register offset), which is all the native check computes.
 */
export function alignSiteOf(insn: number): AlignSite | null {
  const m = decodeMemAccess(insn);
  if (!m || alignCheckerOf(m) !== 'emulator') return null;
  if (m.rn < 0 || m.rn > 31 || m.writeback !== 'none' || m.rm >= 0) throw new Error(`align.ts: ${m.form} has no base + imm address`);
  return { rn: m.rn, imm: Number(m.imm), alignment: m.alignment };
}

/**
 * The site argument of native/icount.c af_align_site: Rn in bits 4:0, log2(alignment) in bits 7:5, the signed
 * immediate in bits 31:8 (imm9 fits), and the instruction word in bits 63:32, so that a site whose code was
 * replaced (munmap, then new code mapped at the same address) checks nothing until it is armed again.
 */
export function encodeAlignSite(insn: number, s: AlignSite): bigint {
  const check = (s.rn | ((31 - Math.clz32(s.alignment)) << 5) | (s.imm << 8)) >>> 0;
  return (BigInt(insn >>> 0) << 32n) | BigInt(check);
}

/**
 * Cheap pre-filter for the text scan, a superset of the 'emulator' rows: the exclusive/ordered group (bits
 * 29:24 = 001000: also LDXR, CAS, CASP, which the decoder then drops), LDAPUR/STLUR (011001, bit 21 = 0,
 * bits 11:10 = 00) and LDAPR (111000 1 0 1 11111 1100 00), as (mask, value) pairs: the native pre-filter of the
 * text scan (native/scan.c) takes them as they are.
 */
export const MAY_NEED_ALIGN_SITE_PATTERNS: readonly number[] = [
  0x3f000000, 0x08000000, 0x3f200c00, 0x19000000, 0x3ffffc00, 0x38bfc000,
];

export function mayNeedAlignSite(insn: number): boolean {
  const p = MAY_NEED_ALIGN_SITE_PATTERNS;
  for (let i = 0; i < p.length; i += 2) if ((insn & p[i]) === p[i + 1]) return true;
  return false;
}
