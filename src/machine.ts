// Machine: the run loop and the debugger surface. The loop is QEMU's cpu_loop in kernel terms: enter user →
// CpuStop → (svc: invoke_syscall | exception: el0 sync handler) → exit to user mode (timers, signals) → repeat.
// The kernel is a System; a Recorder watches it and writes the report.
import * as fs from 'node:fs';
import { EXCP_SWI } from './cpu/cpu.ts';
import { gcore, coredumpEnv } from './fs/coredump.ts';
import { el0SyncHandler } from './arch/arm64/entry-common.ts';
import { invokeSyscall, type SyscallExit } from './arch/arm64/syscall.ts';
import { scheduleOutside } from './outside.ts';
import { resolveOptions, type MachineOptions } from './options.ts';
import type { RunReport } from './report.ts';
import { StateError } from './errors.ts';
import { elfSymbols } from './fs/elf_symbols.ts';
import type { TraceSink, TraceEvent } from './trace.ts';
import { System } from './system.ts';
import { writebackShared, hasSharedFileMappings } from './mm/filemap.ts';
import { Recorder } from './recorder.ts';
import { injectAbort } from './arch/arm64/inject-entry.ts';
import { formatInject, type InjectSpec } from './arch/arm64/inject.ts';
import type { Captures } from './capture.ts';

/** The earlier of two instruction counts, either maybe absent. */
const earliest = (a: bigint | null, b: bigint | null): bigint | null => (b === null ? a : a === null || b < a ? b : a);

/** What runUntil() may stop at, besides the end of the process. */
export interface StopAt {
  /** before the instruction with this count retires (absolute count since exec) */
  insns?: bigint;
  /** before the instruction at this address runs */
  address?: bigint;
  /** before the instruction at this symbol of the program runs */
  symbol?: string;
  /** once an event with this name (or matching this predicate) was emitted and its step finished */
  event?: string | ((e: TraceEvent) => boolean);
  /** after this syscall number returned */
  syscall?: number;
  /** once this much virtual time (ns since the start) has passed, also while every task waits */
  time?: bigint;
}

export type Stopped =
  | { reason: 'exited' }
  | { reason: 'insns' | 'address' | 'syscall' | 'time'; icount: number | null; pc: bigint }
  | { reason: 'event'; icount: number | null; pc: bigint; event: TraceEvent };

const NOTHING = Object.freeze({});

export class Machine {
  readonly options: MachineOptions;
  readonly sys: System;
  private readonly recorder: Recorder;
  /** the run reached its instruction limit */
  private limited = false;
  /** the timeout's signal was sent: the run ends once it has been dealt with */
  private timeoutFired = false;
  /** signals from another process and gcores still to come, earliest first */
  private external: { signo: number; insns: bigint }[] = [];
  private gcoreAt: bigint[] = [];
  /** --inject: the injections still to come, earliest first (the first is due once its count is reached) */
  private injectAt: InjectSpec[] = [];
  private started = false;
  protected finished = false;
  private stopAt: StopAt = {};
  private stopped: Stopped | null = null;
  private listeners = new Map<string, ((e: TraceEvent) => void)[]>();
  private symbols: Map<string, bigint> | undefined;

  constructor(readonly programPath: string, opts: Partial<MachineOptions> = {}, sink?: TraceSink) {
    this.options = resolveOptions(opts);
    this.sys = new System(programPath, this.options, sink);
    this.recorder = new Recorder(this.sys, programPath);
  }

  get task() { return this.sys.task; }
  get cpu() { return this.sys.cpu; }
  get mm() { return this.sys.mm; }
  /** where a PIE / static-pie program was placed (its symbols are relative to it); 0 for ET_EXEC */
  get loadBias(): bigint { return this.sys.loadBias; }
  get gcores(): RunReport['gcores'] { return this.recorder.gcores; }
  /** the first signal frames and fault-time memory maps of the run (what `run --html` draws) */
  get captures(): Captures { return this.recorder.captures; }

  private get done(): boolean {
    return this.limited || this.recorder.interruptedBy !== 0 || this.sys.halted;
  }

  /** Runs the process to its end (or the instruction limit) and returns the report. */
  run(): RunReport {
    this.runUntil();
    return this.report();
  }

  /** Calls fn for every trace event of that name (`'*'`: every event), as it happens. */
  on(name: string, fn: (e: TraceEvent) => void): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    this.sys.tracer.watcher = (e) => this.watch(e);
  }

  private watch(e: TraceEvent): void {
    for (const fn of [...(this.listeners.get(e.name) ?? []), ...(this.listeners.get('*') ?? [])]) fn(e);
    const want = this.stopAt.event;
    if (want !== undefined && !this.stopped && (typeof want === 'string' ? e.name === want : want(e))) {
      this.stopped = { reason: 'event', icount: this.sys.icountNumber(), pc: this.cpu.pc, event: e };
    }
  }

  /**
   * Runs until the process ends or a stop condition holds: an instruction count (before that instruction), an
   * address (before the instruction there runs), a trace event (once the kernel-path step that emitted it is
   * done), a syscall number (after it returned), or a virtual time (also while every task waits: kill() then
   * interrupts the wait as a signal from another process would). While stopped, registers and memory may be read and changed.
   */
  runUntil(at: StopAt = {}): Stopped {
    if (!this.started) this.start();
    if (this.done) return { reason: 'exited' };
    if (at.symbol !== undefined) at = { ...at, address: this.symbol(at.symbol) };
    this.stopAt = at;
    this.stopped = null;
    if (at.event !== undefined) this.sys.tracer.watcher = (e) => this.watch(e);
    if (at.address !== undefined) this.cpu.setBreakpoint(at.address);
    const timer = at.time === undefined ? null : () => {
      this.stopped ??= { reason: 'time', icount: this.sys.icountNumber(), pc: this.cpu.pc };
      this.sys.breakSchedule = true;
    };
    // the script may act at that time (kill()), so the stop counts as an event that can end a wait
    if (timer) this.sys.addTimer(at.time!, timer, true);
    try {
      // a signal sent while stopped (kill()) is delivered on the way back to user mode, as on Linux
      if (this.task.exitState === null && !this.task.wait && this.task.pending.signal | this.task.sharedPending.signal) this.sys.exitToUserMode();
      while (!this.done && !this.stopped) this.step();
    } catch (e) {
      this.finish();
      throw e;
    } finally {
      if (!this.done && at.address !== undefined) this.cpu.clearBreakpoint();
      if (timer) this.sys.cancelTimer(timer);
      this.sys.breakSchedule = false;
      this.stopAt = {};
    }
    if (this.done) {
      this.finish();
      return { reason: 'exited' };
    }
    return this.stopped!;
  }

  /** Ends the runUntil() in progress, as a stop at reason 'insns', once its current step is done (the gdb stub's
   *  stops decided inside the kernel path, e.g. a single step into a signal handler). */
  requestStop(): void {
    this.stopped ??= { reason: 'insns', icount: this.sys.icountNumber(), pc: this.cpu.pc };
  }

  /** The outside world's schedule: signals and gcores at instruction counts and virtual times, the timeout. */
  private start(): void {
    const o = this.options;
    this.started = true;
    if (o.interruptible) this.cpu.catchInterrupts(true);
    this.external = [...o.signals];
    this.gcoreAt = [...o.gcore];
    this.injectAt = [...o.inject];
    scheduleOutside(o, this.sys, {
      kill: (signo) => this.kill(signo), gcore: () => this.writeGcore(), note: (text) => this.recorder.notes.push(text),
      timeoutSignalSent: () => { this.timeoutFired = true; },
    });
  }

  /** The run is over: the tasks still alive (limit, timeout, stuck) let go of their files and engines. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.options.interruptible) this.cpu.catchInterrupts(false);
    for (const t of this.sys.tasks) {
      if (t.exitState !== null) continue;
      if (!t.mm.cpu.closed && hasSharedFileMappings(t.mm)) writebackShared(t.mm); // exit_mmap: dirty shared pages
      t.files.closeAll();
      t.mm.cpu.close();
    }
    for (const i of this.injectAt) this.recorder.notes.push(`inject ${formatInject(i)}: the run ended before a memory access at or after that count`);
  }

  /** One trip into the guest and back through the kernel path. */
  private step(): void {
    const t = this.task;
    if (t.exitState !== null || t.wait || t.stopped) {
      this.sys.schedule();
      if (this.done || this.stopped) return; // a stop asked for in the switch (the gdb stub's step) comes first
    }
    if (this.injectDue() && injectAbort(this.sys, this.injectAt[0])) {
      this.injectAt.shift();
      this.returnToUser();
      return;
    }
    const want = this.stopAt.insns;
    const next = this.nextStop();
    const stop = this.cpu.run(want !== undefined && (next === null || want < next) ? want : next);
    if (this.options.interruptible && stop.kind === 'limit' && this.cpu.interrupted()) {
      this.recorder.interrupted(this.cpu.interrupted());
      return;
    }
    if (stop.kind === 'breakpoint') {
      this.stopped = { reason: 'address', icount: this.sys.icountNumber(), pc: stop.pc };
      return;
    }
    if (stop.kind === 'limit') {
      this.onLimit();
      return;
    }
    let sc: SyscallExit | undefined;
    if (stop.kind === 'intr' && stop.intno === EXCP_SWI) {
      this.recorder.svcPc = this.cpu.pc - 4n;
      sc = invokeSyscall(this.sys);
      this.recorder.svcPc = null;
    } else el0SyncHandler(this.sys, stop);
    this.returnToUser(sc);
    const nr = this.stopAt.syscall;
    if (sc && nr !== undefined && sc.nr === nr && !this.stopped) {
      this.stopped = { reason: 'syscall', icount: this.sys.icountNumber(), pc: this.cpu.pc };
    }
  }

  /** Back from the kernel path of a syscall or an exception: signals on the way to user mode, then maybe another task. */
  private returnToUser(sc?: SyscallExit): void {
    if (!sc?.blocked && this.task.exitState === null && !this.sys.halted) this.sys.exitToUserMode(sc);
    this.sys.notice('exception_return', NOTHING);
    // the task now waits, or is gone: another one takes the CPU
    if (this.task.exitState !== null || this.task.wait || this.task.stopped) this.sys.schedule();
    if (this.timeoutFired && !this.sys.halted) this.sys.timedOut = true;
  }

  /** The first injection's count has been reached: the next memory access (or fetch) takes it. */
  private injectDue(): boolean {
    const i = this.injectAt[0];
    return i !== undefined && this.task.exitState === null && !this.task.wait && (this.cpu.icount ?? 0n) >= i.insns;
  }

  /** The count at which the engine must stop next: a gcore's, an external signal's, a timer's, or the limit. */
  private nextStop(): bigint | null {
    const now = this.cpu.icount;
    // 1 ns of virtual time per instruction: a timer left ns away is that many instructions away
    const at = (left: bigint | null) => (now === null || left === null ? null : now + (left > 0n ? left : 1n));
    // a due injection waits for an instruction that accesses memory: one instruction at a time until then
    const inj = this.injectAt[0] === undefined || now === null ? null : this.injectAt[0].insns > now ? this.injectAt[0].insns : now + 1n;
    // (no array: the engine runs three times per fault round trip)
    let sig = earliest(inj, this.gcoreAt[0] ?? null);
    sig = earliest(sig, this.external[0]?.insns ?? null);
    sig = earliest(sig, at(this.sys.nextEvent()));
    sig = earliest(sig, this.sys.sliceEnd());
    const max = this.options.maxInsns;
    if (sig === null) return max;
    return max === null || sig < max ? sig : max;
  }

  /** The engine stopped at a scheduled count: gcore, a signal from outside, a timer, a stop, or the limit. */
  private onLimit(): void {
    const now = this.cpu.icount ?? 0n;
    let scheduled = false;
    while (this.gcoreAt.length > 0 && this.gcoreAt[0] <= now) {
      this.gcoreAt.shift();
      this.writeGcore();
      scheduled = true;
    }
    while (this.external.length > 0 && this.external[0].insns <= now) {
      this.kill(this.external.shift()!.signo);
      scheduled = true;
    }
    if (this.sys.fireTimers()) scheduled = true;
    if (scheduled && this.task.exitState === null) this.sys.exitToUserMode();
    // the time slice is over, or a waiting task's wait can end: round robin
    const slice = this.sys.sliceEnd();
    if ((slice !== null && now >= slice) || this.sys.wakeable()) {
      this.sys.schedule();
      scheduled = true;
    }
    if (this.stopAt.insns !== undefined && now >= this.stopAt.insns) {
      this.stopped = { reason: 'insns', icount: Number(now), pc: this.cpu.pc };
      return;
    }
    // a due injection: the next step takes it, or steps on to an instruction that accesses memory
    const atMax = this.options.maxInsns !== null && now >= this.options.maxInsns;
    if (scheduled || this.done || (this.injectDue() && !atMax)) return;
    this.limited = true;
    this.recorder.noteRefaultLoop();
  }

  /** kill(2) from the parent: SI_USER with its pid and our uid, to the whole process (shared queue). */
  protected kill(signo: number): void {
    this.sys.killFromParent(signo);
  }

  /** gcore: a core of the first process, which then goes on (taken as that process, whichever task runs now). */
  protected writeGcore(): void {
    const r = this.sys.asTask(this.sys.init, () => gcore(coredumpEnv(this.sys, this.sys.log), this.gcores.length));
    if (r === null) {
      this.gcores.push({ icount: this.sys.icountNumber(), path: null, size: 0, error: 'the first process has exited' });
      return;
    }
    this.gcores.push({ icount: this.sys.icountNumber(), path: 'path' in r ? r.path : null, size: 'size' in r ? r.size : 0, error: 'error' in r ? r.error : null });
  }

  /** The address of a symbol of the program (its .symtab), for stops and memory access. */
  symbol(name: string): bigint {
    this.symbols ??= elfSymbols(fs.readFileSync(this.programPath));
    const a = this.symbols.get(name);
    if (a === undefined) throw new StateError(`symbol("${name}"): the program has no such symbol (stripped?)`);
    return a + this.sys.loadBias;
  }

  /** The report of the run so far (final once the process has ended). */
  report(): RunReport {
    return this.recorder.report({ path: this.programPath, argv: this.options.argv.length ? this.options.argv : [this.programPath] });
  }
}
