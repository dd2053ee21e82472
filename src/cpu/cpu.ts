// Cpu: one Unicorn engine running AArch64 code at EL0. Memory, registers, and the single "why did execution
// stop" record (CpuStop). Nothing here knows Linux; it only reports what the engine saw.
import {
  unicorn, type UnicornLib, type UcHandle, UC_ERR_NAMES, UC_CPU_ARM64_MAX,
  UC_ARM64_REG_X0, UC_ARM64_REG_X29, UC_ARM64_REG_X30, UC_ARM64_REG_SP, UC_ARM64_REG_PC, UC_ARM64_REG_NZCV,
  UC_ARM64_REG_Q0, UC_ARM64_REG_TPIDR_EL0, UC_ARM64_REG_FPCR, UC_ARM64_REG_FPSR, UC_ARM64_REG_CPACR_EL1,
  UC_ARM64_REG_CP_REG, AF_FAULT_SP,
  UC_MEM_READ_UNMAPPED, UC_MEM_WRITE_UNMAPPED, UC_MEM_FETCH_UNMAPPED, UC_MEM_READ_PROT, UC_MEM_WRITE_PROT,
  UC_MEM_FETCH_PROT,
} from './unicorn.ts';
import { UnicornError, EmulatorError, EngineMemoryError } from '../errors.ts';

/** QEMU exception numbers as Unicorn's UC_HOOK_INTR reports them (target/arm/cpu.h EXCP_*). */
export const EXCP_UDEF = 1;
export const EXCP_SWI = 2;
export const EXCP_PREFETCH_ABORT = 3;
export const EXCP_DATA_ABORT = 4;
export const EXCP_BKPT = 7;

export type MemAccessKind = 'read' | 'write' | 'fetch';

/** Why the engine stopped. `pc` is the address of the instruction that caused it (for svc: the next one). */
export type CpuStop =
  | { kind: 'intr'; intno: number; pc: bigint }
  | { kind: 'mem'; access: MemAccessKind; cause: 'unmapped' | 'prot'; addr: bigint; size: number; pc: bigint;
      /** false when Unicorn only knew the start of the translation block (fast mode): syndrome.ts recovers it */
      pcExact: boolean }
  /** the pc reached an address set with setBreakpoint (the instruction there has not run) */
  | { kind: 'breakpoint'; pc: bigint }
  /** a load/store with a misaligned SP as base (SCTLR_EL1.SA0 checking, done by native/icount.c) */
  | { kind: 'sp-align'; pc: bigint }
  /** the instruction budget ran out, or stopAt() asked for a stop */
  | { kind: 'limit'; pc: bigint };

/** The stops that are exceptions the kernel handles (not the emulator's own limit and breakpoint stops). */
export type ExceptionStop = Exclude<CpuStop, { kind: 'limit' } | { kind: 'breakpoint' }>;

export interface CpuOptions {
  /** exact instruction counting (native hook); costs about 4x in tight loops */
  countInsns: boolean;
}

const END = 0xfffffffffffffffcn; // an `until` no EL0 pc can reach
const TRAMPOLINE = 0x1000n; //      below mmap_min_addr: no guest mapping can be there
const ERET = 0xd69f03e0;

/** SCTLR_EL1 as Linux runs EL0 (arch/arm64/include/asm/sysreg.h INIT_SCTLR_EL1_MMU_ON), MMU bit clear:
 *  Unicorn's flat memory stands in for the page tables (mm/ models them). */
const SCTLR_EL1_SA0 = 1n << 4n;
const SCTLR_EL1_SA = 1n << 3n;
const SCTLR_EL1_DZE = 1n << 14n;
const SCTLR_EL1_UCT = 1n << 15n;
const SCTLR_EL1_NTWE = 1n << 18n;
const SCTLR_EL1_C = 1n << 2n;
const SCTLR_EL1_I = 1n << 12n;
// UCI stays clear although Linux sets it: QEMU executes DC CIVAC & co. as no-ops that never fault, so we let
// them trap and check the address ourselves (traps.ts emulateCacheMaint).
const SCTLR_EL1_USER = SCTLR_EL1_SA0 | SCTLR_EL1_SA | SCTLR_EL1_DZE | SCTLR_EL1_UCT | SCTLR_EL1_NTWE |
  SCTLR_EL1_C | SCTLR_EL1_I;

const memKind: Record<number, [MemAccessKind, 'unmapped' | 'prot']> = {
  [UC_MEM_READ_UNMAPPED]: ['read', 'unmapped'],
  [UC_MEM_WRITE_UNMAPPED]: ['write', 'unmapped'],
  [UC_MEM_FETCH_UNMAPPED]: ['fetch', 'unmapped'],
  [UC_MEM_READ_PROT]: ['read', 'prot'],
  [UC_MEM_WRITE_PROT]: ['write', 'prot'],
  [UC_MEM_FETCH_PROT]: ['fetch', 'prot'],
};

export class Cpu {
  private readonly U: UnicornLib;
  private readonly uc: UcHandle;
  private readonly b8 = Buffer.alloc(8);
  private readonly b16 = Buffer.alloc(16);
  private readonly cp = Buffer.alloc(32);
  private pending: { kind: 'intr'; intno: number } | { kind: 'mem'; type: number; addr: bigint; size: number }
    | { kind: 'breakpoint'; pc: bigint } | null = null;
  private breakpoint: { addr: bigint; hook: bigint; skip: boolean } | null = null;
  private readonly counter: unknown;
  private atEl0 = false;
  private closed = false;

  constructor(readonly options: CpuOptions) {
    this.U = unicorn();
    this.uc = this.U.open();
    this.check('uc_ctl(CPU_MODEL)', this.U.setCpuModel(this.uc, UC_CPU_ARM64_MAX));
    this.U.hookIntr(this.uc, (intno) => {
      this.pending ??= { kind: 'intr', intno };
      this.U.emuStop(this.uc);
    });
    this.U.hookMemInvalid(this.uc, (type, addr, size) => {
      this.pending ??= { kind: 'mem', type, addr, size };
      return false;
    });
    if (options.countInsns) {
      if (!this.U.icount) {
        throw new EmulatorError('exact instruction counting needs native/libaficount.so: run `make -C native` (or use --fast)');
      }
      this.counter = this.U.icount.create(this.uc);
    }
    // FP/SIMD on for EL0 (CPACR_EL1.FPEN = 0b11); SVE stays trapped (ZEN = 0): Linux advertises no SVE here.
    this.writeReg(UC_ARM64_REG_CPACR_EL1, 3n << 20n);
    // keep QEMU's reset value (RES1 bits, EL1 controls) and add what Linux sets for EL0
    this.writeSysreg(3, 0, 1, 0, 0, (this.readSysreg(3, 0, 1, 0, 0) ?? 0n) | SCTLR_EL1_USER);
    // CNTKCTL_EL1 = 0: EL0 counter reads trap, so the kernel side can feed them the deterministic clock.
    this.writeSysreg(3, 0, 14, 1, 0, 0n);
  }

  get countsInsns(): boolean {
    return this.counter !== undefined;
  }

  close(): void {
    if (!this.closed) this.U.close(this.uc);
    this.closed = true;
  }

  // ---- memory -------------------------------------------------------------------------------------------
  map(addr: bigint, size: bigint, prot: number): void {
    const err = this.U.memMap(this.uc, addr, size, prot);
    if (err === 1 /* UC_ERR_NOMEM */) {
      throw new EngineMemoryError(`the engine cannot back 0x${size.toString(16)} bytes at 0x${addr.toString(16)}`);
    }
    this.check(`uc_mem_map(0x${addr.toString(16)}, 0x${size.toString(16)})`, err);
  }
  protect(addr: bigint, size: bigint, prot: number): void {
    this.check('uc_mem_protect', this.U.memProtect(this.uc, addr, size, prot));
  }
  unmap(addr: bigint, size: bigint): void {
    this.check('uc_mem_unmap', this.U.memUnmap(this.uc, addr, size));
  }
  /** Reads guest memory; null if any byte is not mapped in the engine. */
  read(addr: bigint, len: number): Buffer | null {
    const out = Buffer.alloc(len);
    if (len === 0) return out;
    return this.U.memRead(this.uc, addr, out, len) === 0 ? out : null;
  }
  readInto(addr: bigint, out: Buffer): boolean {
    return out.length === 0 || this.U.memRead(this.uc, addr, out, out.length) === 0;
  }
  write(addr: bigint, data: Buffer): boolean {
    return data.length === 0 || this.U.memWrite(this.uc, addr, data, data.length) === 0;
  }

  // ---- registers ----------------------------------------------------------------------------------------
  private readReg(id: number): bigint {
    this.U.regRead(this.uc, id, this.b8);
    return this.b8.readBigUInt64LE();
  }
  private writeReg(id: number, v: bigint): void {
    this.b8.writeBigUInt64LE(BigInt.asUintN(64, v));
    this.check('uc_reg_write', this.U.regWrite(this.uc, id, this.b8));
  }
  private static xId(n: number): number {
    return n < 29 ? UC_ARM64_REG_X0 + n : n === 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
  }
  /** x0..x30 */
  x(n: number): bigint {
    return this.readReg(Cpu.xId(n));
  }
  setX(n: number, v: bigint): void {
    this.writeReg(Cpu.xId(n), v);
  }
  get pc(): bigint { return this.readReg(UC_ARM64_REG_PC); }
  set pc(v: bigint) { this.writeReg(UC_ARM64_REG_PC, v); }
  get sp(): bigint { return this.readReg(UC_ARM64_REG_SP); }
  set sp(v: bigint) {
    this.writeReg(UC_ARM64_REG_SP, v);
    if (v & 15n && this.counter !== undefined) this.U.icount!.spWatch(this.counter, true);
  }

  /**
   * Arms the SP alignment check after each instruction that can leave SP misaligned (insn.ts spWriteKind).
   * Only in counted mode: the check rides on the native counting hook. DIVERGENCE: with --fast no SP
   * alignment fault is raised, as under QEMU.
   */
  watchSpWrites(sites: bigint[]): void {
    if (this.counter === undefined) return;
    for (const a of sites) this.check('af_sp_site', this.U.icount!.spSite(this.uc, this.counter, a + 4n));
  }

  /** Arms the alignment check of store-exclusives (counted mode; DIVERGENCE: not with --fast). */
  watchStoreExclusives(sites: bigint[]): void {
    if (this.counter === undefined) return;
    for (const a of sites) this.check('af_align_site', this.U.icount!.alignSite(this.uc, this.counter, a));
  }

  /**
   * Stops the engine before the instruction at addr runs (one breakpoint at a time). When the run resumes at
   * that same address the breakpoint lets the instruction run once.
   */
  setBreakpoint(addr: bigint): void {
    this.clearBreakpoint();
    const hook = this.U.hookCode(this.uc, (a) => {
      const bp = this.breakpoint;
      if (!bp || a !== bp.addr) return;
      if (bp.skip) {
        bp.skip = false;
        return;
      }
      this.pending ??= { kind: 'breakpoint', pc: a };
      this.U.emuStop(this.uc);
    }, addr, addr);
    this.breakpoint = { addr, hook, skip: false };
    this.invalidateCode(addr, addr + 4n);
  }

  clearBreakpoint(): void {
    if (!this.breakpoint) return;
    this.U.hookDel(this.uc, this.breakpoint.hook);
    this.invalidateCode(this.breakpoint.addr, this.breakpoint.addr + 4n);
    this.breakpoint = null;
  }

  /** Forgets translated code in [start, end), so hooks added for it take effect. */
  invalidateCode(start: bigint, end: bigint): void {
    this.check('uc_ctl(TB_REMOVE_CACHE)', this.U.removeTbCache(this.uc, start, end));
  }
  /** NZCV in bits 31:28; the rest of the EL0 PSTATE the guest can see is zero here. */
  get nzcv(): bigint { return this.readReg(UC_ARM64_REG_NZCV); }
  set nzcv(v: bigint) { this.writeReg(UC_ARM64_REG_NZCV, v & 0xf0000000n); }
  get tpidr(): bigint { return this.readReg(UC_ARM64_REG_TPIDR_EL0); }
  set tpidr(v: bigint) { this.writeReg(UC_ARM64_REG_TPIDR_EL0, v); }
  get fpsr(): number { return Number(this.readReg(UC_ARM64_REG_FPSR)); }
  set fpsr(v: number) { this.writeReg(UC_ARM64_REG_FPSR, BigInt(v >>> 0)); }
  get fpcr(): number { return Number(this.readReg(UC_ARM64_REG_FPCR)); }
  set fpcr(v: number) { this.writeReg(UC_ARM64_REG_FPCR, BigInt(v >>> 0)); }
  /** v0..v31 as unsigned 128-bit values */
  v(n: number): bigint {
    this.U.regRead(this.uc, UC_ARM64_REG_Q0 + n, this.b16);
    return this.b16.readBigUInt64LE(0) | (this.b16.readBigUInt64LE(8) << 64n);
  }
  setV(n: number, v: bigint): void {
    this.b16.writeBigUInt64LE(BigInt.asUintN(64, v), 0);
    this.b16.writeBigUInt64LE(BigInt.asUintN(64, v >> 64n), 8);
    this.check('uc_reg_write(Q)', this.U.regWrite(this.uc, UC_ARM64_REG_Q0 + n, this.b16));
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

  // ---- instruction count --------------------------------------------------------------------------------
  /** Instructions retired so far (exact), or null in fast mode. */
  get icount(): bigint | null {
    return this.counter === undefined ? null : this.U.icount!.get(this.counter);
  }

  // ---- execution ----------------------------------------------------------------------------------------
  /**
   * Runs from the current pc until something stops the engine. `limit` is an absolute instruction count at
   * which to stop (counted mode only). Errors raised inside hooks never cross the FFI: hooks only record.
   */
  run(limit: bigint | null = null): CpuStop {
    if (!this.atEl0) this.enterEl0();
    const ic = this.U.icount;
    if (this.counter !== undefined) ic!.limit(this.counter, limit ?? 0xffffffffffffffffn);
    this.pending = null;
    const begin = this.pc;
    if (this.breakpoint) this.breakpoint.skip = this.breakpoint.addr === begin;
    const err = this.U.emuStart(this.uc, begin, END, 0);
    const p = this.pending as Cpu['pending'];
    const fault = this.counter !== undefined ? ic!.takeFault(this.counter) : 0n;
    if (fault !== 0n) {
      const pc = fault & ((1n << 62n) - 1n);
      this.pc = pc;
      // a store-exclusive is reported like QEMU's own alignment data abort: syndrome.ts decodes the access
      return fault & AF_FAULT_SP ? { kind: 'sp-align', pc } : { kind: 'intr', intno: EXCP_DATA_ABORT, pc };
    }
    if (p === null) {
      if (err !== 0) throw new UnicornError('uc_emu_start', err, UC_ERR_NAMES[err] ?? String(err));
      return { kind: 'limit', pc: this.pc };
    }
    if (p.kind === 'breakpoint') {
      this.unretire(); // counted as it started; it has not run
      this.pc = p.pc;
      return { kind: 'breakpoint', pc: p.pc };
    }
    if (p.kind === 'intr') {
      const pc = this.pc;
      // svc completed (pc is past it); every other exception leaves its instruction un-retired.
      if (p.intno !== EXCP_SWI) this.unretire();
      return { kind: 'intr', intno: p.intno, pc };
    }
    const [access, cause] = memKind[p.type] ?? ['read', 'unmapped'];
    // With the counting hook Unicorn syncs the pc per instruction, and the hook saw the faulting one.
    let pc = this.pc;
    let pcExact = access === 'fetch';
    if (this.counter !== undefined) {
      if (access !== 'fetch') pc = ic!.pc(this.counter);
      pcExact = true;
      if (access !== 'fetch') this.unretire();
    }
    if (access === 'fetch') pc = p.addr;
    this.pc = pc;
    return { kind: 'mem', access, cause, addr: p.addr, size: p.size, pc, pcExact };
  }

  /** An instruction the kernel side performed itself (TBI emulation) retires here. */
  retireOne(): void {
    if (this.counter === undefined) return;
    const ic = this.U.icount!;
    ic.set(this.counter, ic.get(this.counter) + 1n);
  }

  /** The counting hook counts an instruction when it starts; one that faulted did not retire. */
  private unretire(): void {
    if (this.counter === undefined) return;
    const ic = this.U.icount!;
    const n = ic.get(this.counter);
    if (n > 0n) ic.set(this.counter, n - 1n);
  }

  /** Drops to EL0t with a real exception return, so QEMU rebuilds its EL0 translation flags. */
  private enterEl0(): void {
    const entry = this.pc;
    this.map(TRAMPOLINE, 0x1000n, 5);
    const insn = Buffer.alloc(4);
    insn.writeUInt32LE(ERET);
    this.write(TRAMPOLINE, insn);
    this.writeSysreg(3, 0, 4, 0, 1, entry); // ELR_EL1
    this.writeSysreg(3, 0, 4, 0, 0, 0n); //    SPSR_EL1 = EL0t, DAIF clear
    const savedSp = this.sp; // SP_EL0 is what EL0 uses; the write above went to the current (EL1) SP
    this.atEl0 = true;
    this.pending = null;
    const limit = this.counter !== undefined ? this.U.icount!.get(this.counter) : 0n;
    // Run exactly the eret: stop when the pc reaches the entry point.
    const err = this.U.emuStart(this.uc, TRAMPOLINE, entry, 0);
    if (err !== 0 || this.pending) throw new EmulatorError(`could not enter EL0 through the eret trampoline (err ${err}, ${JSON.stringify(this.pending, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v)})`);
    if (this.counter !== undefined) this.U.icount!.set(this.counter, limit); // the eret is not the guest's
    this.unmap(TRAMPOLINE, 0x1000n);
    this.sp = savedSp;
    // Unicorn bakes the `until` exit into the translated block at the entry point: drop that block only
    // (a full TB flush clears Unicorn's whole 1 GiB code buffer: seconds and 1 GiB of RSS).
    this.check('uc_ctl(TB_REMOVE_CACHE)', this.U.removeTbCache(this.uc, entry, entry + 4n));
  }

  private check(call: string, err: number): void {
    if (err !== 0) throw new UnicornError(call, err, UC_ERR_NAMES[err] ?? String(err));
  }
}
