// Machine: one emulated process. The run loop is QEMU's cpu_loop in kernel terms:
// enter user → CpuStop → (svc: syscall | exception: syndrome → el0 dispatch) → signals → repeat.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Cpu, EXCP_SWI } from './cpu/cpu.ts';
import { Mm } from './mm/mm.ts';
import { loadElfBinary } from './fs/binfmt_elf.ts';
import { openExecOverlay } from './fs/sysroot.ts';
import { writebackShared, hasSharedFileMappings } from './mm/filemap.ts';
import { execCredentials } from './fs/exec.ts';
import { FileTable } from './fs/files.ts';
import { hostToGuest } from './fs/namei.ts';
import { doCoredump, gcore, type CoredumpEnv } from './fs/vfs_coredump.ts';
import { readCpuFeatures, type CpuFeatures } from './arch/arm64/cpufeature.ts';
import { el0SyncHandler, type ExceptionContext } from './arch/arm64/entry-common.ts';
import { dieKernelFault } from './arch/arm64/fault.ts';
import { doSignal, type SyscallReturn } from './arch/arm64/signal.ts';
import type { FaultKernel } from './arch/arm64/traps.ts';
import { Task, defaultRlimits } from './kernel/task.ts';
import { syscallTable, registerSyscalls, NO_RETURN } from './kernel/sys.ts';
import { signalSyscalls } from './kernel/sys_signal.ts';
import {
  forceSigFault, forceSig, sendSignal, type SignalKernel, type SignalSource, type SendResult,
} from './kernel/signal.ts';
import { copySiginfoToUser, type KernelSiginfo } from './kernel/siginfo.ts';
import { SI_USER, SI_KERNEL, sigmask, signalName, siCodeName, sigKernelCoredump } from './kernel/sigdefs.ts';
import { Itimers, ITIMER_REAL } from './kernel/itimer.ts';
import { Clock } from './kernel/time.ts';
import { ENOSYS } from './kernel/errno.ts';
import { resolveOptions, type MachineOptions } from './options.ts';
import { noCore, type RunReport, type SignalRecord, type CoreRecord } from './report.ts';
import { LoaderError, InternalError, StateError } from './errors.ts';
import { elfSymbols } from './fs/elf_symbols.ts';
import { Tracer, type TraceSink, type TraceEvent } from './trace.ts';

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
}

export type Stopped =
  | { reason: 'exited' }
  | { reason: 'insns' | 'address' | 'syscall'; icount: number | null; pc: bigint }
  | { reason: 'event'; icount: number | null; pc: bigint; event: TraceEvent };

export type ExitState =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signo: number; core: CoreRecord }
  | { kind: 'limit' }
  | { kind: 'panic' };

registerSyscalls(signalSyscalls);

export class Machine implements FaultKernel, SignalKernel {
  readonly cpu: Cpu;
  readonly mm: Mm;
  readonly task: Task;
  readonly clock: Clock;
  readonly itimers: Itimers;
  readonly root: string;
  readonly sysroot: string | null;
  readonly hostname: string;
  readonly options: MachineOptions;
  readonly features: CpuFeatures;
  readonly vdsoBase: bigint;
  /** where a PIE / static-pie program was placed (its symbols' addresses are relative to it); 0 for ET_EXEC */
  readonly loadBias: bigint;
  readonly tracer: Tracer;
  readonly signals: SignalRecord[] = [];
  readonly kernelLog: string[] = [];
  readonly notes: string[] = [];
  private readonly out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  private rng: Buffer;
  private rngCounter = 0n;
  exit: ExitState | null = null;
  faultName: string | null = null;
  exception: ExceptionContext | null = null;

  constructor(readonly programPath: string, opts: Partial<MachineOptions> = {}, sink?: TraceSink) {
    this.options = resolveOptions(opts);
    const o = this.options;
    this.root = o.root;
    this.sysroot = o.sysroot;
    this.hostname = o.hostname;
    this.tracer = new Tracer(sink, () => this.icountNumber());
    let file: Buffer;
    try {
      file = fs.readFileSync(programPath);
    } catch (e) {
      throw new LoaderError(programPath, `cannot read: ${(e as Error).message}`);
    }
    this.rng = createHash('sha256').update(`arm64-fault seed ${o.seed}`).digest();
    this.cpu = new Cpu({ countInsns: o.countInsns });
    try {
      this.features = readCpuFeatures(this.cpu);
      this.mm = new Mm(this.cpu, o.rlimitStack);
      const guestPath = hostToGuest(o.root, path.resolve(programPath)) ?? path.resolve(programPath);
      const argv = o.argv.length > 0 ? o.argv : [programPath];
      const files = new FileTable({
        write: (stream, data) => this.writeStdio(stream, data),
        isatty: () => false,
      }, o.stdin);
      this.task = new Task(this.mm, files, {
        pid: o.pid, ppid: o.ppid, uid: o.uid, gid: o.gid, comm: path.basename(programPath), exePath: guestPath,
        rlimits: defaultRlimits(o.rlimitCore, o.rlimitStack),
      });
      this.task.cwd = o.cwd;
      this.task.coredumpFilter = o.coredumpFilter;
      this.clock = new Clock(o.time, () => this.cpu.icount);
      this.itimers = new Itimers({ now: () => this.clock.elapsed(), cpu: () => this.clock.elapsed() - this.clock.sleptNs });
      const cred = execCredentials(programPath, o);
      this.task.euid = this.task.suid = this.task.fsuid = cred.euid;
      this.task.egid = this.task.sgid = this.task.fsgid = cred.egid;
      this.task.dumpable = o.dumpable ?? cred.dumpable;
      const exec = loadElfBinary(this.mm, {
        file, guestPath, execfn: argv[0], argv, envp: o.env, uid: o.uid, gid: o.gid, euid: cred.euid, egid: cred.egid,
        secure: cred.secure, random: this.randomBytes(16), features: this.features, executable: true,
        openInterp: (p) => openExecOverlay(o.root, o.sysroot, p),
      });
      this.vdsoBase = exec.vdsoBase;
      this.loadBias = exec.loadBias;
      this.cpu.pc = exec.entry;
      this.cpu.sp = exec.sp;
    } catch (e) {
      this.cpu.close();
      throw e;
    }
  }

  private writeStdio(stream: 1 | 2, data: Buffer): void {
    (stream === 1 ? this.out.stdout : this.out.stderr).push(Buffer.from(data));
    if (this.options.passthrough) (stream === 1 ? process.stdout : process.stderr).write(data);
  }

  icountNumber(): number | null {
    const n = this.cpu.icount;
    return n === null ? null : Number(n);
  }

  /** Deterministic bytes: SHA-256 in counter mode over the seed. */
  randomBytes(n: number): Buffer {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash('sha256').update(this.rng).update(String(this.rngCounter++)).digest();
      parts.push(block);
      have += block.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  }

  trace(name: string, data: Record<string, unknown>): void {
    this.tracer.emit(name, data);
  }

  doGroupExit(code: number): void {
    this.task.exited = true;
    this.task.exitCode = (code & 0xff) << 8;
    this.exit ??= { kind: 'exited', code: code & 0xff };
  }

  get exceptionTrace(): boolean {
    return this.options.exceptionTrace;
  }

  panic(): void {
    this.exit = { kind: 'panic' };
    this.task.exited = true;
  }

  bug(msg: string): never {
    throw new InternalError(msg);
  }

  unhandledSignal(signo: number): boolean {
    return this.task.action[signo].handler <= 1n;
  }

  forceSigFault(signo: number, code: number, addr: bigint): void {
    forceSigFault(this, signo, code, addr);
  }

  forceSig(signo: number): void {
    forceSig(this, signo);
  }

  /** Every generated signal, for the report: what will happen to it as things stand now. */
  onSignalGenerated(info: KernelSiginfo, source: SignalSource, result: SendResult): void {
    const t = this.task;
    const act = t.action[info.signo];
    const ex = this.exception;
    const action: SignalRecord['action'] = result === 'ignored' ? 'ignored'
      : (t.blocked & sigmask(info.signo)) !== 0n ? 'blocked' : act.handler > 1n ? 'handler' : 'default';
    this.signals.push({
      signo: info.signo, name: signalName(info.signo), code: info.code, codeName: siCodeName(info.signo, info.code),
      addr: info.addr !== undefined ? `0x${info.addr.toString(16)}` : null,
      esr: source === 'fault' && ex ? `0x${ex.esr.toString(16)}` : null,
      fault: source === 'fault' || (source === 'kernel' && ex) ? this.faultName : null,
      source, action, icount: this.icountNumber(),
    });
    if (source === 'fault') this.trackRefault(this.signals[this.signals.length - 1]);
  }

  private lastFault = { key: '', count: 0 };

  /** Counts identical consecutive faults (same pc, address and ESR): a handler that fixes nothing. */
  private trackRefault(rec: SignalRecord): void {
    const key = `${this.exception?.pc}:${rec.addr}:${rec.esr}:${rec.signo}`;
    this.lastFault = key === this.lastFault.key ? { key, count: this.lastFault.count + 1 } : { key, count: 1 };
  }

  private noteRefaultLoop(): void {
    const { key, count } = this.lastFault;
    if (count < 2) return;
    const [pc, addr, esr, signo] = key.split(':');
    this.notes.push(`refault loop: ${signalName(Number(signo))} at pc 0x${BigInt(pc).toString(16)} (addr ${addr}, ESR ${esr}) ` +
      `was raised ${count} times in a row; the handler returns without fixing the fault, as it would forever on Linux`);
  }

  /** it_real_fn / the CPU-time timers: SIGALRM, SIGVTALRM, SIGPROF with SEND_SIG_PRIV. */
  fireTimers(): boolean {
    const sigs = this.itimers.due();
    for (const signo of sigs) sendSignal(this, { signo, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 }, 'tgid', 'kernel');
    return sigs.length > 0;
  }

  sleepInterruptible(ns: bigint | null, wake: () => boolean): bigint | null {
    let left = ns;
    for (;;) {
      if (wake()) return left ?? 0n;
      // only ITIMER_REAL runs while the process sleeps: the other two count its CPU time
      const next = this.itimers.remaining().find((r) => r.which === ITIMER_REAL);
      if (!next || (left !== null && next.left > left)) {
        if (left === null) return null;
        this.clock.sleep(left);
        return 0n;
      }
      this.clock.sleep(next.left);
      if (left !== null) left -= next.left;
      this.fireTimers();
    }
  }

  onGroupStop(sig: number): void {
    this.notes.push(`${signalName(sig)} stopped the process at instruction ${this.icountNumber() ?? '?'} (group stop); ` +
      'with no parent to send SIGCONT, arm64-fault continues it at once (as if SIGCONT came right away)');
  }

  /** The only thread waits for something that cannot happen: the run ends there. */
  blockForever(reason: string): void {
    this.notes.push(`blocked forever: ${reason}`);
    this.exit ??= { kind: 'limit' };
  }

  /** The fatal end of get_signal: core dump for core-type signals, then do_group_exit(signo). */
  doFatalSignal(info: KernelSiginfo, coredump = sigKernelCoredump(info.signo)): void {
    let core = noCore();
    if (coredump) {
      core = doCoredump(this.coredumpEnv(), info.signo, copySiginfoToUser(info));
    } else {
      core = noCore(`${signalName(info.signo)}'s default action terminates without a core dump`);
    }
    this.task.exited = true;
    this.task.exitCode = info.signo | (core.dumped ? 0x80 : 0);
    this.exit = { kind: 'signaled', signo: info.signo, core };
  }

  /** Signals from another process still to come, earliest first. */
  private external: { signo: number; insns: bigint }[] = [];
  private gcoreAt: bigint[] = [];
  readonly gcores: RunReport['gcores'] = [];

  private coredumpEnv(): CoredumpEnv {
    return {
      task: this.task, cpu: this.cpu, mm: this.mm, root: this.root, hostname: this.hostname,
      time: this.clock.epoch + this.clock.elapsed() / 1_000_000_000n, corePattern: this.options.corePattern,
      coreUsesPid: this.options.coreUsesPid, kernelLog: this.kernelLog, trace: (n, d) => this.trace(n, d),
      collectDir: this.options.collectDir ?? `${this.root}/var/lib/arm64-fault/coredumps`,
      allowHostPipe: this.options.allowHostPipe, corePipeLimit: this.options.corePipeLimit,
    };
  }

  /** gcore: a core of the running process, which then goes on. */
  writeGcore(): void {
    const r = gcore(this.coredumpEnv(), this.gcores.length);
    this.gcores.push({ icount: this.icountNumber(), path: 'path' in r ? r.path : null, size: 'size' in r ? r.size : 0, error: 'error' in r ? r.error : null });
  }

  /** The count at which the engine must stop next: a gcore's, an external signal's, a timer's, or the limit. */
  private nextStop(): bigint | null {
    const now = this.cpu.icount;
    const timer = now === null ? null : this.itimers.remaining()[0];
    const t = timer ? now! + (timer.left > 0n ? timer.left : 1n) : null; // 1 ns of virtual time per instruction
    const sig = [this.gcoreAt[0] ?? null, this.external[0]?.insns ?? null, t]
      .reduce<bigint | null>((a, b) => (b === null ? a : a === null || b < a ? b : a), null);
    const max = this.options.maxInsns;
    if (sig === null) return max;
    return max === null || sig < max ? sig : max;
  }

  /** kill(2) from the parent: SI_USER with its pid and our uid, to the whole process (shared queue). */
  private sendExternalSignals(): void {
    const now = this.cpu.icount ?? 0n;
    while (this.external.length > 0 && this.external[0].insns <= now) {
      const { signo } = this.external.shift()!;
      sendSignal(this, { signo, errno: 0, code: SI_USER, pid: this.task.ppid, uid: this.task.uid }, 'tgid', 'external');
    }
  }

  /** Runs until the process ends or the instruction limit is reached. */
  /** Runs the process to its end (or the instruction limit) and returns the report. */
  run(): RunReport {
    this.runUntil();
    return this.report();
  }

  private started = false;
  private stopAt: StopAt = {};
  private stopped: Stopped | null = null;
  private listeners = new Map<string, ((e: TraceEvent) => void)[]>();

  /** Calls fn for every trace event of that name (`'*'`: every event), as it happens. */
  on(name: string, fn: (e: TraceEvent) => void): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    this.tracer.watcher = (e) => this.watch(e);
  }

  private watch(e: TraceEvent): void {
    for (const fn of [...(this.listeners.get(e.name) ?? []), ...(this.listeners.get('*') ?? [])]) fn(e);
    const want = this.stopAt.event;
    if (want !== undefined && !this.stopped && (typeof want === 'string' ? e.name === want : want(e))) {
      this.stopped = { reason: 'event', icount: this.icountNumber(), pc: this.cpu.pc, event: e };
    }
  }

  /**
   * Runs until the process ends or a stop condition holds: an instruction count (before that instruction), an
   * address (before the instruction there runs), a trace event (once the kernel-path step that emitted it is
   * done), or a syscall number (after it returned). While stopped, registers and memory may be read and changed.
   */
  runUntil(at: StopAt = {}): Stopped {
    if (!this.started) {
      this.started = true;
      this.external = [...this.options.signals];
      this.gcoreAt = [...this.options.gcore];
    }
    if (this.exit) return { reason: 'exited' };
    if (at.symbol !== undefined) at = { ...at, address: this.symbol(at.symbol) };
    this.stopAt = at;
    this.stopped = null;
    if (at.event !== undefined) this.tracer.watcher = (e) => this.watch(e);
    if (at.address !== undefined) this.cpu.setBreakpoint(at.address);
    try {
      // a signal sent while stopped (kill()) is delivered on the way back to user mode, as on Linux
      if (this.started && this.task.pending.signal | this.task.sharedPending.signal) this.doNotifyResume();
      while (!this.exit && !this.stopped) this.step();
    } catch (e) {
      this.finish();
      throw e;
    } finally {
      if (!this.exit && at.address !== undefined) this.cpu.clearBreakpoint();
      this.stopAt = {};
    }
    if (this.exit) {
      this.finish();
      return { reason: 'exited' };
    }
    return this.stopped!;
  }

  protected finished = false;

  /** The process is gone: its files are closed and the engine freed. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (hasSharedFileMappings(this.mm)) writebackShared(this.mm); // exit_mmap: dirty shared pages reach the file
    this.task.files.closeAll();
    this.cpu.close();
  }

  /** One trip into the guest and back through the kernel path. */
  private step(): void {
    const want = this.stopAt.insns;
    const next = this.nextStop();
    const stop = this.cpu.run(want !== undefined && (next === null || want < next) ? want : next);
    if (stop.kind === 'breakpoint') {
      this.stopped = { reason: 'address', icount: this.icountNumber(), pc: stop.pc };
      return;
    }
    if (stop.kind === 'limit') {
      this.onLimit();
      return;
    }
    let sc: (SyscallReturn & { nr: number }) | undefined;
    if (stop.kind === 'intr' && stop.intno === EXCP_SWI) sc = this.doSyscall();
    else el0SyncHandler(this, stop);
    if (!this.exit) this.doNotifyResume(sc);
    this.exception = null;
    const nr = this.stopAt.syscall;
    if (sc && nr !== undefined && sc.nr === nr && !this.stopped) {
      this.stopped = { reason: 'syscall', icount: this.icountNumber(), pc: this.cpu.pc };
    }
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
    if (this.external.length > 0 && this.external[0].insns <= now) {
      this.sendExternalSignals();
      scheduled = true;
    }
    if (this.fireTimers()) scheduled = true;
    if (scheduled) this.doNotifyResume();
    if (this.stopAt.insns !== undefined && now >= this.stopAt.insns) {
      this.stopped = { reason: 'insns', icount: Number(now), pc: this.cpu.pc };
      return;
    }
    if (scheduled || this.exit) return;
    this.exit = { kind: 'limit' };
    this.noteRefaultLoop();
  }

  /** el0_svc → invoke_syscall: x8 is the number, x0..x5 the arguments, the result goes to x0. */
  private doSyscall(): SyscallReturn & { nr: number } {
    const nr = Number(this.cpu.x(8));
    const args = [0, 1, 2, 3, 4, 5].map((i) => this.cpu.x(i));
    const origX0 = args[0];
    const entry = syscallTable[nr];
    if (nr === this.options.oopsOnSyscall && !this.mm.vmaAt(args[0])) {
      // the experiment's buggy kernel path: a plain load from the user pointer, no exception-table fixup
      dieKernelFault(this, args[0], false);
      return { origX0, nr };
    }
    this.tracer.emit('sys_enter', { nr, syscall: entry?.[0] ?? null, args: args.map((a) => `0x${a.toString(16)}`) });
    let ret: bigint | typeof NO_RETURN;
    if (!entry) {
      ret = BigInt(-ENOSYS);
      this.tracer.emit('sys_ni_syscall', { nr });
    } else {
      ret = entry[1](this, args);
    }
    if (ret !== NO_RETURN) {
      this.cpu.setX(0, ret);
      this.tracer.emit('sys_exit', { nr, ret: Number(BigInt.asIntN(64, ret)) });
    }
    return { origX0, nr };
  }

  /** do_notify_resume → do_signal: handlers get their frames; a fatal signal ends the process here. */
  doNotifyResume(sc?: SyscallReturn): void {
    this.fireTimers();
    const r = doSignal(this, this.vdsoBase, sc);
    if (r.kind === 'fatal') this.doFatalSignal(r.info, r.coredump);
  }

  /** The address of a symbol of the program (its .symtab), for stops and memory access. */
  symbol(name: string): bigint {
    this.symbols ??= elfSymbols(fs.readFileSync(this.programPath));
    const a = this.symbols.get(name);
    if (a === undefined) throw new StateError(`symbol("${name}"): the program has no such symbol (stripped?)`);
    return a + this.loadBias;
  }

  private symbols: Map<string, bigint> | undefined;

  /** The report of the run so far (final once the process has ended). */
  report(): RunReport {
    const e = this.exit ?? { kind: 'limit' as const };
    const core = e.kind === 'signaled' ? e.core : noCore();
    const waitStatus = e.kind === 'exited' ? (e.code & 0xff) << 8 : e.kind === 'signaled' ? e.signo | (core.dumped ? 0x80 : 0) : 0;
    return {
      exit: {
        kind: e.kind,
        code: e.kind === 'exited' ? e.code : null,
        signal: e.kind === 'signaled' ? signalName(e.signo) : null,
        coreDumped: core.dumped,
        waitStatus,
      },
      signals: this.signals,
      core,
      stdout: Buffer.concat(this.out.stdout).toString('utf8'),
      stderr: Buffer.concat(this.out.stderr).toString('utf8'),
      kernelLog: this.kernelLog,
      icount: this.icountNumber(),
      gcores: this.gcores,
      notes: this.notes,
      program: { path: this.programPath, argv: this.options.argv.length ? this.options.argv : [this.programPath] },
    };
  }
}

