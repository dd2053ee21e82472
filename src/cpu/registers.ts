// The user register file of a Cpu (cpu.ts extends it): x0..x30, sp, pc, nzcv, fpsr, fpcr, tpidr shared with
// native/run.c in one buffer (read in the call that runs the engine, written back in the next), v0..v31 read on
// first use after a stop, and the system registers through UC_ARM64_REG_CP_REG.
import {
  type UnicornLib, type UcHandle, type IcountLib, UC_ERR_NAMES, UC_ARM64_REG_CP_REG,
  AF_REG_SP, AF_REG_PC, AF_REG_NZCV, AF_REG_FPSR, AF_REG_FPCR, AF_REG_TPIDR, AF_IO_DIRTY, AF_IO_LEN, AF_NREGS,
  AF_IO_VREGS,
} from './unicorn.ts';
import { UnicornError, EmulatorError } from '../errors.ts';

/** The user register file as raw little-endian bytes: x0..x30, sp, pc, nzcv, fpsr, fpcr, tpidr (AF_REG_*, 8 bytes
 *  each), and v0..v31 (16 bytes each). */
export interface CpuSnapshot { readonly regs: Buffer; readonly vregs: Buffer }

/** A snapshot's registers as values. */
export function snapshotRegs(s: CpuSnapshot): {
  x: bigint[]; sp: bigint; pc: bigint; nzcv: bigint; v: bigint[]; fpsr: number; fpcr: number; tpidr: bigint;
} {
  const r = (i: number) => s.regs.readBigUInt64LE(8 * i);
  return {
    x: Array.from({ length: 31 }, (_, i) => r(i)), sp: r(AF_REG_SP), pc: r(AF_REG_PC), nzcv: r(AF_REG_NZCV),
    v: Array.from({ length: 32 }, (_, i) => s.vregs.readBigUInt64LE(16 * i) | (s.vregs.readBigUInt64LE(16 * i + 8) << 64n)),
    fpsr: Number(r(AF_REG_FPSR)), fpcr: Number(r(AF_REG_FPCR)), tpidr: r(AF_REG_TPIDR),
  };
}

export abstract class CpuRegisters {
  private readonly cp = Buffer.alloc(32);
  /** the engine was freed (its mm is gone); the instruction count stays readable */
  closed = false;
  /** Register file shared with native/run.c: x0..x30, sp, pc, nzcv, fpsr, fpcr, tpidr, then the stop record.
   *  Read in one call per stop; changed registers are written back in the next run's call (AF_IO_DIRTY). */
  protected readonly r = new BigUint64Array(AF_IO_LEN);
  protected readonly io = Buffer.from(this.r.buffer);
  protected regsValid = false;
  /** v0..v31 (16 bytes each), read on first use after a stop (a memory fault's stop reads them itself, into
   *  this part of the shared buffer) and written back before the next run */
  protected readonly vregs = Buffer.from(this.r.buffer, 8 * AF_IO_VREGS, 512);
  protected vValid = false;
  protected vDirty = false;

  constructor(protected readonly U: UnicornLib, protected readonly ic: IcountLib, protected readonly uc: UcHandle) {}

  /** The cached register file, loaded in one call when a stop has not already filled it. */
  protected regs(): BigUint64Array {
    if (!this.regsValid) {
      if (this.closed) throw new EmulatorError('the engine of an mm that is gone was used');
      this.ic.regsRead(this.uc, this.io);
      this.r[AF_IO_DIRTY] = 0n;
      this.regsValid = true;
    }
    return this.r;
  }
  protected readReg(i: number): bigint {
    return this.regs()[i];
  }
  protected writeReg(i: number, v: bigint): void {
    const r = this.regs();
    r[i] = BigInt.asUintN(64, v);
    r[AF_IO_DIRTY] |= 1n << BigInt(i);
  }
  /** Writes the changed registers to the engine (run() does it in its own call). */
  protected flushRegs(): void {
    if (this.regsValid && this.r[AF_IO_DIRTY] !== 0n) {
      this.check('uc_reg_write', this.ic.regsWrite(this.uc, this.io, this.r[AF_IO_DIRTY]));
      this.r[AF_IO_DIRTY] = 0n;
    }
    if (this.vDirty) {
      this.check('uc_reg_write(Q)', this.ic.vregsWrite(this.uc, this.vregs));
      this.vDirty = false;
    }
  }
  /** x0..x30 */
  x(n: number): bigint {
    return this.readReg(n);
  }
  setX(n: number, v: bigint): void {
    this.writeReg(n, v);
  }
  get pc(): bigint { return this.readReg(AF_REG_PC); }
  set pc(v: bigint) { this.writeReg(AF_REG_PC, v); }
  /** NZCV in bits 31:28; the rest of the EL0 PSTATE the guest can see is zero here. */
  get nzcv(): bigint { return this.readReg(AF_REG_NZCV); }
  set nzcv(v: bigint) { this.writeReg(AF_REG_NZCV, v & 0xf0000000n); }
  get tpidr(): bigint { return this.readReg(AF_REG_TPIDR); }
  set tpidr(v: bigint) { this.writeReg(AF_REG_TPIDR, v); }
  get fpsr(): number { return Number(this.readReg(AF_REG_FPSR)); }
  set fpsr(v: number) { this.writeReg(AF_REG_FPSR, BigInt(v >>> 0)); }
  get fpcr(): number { return Number(this.readReg(AF_REG_FPCR)); }
  set fpcr(v: number) { this.writeReg(AF_REG_FPCR, BigInt(v >>> 0)); }
  protected vfile(): Buffer {
    if (!this.vValid) {
      this.ic.vregsRead(this.uc, this.vregs);
      this.vValid = true;
    }
    return this.vregs;
  }
  /** x0..x30, sp, pc as raw little-endian bytes into out at offset: struct user_pt_regs' order (a signal frame) */
  userRegsInto(out: Buffer, offset: number): void {
    this.regs();
    this.io.copy(out, offset, 0, 8 * (AF_REG_PC + 1));
  }
  /** The user registers as raw bytes (a context switch: two copies instead of a BigInt per register). */
  snapshot(): CpuSnapshot {
    const regs = Buffer.allocUnsafe(8 * AF_NREGS);
    this.regs();
    this.io.copy(regs, 0, 0, 8 * AF_NREGS);
    const vregs = Buffer.allocUnsafe(512);
    this.vfile().copy(vregs);
    return { regs, vregs };
  }
  /** Loads a snapshot: every register is written back with the next run (one native call, as a stop reads them). */
  restore(s: CpuSnapshot): void {
    const r = this.regs();
    s.regs.copy(this.io, 0, 0, 8 * AF_NREGS);
    r[AF_IO_DIRTY] = (1n << BigInt(AF_NREGS)) - 1n;
    s.vregs.copy(this.vregs);
    this.vValid = true;
    this.vDirty = true;
  }
  /** v0..v31 as unsigned 128-bit values */
  v(n: number): bigint {
    const b = this.vfile();
    return b.readBigUInt64LE(16 * n) | (b.readBigUInt64LE(16 * n + 8) << 64n);
  }
  /** v0..v31 as their 512 raw little-endian bytes, copied into out at offset (one engine call at most) */
  vregsInto(out: Buffer, offset: number): void {
    this.vfile().copy(out, offset, 0, 512);
  }
  /** sets v0..v31 from 512 raw little-endian bytes */
  setVregsFrom(data: Buffer): void {
    if (data.length !== 512) throw new Error('setVregsFrom: 512 bytes expected');
    data.copy(this.vregs, 0, 0, 512);
    this.vValid = true;
    this.vDirty = true;
  }
  setV(n: number, v: bigint): void {
    const b = this.vfile();
    b.writeBigUInt64LE(BigInt.asUintN(64, v), 16 * n);
    b.writeBigUInt64LE(BigInt.asUintN(64, v >> 64n), 16 * n + 8);
    this.vDirty = true;
  }
  /** MRS/MSR of any system register through UC_ARM64_REG_CP_REG (used for ID registers and set-up). */
  readSysreg(op0: number, op1: number, crn: number, crm: number, op2: number): bigint | null {
    this.fillCp(op0, op1, crn, crm, op2, 0n);
    return this.U.regRead(this.uc, UC_ARM64_REG_CP_REG, this.cp) === 0 ? this.cp.readBigUInt64LE(24) : null;
  }
  writeSysreg(op0: number, op1: number, crn: number, crm: number, op2: number, v: bigint): void {
    this.fillCp(op0, op1, crn, crm, op2, v);
    this.check('uc_reg_write(CP_REG)', this.U.regWrite(this.uc, UC_ARM64_REG_CP_REG, this.cp));
  }
  private fillCp(op0: number, op1: number, crn: number, crm: number, op2: number, v: bigint): void {
    this.cp.fill(0);
    this.cp.writeUInt32LE(crn, 0);
    this.cp.writeUInt32LE(crm, 4);
    this.cp.writeUInt32LE(op0, 8);
    this.cp.writeUInt32LE(op1, 12);
    this.cp.writeUInt32LE(op2, 16);
    this.cp.writeBigUInt64LE(v, 24);
  }

  protected check(call: string, err: number): void {
    if (err !== 0) throw new UnicornError(call, err, UC_ERR_NAMES[err] ?? String(err));
  }
}
