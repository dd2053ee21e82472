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

interface Watch { addr: bigint; len: bigint; kind: WatchKind; hooks: bigint[] }

export class CpuDebug {
  private readonly breakpoints = new Map<bigint, bigint>();
  private readonly watches: Watch[] = [];
  private readonly codeCb: unknown;
  private readonly memCb: unknown;
  /** set by a hook during a run; taken by cpu.ts once the engine has stopped */
  private hit: (WatchHit & { regs: Buffer; store: { addr: bigint; old: Buffer } | null }) | { kind: 'breakpoint'; pc: bigint } | null = null;
  lastWatch: WatchHit | null = null;

  constructor(private readonly U: UnicornLib, private readonly uc: UcHandle, private readonly ic: IcountLib,
    private readonly invalidate: (start: bigint, end: bigint) => void) {
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

  addWatchpoint(addr: bigint, len: bigint, kind: WatchKind): void {
    const lo = addr >= MAX_ACCESS ? addr - MAX_ACCESS + 1n : 0n;
    const types = kind === 'write' ? [UC_HOOK_MEM_WRITE] : kind === 'read' ? [UC_HOOK_MEM_READ] : [UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE];
    const hooks = types.map((t) => this.U.hookAdd(this.uc, t, this.memCb, lo, addr + len - 1n));
    this.watches.push({ addr, len, kind, hooks });
  }

  removeWatchpoint(addr: bigint, len: bigint, kind: WatchKind): boolean {
    const i = this.watches.findIndex((w) => w.addr === addr && w.len === len && w.kind === kind);
    if (i < 0) return false;
    for (const hh of this.watches[i].hooks) this.U.hookDel(this.uc, hh);
    this.watches.splice(i, 1);
    return true;
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
  private onAccess(type: number, a: bigint, size: bigint): void {
    if (this.hit) return;
    const write = type === UC_MEM_WRITE;
    const w = this.watches.find((x) => a < x.addr + x.len && x.addr < a + size &&
      (x.kind === 'access' || (x.kind === 'write') === write));
    if (!w) return;
    const regs = Buffer.alloc(AF_IO_LEN * 8);
    this.ic.regsRead(this.uc, regs);
    const pc = regs.readBigUInt64LE(8 * AF_REG_PC);
    const old = Buffer.alloc(Number(size));
    const store = write && this.U.memRead(this.uc, a, old, old.length) === 0 ? { addr: a, old } : null;
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
