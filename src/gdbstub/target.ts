// What gdb knows of the target: the aarch64 target description (gdb's own features org.gnu.gdb.aarch64.core, .fpu
// and .tls, so gdb numbers the registers as for a native arm64 Linux process), the register file in that order
// for g/G/p/P, and the translation of Linux signal numbers to gdb's (enum gdb_signal, gdb/signals.def).
import type { Cpu } from '../cpu/cpu.ts';

/** What g/G/p/P reach: the engine's registers (the thread on the CPU) or a saved context (any other thread). */
export type RegisterFile = Pick<Cpu, 'x' | 'setX' | 'sp' | 'pc' | 'nzcv' | 'v' | 'setV' | 'fpsr' | 'fpcr' | 'tpidr'>;

const xregs = Array.from({ length: 31 }, (_, i) => `<reg name="x${i}" bitsize="64" type="int" regnum="${i}"/>`).join('');
const vregs = Array.from({ length: 32 }, (_, i) => `<reg name="v${i}" bitsize="128" type="aarch64v" regnum="${34 + i}"/>`).join('');
const union = (id: string, fields: [string, string][]) =>
  `<union id="${id}">${fields.map(([n, t]) => `<field name="${n}" type="${t}"/>`).join('')}</union>`;
const vectors = [['v2d', 'ieee_double', 2], ['v2u', 'uint64', 2], ['v2i', 'int64', 2], ['v4f', 'ieee_single', 4],
  ['v4u', 'uint32', 4], ['v4i', 'int32', 4], ['v8f', 'ieee_half', 8], ['v8u', 'uint16', 8], ['v8i', 'int16', 8],
  ['v16u', 'uint8', 16], ['v16i', 'int8', 16], ['v1u', 'uint128', 1], ['v1i', 'int128', 1]] as const;

export const TARGET_XML = '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target version="1.0">' +
  '<architecture>aarch64</architecture><osabi>GNU/Linux</osabi>' +
  `<feature name="org.gnu.gdb.aarch64.core">${xregs}` +
  '<reg name="sp" bitsize="64" type="data_ptr" regnum="31"/><reg name="pc" bitsize="64" type="code_ptr" regnum="32"/>' +
  '<flags id="cpsr_flags" size="4"><field name="SP" start="0" end="0"/><field name="EL" start="2" end="3"/>' +
  '<field name="nRW" start="4" end="4"/><field name="F" start="6" end="6"/><field name="I" start="7" end="7"/>' +
  '<field name="A" start="8" end="8"/><field name="D" start="9" end="9"/><field name="V" start="28" end="28"/>' +
  '<field name="C" start="29" end="29"/><field name="Z" start="30" end="30"/><field name="N" start="31" end="31"/></flags>' +
  '<reg name="cpsr" bitsize="32" type="cpsr_flags" regnum="33"/></feature>' +
  '<feature name="org.gnu.gdb.aarch64.fpu">' +
  vectors.map(([id, t, n]) => `<vector id="${id}" type="${t}" count="${n}"/>`).join('') +
  union('vnd', [['f', 'v2d'], ['u', 'v2u'], ['s', 'v2i']]) + union('vns', [['f', 'v4f'], ['u', 'v4u'], ['s', 'v4i']]) +
  union('vnh', [['f', 'v8f'], ['u', 'v8u'], ['s', 'v8i']]) + union('vnb', [['u', 'v16u'], ['s', 'v16i']]) +
  union('vnq', [['u', 'v1u'], ['s', 'v1i']]) +
  union('aarch64v', [['d', 'vnd'], ['s', 'vns'], ['h', 'vnh'], ['b', 'vnb'], ['q', 'vnq']]) + vregs +
  '<reg name="fpsr" bitsize="32" type="int" regnum="66"/><reg name="fpcr" bitsize="32" type="int" regnum="67"/></feature>' +
  '<feature name="org.gnu.gdb.aarch64.tls"><reg name="tpidr" bitsize="64" type="data_ptr" regnum="68"/></feature>' +
  '</target>';

export const NUM_REGS = 69;
const PC = 32, CPSR = 33, V0 = 34, FPSR = 66, FPCR = 67, TPIDR = 68;

/** The size in bytes of register n in the g packet. */
export const regSize = (n: number): number => (n === CPSR || n === FPSR || n === FPCR ? 4 : n >= V0 && n < FPSR ? 16 : 8);

/** Register n as the target's little-endian bytes. */
export function readReg(cpu: RegisterFile, n: number): Buffer {
  const b = Buffer.alloc(regSize(n));
  if (n <= 30) b.writeBigUInt64LE(cpu.x(n));
  else if (n === 31) b.writeBigUInt64LE(cpu.sp);
  else if (n === PC) b.writeBigUInt64LE(cpu.pc);
  else if (n === CPSR) b.writeUInt32LE(Number(cpu.nzcv)); // EL0t: the rest of the EL0 PSTATE reads as zero
  else if (n < FPSR) {
    const v = cpu.v(n - V0);
    b.writeBigUInt64LE(BigInt.asUintN(64, v));
    b.writeBigUInt64LE(v >> 64n, 8);
  } else if (n === FPSR) b.writeUInt32LE(cpu.fpsr >>> 0);
  else if (n === FPCR) b.writeUInt32LE(cpu.fpcr >>> 0);
  else b.writeBigUInt64LE(cpu.tpidr);
  return b;
}

export function writeReg(cpu: RegisterFile, n: number, b: Buffer): void {
  const u64 = () => b.readBigUInt64LE(0);
  if (n <= 30) cpu.setX(n, u64());
  else if (n === 31) cpu.sp = u64();
  else if (n === PC) cpu.pc = u64();
  else if (n === CPSR) cpu.nzcv = BigInt(b.readUInt32LE(0)); // only NZCV is the guest's to change
  else if (n < FPSR) cpu.setV(n - V0, u64() | (b.readBigUInt64LE(8) << 64n));
  else if (n === FPSR) cpu.fpsr = b.readUInt32LE(0);
  else if (n === FPCR) cpu.fpcr = b.readUInt32LE(0);
  else if (n === TPIDR) cpu.tpidr = u64();
}

/** The g packet: every register, in order. */
export function readAll(cpu: RegisterFile): Buffer {
  return Buffer.concat(Array.from({ length: NUM_REGS }, (_, n) => readReg(cpu, n)));
}

export function writeAll(cpu: RegisterFile, b: Buffer): void {
  let off = 0;
  for (let n = 0; n < NUM_REGS && off + regSize(n) <= b.length; off += regSize(n), n++) writeReg(cpu, n, b.subarray(off, off + regSize(n)));
}

// Linux signal number → gdb's. gdb numbers the classic signals in its own order (SIGBUS is 10, SIGUSR1 30…), the
// real-time ones 32 and 64..127 out of line. SIGSTKFLT has no gdb name: GDB_SIGNAL_UNKNOWN.
const GDB_SIGNAL_UNKNOWN = 143;
const CLASSIC: Record<number, number> = {
  1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 10, 8: 8, 9: 9, 10: 30, 11: 11, 12: 31, 13: 13, 14: 14, 15: 15,
  16: GDB_SIGNAL_UNKNOWN, 17: 20, 18: 19, 19: 17, 20: 18, 21: 21, 22: 22, 23: 16, 24: 24, 25: 25, 26: 26, 27: 27,
  28: 28, 29: 23, 30: 32, 31: 12,
};

export function gdbSignal(linux: number): number {
  if (linux === 0) return 0;
  if (CLASSIC[linux] !== undefined) return CLASSIC[linux];
  if (linux === 32) return 77; //                       GDB_SIGNAL_REALTIME_32
  if (linux >= 33 && linux <= 63) return 45 + linux - 33; // GDB_SIGNAL_REALTIME_33..63
  if (linux === 64) return 78; //                       GDB_SIGNAL_REALTIME_64
  return GDB_SIGNAL_UNKNOWN;
}

/** gdb's signal number → Linux's (0 for none, or one Linux does not have). */
export function linuxSignal(gdb: number): number {
  for (let s = 1; s <= 64; s++) if (gdbSignal(s) === gdb && gdb !== GDB_SIGNAL_UNKNOWN) return s;
  return 0;
}
