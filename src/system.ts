// System: the emulated machine's kernel instance, the one object behind the Kernel interface. It owns the
// scheduler (and so current), the clock, the sysctls, the kernel log, the deterministic randomness, the console
// behind fds 0–2 and the tracepoints; it boots the first program. It knows nothing of reports: a Recorder
// watches it through the tracer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { hostWrite } from './host_stdio.ts';
import { Cpu } from './cpu/cpu.ts';
import { Mm } from './mm/mm.ts';
import { loadElfBinary } from './fs/binfmt_elf.ts';
import { openExecOverlay } from './fs/sysroot.ts';
import { execCredentials } from './fs/exec.ts';
import { FileTable } from './fs/files.ts';
import { hostToGuest } from './fs/namei.ts';
import { readCpuFeatures, type CpuFeatures } from './arch/arm64/cpufeature.ts';
import { doSignal, type SyscallReturn } from './arch/arm64/signal.ts';
import { sysCallTable, finishWait } from './arch/arm64/syscall.ts';
import type { Kernel, Sysctl, Ptracer } from './kernel/kernel.ts';
import { Task, SignalStruct, SighandStruct, FsStruct, defaultRlimits } from './kernel/task.ts';
import { Scheduler, wakeReason, type CpuContext } from './kernel/sched.ts';
import { sendSignal, signalPending } from './kernel/signal.ts';
import { SI_KERNEL, SI_USER } from './kernel/sigdefs.ts';
import { Itimers, ITIMER_REAL } from './kernel/itimer.ts';
import { Clock } from './kernel/time.ts';
import type { MachineOptions } from './options.ts';
import { LoaderError, InternalError } from './errors.ts';
import { Tracer, type TraceSink, type TraceEventMap, type NoticeMap } from './trace.ts';

/** pid_max's default (PID_MAX_DEFAULT) */
const PID_MAX = 32768;

/** SHA-256 of the concatenated parts (strings as UTF-8), by @noble/hashes: node:crypto's load would cost every
 *  cold start about 10 ms (streams, the key classes), and every exec needs AT_RANDOM's bytes. */
const digest = (...parts: (string | Uint8Array)[]): Buffer =>
  Buffer.from(sha256(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))));

export class System implements Kernel {
  readonly sched: Scheduler;
  readonly clock: Clock;
  readonly root: string;
  readonly sysroot: string | null;
  /** where a PIE / static-pie program was placed; 0 for ET_EXEC */
  loadBias = 0n;
  readonly sysctl: Sysctl;
  readonly features: CpuFeatures;
  readonly tracer: Tracer;
  /** the kernel log (dmesg) */
  readonly log: string[] = [];
  /** what the guest wrote to fds 1 and 2 */
  readonly console = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  /** die() with panic_on_oops ran */
  panicked = false;
  /** every task waits for something that cannot happen: the first one's reason */
  stuck: string | null = null;
  /** an outside event asks schedule() to return to the run loop (runUntil's time stop) */
  breakSchedule = false;
  /** the first process: orphans are reparented to it, the report's top-level fields are its */
  init: Task;
  private lastPid: number;
  private lastIno = 20000;
  /** the virtual clock's instruction part: instructions retired on engines before the one now running */
  private retiredBefore = 0n;
  private accounted: { cpu: Cpu; at: bigint } | null = null;
  /** the current engine's count when the running task's time slice began */
  private sliceBegin = 0n;
  /** the run's virtual-time limit passed */
  timedOut = false;
  /**
   * Called once when every task would wait forever, before the run is declared stuck: the emulator's outside
   * world may act then (send a signal, write a gcore). true when it sent something that may end the wait.
   */
  onStuck: ((reason: string) => boolean) | null = null;
  /** a tracer attached to the process (the gdb stub: src/gdbstub/), consulted by get_signal */
  ptracer: Ptracer | null = null;
  /** the outside world's timers (signals and gcores at a virtual time, the timeout), earliest first */
  private readonly hrtimers: { at: bigint; fn: () => void; wakes: boolean }[] = [];
  /** the engines' changes to guest memory, counted for all (they may share MAP_SHARED memory: cpu.ts) */
  private readonly memoryEpoch = { n: 0 };
  private readonly rng: Buffer;
  private rngCounter = 0n;

  constructor(programPath: string, readonly options: MachineOptions, sink?: TraceSink) {
    const o = options;
    this.root = o.root;
    this.sysroot = o.sysroot;
    this.sysctl = {
      hostname: o.hostname, corePattern: o.corePattern, coreUsesPid: o.coreUsesPid, corePipeLimit: o.corePipeLimit,
      suidDumpable: o.suidDumpable, exceptionTrace: o.exceptionTrace, allowHostPipe: o.allowHostPipe,
      collectDir: o.collectDir ?? `${o.root}/var/lib/arm64-fault/coredumps`, oopsOnSyscall: o.oopsOnSyscall,
    };
    let file: Buffer;
    try {
      file = fs.readFileSync(programPath);
    } catch (e) {
      throw new LoaderError(programPath, `cannot read: ${(e as Error).message}`);
    }
    this.rng = digest(`arm64-fault seed ${o.seed}`);
    const cpu = new Cpu({ countInsns: o.countInsns, memoryEpoch: this.memoryEpoch });
    this.lastPid = o.pid;
    this.tracer = new Tracer(sink, () => this.icountNumber(), () => ({ tgid: this.task.pid, tid: this.task.tid }));
    this.clock = new Clock(o.time, () => this.retired(this.sched ? this.cpu : cpu));
    try {
      this.features = readCpuFeatures(cpu);
      this.init = this.bootTask(programPath, file, cpu);
      this.sched = new Scheduler(this.init, o.schedSeed);
    } catch (e) {
      cpu.close();
      throw e;
    }
  }

  /** The first task: its structs, then exec of the program (begin_new_exec's credentials, load_elf_binary). */
  private bootTask(programPath: string, file: Buffer, cpu: Cpu): Task {
    const o = this.options;
    const mm = new Mm(cpu, o.rlimitStack, this.sysctl);
    const guestPath = hostToGuest(o.root, path.resolve(programPath)) ?? path.resolve(programPath);
    const argv = o.argv.length > 0 ? o.argv : [programPath];
    const files = new FileTable({ write: (stream, data) => this.writeConsole(stream, data), isatty: () => false }, o.stdin);
    const itimers = new Itimers({ now: () => this.clock.elapsed(), cpu: () => this.clock.elapsed() - this.clock.sleptNs });
    const signal = new SignalStruct(o.pid, defaultRlimits(o.rlimitCore, o.rlimitStack), itimers);
    const cred = execCredentials(programPath, o);
    const task = new Task(mm, files, signal, new SighandStruct(), new FsStruct(), {
      pid: o.pid, ppid: o.ppid, comm: path.basename(programPath), exePath: guestPath,
      cred: { uid: o.uid, euid: cred.euid, suid: cred.euid, fsuid: cred.euid, gid: o.gid, egid: cred.egid, sgid: cred.egid, fsgid: cred.egid },
    });
    task.cwd = o.cwd;
    task.argv = argv;
    mm.coredumpFilter = o.coredumpFilter;
    mm.dumpable = o.dumpable ?? cred.dumpable;
    const exec = loadElfBinary(mm, {
      file, guestPath, execfn: argv[0], argv, envp: o.env, uid: o.uid, gid: o.gid, euid: cred.euid, egid: cred.egid,
      secure: cred.secure, random: this.randomBytes(16), features: this.features, executable: true,
      openInterp: (p) => openExecOverlay(o.root, o.sysroot, p),
    });
    this.loadBias = exec.loadBias;
    cpu.pc = exec.entry;
    cpu.sp = exec.sp;
    return task;
  }

  /** The instructions retired by every engine so far (null when not counted): the clock's instruction part. */
  private retired(cpu: Cpu): bigint | null {
    const n = cpu.icount;
    if (n === null) return null;
    if (this.accounted?.cpu !== cpu) {
      if (this.accounted) this.retiredBefore += (this.accounted.cpu.icount ?? 0n) - this.accounted.at;
      this.accounted = { cpu, at: n };
    }
    return this.retiredBefore + n - this.accounted.at;
  }

  get task(): Task { return this.sched.current; }
  get tasks(): readonly Task[] { return this.sched.tasks; }
  /** the last pid handed out: still the first process's while nothing was forked or cloned */
  get lastAllocatedPid(): number { return this.lastPid; }
  get mm(): Mm { return this.task.mm; }
  get cpu(): Cpu { return this.task.mm.cpu; }

  trace<K extends keyof TraceEventMap>(name: K, data: TraceEventMap[K]): void {
    this.tracer.emit(name, data);
  }

  tracing(name: keyof TraceEventMap): boolean {
    return this.tracer.listens(name);
  }

  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void {
    this.tracer.notice(name, data);
  }

  printk(...lines: string[]): void {
    this.log.push(...lines);
  }

  private writeConsole(stream: 1 | 2, data: Buffer): void {
    (stream === 1 ? this.console.stdout : this.console.stderr).push(Buffer.from(data));
    if (this.options.passthrough) hostWrite(stream, data);
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
      const block = digest(this.rng, String(this.rngCounter++));
      parts.push(block);
      have += block.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  }

  panic(): void {
    this.panicked = true;
  }

  bug(msg: string): never {
    throw new InternalError(msg);
  }

  allocPid(): number {
    const used = new Set(this.sched.tasks.flatMap((t) => [t.tid, t.pid, t.pgrp, t.sid]));
    do this.lastPid = this.lastPid >= PID_MAX ? 300 : this.lastPid + 1; // alloc_pid wraps to RESERVED_PIDS
    while (used.has(this.lastPid));
    return this.lastPid;
  }

  /**
   * get_next_ino: a counter shared by the pseudo filesystems (pipefs here). A booted machine has handed out
   * thousands before the program starts; ours starts at a fixed value so that `pipe:[N]` is the same every run.
   */
  getNextIno(): number {
    return this.lastIno++;
  }

  newCpu(): Cpu {
    return new Cpu({ countInsns: this.options.countInsns, memoryEpoch: this.memoryEpoch });
  }

  wakeUpNewTask(t: Task, regs: CpuContext): void {
    this.sched.wakeUpNewTask(t, regs);
  }

  releaseTask(t: Task): void {
    this.sched.release(t);
  }

  savedContext(t: Task): CpuContext | undefined {
    return this.sched.savedContext(t);
  }

  /** The run cannot go on: every task is dead, the kernel panicked, all wait forever, or the time is up. */
  get halted(): boolean {
    return this.panicked || this.stuck !== null || this.timedOut || this.sched.tasks.every((t) => t.exitState !== null);
  }

  /**
   * An event of the outside world at virtual time `at` (ns since the start); equal times keep their order.
   * `wakes`: it can end a wait (a signal); a gcore or the run's timeout cannot, so it does not keep a wait that
   * nothing else could end from being reported as stuck.
   */
  addTimer(at: bigint, fn: () => void, wakes = true): void {
    const i = this.hrtimers.findIndex((t) => t.at > at);
    this.hrtimers.splice(i < 0 ? this.hrtimers.length : i, 0, { at, fn, wakes });
  }

  /** Removes an outside event that has not fired. */
  cancelTimer(fn: () => void): void {
    const i = this.hrtimers.findIndex((t) => t.fn === fn);
    if (i >= 0) this.hrtimers.splice(i, 1);
  }

  /** Virtual ns until the next outside event (only those that can end a wait, with `waking`; 0 when due), or null. */
  nextTimer(waking = false): bigint | null {
    const t = waking ? this.hrtimers.find((x) => x.wakes) : this.hrtimers[0];
    if (!t) return null;
    const left = t.at - this.clock.elapsed();
    return left > 0n ? left : 0n;
  }

  /** kill(2) from the first process's parent: SI_USER with its pid and our uid, to the first process. */
  killFromParent(signo: number): void {
    const t = this.init;
    if (t.exitState !== null) return;
    sendSignal(this, { signo, errno: 0, code: SI_USER, pid: t.ppid, uid: t.uid }, 'tgid', 'external', t);
  }

  /**
   * it_real_fn / the CPU-time timers (SIGALRM, SIGVTALRM, SIGPROF with SEND_SIG_PRIV), then the outside world's
   * events that are due. true when something fired.
   */
  fireTimers(): boolean {
    let fired = false;
    for (const t of this.sched.tasks) {
      if (t.leader !== t || t.exitState !== null) continue;
      for (const signo of t.signal.itimers.due()) {
        sendSignal(this, { signo, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 }, 'tgid', 'kernel', t);
        fired = true;
      }
    }
    while (this.hrtimers.length > 0 && this.nextTimer() === 0n && !this.halted) {
      this.hrtimers.shift()!.fn();
      fired = true;
    }
    return fired;
  }

  /** Virtual ns until the next event that can make a task runnable or must be handled: a wait's deadline, an
   *  interval timer, an outside event (only those that can end a wait, with `waking`); 0 when due, or null. */
  nextEvent(waking = false): bigint | null {
    const now = this.clock.elapsed();
    let next = this.nextTimer(waking);
    const consider = (left: bigint | null) => {
      if (left !== null && (next === null || left < next)) next = left < 0n ? 0n : left;
    };
    for (const t of this.sched.tasks) {
      if (t.exitState !== null) continue;
      if (t.wait?.deadline != null) consider(t.wait.deadline - now);
      if (t.leader === t) for (const r of t.signal.itimers.remaining()) if (r.which === ITIMER_REAL || t.wait === null) consider(r.left);
    }
    return next;
  }

  /** Another task's wait can end now (its deadline passed, its condition holds or a signal came). */
  wakeable(): boolean {
    const now = this.clock.elapsed();
    return this.sched.tasks.some((t) => t !== this.task && t.exitState === null && !t.stopped && wakeReason(t, now) !== null);
  }

  /** The running task's time slice is over (the quantum ran out) and another task could take the CPU. */
  sliceEnd(): bigint | null {
    return this.sched.othersRunnable() ? this.sliceBegin + this.options.quantum : null;
  }

  /**
   * schedule(): current waits, is dead or used up its slice: the next task that can run takes the CPU; one whose
   * wait ends finishes its syscall first. When none can run, virtual time passes to the next timer; when no
   * timer is left either, every task waits forever: the outside world may act once (onStuck), else the run is
   * stuck.
   */
  schedule(): void {
    let stuckSeen = false;
    while (!this.halted) {
      const next = this.sched.pickNextTask(this.clock.elapsed());
      if (next) {
        this.contextSwitch(next.task);
        if (next.why) finishWait(this, next.why);
        // a signal that came while it was off the CPU is handled on its way back to user mode
        else if (signalPending(this.task)) this.exitToUserMode();
        if (this.task.exitState === null && !this.task.wait) return;
        continue;
      }
      const left = this.nextEvent(true) === null ? null : this.nextEvent();
      if (left === null) {
        if (!stuckSeen && this.onStuck) {
          stuckSeen = true;
          if (this.onStuck(this.stuckReasons().join('; '))) continue;
        }
        for (const r of this.stuckReasons()) this.notice('blocked_forever', { reason: r });
        for (const t of this.sched.tasks) if (t.wait?.deadline === null) this.trace('sleep_forever', { syscall: t.wait.reason.split(':')[0], blocked: `0x${t.blocked.toString(16)}` });
        this.stuck = this.stuckReasons()[0] ?? 'no task can run';
        return;
      }
      this.clock.sleep(left);
      this.fireTimers();
      if (this.breakSchedule) break;
    }
    this.breakSchedule = false;
  }

  /** Runs fn as task t (a live one) and comes back to current: the outside world's gcore of the first process. */
  asTask<T>(t: Task, fn: () => T): T | null {
    if (t.exitState !== null) return null;
    const prev = this.task;
    this.sched.contextSwitch(t);
    try {
      return fn();
    } finally {
      this.sched.contextSwitch(prev);
    }
  }

  private contextSwitch(next: Task): void {
    this.sched.contextSwitch(next);
    this.ptracer?.switched?.(next);
    // every pick starts a new slice, also when current picks itself again: a slice that ended would otherwise
    // stop the engine at once, forever (one runnable task and one waiting)
    this.sliceBegin = this.cpu.icount ?? 0n;
  }

  /** What each waiting task waits in, for a stuck report: the syscall, its arguments, what it waits for. */
  private stuckReasons(): string[] {
    return this.sched.tasks.filter((t) => t.exitState === null && (t.wait || t.stopped)).map((t) => {
      if (t.stopped) return `task ${t.tid} (${t.comm}) is stopped by ${t.signal.stopSignal} with nobody to continue it`;
      const nr = t.waitSyscall?.nr ?? -1;
      const args = (t.waitSyscall?.args ?? []).slice(0, 4).map((a) => `0x${a.toString(16)}`).join(', ');
      return `task ${t.tid} (${t.comm}) waits in ${sysCallTable[nr]?.[0] ?? `syscall ${nr}`}(${args}) ${t.wait!.reason}, with nothing that could wake it`;
    });
  }

  /** exit_to_user_mode → do_notify_resume: timers that expired, then do_signal. */
  exitToUserMode(sc?: SyscallReturn): void {
    this.fireTimers();
    if (this.task.exitState !== null) return;
    doSignal(this, this.mm.vdsoBase, sc);
  }
}
