// Every case is assembled by binutils (aarch64-linux-gnu-as + objcopy) and checked against values worked
// out by hand from the Arm ARM encodings; nothing here trusts the decoder to describe itself.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMemAccess, decodeBrk, isHlt, RN_PC, RN_XZR, type MemAccess } from './insn.ts';
import { usesSpBase, spWriteKind, decodeBitMasks, type SpWrite } from './sp_align.ts';
import { decodeSys, sysregName, sysregEncodingName, sysregNames, sysInsnNames } from './sysreg.ts';

const ARCH = '.arch armv8.6-a+memtag+sme+rng+predres+lse+rcpc';

/** Assembles one instruction per line and returns the 32-bit words, checking one word per line. */
function assemble(lines: readonly string[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'insn-test-'));
  try {
    writeFileSync(join(dir, 't.S'), `${ARCH}\n${lines.join('\n')}\n`);
    execFileSync('aarch64-linux-gnu-as', ['-o', join(dir, 't.o'), join(dir, 't.S')]);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 't.o'), join(dir, 't.bin')]);
    const bin = readFileSync(join(dir, 't.bin'));
    expect(bin.length).toBe(lines.length * 4);
    return lines.map((_, i) => bin.readUInt32LE(i * 4));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Register file the addresses are computed against.
const SP = 0x7ffff000n;
const PC = 0x400000n;
const special: Record<number, bigint> = { 9: 0xfffffff0n, 10: 0xfffffffffffffffen, 11: 0x12345n };
const X = (n: number): bigint => special[n] ?? 0x10000n + BigInt(n) * 0x100n;

type Expect = Partial<Omit<MemAccess, 'address'>> & Pick<MemAccess, 'kind' | 'form' | 'rn' | 'size'>;

const directions: Record<MemAccess['kind'], [boolean, boolean]> = {
  'load': [true, false], 'store': [false, true], 'load-exclusive': [true, false],
  'store-exclusive': [false, true], 'atomic': [true, true], 'cas': [true, true], 'prefetch': [false, false],
  'dc-zva': [false, true], 'cache-maint': [true, false],
};

/** Fills the fields a case leaves out with their "plain access" values, so every field is compared. */
function full(e: Expect): Omit<MemAccess, 'address'> {
  const [read, write] = directions[e.kind];
  return {
    rt: 0, rt2: -1, rs: -1, fp: false, elemSize: e.size, alignment: 1, read, write, signed: false, sf: false,
    acquireRelease: false, mustAlign: false, writeback: 'none', imm: 0n, rm: -1, ...e,
  };
}

// [assembly, expected fields, expected address of the first byte]
const memCases: [string, Expect, bigint][] = [
  // load/store register, imm9: unscaled, post-index, pre-index, unprivileged
  ['ldur x0, [x1, #-8]', { kind: 'load', form: 'unscaled', rn: 1, size: 8, sf: true, imm: -8n }, 0x100f8n],
  ['sturb w2, [x3, #255]', { kind: 'store', form: 'unscaled', rn: 3, rt: 2, size: 1, imm: 255n }, 0x103ffn],
  ['ldursw x4, [sp, #-4]', { kind: 'load', form: 'unscaled', rn: 31, rt: 4, size: 4, signed: true, sf: true, imm: -4n }, SP - 4n],
  ['ldursh w5, [x6, #2]', { kind: 'load', form: 'unscaled', rn: 6, rt: 5, size: 2, signed: true, imm: 2n }, 0x10602n],
  ['ldur h1, [x2, #3]', { kind: 'load', form: 'unscaled', rn: 2, rt: 1, size: 2, fp: true, imm: 3n }, 0x10203n],
  ['prfum pldl1keep, [x1, #1]', { kind: 'prefetch', form: 'unscaled', rn: 1, size: 0, imm: 1n }, 0x10101n],
  ['ldr x0, [x1], #16', { kind: 'load', form: 'post-index', rn: 1, size: 8, sf: true, writeback: 'post', imm: 16n }, 0x10100n],
  ['str b0, [x1], #-1', { kind: 'store', form: 'post-index', rn: 1, size: 1, fp: true, writeback: 'post', imm: -1n }, 0x10100n],
  ['str w0, [sp, #-16]!', { kind: 'store', form: 'pre-index', rn: 31, size: 4, writeback: 'pre', imm: -16n }, SP - 16n],
  ['ldrb w0, [x2, #-1]!', { kind: 'load', form: 'pre-index', rn: 2, size: 1, writeback: 'pre', imm: -1n }, 0x101ffn],
  ['ldr q0, [x1, #-16]!', { kind: 'load', form: 'pre-index', rn: 1, size: 16, fp: true, writeback: 'pre', imm: -16n }, 0x100f0n],
  ['ldtr x0, [x1, #8]', { kind: 'load', form: 'unprivileged', rn: 1, size: 8, sf: true, imm: 8n }, 0x10108n],
  ['sttrh w0, [x1]', { kind: 'store', form: 'unprivileged', rn: 1, size: 2 }, 0x10100n],
  ['ldtrsb x0, [x1, #-256]', { kind: 'load', form: 'unprivileged', rn: 1, size: 1, signed: true, sf: true, imm: -256n }, 0x10000n],
  // unsigned offset (imm12 scaled by the access size)
  ['ldr x0, [x1, #32760]', { kind: 'load', form: 'unsigned-offset', rn: 1, size: 8, sf: true, imm: 32760n }, 0x10100n + 32760n],
  ['ldrsb w0, [x1, #4095]', { kind: 'load', form: 'unsigned-offset', rn: 1, size: 1, signed: true, imm: 4095n }, 0x10100n + 4095n],
  ['ldrsh x0, [sp, #2]', { kind: 'load', form: 'unsigned-offset', rn: 31, size: 2, signed: true, sf: true, imm: 2n }, SP + 2n],
  ['ldrsw x0, [x1, #16380]', { kind: 'load', form: 'unsigned-offset', rn: 1, size: 4, signed: true, sf: true, imm: 16380n }, 0x10100n + 16380n],
  ['strh w0, [x1, #8190]', { kind: 'store', form: 'unsigned-offset', rn: 1, size: 2, imm: 8190n }, 0x10100n + 8190n],
  ['str q1, [x2, #65520]', { kind: 'store', form: 'unsigned-offset', rn: 2, rt: 1, size: 16, fp: true, imm: 65520n }, 0x10200n + 65520n],
  ['ldr d2, [sp, #8]', { kind: 'load', form: 'unsigned-offset', rn: 31, rt: 2, size: 8, fp: true, imm: 8n }, SP + 8n],
  ['ldr s3, [x4, #4]', { kind: 'load', form: 'unsigned-offset', rn: 4, rt: 3, size: 4, fp: true, imm: 4n }, 0x10404n],
  ['prfm pldl1keep, [sp, #8]', { kind: 'prefetch', form: 'unsigned-offset', rn: 31, size: 0, imm: 8n }, SP + 8n],
  // register offset: LSL / UXTW / SXTW / SXTX, scaled or not; Rm = 31 is XZR
  ['ldr x0, [x1, x2, lsl #3]', { kind: 'load', form: 'register-offset', rn: 1, size: 8, sf: true, rm: 2 }, 0x10100n + 0x10200n * 8n],
  ['ldr w0, [x1, w9, sxtw]', { kind: 'load', form: 'register-offset', rn: 1, size: 4, rm: 9 }, 0x100f0n],
  ['ldrb w0, [x1, w9, uxtw]', { kind: 'load', form: 'register-offset', rn: 1, size: 1, rm: 9 }, 0x10100n + 0xfffffff0n],
  ['ldrsh w0, [x1, w9, sxtw #1]', { kind: 'load', form: 'register-offset', rn: 1, size: 2, signed: true, rm: 9 }, 0x100e0n],
  ['ldr h0, [x1, x10, sxtx #1]', { kind: 'load', form: 'register-offset', rn: 1, size: 2, fp: true, rm: 10 }, 0x100fcn],
  ['strb w0, [x1, x2]', { kind: 'store', form: 'register-offset', rn: 1, size: 1, rm: 2 }, 0x20300n],
  ['ldr q0, [x1, x2, lsl #4]', { kind: 'load', form: 'register-offset', rn: 1, size: 16, fp: true, rm: 2 }, 0x10100n + 0x102000n],
  ['ldr x0, [x1, xzr]', { kind: 'load', form: 'register-offset', rn: 1, size: 8, sf: true, rm: 31 }, 0x10100n],
  ['prfm pstl1strm, [x1, x2]', { kind: 'prefetch', form: 'register-offset', rn: 1, rt: 0x11, size: 0, rm: 2 }, 0x20300n],
  // literal (PC-relative; rn = RN_PC)
  ['ldr x0, . + 1024', { kind: 'load', form: 'literal', rn: RN_PC, size: 8, sf: true, imm: 1024n }, PC + 1024n],
  ['ldr w0, . - 4', { kind: 'load', form: 'literal', rn: RN_PC, size: 4, imm: -4n }, PC - 4n],
  ['ldrsw x3, . + 8', { kind: 'load', form: 'literal', rn: RN_PC, rt: 3, size: 4, signed: true, sf: true, imm: 8n }, PC + 8n],
  ['ldr q0, . + 16', { kind: 'load', form: 'literal', rn: RN_PC, size: 16, fp: true, imm: 16n }, PC + 16n],
  ['ldr d0, . - 1048576', { kind: 'load', form: 'literal', rn: RN_PC, size: 8, fp: true, imm: -1048576n }, PC - 1048576n],
  ['ldr s0, . + 4', { kind: 'load', form: 'literal', rn: RN_PC, size: 4, fp: true, imm: 4n }, PC + 4n],
  ['prfm pldl1keep, . + 64', { kind: 'prefetch', form: 'literal', rn: RN_PC, size: 0, imm: 64n }, PC + 64n],
  // pairs
  ['ldp x0, x1, [sp, #-32]!', { kind: 'load', form: 'pair', rn: 31, rt2: 1, size: 16, elemSize: 8, sf: true, writeback: 'pre', imm: -32n }, SP - 32n],
  ['stp x29, x30, [sp, #-16]!', { kind: 'store', form: 'pair', rn: 31, rt: 29, rt2: 30, size: 16, elemSize: 8, sf: true, writeback: 'pre', imm: -16n }, SP - 16n],
  ['ldp x29, x30, [sp], #16', { kind: 'load', form: 'pair', rn: 31, rt: 29, rt2: 30, size: 16, elemSize: 8, sf: true, writeback: 'post', imm: 16n }, SP],
  ['stp w0, w1, [x2, #-256]', { kind: 'store', form: 'pair', rn: 2, rt2: 1, size: 8, elemSize: 4, imm: -256n }, 0x10100n],
  ['ldpsw x0, x1, [x2, #8]', { kind: 'load', form: 'pair', rn: 2, rt2: 1, size: 8, elemSize: 4, signed: true, sf: true, imm: 8n }, 0x10208n],
  ['ldnp q0, q1, [x1, #-1024]', { kind: 'load', form: 'pair-nontemporal', rn: 1, rt2: 1, size: 32, elemSize: 16, fp: true, imm: -1024n }, 0x10100n - 1024n],
  ['stnp w0, w1, [x1, #252]', { kind: 'store', form: 'pair-nontemporal', rn: 1, rt2: 1, size: 8, elemSize: 4, imm: 252n }, 0x101fcn],
  ['stp q0, q1, [sp, #-64]!', { kind: 'store', form: 'pair', rn: 31, rt2: 1, size: 32, elemSize: 16, fp: true, writeback: 'pre', imm: -64n }, SP - 64n],
  ['ldp d0, d1, [x1], #-512', { kind: 'load', form: 'pair', rn: 1, rt2: 1, size: 16, elemSize: 8, fp: true, writeback: 'post', imm: -512n }, 0x10100n],
  ['ldp s0, s1, [sp, #4]', { kind: 'load', form: 'pair', rn: 31, rt2: 1, size: 8, elemSize: 4, fp: true, imm: 4n }, SP + 4n],
  // exclusives (always aligned; pairs to their total size)
  ['ldxr x0, [x1]', { kind: 'load-exclusive', form: 'exclusive', rn: 1, size: 8, sf: true, mustAlign: true, alignment: 8 }, 0x10100n],
  ['ldaxrb w0, [x1]', { kind: 'load-exclusive', form: 'exclusive', rn: 1, size: 1, acquireRelease: true, mustAlign: true, alignment: 1 }, 0x10100n],
  ['stxr w2, x0, [x1]', { kind: 'store-exclusive', form: 'exclusive', rn: 1, rs: 2, size: 8, sf: true, mustAlign: true, alignment: 8 }, 0x10100n],
  ['stlxrh w2, w0, [sp]', { kind: 'store-exclusive', form: 'exclusive', rn: 31, rs: 2, size: 2, acquireRelease: true, mustAlign: true, alignment: 2 }, SP],
  ['ldxp x0, x1, [x2]', { kind: 'load-exclusive', form: 'exclusive-pair', rn: 2, rt2: 1, size: 16, elemSize: 8, sf: true, mustAlign: true, alignment: 16 }, 0x10200n],
  ['stlxp w3, w0, w1, [x2]', { kind: 'store-exclusive', form: 'exclusive-pair', rn: 2, rt2: 1, rs: 3, size: 8, elemSize: 4, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10200n],
  ['ldaxp w0, w1, [x2]', { kind: 'load-exclusive', form: 'exclusive-pair', rn: 2, rt2: 1, size: 8, elemSize: 4, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10200n],
  // ordered: LDAR/STLR, LORegions LDLAR/STLLR, RCpc LDAPR
  ['ldar x0, [x1]', { kind: 'load', form: 'ordered', rn: 1, size: 8, sf: true, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10100n],
  ['stlrb w0, [x1]', { kind: 'store', form: 'ordered', rn: 1, size: 1, acquireRelease: true, mustAlign: true, alignment: 1 }, 0x10100n],
  ['ldlar w0, [x1]', { kind: 'load', form: 'ordered', rn: 1, size: 4, acquireRelease: true, mustAlign: true, alignment: 4 }, 0x10100n],
  ['stllrh w0, [x1]', { kind: 'store', form: 'ordered', rn: 1, size: 2, acquireRelease: true, mustAlign: true, alignment: 2 }, 0x10100n],
  ['ldapr x0, [x1]', { kind: 'load', form: 'ordered', rn: 1, size: 8, sf: true, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10100n],
  ['ldaprb w0, [sp]', { kind: 'load', form: 'ordered', rn: 31, size: 1, acquireRelease: true, mustAlign: true, alignment: 1 }, SP],
  // RCpc unscaled (FEAT_LRCPC2)
  ['ldapur x0, [x1, #-8]', { kind: 'load', form: 'rcpc-unscaled', rn: 1, size: 8, sf: true, imm: -8n, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x100f8n],
  ['stlurh w0, [x1, #255]', { kind: 'store', form: 'rcpc-unscaled', rn: 1, size: 2, imm: 255n, acquireRelease: true, mustAlign: true, alignment: 2 }, 0x101ffn],
  ['ldapursb x0, [x1, #1]', { kind: 'load', form: 'rcpc-unscaled', rn: 1, size: 1, signed: true, sf: true, imm: 1n, acquireRelease: true, mustAlign: true, alignment: 1 }, 0x10101n],
  ['ldapursh w0, [x1, #-2]', { kind: 'load', form: 'rcpc-unscaled', rn: 1, size: 2, signed: true, imm: -2n, acquireRelease: true, mustAlign: true, alignment: 2 }, 0x100fen],
  ['ldapursw x0, [x1]', { kind: 'load', form: 'rcpc-unscaled', rn: 1, size: 4, signed: true, sf: true, acquireRelease: true, mustAlign: true, alignment: 4 }, 0x10100n],
  // LSE atomics (rs = value operand, rt = old value)
  ['ldadd x0, x1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 8, sf: true, mustAlign: true, alignment: 8 }, 0x10200n],
  ['ldaddalb w0, w1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 1, acquireRelease: true, mustAlign: true, alignment: 1 }, 0x10200n],
  ['ldclrh w0, w1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 2, mustAlign: true, alignment: 2 }, 0x10200n],
  ['ldeora w3, w4, [sp]', { kind: 'atomic', form: 'atomic', rn: 31, rs: 3, rt: 4, size: 4, acquireRelease: true, mustAlign: true, alignment: 4 }, SP],
  ['ldsetl x0, x1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 8, sf: true, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10200n],
  ['ldsmax w0, w1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 4, mustAlign: true, alignment: 4 }, 0x10200n],
  ['ldsminal x0, x1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 8, sf: true, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10200n],
  ['ldumaxab w0, w1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 1, acquireRelease: true, mustAlign: true, alignment: 1 }, 0x10200n],
  ['lduminlh w0, w1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 2, acquireRelease: true, mustAlign: true, alignment: 2 }, 0x10200n],
  ['swpal x0, x1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 8, sf: true, acquireRelease: true, mustAlign: true, alignment: 8 }, 0x10200n],
  ['swpb w0, w1, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 1, size: 1, mustAlign: true, alignment: 1 }, 0x10200n],
  ['stadd w0, [x2]', { kind: 'atomic', form: 'atomic', rn: 2, rs: 0, rt: 31, size: 4, mustAlign: true, alignment: 4 }, 0x10200n],
  // CAS / CASP (CASP aligned to the pair's total size)
  ['cas x0, x1, [x2]', { kind: 'cas', form: 'cas', rn: 2, rs: 0, rt: 1, size: 8, sf: true, mustAlign: true, alignment: 8 }, 0x10200n],
  ['casalb w0, w1, [x2]', { kind: 'cas', form: 'cas', rn: 2, rs: 0, rt: 1, size: 1, acquireRelease: true, mustAlign: true, alignment: 1 }, 0x10200n],
  ['caslh w0, w1, [x2]', { kind: 'cas', form: 'cas', rn: 2, rs: 0, rt: 1, size: 2, acquireRelease: true, mustAlign: true, alignment: 2 }, 0x10200n],
  ['casp x0, x1, x2, x3, [x4]', { kind: 'cas', form: 'casp', rn: 4, rs: 0, rt: 2, rt2: 3, size: 16, elemSize: 8, sf: true, mustAlign: true, alignment: 16 }, 0x10400n],
  ['caspa w4, w5, w6, w7, [sp]', { kind: 'cas', form: 'casp', rn: 31, rs: 4, rt: 6, rt2: 7, size: 8, elemSize: 4, acquireRelease: true, mustAlign: true, alignment: 8 }, SP],
  // SIMD multiple structures
  ['ld1 {v0.16b}, [x1]', { kind: 'load', form: 'simd-multiple', rn: 1, size: 16, elemSize: 1, fp: true }, 0x10100n],
  ['ld1 {v0.16b, v1.16b}, [x1]', { kind: 'load', form: 'simd-multiple', rn: 1, size: 32, elemSize: 1, fp: true }, 0x10100n],
  ['st1 {v0.2d, v1.2d, v2.2d, v3.2d}, [x1], #64', { kind: 'store', form: 'simd-multiple', rn: 1, size: 64, elemSize: 8, fp: true, writeback: 'post', imm: 64n }, 0x10100n],
  ['ld2 {v4.8h, v5.8h}, [x1], x2', { kind: 'load', form: 'simd-multiple', rn: 1, rt: 4, size: 32, elemSize: 2, fp: true, writeback: 'post', rm: 2 }, 0x10100n],
  ['st3 {v0.8b, v1.8b, v2.8b}, [sp]', { kind: 'store', form: 'simd-multiple', rn: 31, size: 24, elemSize: 1, fp: true }, SP],
  ['ld4 {v0.4s, v1.4s, v2.4s, v3.4s}, [x1]', { kind: 'load', form: 'simd-multiple', rn: 1, size: 64, elemSize: 4, fp: true }, 0x10100n],
  ['ld1 {v0.1d, v1.1d, v2.1d}, [x1]', { kind: 'load', form: 'simd-multiple', rn: 1, size: 24, elemSize: 8, fp: true }, 0x10100n],
  ['st1 {v0.8b}, [sp], #8', { kind: 'store', form: 'simd-multiple', rn: 31, size: 8, elemSize: 1, fp: true, writeback: 'post', imm: 8n }, SP],
  // SIMD single structure (one lane) and LDnR
  ['ld1 {v0.b}[15], [x1]', { kind: 'load', form: 'simd-single', rn: 1, size: 1, fp: true }, 0x10100n],
  ['st1 {v0.d}[1], [x1], #8', { kind: 'store', form: 'simd-single', rn: 1, size: 8, fp: true, writeback: 'post', imm: 8n }, 0x10100n],
  ['ld2 {v0.s, v1.s}[3], [x1]', { kind: 'load', form: 'simd-single', rn: 1, size: 8, elemSize: 4, fp: true }, 0x10100n],
  ['ld3 {v0.h, v1.h, v2.h}[7], [x1], x2', { kind: 'load', form: 'simd-single', rn: 1, size: 6, elemSize: 2, fp: true, writeback: 'post', rm: 2 }, 0x10100n],
  ['st4 {v0.d, v1.d, v2.d, v3.d}[0], [sp]', { kind: 'store', form: 'simd-single', rn: 31, size: 32, elemSize: 8, fp: true }, SP],
  ['ld1r {v0.4s}, [x1]', { kind: 'load', form: 'simd-single', rn: 1, size: 4, fp: true }, 0x10100n],
  ['ld4r {v0.2d, v1.2d, v2.2d, v3.2d}, [x1], #32', { kind: 'load', form: 'simd-single', rn: 1, size: 32, elemSize: 8, fp: true, writeback: 'post', imm: 32n }, 0x10100n],
  ['ld2r {v0.8b, v1.8b}, [sp], #2', { kind: 'load', form: 'simd-single', rn: 31, size: 2, elemSize: 1, fp: true, writeback: 'post', imm: 2n }, SP],
  // pointer-authenticated loads
  ['ldraa x0, [x1, #-4096]', { kind: 'load', form: 'pac', rn: 1, size: 8, sf: true, imm: -4096n }, 0x10100n - 4096n],
  ['ldrab x0, [sp, #8]!', { kind: 'load', form: 'pac', rn: 31, size: 8, sf: true, writeback: 'pre', imm: 8n }, SP + 8n],
  // DC ZVA (64-byte block, aligned down) and EL0 cache maintenance
  ['dc zva, x11', { kind: 'dc-zva', form: 'dc-zva', rn: 11, rt: 11, size: 64 }, 0x12340n],
  ['dc zva, xzr', { kind: 'dc-zva', form: 'dc-zva', rn: RN_XZR, rt: 31, size: 64 }, 0n],
  ['dc civac, x11', { kind: 'cache-maint', form: 'cache-maint', rn: 11, rt: 11, size: 64 }, 0x12340n],
  ['dc cvau, x1', { kind: 'cache-maint', form: 'cache-maint', rn: 1, rt: 1, size: 64 }, 0x10100n],
  ['ic ivau, x11', { kind: 'cache-maint', form: 'cache-maint', rn: 11, rt: 11, size: 64 }, 0x12340n],
];

describe('decodeMemAccess', () => {
  const words = assemble(memCases.map(([asm]) => asm));
  it('covers at least 60 assembled instructions', () => {
    expect(memCases.length).toBeGreaterThanOrEqual(60);
  });
  memCases.forEach(([asm, e, addr], i) => {
    it(asm, () => {
      const m = decodeMemAccess(words[i]);
      expect(m).not.toBeNull();
      const { address, ...fields } = m!;
      expect(fields).toEqual(full(e));
      expect(address(X, SP, PC)).toBe(addr);
    });
  });

  it('ignores the should-be-one Rs/Rt2 of LDAR, as QEMU 5.0 (Unicorn) executes it', () => {
    const [w] = assemble(['.inst 0x08dbd30d']); // LDARB w13, [x24] with Rs = 27, Rt2 = 20
    const { address, ...fields } = decodeMemAccess(w)!;
    expect(fields).toEqual(full({ kind: 'load', form: 'ordered', rn: 24, rt: 13, size: 1, acquireRelease: true, mustAlign: true }));
    expect(address(X, SP)).toBe(0x11800n);
  });

  it('needs the PC for a literal', () => {
    const [w] = assemble(['ldr x0, . + 8']);
    expect(() => decodeMemAccess(w)!.address(X, SP)).toThrow(/PC/);
  });

  it('wraps addresses at 64 bits', () => {
    const [w] = assemble(['ldr x0, [x1, #-16]']);
    expect(decodeMemAccess(w)!.address(() => 8n, SP)).toBe(0xfffffffffffffff8n);
  });

  const notMemory = [
    'add x0, x1, x2', 'mov x0, sp', 'b .', 'bl .', 'ret', 'nop', 'svc #0', 'brk #0', 'hlt #0',
    'mrs x0, tpidr_el0', 'msr tpidr_el0, x0', 'dmb ish', 'isb', 'fmov d0, d1', 'movz x0, #1', 'adr x0, .',
    'adrp x0, .', 'cbz x0, .', 'udf #0', 'dc ivac, x0', 'ic iallu', 'clrex', 'add v0.4s, v1.4s, v2.4s',
    'stg x0, [x1]', 'dc gva, x0',
    '.inst 0xb9c00000', // LDR (unsigned) size 10, opc 11: unallocated
    '.inst 0xf9c00000', // size 11, opc 11: unallocated
    '.inst 0xdc000000', // LDR (literal, SIMD) opc 11: unallocated
    '.inst 0xe9400000', // LDP opc 11: unallocated
    '.inst 0x69000000', // STGP (MTE)
    '.inst 0x68400000', // LDPSW no-allocate form: unallocated
    '.inst 0x0c408c00', // LD2 {.1d}: unallocated
    '.inst 0x48207c01', // CASP with odd Rt
    '.inst 0xf8a0c000', // atomic o3 = 1, opc = 100, Rs ≠ 31: not LDAPR (QEMU rejects it too)
    '.inst 0x0d40f400', // LD3R with S = 1: unallocated
    '.inst 0x08fe057f', // CASAB with Rt2 ≠ 11111: unallocated (QEMU agrees)
  ];
  it('returns null for non-memory and unallocated encodings', () => {
    const ws = assemble(notMemory);
    expect(ws.map((w) => decodeMemAccess(w))).toEqual(notMemory.map(() => null));
  });
});

describe('usesSpBase', () => {
  const cases: [string, boolean][] = [
    ['ldr x0, [sp]', true], ['str x0, [sp, #-16]!', true], ['ldp x0, x1, [sp], #16', true],
    ['ldxr x0, [sp]', true], ['ldadd x0, x1, [sp]', true], ['ld1 {v0.16b}, [sp]', true],
    ['ldr x0, [x1]', false], ['prfm pldl1keep, [sp]', false], ['prfm pldl1keep, [sp, x1]', false],
    ['add x0, sp, #0', false], ['ldr x0, . + 8', false], ['dc zva, x0', false], ['nop', false],
  ];
  const ws = assemble(cases.map(([a]) => a));
  cases.forEach(([asm, want], i) => it(asm, () => expect(usesSpBase(ws[i])).toBe(want)));
});

describe('spWriteKind', () => {
  const cases: [string, SpWrite][] = [
    ['sub sp, sp, #16', 'keeps-alignment'], ['sub sp, sp, #8', 'may-misalign'],
    ['add sp, sp, #1, lsl #12', 'keeps-alignment'], ['sub sp, sp, #0x10, lsl #12', 'keeps-alignment'],
    ['add wsp, wsp, #16', 'keeps-alignment'], ['add wsp, wsp, #4', 'may-misalign'],
    ['mov sp, x0', 'may-misalign'], ['add sp, x1, #16', 'may-misalign'], ['add sp, sp, x1', 'may-misalign'],
    ['sub sp, sp, x2, uxtx #4', 'may-misalign'],
    ['and sp, x0, #0xfffffffffffffff0', 'keeps-alignment'], ['and sp, x0, #0xff', 'may-misalign'],
    ['orr sp, xzr, #16', 'keeps-alignment'], ['orr sp, xzr, #8', 'may-misalign'],
    ['eor sp, x1, #16', 'may-misalign'], ['ands xzr, x0, #16', 'none'],
    ['cmp sp, #8', 'none'], ['adds x0, sp, #8', 'none'], ['add x0, sp, #8', 'none'], ['mov x0, sp', 'none'],
    ['ldp x29, x30, [sp], #16', 'keeps-alignment'], ['stp x29, x30, [sp, #-16]!', 'keeps-alignment'],
    ['str x0, [sp, #-8]!', 'may-misalign'], ['stp x0, x1, [sp, #-8]!', 'may-misalign'],
    ['ldr x0, [sp, #8]', 'none'], ['ldr x0, [x1, #8]!', 'none'],
    ['ld1 {v0.16b}, [sp], x1', 'may-misalign'], ['ld1 {v0.16b}, [sp], #16', 'keeps-alignment'],
    ['st1 {v0.8b}, [sp], #8', 'may-misalign'], ['ldraa x0, [sp, #8]!', 'may-misalign'],
    ['ldraa x0, [sp, #16]!', 'keeps-alignment'], ['movz x0, #0', 'none'], ['nop', 'none'],
  ];
  const ws = assemble(cases.map(([a]) => a));
  cases.forEach(([asm, want], i) => it(asm, () => expect(spWriteKind(ws[i])).toBe(want)));
});

describe('decodeBitMasks', () => {
  it('decodes the logical immediates gas produced', () => {
    expect(decodeBitMasks(1, 0x3b, 0x3c, 64)).toBe(0xfffffffffffffff0n); // and x, x, #~15
    expect(decodeBitMasks(0, 0x07, 0x00, 32)).toBe(0xffn);
    expect(decodeBitMasks(0, 0x3c, 0x01, 64)).toBe(0xaaaaaaaaaaaaaaaan); // 2-bit element 01 rotated by 1
    expect(decodeBitMasks(1, 0x3f, 0, 64)).toBeNull(); // all-ones: reserved
    expect(decodeBitMasks(1, 0, 0, 32)).toBeNull(); // N = 1 in a 32-bit op
  });
});

describe('decodeSys / sysregName', () => {
  const cases: [string, ReturnType<typeof decodeSys>, string | null][] = [
    ['mrs x0, tpidr_el0', { op0: 3, op1: 3, crn: 13, crm: 0, op2: 2, rt: 0, read: true, kind: 'mrs' }, 'TPIDR_EL0'],
    ['msr tpidr_el0, x5', { op0: 3, op1: 3, crn: 13, crm: 0, op2: 2, rt: 5, read: false, kind: 'msr-reg' }, 'TPIDR_EL0'],
    ['mrs x1, cntvct_el0', { op0: 3, op1: 3, crn: 14, crm: 0, op2: 2, rt: 1, read: true, kind: 'mrs' }, 'CNTVCT_EL0'],
    ['mrs x2, ctr_el0', { op0: 3, op1: 3, crn: 0, crm: 0, op2: 1, rt: 2, read: true, kind: 'mrs' }, 'CTR_EL0'],
    ['mrs x3, dczid_el0', { op0: 3, op1: 3, crn: 0, crm: 0, op2: 7, rt: 3, read: true, kind: 'mrs' }, 'DCZID_EL0'],
    ['mrs x4, midr_el1', { op0: 3, op1: 0, crn: 0, crm: 0, op2: 0, rt: 4, read: true, kind: 'mrs' }, 'MIDR_EL1'],
    ['mrs x5, id_aa64isar0_el1', { op0: 3, op1: 0, crn: 0, crm: 6, op2: 0, rt: 5, read: true, kind: 'mrs' }, 'ID_AA64ISAR0_EL1'],
    ['msr sctlr_el1, x6', { op0: 3, op1: 0, crn: 1, crm: 0, op2: 0, rt: 6, read: false, kind: 'msr-reg' }, 'SCTLR_EL1'],
    ['mrs x7, currentel', { op0: 3, op1: 0, crn: 4, crm: 2, op2: 2, rt: 7, read: true, kind: 'mrs' }, 'CurrentEL'],
    ['mrs x8, mdscr_el1', { op0: 2, op1: 0, crn: 0, crm: 2, op2: 2, rt: 8, read: true, kind: 'mrs' }, 'MDSCR_EL1'],
    ['mrs x0, s3_7_c15_c15_7', { op0: 3, op1: 7, crn: 15, crm: 15, op2: 7, rt: 0, read: true, kind: 'mrs' }, null],
    ['msr daifset, #2', { op0: 0, op1: 3, crn: 4, crm: 2, op2: 6, rt: 31, read: false, kind: 'msr-imm' }, 'DAIFSet'],
    ['msr spsel, #1', { op0: 0, op1: 0, crn: 4, crm: 1, op2: 5, rt: 31, read: false, kind: 'msr-imm' }, 'SPSel'],
    ['cfinv', { op0: 0, op1: 0, crn: 4, crm: 0, op2: 0, rt: 31, read: false, kind: 'msr-imm' }, 'CFINV'],
    ['smstart', { op0: 0, op1: 3, crn: 4, crm: 7, op2: 3, rt: 31, read: false, kind: 'msr-imm' }, 'SVCR'],
    ['dc civac, x1', { op0: 1, op1: 3, crn: 7, crm: 14, op2: 1, rt: 1, read: false, kind: 'sys' }, 'DC CIVAC'],
    ['dc zva, x2', { op0: 1, op1: 3, crn: 7, crm: 4, op2: 1, rt: 2, read: false, kind: 'sys' }, 'DC ZVA'],
    ['ic ivau, x3', { op0: 1, op1: 3, crn: 7, crm: 5, op2: 1, rt: 3, read: false, kind: 'sys' }, 'IC IVAU'],
    ['sysl x4, #3, c7, c14, #1', { op0: 1, op1: 3, crn: 7, crm: 14, op2: 1, rt: 4, read: true, kind: 'sysl' }, 'DC CIVAC'],
    ['nop', null, null], ['dmb ish', null, null], ['isb', null, null], ['clrex', null, null],
    ['add x0, x1, x2', null, null], ['svc #0', null, null],
  ];
  const ws = assemble(cases.map(([a]) => a));
  cases.forEach(([asm, want, name], i) => {
    it(asm, () => {
      const s = decodeSys(ws[i]);
      expect(s).toEqual(want);
      if (s) expect(sysregName(s)).toBe(name);
    });
  });

  it('spells unknown registers generically', () => {
    expect(sysregEncodingName(decodeSys(ws[10])!)).toBe('S3_7_C15_C15_7');
  });

  // Names gas 2.40 does not know: their encodings are checked through the generic S-form instead.
  const unknownToGas = new Set(['ID_AA64PFR2_EL1', 'ID_AA64FPFR0_EL1', 'ID_AA64DFR2_EL1', 'ID_AA64ISAR3_EL1',
    'ID_AA64MMFR3_EL1', 'ID_AA64MMFR4_EL1']);
  it('every sysreg table row has the encoding gas gives its name', () => {
    const rows = [...sysregNames].filter(([, n]) => !unknownToGas.has(n));
    const ws2 = assemble(rows.map(([, n]) => `mrs x0, ${n.toLowerCase()}`));
    expect(ws2.map((w) => sysregName(decodeSys(w)!))).toEqual(rows.map(([, n]) => n));
  });
  it('the rows gas cannot name decode from their generic spelling', () => {
    const rows = [...sysregNames].filter(([, n]) => unknownToGas.has(n));
    const generic = rows.map(([k]) => { const [a, b, c, d, e] = k.split(','); return `mrs x0, s${a}_${b}_c${c}_c${d}_${e}`; });
    expect(assemble(generic).map((w) => sysregName(decodeSys(w)!))).toEqual(rows.map(([, n]) => n));
    expect(rows.length).toBe(unknownToGas.size);
  });
  it('every SYS table row has the encoding gas gives its name', () => {
    const noOperand = new Set(['IC IALLUIS', 'IC IALLU', 'TLBI VMALLE1IS', 'TLBI VMALLE1']);
    const names = [...sysInsnNames.values()];
    const asm = names.map((n) => { const [op, arg] = n.toLowerCase().split(' '); return noOperand.has(n) ? `${op} ${arg}` : `${op} ${arg}, x0`; });
    expect(assemble(asm).map((w) => sysregName(decodeSys(w)!))).toEqual(names);
  });
});

describe('decodeBrk / isHlt', () => {
  const ws = assemble(['brk #0', 'brk #0xf000', 'brk #0x3e8', 'hlt #0', 'hlt #0xffff', 'udf #0', 'svc #0']);
  it('decodes BRK immediates', () => {
    expect(ws.map(decodeBrk)).toEqual([0, 0xf000, 0x3e8, null, null, null, null]);
  });
  it('recognises HLT', () => {
    expect(ws.map(isHlt)).toEqual([false, false, false, true, true, false, false]);
  });
});
