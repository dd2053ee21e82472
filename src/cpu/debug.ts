// The debugger's breakpoints and watchpoints on one engine (the gdb stub's Z0/Z2/Z3/Z4), beside the run loop's
// single runUntil() breakpoint. Both stop the engine through cpu.ts's pending 'breakpoint' stop, so the run loop
// treats them as an address stop; which one it was (and the watched access) is read here afterwards.
import {
  UC_HOOK_CODE, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE, UC_MEM_WRITE, AF_IO_LEN, AF_REG_PC,
  type UnicornLib, type UcHandle, type IcountLib,
} from './unicorn.ts';

export type WatchKind = 'write' | 'read' | 'access';

/** A watchpoint that stopped the engine: the instruction at pc made the access and has not retired. */
export interface WatchHit {
  kind: WatchKind;
  /** the first watched byte the access touched (what gdb's `watch:` stop field reports) */
  addr: bigint;
  pc: bigint;
}

// DIVERGENCE: watchpoints are engine memory hooks, so they see the guest's own loads and stores only; the kernel
// side's copies to and from user memory (read(2) into a watched buffer) go around the engine and do not stop.

/** The widest single access Unicorn reports to a memory hook (a Q register): hooks start this far below. */
const MAX_ACCESS = 16n;

/** Guest addresses [v, v + n) are engine addresses [p, p + n). */
interface Piece { v: bigint; p: bigint; n: bigint }
interface Watch { addr: bigint; len: bigint; kind: WatchKind; pieces: Piece[]; hooks: bigint[] }

export class CpuDebug {
  private readonly breakpoints = new Map<bigint, bigint>();
  private readonly watches: Watch[] = [];
  private readonly codeCb: unknown;
  private readonly memCb: unknown;
  /** set by a hook during a run; taken by cpu.ts once the engine has stopped */
  private hit: (WatchHit & { regs: Buffer; store: { addr: bigint; old: Buffer } | null }) | { kind: 'breakpoint'; pc: bigint } | null = null;
  lastWatch: WatchHit | null = null;

  constructor(private readonly U: UnicornLib, private readonly uc: UcHandle, private readonly ic: IcountLib,
    private readonly ctx: unknown, private readonly invalidate: (start: bigint, end: bigint) => void) {
    // one registered callback each for every hook (koffi's registered callbacks are a finite pool)
    this.codeCb = U.codeCallback((a) => {
      if (!this.breakpoints.has(a) || this.hit) return;
      this.hit = { kind: 'breakpoint', pc: a };
      this.U.emuStop(this.uc);
    });
    this.memCb = U.memCallback((type, a, size) => this.onAccess(type, a, BigInt(size)));
  }

  get empty(): boolean {
    return this.breakpoints.size === 0 && this.watches.length === 0;
  }

  /** A software breakpoint: the engine stops before the instruction at addr runs, every time (gdb steps over). */
  addBreakpoint(addr: bigint): void {
    if (this.breakpoints.has(addr)) return;
    this.breakpoints.set(addr, this.U.hookAdd(this.uc, UC_HOOK_CODE, this.codeCb, addr, addr));
    this.invalidate(addr, addr + 4n); // code already translated would not call the new hook
  }

  removeBreakpoint(addr: bigint): boolean {
    const hh = this.breakpoints.get(addr);
    if (hh === undefined) return false;
    this.U.hookDel(this.uc, hh);
    this.breakpoints.delete(addr);
    this.invalidate(addr, addr + 4n);
    return true;
  }

  // Unicorn matches a memory hook's range against the engine's "physical" address of the access, and passes that
  // address to the callback (cputlb.c load_helper/store_helper). Guest memory lives in a pool (native/pmem.c),
  // so a watch hooks the pool addresses behind its guest range, piece by piece (native/tlb.c af_phys), and the
  // callback turns the pool address back into the guest's. The pieces are found again whenever the guest's
  // mappings change (remap). Without the pool (Unicorn < 2.1) the two addresses are the same.

  addWatchpoint(addr: bigint, len: bigint, kind: WatchKind): void {
    const w: Watch = { addr, len, kind, pieces: [], hooks: [] };
    this.hook(w);
    this.watches.push(w);
    this.ic.hooksChanged(this.uc, this.ctx);
  }

  removeWatchpoint(addr: bigint, len: bigint, kind: WatchKind): boolean {
    const i = this.watches.findIndex((w) => w.addr === addr && w.len === len && w.kind === kind);
    if (i < 0) return false;
    this.unhook(this.watches[i]);
    this.watches.splice(i, 1);
    this.ic.hooksChanged(this.uc, this.ctx);
    return true;
  }

  /** The guest's mappings changed (map, unmap, a fork's copy): the watches hook the pool addresses now behind them. */
  remap(): void {
    let changed = false;
    for (const w of this.watches) {
      const now = this.pieces(w);
      if (now.length === w.pieces.length && now.every((x, i) => x.v === w.pieces[i].v && x.p === w.pieces[i].p && x.n === w.pieces[i].n)) continue;
      this.unhook(w);
      this.hook(w, now);
      changed = true;
    }
    if (changed) this.ic.hooksChanged(this.uc, this.ctx);
  }

  /** The engine addresses behind [addr - MAX_ACCESS + 1, addr + len): an access that starts below the watched
   *  bytes may still reach them. */
  private pieces(w: Watch): Piece[] {
    const pieces: Piece[] = [];
    const end = w.addr + w.len;
    const out = Buffer.alloc(16);
    for (let v = w.addr >= MAX_ACCESS ? w.addr - MAX_ACCESS + 1n : 0n; v < end;) {
      const mapped = this.ic.phys(this.ctx, v, out);
      const run = out.readBigUInt64LE(8);
      if (run === 0n) break;
      const n = run < end - v ? run : end - v;
      if (mapped) pieces.push({ v, p: out.readBigUInt64LE(0), n });
      v += n;
    }
    return pieces;
  }

  private hook(w: Watch, pieces = this.pieces(w)): void {
    const types = w.kind === 'write' ? [UC_HOOK_MEM_WRITE] : w.kind === 'read' ? [UC_HOOK_MEM_READ] : [UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE];
    w.pieces = pieces;
    for (const x of pieces) for (const t of types) w.hooks.push(this.U.hookAdd(this.uc, t, this.memCb, x.p, x.p + x.n - 1n));
  }

  private unhook(w: Watch): void {
    for (const hh of w.hooks) this.U.hookDel(this.uc, hh);
    w.hooks = [];
    w.pieces = [];
  }

  /** The guest address of a hooked engine address, or null. */
  private guestAddress(p: bigint): bigint | null {
    for (const w of this.watches) for (const x of w.pieces) if (p >= x.p && p < x.p + x.n) return x.v + (p - x.p);
    return null;
  }

  clear(): void {
    for (const a of [...this.breakpoints.keys()]) this.removeBreakpoint(a);
    for (const w of [...this.watches]) this.removeWatchpoint(w.addr, w.len, w.kind);
  }

  /**
   * A memory hook runs before the access; the engine then leaves at the end of that access with the pc back at
   * the instruction, which will run again from its start. So the hook saves the registers and the bytes a store
   * will overwrite, and taken() puts them back: the instruction has then not happened at all (a watchpoint stops
   * before the access, as on arm64 hardware), and its re-execution is exact even for atomics and load-into-base.
   */
  private onAccess(type: number, p: bigint, size: bigint): void {
    if (this.hit) return;
    const a = this.guestAddress(p);
    if (a === null) return;
    const write = type === UC_MEM_WRITE;
    const w = this.watches.find((x) => a < x.addr + x.len && x.addr < a + size &&
      (x.kind === 'access' || (x.kind === 'write') === write));
    if (!w) return;
    const regs = Buffer.alloc(AF_IO_LEN * 8);
    this.ic.regsRead(this.uc, regs);
    const pc = regs.readBigUInt64LE(8 * AF_REG_PC);
    const old = Buffer.alloc(Number(size));
    const store = write && this.ic.read(this.uc, this.ctx, a, old, old.length) === 0 ? { addr: a, old } : null;
    this.hit = { kind: w.kind, addr: a > w.addr ? a : w.addr, pc, regs, store };
    this.U.emuStop(this.uc);
  }

  /** Before a run: nothing has hit yet. */
  arm(): void {
    this.hit = null;
    this.lastWatch = null;
  }

  /**
   * After a run: the address the engine stopped before (the instruction there has not run), or null. For a
   * watchpoint, `restore` gets the saved registers and the store's address and old bytes, to undo the access.
   */
  taken(restore: (regs: Buffer, store: { addr: bigint; old: Buffer } | null) => void): bigint | null {
    const h = this.hit;
    this.hit = null;
    if (!h) return null;
    if (h.kind === 'breakpoint') return h.pc;
    restore(h.regs, h.store);
    this.lastWatch = { kind: h.kind, addr: h.addr, pc: h.pc };
    return h.pc;
  }
}
