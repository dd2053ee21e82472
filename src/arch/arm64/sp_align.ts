// Which instructions the SP-alignment check needs (emulator-only): loads and stores with SP as base, which the
// architecture checks (CheckSPAlignment(), SCTLR_EL1.SA0 = 1 at EL0 under Linux), and the instructions that
// write SP and may leave it misaligned. mm.ts scans program text with these to place the native checks.
import { bit, bits, decodeMemAccess } from './insn.ts';

/**
 * True when the instruction is a load/store whose base is SP and the architecture checks SP alignment
 * for it (CheckSPAlignment(): SCTLR_EL1.SA0 = 1 at EL0 under Linux). PRFM is excluded: its decode says
 * `if memop != MemOp_PREFETCH then CheckSPAlignment()`. DC ZVA takes Xt, where 31 is XZR, not SP.
 */
export function usesSpBase(insn: number): boolean {
  const m = decodeMemAccess(insn);
  return m !== null && m.rn === 31 && m.kind !== 'prefetch';
}

export type SpWrite = 'none' | 'keeps-alignment' | 'may-misalign';

/** Does the instruction write SP, and can the result be misaligned when SP was 16-aligned before? */
export function spWriteKind(insn: number): SpWrite {
  insn >>>= 0;
  const rd = bits(insn, 4, 0), rn = bits(insn, 9, 5), s = bit(insn, 29);
  if ((insn & 0x1f800000) === 0x11000000) { // ADD/SUB (immediate); Rd = 31 is SP unless S = 1
    if (s || rd !== 31) return 'none';
    const imm = bits(insn, 21, 10) << (bit(insn, 22) ? 12 : 0);
    return rn === 31 && imm % 16 === 0 ? 'keeps-alignment' : 'may-misalign';
  }
  if ((insn & 0x1fe00000) === 0x0b200000) { // ADD/SUB (extended register); Rd = 31 is SP unless S = 1
    if (s || rd !== 31) return 'none';
    return rn === 31 && bits(insn, 20, 16) === 31 ? 'keeps-alignment' : 'may-misalign';
  }
  if ((insn & 0x1f800000) === 0x12000000) { // logical (immediate); Rd = 31 is SP except ANDS; Rn = 31 is XZR
    const opc = bits(insn, 30, 29);
    if (opc === 3 || rd !== 31) return 'none';
    const imm = decodeBitMasks(bit(insn, 22), bits(insn, 15, 10), bits(insn, 21, 16), bit(insn, 31) ? 64 : 32);
    if (imm === null) return 'none'; // reserved encoding: UNDEFINED, writes nothing
    const low = imm & 15n;
    if (opc === 0) return low === 0n || rn === 31 ? 'keeps-alignment' : 'may-misalign'; // AND
    return rn === 31 && low === 0n ? 'keeps-alignment' : 'may-misalign'; // ORR, EOR
  }
  const m = decodeMemAccess(insn);
  if (m === null || m.rn !== 31 || m.writeback === 'none') return 'none';
  if (m.rm >= 0) return 'may-misalign';
  return m.imm % 16n === 0n ? 'keeps-alignment' : 'may-misalign';
}

/** DecodeBitMasks() of the logical-immediate encodings (wmask only); null for reserved encodings. */
export function decodeBitMasks(n: number, imms: number, immr: number, width: 32 | 64): bigint | null {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return null;
  const len = 31 - Math.clz32(combined);
  if (len < 1 || (width === 32 && n === 1)) return null;
  const levels = (1 << len) - 1;
  if ((imms & levels) === levels) return null;
  const esize = 1 << len;
  const sv = imms & levels, rv = immr & levels;
  const emask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(sv + 1)) - 1n;
  const rot = ((welem >> BigInt(rv)) | (welem << BigInt(esize - rv))) & emask;
  let out = 0n;
  for (let i = 0; i < width; i += esize) out |= rot << BigInt(i);
  return out;
}

/**
 * The words mayWriteSp can accept, as (mask, value) pairs for the native pre-filter of the text scan (native/
 * scan.c), row by row of its tests: a superset (src/arch/arm64/sp_align.test.ts checks it), ~1.5% of real code.
 */
export const MAY_WRITE_SP_PATTERNS: readonly number[] = [
  0x1800001f, 0x0000001f, // op0 = x00x (reserved, SME, SVE), Rd = 31
  0x3f20001f, 0x0b20001f, // ADD/SUB (extended register), Rd = 31
  0x3f00001f, 0x1100001f, // ADD/SUB (immediate) without S, Rd = 31
  0x7f80001f, 0x1200001f, 0x7f80001f, 0x3200001f, 0x7f80001f, 0x5200001f, // AND/ORR/EOR (immediate), Rd = 31
  // loads and stores on Rn = 31 but LDR/STR (unsigned offset) and LDP/STP (signed offset)
  0x3a0003e0, 0x080003e0, // exclusive, ordered, SIMD structures
  0x3a0003e0, 0x180003e0, // literal, LDAPR/STLR (unscaled)
  0x3b8003e0, 0x280003e0, // LDNP/STNP
  0x3a8003e0, 0x288003e0, // LDP/STP post- and pre-index
  0x3b0003e0, 0x380003e0, // LDR/STR (unscaled, post- and pre-index, register offset), atomics
];

/**
 * A cheap pre-filter for the text scan (the full decoder costs tens of ms over static glibc): only a
 * data-processing instruction with Rd = 31 or a load/store on Rn = 31 can write SP, and the two most common
 * stack accesses (LDR/STR unsigned offset, LDP/STP signed offset) never write back.
 */
export function mayWriteSp(insn: number): boolean {
  if ((insn & 0x0a000000) !== 0x08000000) {
    if ((insn & 0x1f) !== 31) return false;
    // Rd = 31 is XZR, not SP, everywhere but in ADD/SUB (immediate, extended register) without S and in the
    // logical immediates other than ANDS (Arm ARM C4.1): SIMD/FP, branch/system and the register class go
    if ((insn & 0x0e000000) === 0x0e000000 || (insn & 0x1c000000) === 0x14000000) return false;
    if ((insn & 0x0e000000) === 0x0a000000) return (insn & 0x3f200000) === 0x0b200000;
    if ((insn & 0x1c000000) === 0x10000000) {
      if ((insn & 0x1f000000) === 0x11000000) return (insn & 0x20000000) === 0;
      if ((insn & 0x1f800000) === 0x12000000) return (insn & 0x60000000) !== 0x60000000;
      return false;
    }
    return true;
  }
  if (((insn >>> 5) & 0x1f) !== 31) return false;
  if ((insn & 0x3a800000) === 0x28800000) {
    // LDP/STP pre- or post-index on SP (prologues, epilogues): write-back by imm7 × the pair's element size
    const opc = insn >>> 30;
    const scale = (insn >>> 26) & 1 ? 4 << opc : opc === 2 ? 8 : 4;
    return ((((insn >>> 15) & 0x7f) << 25 >> 25) * scale) % 16 !== 0;
  }
  return (insn & 0x3b000000) !== 0x39000000 && (insn & 0x3b800000) !== 0x29000000;
}
