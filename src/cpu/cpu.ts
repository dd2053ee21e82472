// Cpu: one Unicorn engine running AArch64 code at EL0. Memory, registers, and the single "why did execution
// stop" record (CpuStop). Nothing here knows Linux; it only reports what the engine saw.
import {
  unicorn, UC_ERR_NAMES, UC_CPU_ARM64_MAX, UC_ARM64_REG_CPACR_EL1, AF_FAULT_SP, AF_COUNT_NONE, AF_COUNT_BLOCK,
  AF_REG_SP, AF_REG_PC, AF_IO_DIRTY, AF_IO_LIMIT, AF_IO_PENDING, AF_IO_CODE, AF_IO_ADDR, AF_IO_SIZE, AF_IO_FAULT,
  AF_IO_ICOUNT, AF_IO_PC, AF_IO_CODE_AT, AF_IO_CODE_LEN, AF_IO_WORDS, AF_IO_VREGS_OK, AF_PENDING_INTR, AF_NREGS,
} from './unicorn.ts';
import { memKind, EXCP_DATA_ABORT, type CpuStop } from './stop.ts';
import { UnicornError, EmulatorError, EngineMemoryError } from '../errors.ts';
import { CpuDebug } from './debug.ts';
import { CpuRegisters } from './registers.ts';

export * from './stop.ts';
export { type CpuSnapshot, snapshotRegs } from './registers.ts';

export interface CpuOptions {
  /** exact instruction counting (native hook); costs about 4x in tight loops */
  countInsns: boolean;
  /** the translated-code buffer, MiB (default 128) */
  tcgBufferMiB?: number;
  /** shared by the engines of one run (default: this engine's own) */
  memoryEpoch?: MemoryEpoch;
}

const TRAMPOLINE = 0x1000n; //      below mmap_min_addr: no guest mapping can be there
const ERET = 0xd69f03e0;
const AF_MAP_SHARED = 0x100; //  native/af.h: af_map's perms bit for a MAP_SHARED mapping

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

/** A count of the changes to guest memory (a run, a write, a mapping change) of the engines that may share some
 *  (a fork's MAP_SHARED mappings: one count per System): code a Cpu read is good while the count stays. */
export interface MemoryEpoch { n: number }

export class Cpu extends CpuRegisters {
  /** the only stop a JS hook records (native/icount.c records the engine's own) */
  private pending: { kind: 'breakpoint'; pc: bigint } | null = null;
  private breakpoint: { addr: bigint; hook: bigint; skip: boolean } | null = null;
  /** native/icount.c's state: the stop hooks and, when counting, the counter */
  private readonly ctx: unknown;
  private readonly counter: unknown;
  private atEl0 = false;
  private readonly mem: MemoryEpoch;
  /** mem.n when the last stop read the code at its pc (AF_IO_WORDS), and the last word insnWord read itself */
  private codeEpoch = -1;
  private lastInsn = { at: -1n, word: 0, epoch: -1 };
  private readonly word = Buffer.alloc(4);
  private icountCache: bigint | null = null;
  private dbg: CpuDebug | null = null;

  constructor(readonly options: CpuOptions) {
    const U = unicorn();
    if (!U.icount) {
      throw new EmulatorError('the native helper native/libaficount.so (in the arm64-fault package) is missing: build it with ' +
        '`make -C native` there, or run `node scripts/native-install.js` in the installed package');
    }
    super(U, U.icount, U.open());
    this.mem = options.memoryEpoch ?? { n: 0 };
    this.check('uc_ctl(CPU_MODEL)', this.U.setCpuModel(this.uc, UC_CPU_ARM64_MAX));
    // 32 MiB of translated code instead of 1 GiB: Unicorn sets a 128 MiB buffer up in ~19 ms and a 32 MiB one in
    // ~1.2 ms (measured; every fork and exec makes an engine), and a full buffer is simply flushed. Older engines
    // without the control keep theirs.
    this.U.setTcgBufferSize(this.uc, (options.tcgBufferMiB ?? 32) << 20);
    // the engine's stop hooks (exceptions, invalid accesses) and the exact counter are C (native/icount.c)
    this.ctx = this.ic.createWith(this.uc, options.countInsns ? AF_COUNT_BLOCK : AF_COUNT_NONE);
    // guest memory in a pool of few engine regions, translated page by page by a TLB fill hook (native/tlb.c)
    if (this.ic.vtlbEnable(this.uc, this.ctx) < 0) throw new EmulatorError('af_vtlb_enable failed');
    if (options.countInsns) this.counter = this.ctx;
    // FP/SIMD on for EL0 (CPACR_EL1.FPEN = 0b11); SVE stays trapped (ZEN = 0): Linux advertises no SVE here.
    const cpacr = Buffer.alloc(8);
    cpacr.writeBigUInt64LE(3n << 20n);
    this.check('uc_reg_write(CPACR_EL1)', this.U.regWrite(this.uc, UC_ARM64_REG_CPACR_EL1, cpacr));
    // keep QEMU's reset value (RES1 bits, EL1 controls) and add what Linux sets for EL0
    this.writeSysreg(3, 0, 1, 0, 0, (this.readSysreg(3, 0, 1, 0, 0) ?? 0n) | SCTLR_EL1_USER);
    // CNTKCTL_EL1 = 0: EL0 counter reads trap, so the kernel side can feed them the deterministic clock.
    this.writeSysreg(3, 0, 14, 1, 0, 0n);
  }

  /** The engine in use (for reports and --version). */
  get engine(): { name: 'unicorn'; version: string; path: string; source: 'project' | 'system' } {
    return { name: 'unicorn', ...this.U.engine };
  }

  get countsInsns(): boolean {
    return this.counter !== undefined;
  }

  /** Catch SIGINT/SIGTERM from now on: a running engine stops at the next block and interrupted() names it. */
  catchInterrupts(on: boolean): void {
    this.ic.interrupts(on);
  }

  /** The host signal caught since catchInterrupts(true), or 0. */
  interrupted(): number {
    return this.ic.interrupted();
  }

  close(): void {
    if (!this.closed) {
      if (this.counter !== undefined) this.icountCache = this.icount; // still readable once the state is freed
      this.U.close(this.uc);
      this.ic.free(this.ctx);
    }
    this.closed = true;
  }

  // ---- memory ----------------------------------------------------------------------------------------
  // On Unicorn >= 2.1 guest memory lives in a pool of a few large engine regions and a TLB fill hook
  // translates each page with its mapping's permissions (native/tlb.c, pmem.c): Unicorn aborts the host after
  // about a thousand regions, Linux allows 65,530 mappings. On older engines every mapping is its own region.
  // A shared mapping (MAP_SHARED) gets host memory of its own, which a fork child's engine maps too (pmem.c).
  map(addr: bigint, size: bigint, prot: number, shared = false): void {
    this.mem.n++;
    const err = this.ic.map(this.uc, this.ctx, addr, size, prot | (shared ? AF_MAP_SHARED : 0));
    if (err === 1 /* UC_ERR_NOMEM */) {
      throw new EngineMemoryError(`the engine cannot back 0x${size.toString(16)} bytes at 0x${addr.toString(16)}`);
    }
    this.check(`af_map(0x${addr.toString(16)}, 0x${size.toString(16)})`, err);
    this.dbg?.remap(); // watchpoints hook engine addresses
  }
  protect(addr: bigint, size: bigint, prot: number): void {
    this.mem.n++;
    this.check('af_protect', this.ic.protect(this.uc, this.ctx, addr, size, prot));
  }
  unmap(addr: bigint, size: bigint): void {
    this.mem.n++;
    this.check('af_unmap', this.ic.unmap(this.uc, this.ctx, addr, size));
    this.dbg?.remap();
  }
  /** Reads guest memory; null if any byte is not mapped in the engine. */
  read(addr: bigint, len: number): Buffer | null {
    // not zeroed: the engine fills every byte, or the read fails and nothing is returned (a fault round trip
    // reads several small buffers: zero-filled ones are each their own allocation, pooled ones are not)
    const out = Buffer.allocUnsafe(len);
    if (len === 0) return out;
    if (this.closed) return null;
    return this.ic.read(this.uc, this.ctx, addr, out, len) === 0 ? out : null;
  }
  readInto(addr: bigint, out: Buffer): boolean {
    return out.length === 0 || this.ic.read(this.uc, this.ctx, addr, out, out.length) === 0;
  }
  write(addr: bigint, data: Buffer): boolean {
    this.mem.n++;
    return data.length === 0 || this.ic.write(this.uc, this.ctx, addr, data, data.length) === 0;
  }
  /** Writes spans of data at addr in one call (pairs {offset, length}: data[offset…] goes to addr + offset): the
   *  bytes between them keep their values. false when a span cannot be written (those before it are). */
  writeSpans(addr: bigint, data: Buffer, spans: Uint32Array): boolean {
    this.mem.n++;
    return this.ic.writeSpans(this.uc, this.ctx, addr, data, spans, spans.length >> 1) === 0;
  }

  /**
   * The instruction word at pc, or null when pc is not readable. The ESR synthesis, the fast-mode pc recovery
   * and the report's location all decode the instruction of the last stop: native/run.c read 16 bytes from its
   * pc with the stop, and other words are read once (both are good until any guest memory changes: MemoryEpoch).
   */
  insnWord(pc: bigint): number | null {
    if (this.closed) return null;
    const r = this.r;
    if (this.codeEpoch === this.mem.n && r[AF_IO_CODE_LEN] === 16n && pc >= r[AF_IO_CODE_AT] && pc <= r[AF_IO_CODE_AT] + 12n) {
      return this.io.readUInt32LE(8 * AF_IO_WORDS + Number(pc - r[AF_IO_CODE_AT]));
    }
    const last = this.lastInsn;
    if (last.epoch === this.mem.n && last.at === pc) return last.word;
    if (!this.readInto(pc, this.word)) return null;
    this.lastInsn = { at: pc, word: this.word.readUInt32LE(0), epoch: this.mem.n };
    return this.lastInsn.word;
  }

  /**
   * Makes this engine's memory a copy of other's (fork): every mapping at the same address with the same
   * permissions and bytes, copied host buffer to host buffer, only the pages other ever touched. This Cpu must
   * have no mapping yet. Returns false when an engine has no pool (Unicorn < 2.1): copy mapping by mapping then,
   * with map/read/write.
   */
  copyMemoryFrom(other: Cpu): boolean {
    this.mem.n++;
    const err = this.ic.cloneMemory(this.uc, this.ctx, other.ctx);
    if (err === -1) return false;
    if (err === 1) throw new EngineMemoryError('the engine cannot back a copy of the parent\'s memory');
    this.check('af_clone_memory', err);
    this.dbg?.remap();
    return true;
  }

  /** How many engine regions back guest memory (0 without the pool). */
  get engineRegions(): number {
    return this.ic.engineRegions(this.ctx);
  }

  // ---- registers ----------------------------------------------------------------------------------------
  get sp(): bigint { return this.readReg(AF_REG_SP); }
  set sp(v: bigint) {
    this.writeReg(AF_REG_SP, v);
    if (v & 15n && this.counter !== undefined) this.ic.spWatch(this.counter, true);
  }

  /**
   * Arms the SP alignment check after each instruction that can leave SP misaligned (insn.ts spWriteKind).
   * Only in counted mode: the check rides on the native counting hook. DIVERGENCE: with --fast no SP
   * alignment fault is raised, as under QEMU.
   */
  watchSpWrites(sites: bigint[]): void {
    if (this.counter === undefined) return;
    for (const a of sites) this.check('af_sp_site', this.ic.spSite(this.uc, this.counter, a + 4n));
  }

  /** The indexes of the 32-bit words of code that match any (mask, value) pair of patterns (native/scan.c): the
   *  exec-time text scan's pre-filter, which in JS would cost a cold start tens of ms over a static libc. */
  scanWords(code: Buffer, patterns: Uint32Array): Uint32Array {
    const out = new Uint32Array(code.length >>> 2);
    return out.subarray(0, this.ic.scanWords(code, code.length >>> 2, patterns, out));
  }

  /**
   * Arms the natural-alignment check of the instructions the engine runs misaligned (arch/arm64/align.ts: arg is
   * its encodeAlignSite). Counted mode only: DIVERGENCE: with --fast these accesses never take an alignment fault.
   */
  watchAlignment(sites: Array<{ address: bigint; arg: bigint }>): void {
    if (this.counter === undefined) return;
    for (const s of sites) this.check('af_align_site', this.ic.alignSite(this.uc, this.counter, s.address, s.arg));
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

  /** The debugger's breakpoints and watchpoints (the gdb stub), made on first use. */
  get debug(): CpuDebug {
    return this.dbg ??= new CpuDebug(this.U, this.uc, this.ic, this.ctx, (b, e) => this.invalidateCode(b, e));
  }

  /** Forgets translated code in [start, end), so hooks added for it take effect. */
  invalidateCode(start: bigint, end: bigint): void {
    this.check('af_invalidate', this.ic.invalidate(this.uc, this.ctx, start, end));
  }
  // ---- instruction count --------------------------------------------------------------------------------
  /** Instructions retired so far (exact), or null in fast mode. */
  get icount(): bigint | null {
    if (this.counter === undefined) return null;
    return this.icountCache ??= this.ic.get(this.counter);
  }

  // ---- execution ----------------------------------------------------------------------------------------
  /**
   * Runs from the current pc until something stops the engine. `limit` is an absolute instruction count at
   * which to stop (counted mode only). Errors raised inside hooks never cross the FFI: hooks only record.
   */
  run(limit: bigint | null = null): CpuStop {
    if (!this.atEl0) this.enterEl0();
    const r = this.regs();
    if (this.vDirty) this.flushRegs();
    r[AF_IO_LIMIT] = limit ?? 0xffffffffffffffffn;
    this.pending = null;
    this.dbg?.arm();
    const begin = r[AF_REG_PC];
    if (this.breakpoint) this.breakpoint.skip = this.breakpoint.addr === begin;
    // one native call: write back changed registers, run, fold the stop, read the registers (native/run.c)
    this.mem.n++;
    const err = this.ic.run(this.uc, this.ctx, this.io);
    this.codeEpoch = this.mem.n;
    r[AF_IO_DIRTY] = 0n;
    this.vValid = r[AF_IO_VREGS_OK] !== 0n;
    this.icountCache = this.counter !== undefined ? r[AF_IO_ICOUNT] : null;
    let p = this.pending as Cpu['pending'];
    const fault = r[AF_IO_FAULT];
    if (fault !== 0n) {
      const pc = fault & ((1n << 62n) - 1n); // run.c moved the pc there
      // a site's alignment fault is reported like QEMU's own alignment data abort: syndrome.ts decodes the access
      return fault & AF_FAULT_SP ? { kind: 'sp-align', pc } : { kind: 'intr', intno: EXCP_DATA_ABORT, pc };
    }
    // a debugger breakpoint or watchpoint (a watched access is undone: its instruction has not run)
    const dpc = this.dbg?.taken((regs, store) => {
      for (let i = 0; i < AF_NREGS; i++) if (r[i] !== regs.readBigUInt64LE(8 * i)) this.writeReg(i, regs.readBigUInt64LE(8 * i));
      if (store) this.write(store.addr, store.old);
    });
    if (p === null && dpc != null) p = { kind: 'breakpoint', pc: dpc };
    if (p !== null) {
      // counted as it started (or with its block); it has not run
      if (this.counter !== undefined) {
        this.ic.stoppedBefore(this.uc, this.counter, p.pc);
        this.icountCache = null;
      }
      this.pc = p.pc;
      return { kind: 'breakpoint', pc: p.pc };
    }
    const pending = Number(r[AF_IO_PENDING]);
    if (pending === 0) {
      if (err !== 0) throw new UnicornError('uc_emu_start', err, UC_ERR_NAMES[err] ?? String(err));
      return { kind: 'limit', pc: r[AF_REG_PC] };
    }
    // svc completed (pc is past it); every other exception leaves its instruction un-retired (run.c counted so)
    if (pending === AF_PENDING_INTR) return { kind: 'intr', intno: Number(r[AF_IO_CODE]), pc: r[AF_REG_PC] };
    const [access, cause] = memKind[Number(r[AF_IO_CODE])] ?? ['read', 'unmapped'];
    const addr = r[AF_IO_ADDR];
    // Counted, the pc is the faulting instruction's (run.c). Fast, it is where Unicorn 2.0.1 left it (the start
    // of the translated block) and syndrome.ts recovers the instruction.
    let pc = this.counter !== undefined ? r[AF_IO_PC] : r[AF_REG_PC];
    const pcExact = this.counter !== undefined || access === 'fetch';
    if (access === 'fetch') pc = addr;
    this.pc = pc;
    return { kind: 'mem', access, cause, addr, size: Number(r[AF_IO_SIZE]), pc, pcExact };
  }

  /** An instruction the kernel side performed itself (TBI emulation) retires here. */
  retireOne(): void {
    if (this.counter === undefined) return;
    const n = this.icount! + 1n;
    this.ic.set(this.counter, n);
    this.icountCache = n;
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
    this.flushRegs();
    this.atEl0 = true;
    this.pending = null;
    const limit = this.counter !== undefined ? this.ic.get(this.counter) : 0n;
    // Run exactly the eret: stop when the pc reaches the entry point.
    this.mem.n++;
    const err = this.U.emuStart(this.uc, TRAMPOLINE, entry, 0);
    if (err !== 0 || this.pending) throw new EmulatorError(`could not enter EL0 through the eret trampoline (err ${err}, ${JSON.stringify(this.pending, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v)})`);
    this.regsValid = false;
    this.vValid = false;
    if (this.counter !== undefined) this.ic.set(this.counter, limit); // the eret is not the guest's
    this.icountCache = null;
    this.unmap(TRAMPOLINE, 0x1000n);
    this.sp = savedSp;
    // Unicorn bakes the `until` exit into the translated block at the entry point: drop that block only
    // (a full TB flush clears Unicorn's whole 1 GiB code buffer: seconds and 1 GiB of RSS).
    this.check('uc_ctl(TB_REMOVE_CACHE)', this.U.removeTbCache(this.uc, entry, entry + 4n));
  }
}
