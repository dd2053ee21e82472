// A64 instruction decoder for the classes the emulator must see through (emulator-only; no kernel twin).
//
// Unicorn hides the syndrome (ESR_EL1/FAR_EL1 read 0 in its hooks), so the emulator decodes the faulting
// instruction itself: the address of a misaligned exclusive/atomic access, which instruction of a
// translation block faulted and its size/direction, SP-alignment checks (Linux runs EL0 with
// SCTLR_EL1.SA0=1, QEMU never checks), the instructions that can misalign SP, and MRS/MSR/SYS for the
// EL0 trap emulation.
//
// Encodings: Arm ARM (DDI 0487) C4.1.66 "Loads and Stores" and C5.2 "System instructions", as read in
// the machine-readable ASL stored in 19h/rax tests/arm/a64/memory/**/spec.asl (e.g. the shared decode of
// "memory_single_general_immediate_*": `if n == 31 then if memop != MemOp_PREFETCH then
// CheckSPAlignment()`), cross-checked against qemu/qemu target/arm/translate-a64.c (disas_ldst_excl,
// disas_ldst_pair, disas_ldst_multiple_struct, disas_ldst_single_struct, disas_ldst_atomic) and against
// binutils 2.40 (the tests assemble every case with aarch64-linux-gnu-as).
//
// Not decoded (return null; none runs on Unicorn 2.0.1's MAX model, which is QEMU 5.0 based):
// MTE tag loads/stores (STG, STGP, LDG, …), FEAT_LS64 (LD64B/ST64B), FEAT_MOPS (CPY*/SET*),
// FEAT_LRCPC3 (LDIAPP/STILP, SIMD LDAPUR), FEAT_LSE128, SVE/SME loads and stores.

/** Pseudo base register numbers: a PC-relative literal, and DC ZVA/DC CIVAC given XZR as Xt. */
export const RN_PC = -1;
export const RN_XZR = 32;

/** The DCZID_EL0 block size we model: BS=4 → 4 << 4 = 64 bytes, as on Arm's Cortex-A cores (not measured on Unicorn). */
export const DCZVA_BLOCK_SIZE = 64;
/** Line used for DC CVAC/CVAU/CIVAC/CVAP/CVADP and IC IVAU (CTR_EL0.DminLine/IminLine = 4 → 64 bytes; assumed). */
export const CACHE_LINE_SIZE = 64;

/** Encoding group of the access, named after the Arm ARM's "Loads and Stores" sub-tables. */
export type AccessForm =
  | 'unscaled' | 'post-index' | 'pre-index' | 'unprivileged' | 'unsigned-offset' | 'register-offset'
  | 'literal' | 'pair' | 'pair-nontemporal' | 'exclusive' | 'exclusive-pair' | 'ordered' | 'rcpc-unscaled'
  | 'atomic' | 'cas' | 'casp' | 'pac' | 'simd-multiple' | 'simd-single' | 'dc-zva' | 'cache-maint';

export interface MemAccess {
  kind: 'load' | 'store' | 'load-exclusive' | 'store-exclusive' | 'atomic' | 'cas' | 'prefetch' | 'dc-zva'
    | 'cache-maint';
  form: AccessForm;
  /** Base register: 0..30 Xn, 31 SP, RN_PC (-1) for literals, RN_XZR (32) for DC/IC given XZR. */
  rn: number;
  /** First transfer register (Rt; Vt for SIMD&FP), second of a pair (Rt2, else -1), status/compare Rs (else -1). */
  rt: number; rt2: number; rs: number;
  /** Rt/Rt2 are SIMD&FP registers. */
  fp: boolean;
  /** Total bytes accessed (LDP x = 16, LD1 {v0.16b,v1.16b} = 32); 0 for PRFM (never accesses memory). */
  size: number;
  /** Bytes of one element/register transfer. */
  elemSize: number;
  /** Alignment in bytes the architecture demands when mustAlign (pairs of exclusives/CASP: the total), else 1. */
  alignment: number;
  read: boolean; write: boolean;
  /** Load result is sign-extended (LDRSB/LDRSH/LDRSW/LDPSW/LDAPURS*) — ESR ISS.SSE. */
  signed: boolean;
  /** The GPR destination/source is 64-bit (X) — ESR ISS.SF; false for W registers and SIMD&FP. */
  sf: boolean;
  acquireRelease: boolean;
  /**
   * Natural alignment is required regardless of SCTLR_EL1.A, per the architecture without FEAT_LSE2:
   * exclusives, LSE atomics/CAS/CASP, LDAR/STLR/LDAPR/LDLAR/STLLR, LDAPUR/STLUR.
   * What Unicorn 2.0.1 (UC_CPU_ARM64_MAX) does with a misaligned address, measured (intno 4 = data abort):
   *   LDXR/LDAXR/LDXP/LDAXP (pairs checked at the total size), LDADD…/SWP/CAS/CASP: intno 4, PC unchanged;
   *   STXR/STLXR/STXP with no matching monitor: no fault, status 1 (QEMU compares the monitor first);
   *   LDAR/STLR/LDLAR/STLLR/LDAPR/LDAPUR/STLUR: no fault, the access is performed.
   * (Unicorn 2.1.4 alike.) So the emulator checks the last two rows itself: align.ts holds that table.
   */
  mustAlign: boolean;
  writeback: 'none' | 'pre' | 'post';
  /** Immediate offset (offset/pre forms: added before the access; post forms: added after). */
  imm: bigint;
  /** Offset or post-index register (register-offset form; SIMD post-index by Xm), else -1. 31 is XZR here. */
  rm: number;
  /** Effective address of the first byte accessed. `pc` is required for literals (rn = RN_PC). */
  address(reg: (n: number) => bigint, sp: bigint, pc?: bigint): bigint;
}

const MASK64 = (1n << 64n) - 1n;

export function bits(x: number, hi: number, lo: number): number {
  return (x >>> lo) & ((1 << (hi - lo + 1)) - 1);
}
export function bit(x: number, n: number): number {
  return (x >>> n) & 1;
}
function sext(value: number, width: number): bigint {
  const v = BigInt(value);
  const sign = 1n << BigInt(width - 1);
  return (v & sign) !== 0n ? v - (sign << 1n) : v;
}
function log2(n: number): number {
  return 31 - Math.clz32(n);
}

type Extend = 'uxtw' | 'lsl' | 'sxtw' | 'sxtx';

interface Fields {
  kind: MemAccess['kind']; form: AccessForm; rn: number; rt: number; rt2?: number; rs?: number;
  fp?: boolean; size: number; elemSize: number; alignment?: number; read: boolean; write: boolean;
  signed?: boolean; sf?: boolean; acquireRelease?: boolean; mustAlign?: boolean;
  writeback?: MemAccess['writeback']; imm?: bigint; rm?: number; extend?: Extend; shift?: number;
  alignDown?: number;
}

function access(f: Fields): MemAccess {
  const imm = f.imm ?? 0n;
  const rm = f.rm ?? -1;
  const writeback = f.writeback ?? 'none';
  return {
    kind: f.kind, form: f.form, rn: f.rn, rt: f.rt, rt2: f.rt2 ?? -1, rs: f.rs ?? -1, fp: f.fp ?? false,
    size: f.size, elemSize: f.elemSize, alignment: f.mustAlign ? (f.alignment ?? f.elemSize) : 1,
    read: f.read, write: f.write, signed: f.signed ?? false, sf: f.sf ?? false,
    acquireRelease: f.acquireRelease ?? false, mustAlign: f.mustAlign ?? false, writeback, imm, rm,
    address(reg, sp, pc) {
      let base: bigint;
      if (f.rn === RN_PC) {
        if (pc === undefined) throw new Error('insn: a literal load needs the PC to compute its address');
        base = pc;
      } else if (f.rn === RN_XZR) base = 0n;
      else base = f.rn === 31 ? sp : reg(f.rn);
      let a = base;
      if (writeback !== 'post') {
        a += imm;
        if (rm >= 0 && f.form === 'register-offset') a += extendReg(rm === 31 ? 0n : reg(rm), f.extend!, f.shift!);
      }
      a &= MASK64;
      if (f.alignDown) a &= ~BigInt(f.alignDown - 1) & MASK64;
      return a;
    },
  };
}

/** ExtendReg() for the register-offset form (option<1> is always 1 there). */
function extendReg(x: bigint, ext: Extend, shift: number): bigint {
  let v = x & MASK64;
  if (ext === 'uxtw') v &= 0xffffffffn;
  else if (ext === 'sxtw') v = BigInt.asIntN(32, v);
  else if (ext === 'sxtx') v = BigInt.asIntN(64, v);
  return (v << BigInt(shift)) & MASK64;
}

/** Size/opc of the single-register forms. null = unallocated. */
interface Transfer { kind: 'load' | 'store' | 'prefetch'; elemSize: number; signed: boolean; sf: boolean; fp: boolean }
function singleTransfer(size: number, v: number, opc: number): Transfer | null {
  if (v) {
    if (opc & 2) return size === 0 ? { kind: opc & 1 ? 'load' : 'store', elemSize: 16, signed: false, sf: false, fp: true } : null;
    return { kind: opc & 1 ? 'load' : 'store', elemSize: 1 << size, signed: false, sf: false, fp: true };
  }
  if ((opc & 2) === 0) return { kind: opc & 1 ? 'load' : 'store', elemSize: 1 << size, signed: false, sf: size === 3, fp: false };
  if (size === 3) return opc & 1 ? null : { kind: 'prefetch', elemSize: 8, signed: false, sf: false, fp: false };
  if (size === 2 && opc & 1) return null;
  return { kind: 'load', elemSize: 1 << size, signed: true, sf: (opc & 1) === 0, fp: false };
}

function transferFields(t: Transfer): Pick<Fields, 'kind' | 'size' | 'elemSize' | 'read' | 'write' | 'signed' | 'sf' | 'fp'> {
  const pf = t.kind === 'prefetch';
  return {
    kind: t.kind, size: pf ? 0 : t.elemSize, elemSize: pf ? 0 : t.elemSize, read: t.kind === 'load',
    write: t.kind === 'store', signed: t.signed, sf: t.sf, fp: t.fp,
  };
}

/** transferFields(t) and the rest of the fields. Object.assign, not an object spread: on Node 20's V8 a spread
 *  followed by more properties costs microseconds, and this runs for every fault and every scanned word. */
function withTransfer(t: Transfer, f: Omit<Fields, keyof ReturnType<typeof transferFields>>): Fields {
  return Object.assign(transferFields(t), f);
}

/** Load/store register: imm9 forms, register offset, LSE atomics, LDRAA/LDRAB (bits 29:24 = 111x00). */
function decodeRegImm9(insn: number): MemAccess | null {
  const size = bits(insn, 31, 30), v = bit(insn, 26), opc = bits(insn, 23, 22);
  const rn = bits(insn, 9, 5), rt = bits(insn, 4, 0);
  const op4 = bits(insn, 11, 10);
  if (bit(insn, 21) === 0) {
    const form = (['unscaled', 'post-index', 'unprivileged', 'pre-index'] as const)[op4];
    const t = singleTransfer(size, v, opc);
    if (!t) return null;
    if (t.kind === 'prefetch' && form !== 'unscaled') return null;
    if (form === 'unprivileged' && v) return null;
    const writeback = form === 'post-index' ? 'post' : form === 'pre-index' ? 'pre' : 'none';
    return access(withTransfer(t, { form, rn, rt, writeback, imm: sext(bits(insn, 20, 12), 9) }));
  }
  if (op4 === 2) {
    const option = bits(insn, 15, 13);
    if ((option & 2) === 0) return null;
    const t = singleTransfer(size, v, opc);
    if (!t) return null;
    const extend = (['', '', 'uxtw', 'lsl', '', '', 'sxtw', 'sxtx'] as const)[option] as Extend;
    return access(withTransfer(t, { form: 'register-offset', rn, rt, rm: bits(insn, 20, 16), extend,
      shift: bit(insn, 12) ? log2(t.elemSize) : 0,
    }));
  }
  if (op4 === 0) return v ? null : decodeAtomic(insn);
  // op4 = x1: LDRAA/LDRAB (FEAT_PAuth). The address is Xn + offset as given: authentication would strip
  // (or poison) a PAC in Xn first, which this decoder cannot model.
  if (size !== 3 || v) return null; // opc = M:S (key B, offset sign)
  const offset = sext((bit(insn, 22) << 9) | bits(insn, 20, 12), 10) << 3n;
  return access({
    kind: 'load', form: 'pac', rn, rt, size: 8, elemSize: 8, read: true, write: false, sf: true,
    writeback: bit(insn, 11) ? 'pre' : 'none', imm: offset,
  });
}

/**
 * LSE atomic memory operations, SWP and LDAPR (bits 29:24 = 111000, bit 21 = 1, bits 11:10 = 00).
 * o3 = 0, opc = 0..7: LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN (ST<op> when Rt = 31);
 * o3 = 1: opc 0 SWP, opc 4 with A = 1, R = 0, Rs = 31 LDAPR; the rest is unallocated here.
 */
function decodeAtomic(insn: number): MemAccess | null {
  const size = bits(insn, 31, 30), a = bit(insn, 23), r = bit(insn, 22), rs = bits(insn, 20, 16);
  const o3 = bit(insn, 15), opc = bits(insn, 14, 12), rn = bits(insn, 9, 5), rt = bits(insn, 4, 0);
  const elemSize = 1 << size;
  if (o3 === 0 || opc === 0) {
    return access({
      kind: 'atomic', form: 'atomic', rn, rt, rs, size: elemSize, elemSize, read: true, write: true,
      sf: size === 3, acquireRelease: a === 1 || r === 1, mustAlign: true,
    });
  }
  if (opc === 4 && a === 1 && r === 0 && rs === 31) {
    return access({
      kind: 'load', form: 'ordered', rn, rt, size: elemSize, elemSize, read: true, write: false,
      sf: size === 3, acquireRelease: true, mustAlign: true,
    });
  }
  return null;
}

/**
 * Load/store exclusive, ordered, CAS, CASP (bits 29:24 = 001000). The should-be-one Rs/Rt2 fields of
 * LDXR/LDAR/STLR… are not checked: QEMU 5.0 (hence Unicorn) executes such encodings normally, even though
 * objdump prints them as undefined. CAS/CASP's Rt2 is a fixed field, checked as QEMU does.
 */
function decodeExclusive(insn: number): MemAccess | null {
  const size = bits(insn, 31, 30), o2 = bit(insn, 23), l = bit(insn, 22), o1 = bit(insn, 21);
  const rs = bits(insn, 20, 16), o0 = bit(insn, 15), rt2 = bits(insn, 14, 10);
  const rn = bits(insn, 9, 5), rt = bits(insn, 4, 0);
  const elem = 1 << size;
  if (!o2 && !o1) {
    return access({
      kind: l ? 'load-exclusive' : 'store-exclusive', form: 'exclusive', rn, rt, rs: l ? -1 : rs,
      size: elem, elemSize: elem, read: l === 1, write: l === 0, sf: size === 3, acquireRelease: o0 === 1,
      mustAlign: true,
    });
  }
  if (!o2 && o1) {
    if (size >= 2) {
      const e = size === 2 ? 4 : 8;
      return access({
        kind: l ? 'load-exclusive' : 'store-exclusive', form: 'exclusive-pair', rn, rt, rt2, rs: l ? -1 : rs,
        size: 2 * e, elemSize: e, alignment: 2 * e, read: l === 1, write: l === 0, sf: size === 3,
        acquireRelease: o0 === 1, mustAlign: true,
      });
    }
    // CASP: even register pairs and Rt2 = 11111, else unallocated (QEMU disas_ldst_excl agrees).
    if ((rs & 1) || (rt & 1) || rt2 !== 31) return null;
    const e = size === 0 ? 4 : 8;
    return access({
      kind: 'cas', form: 'casp', rn, rt, rt2: rt + 1, rs, size: 2 * e, elemSize: e, alignment: 2 * e,
      read: true, write: true, sf: size === 1, acquireRelease: l === 1 || o0 === 1, mustAlign: true,
    });
  }
  if (o2 && !o1) {
    return access({
      kind: l ? 'load' : 'store', form: 'ordered', rn, rt, size: elem, elemSize: elem, read: l === 1,
      write: l === 0, sf: size === 3, acquireRelease: true, mustAlign: true,
    });
  }
  if (rt2 !== 31) return null; // CAS: Rt2 is a fixed 11111 field
  return access({
    kind: 'cas', form: 'cas', rn, rt, rs, size: elem, elemSize: elem, read: true, write: true,
    sf: size === 3, acquireRelease: l === 1 || o0 === 1, mustAlign: true,
  });
}

/** LDAPUR/STLUR family, FEAT_LRCPC2 (bits 29:24 = 011001, bit 21 = 0, bits 11:10 = 00). */
function decodeRcpcUnscaled(insn: number): MemAccess | null {
  if (bit(insn, 21) !== 0 || bits(insn, 11, 10) !== 0) return null; // MTE tag instructions live here
  const size = bits(insn, 31, 30), opc = bits(insn, 23, 22);
  let t: Transfer;
  if (opc === 0) t = { kind: 'store', elemSize: 1 << size, signed: false, sf: size === 3, fp: false };
  else if (opc === 1) t = { kind: 'load', elemSize: 1 << size, signed: false, sf: size === 3, fp: false };
  else if (size === 3 || (size === 2 && opc === 3)) return null;
  else t = { kind: 'load', elemSize: 1 << size, signed: true, sf: opc === 2, fp: false };
  return access(withTransfer(t, { form: 'rcpc-unscaled', rn: bits(insn, 9, 5), rt: bits(insn, 4, 0),
    imm: sext(bits(insn, 20, 12), 9), acquireRelease: true, mustAlign: true,
  }));
}

/** Load register (literal) (bits 29:24 = 011x00). */
function decodeLiteral(insn: number): MemAccess | null {
  const opc = bits(insn, 31, 30), v = bit(insn, 26), rt = bits(insn, 4, 0);
  const imm = sext(bits(insn, 23, 5), 19) << 2n;
  let t: Transfer;
  if (v) {
    if (opc === 3) return null;
    t = { kind: 'load', elemSize: 4 << opc, signed: false, sf: false, fp: true };
  } else if (opc === 3) t = { kind: 'prefetch', elemSize: 8, signed: false, sf: false, fp: false };
  else t = { kind: 'load', elemSize: opc === 1 ? 8 : 4, signed: opc === 2, sf: opc !== 0, fp: false };
  return access(withTransfer(t, { form: 'literal', rn: RN_PC, rt, imm }));
}

/** Load/store pair, all four index types, GPR and SIMD&FP (bits 29:27 = 101, bit 25 = 0). */
function decodePair(insn: number): MemAccess | null {
  const opc = bits(insn, 31, 30), v = bit(insn, 26), index = bits(insn, 24, 23), l = bit(insn, 22);
  let elem: number, signed = false;
  if (v) {
    if (opc === 3) return null;
    elem = 4 << opc;
  } else if (opc === 0) elem = 4;
  else if (opc === 2) elem = 8;
  else if (opc === 1 && l && index !== 0) { elem = 4; signed = true; } // LDPSW; STGP (MTE) when L = 0
  else return null;
  const writeback = index === 1 ? 'post' : index === 3 ? 'pre' : 'none';
  return access({
    kind: l ? 'load' : 'store', form: index === 0 ? 'pair-nontemporal' : 'pair', rn: bits(insn, 9, 5),
    rt: bits(insn, 4, 0), rt2: bits(insn, 14, 10), fp: v === 1, size: 2 * elem, elemSize: elem,
    read: l === 1, write: l === 0, signed, sf: !v && (opc === 2 || signed), writeback,
    imm: sext(bits(insn, 21, 15), 7) * BigInt(elem),
  });
}

/** Advanced SIMD load/store multiple structures (LD1-4/ST1-4), with post-index. */
function decodeSimdMultiple(insn: number): MemAccess | null {
  const q = bit(insn, 30), l = bit(insn, 22), post = bit(insn, 23), rm = bits(insn, 20, 16);
  if (bit(insn, 31) || bit(insn, 21) || (!post && rm !== 0)) return null;
  const opcode = bits(insn, 15, 12), size = bits(insn, 11, 10);
  const layout: Record<number, [number, number]> = { 0: [1, 4], 2: [4, 1], 4: [1, 3], 6: [3, 1], 7: [1, 1], 8: [1, 2], 10: [2, 1] };
  const rs = layout[opcode];
  if (!rs) return null;
  const [rpt, selem] = rs;
  if (size === 3 && !q && selem !== 1) return null;
  const total = (q ? 16 : 8) * rpt * selem;
  return simdAccess(insn, l, post, rm, total, 1 << size, 'simd-multiple');
}

/** Advanced SIMD load/store single structure (one lane, or LDnR replicate), with post-index. */
function decodeSimdSingle(insn: number): MemAccess | null {
  const l = bit(insn, 22), r = bit(insn, 21), post = bit(insn, 23), rm = bits(insn, 20, 16);
  if (bit(insn, 31) || (!post && rm !== 0)) return null;
  const opcode = bits(insn, 15, 13), s = bit(insn, 12), size = bits(insn, 11, 10);
  let scale = opcode >> 1;
  const selem = (((opcode & 1) << 1) | r) + 1;
  if (scale === 3) {
    if (!l || s) return null;
    scale = size;
  } else if (scale === 1) {
    if (size & 1) return null;
  } else if (scale === 2) {
    if (size & 2) return null;
    if (size & 1) {
      if (s) return null;
      scale = 3;
    }
  }
  return simdAccess(insn, l, post, rm, selem << scale, 1 << scale, 'simd-single');
}

function simdAccess(insn: number, l: number, post: number, rm: number, total: number, elem: number,
  form: AccessForm): MemAccess {
  return access({
    kind: l ? 'load' : 'store', form, rn: bits(insn, 9, 5), rt: bits(insn, 4, 0), fp: true, size: total,
    elemSize: elem, read: l === 1, write: l === 0, writeback: post ? 'post' : 'none',
    imm: post && rm === 31 ? BigInt(total) : 0n, rm: post && rm !== 31 ? rm : -1,
  });
}

/** DC ZVA and the EL0-permitted cache maintenance ops (SYS with op1 = 3, CRn = 7). */
function decodeCacheOp(insn: number): MemAccess | null {
  const op = (insn & 0xffffffe0) >>> 0;
  const rt = bits(insn, 4, 0);
  const rn = rt === 31 ? RN_XZR : rt;
  if (op === 0xd50b7420) {
    return access({
      kind: 'dc-zva', form: 'dc-zva', rn, rt, size: DCZVA_BLOCK_SIZE, elemSize: DCZVA_BLOCK_SIZE,
      read: false, write: true, alignDown: DCZVA_BLOCK_SIZE,
    });
  }
  // DC CVAC, CVAU, CVAP, CVADP, CIVAC, IC IVAU. The architecture reports their faults with ESR.CM = 1 and
  // WnR = 1; Linux's is_write_abort() treats CM faults as reads, hence read = true here.
  if ([0xd50b7a20, 0xd50b7b20, 0xd50b7c20, 0xd50b7d20, 0xd50b7e20, 0xd50b7520].includes(op)) {
    return access({
      kind: 'cache-maint', form: 'cache-maint', rn, rt, size: CACHE_LINE_SIZE, elemSize: CACHE_LINE_SIZE,
      read: true, write: false, alignDown: CACHE_LINE_SIZE,
    });
  }
  return null;
}

/** Decodes a memory-accessing instruction; null = not one (or unallocated, or a class listed above). */
export function decodeMemAccess(insn: number): MemAccess | null {
  insn >>>= 0;
  if ((insn & 0xfff80000) >>> 0 === 0xd5080000) return decodeCacheOp(insn);
  if ((insn & 0x0a000000) !== 0x08000000) return null; // op0 = x1x0: Loads and Stores
  const group = bits(insn, 29, 24);
  switch (group & 0x3b) { // bit 26 (V) cleared
    case 0x08: return bit(insn, 26) ? decodeSimdMultiple(insn) : decodeExclusive(insn);
    case 0x09:
      return bit(insn, 26) ? decodeSimdSingle(insn) : null;
    case 0x18: return decodeLiteral(insn);
    case 0x19: return bit(insn, 26) ? null : decodeRcpcUnscaled(insn);
    case 0x28: case 0x29: case 0x2a: case 0x2b: return decodePair(insn);
    case 0x38: return decodeRegImm9(insn);
    case 0x39: {
      const t = singleTransfer(bits(insn, 31, 30), bit(insn, 26), bits(insn, 23, 22));
      if (!t) return null;
      return access(withTransfer(t, { form: 'unsigned-offset', rn: bits(insn, 9, 5), rt: bits(insn, 4, 0),
        imm: BigInt(bits(insn, 21, 10)) * BigInt(t.elemSize),
      }));
    }
    default: return null;
  }
}

/** BRK #imm16 → imm16 (becomes ESR.ISS comment), else null. */
export function decodeBrk(insn: number): number | null {
  return ((insn >>> 0) & 0xffe0001f) >>> 0 === 0xd4200000 ? bits(insn, 20, 5) : null;
}

/** HLT #imm16: UNDEFINED at EL0 without halting debug; Unicorn reports it as exception 1 (undefined). */
export function isHlt(insn: number): boolean {
  return ((insn >>> 0) & 0xffe0001f) >>> 0 === 0xd4400000;
}
