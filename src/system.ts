// System: the emulated machine's kernel instance, the one object behind the Kernel interface. It owns the
// scheduler (and so current), the clock, the sysctls, the kernel log, the deterministic randomness, the console
// behind fds 0–2 and the tracepoints; it boots the first program. It knows nothing of reports: a Recorder
// watches it through the tracer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Cpu } from './cpu/cpu.ts';
import { Mm } from './mm/mm.ts';
import { loadElfBinary } from './fs/binfmt_elf.ts';
import { openExecOverlay } from './fs/sysroot.ts';
import { execCredentials } from './fs/exec.ts';
import { FileTable } from './fs/files.ts';
import { hostToGuest } from './fs/namei.ts';
import { readCpuFeatures, type CpuFeatures } from './arch/arm64/cpufeature.ts';
import { doSignal, type SyscallReturn } from './arch/arm64/signal.ts';
import { sysCallTable } from './arch/arm64/syscall.ts';
import type { Kernel, Sysctl, Ptracer } from './kernel/kernel.ts';
import { Task, SignalStruct, SighandStruct, FsStruct, defaultRlimits } from './kernel/task.ts';
import { Scheduler } from './kernel/sched.ts';
import { sendSignal } from './kernel/signal.ts';
import { SI_KERNEL, SI_USER } from './kernel/sigdefs.ts';
import { Itimers, ITIMER_REAL } from './kernel/itimer.ts';
import { Clock } from './kernel/time.ts';
import type { MachineOptions } from './options.ts';
import { LoaderError, InternalError } from './errors.ts';
import { Tracer, type TraceSink, type TraceEventMap, type NoticeMap } from './trace.ts';

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
  /** the only task waits for something that cannot happen (blockForever's reason) */
  stuck: string | null = null;
  /** the run's virtual-time limit passed */
  timedOut = false;
  /**
   * Called once when the only task would wait forever, before the run is declared stuck: the emulator's outside
   * world may act then (send a signal, write a gcore). true when it sent something that may end the wait.
   */
  onStuck: ((reason: string) => boolean) | null = null;
  /** a tracer attached to the process (the gdb stub: src/gdbstub/), consulted by get_signal */
  ptracer: Ptracer | null = null;
  /** the outside world's timers (signals and gcores at a virtual time, the timeout), earliest first */
  private readonly hrtimers: { at: bigint; fn: () => void; wakes: boolean }[] = [];
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
    this.rng = createHash('sha256').update(`arm64-fault seed ${o.seed}`).digest();
    const cpu = new Cpu({ countInsns: o.countInsns });
    this.tracer = new Tracer(sink, () => this.icountNumber());
    this.clock = new Clock(o.time, () => cpu.icount);
    try {
      this.features = readCpuFeatures(cpu);
      this.sched = new Scheduler(this.bootTask(programPath, file, cpu));
    } catch (e) {
      cpu.close();
      throw e;
    }
  }

  /** The first task: its structs, then exec of the program (begin_new_exec's credentials, load_elf_binary). */
  private bootTask(programPath: string, file: Buffer, cpu: Cpu): Task {
    const o = this.options;
    const mm = new Mm(cpu, o.rlimitStack);
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

  get task(): Task { return this.sched.current; }
  get tasks(): readonly Task[] { return this.sched.tasks; }
  get mm(): Mm { return this.task.mm; }
  get cpu(): Cpu { return this.task.mm.cpu; }

  trace<K extends keyof TraceEventMap>(name: K, data: TraceEventMap[K]): void {
    this.tracer.emit(name, data);
  }

  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void {
    this.tracer.notice(name, data);
  }

  printk(...lines: string[]): void {
    this.log.push(...lines);
  }

  private writeConsole(stream: 1 | 2, data: Buffer): void {
    (stream === 1 ? this.console.stdout : this.console.stderr).push(Buffer.from(data));
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

  panic(): void {
    this.panicked = true;
  }

  bug(msg: string): never {
    throw new InternalError(msg);
  }

  blockForever(reason: string): void {
    this.notice('blocked_forever', { reason });
    this.stuck ??= reason;
  }

  /** The run cannot go on: the task is dead, the kernel panicked, waits forever, or the time is up. */
  get halted(): boolean {
    return this.task.exitState !== null || this.panicked || this.stuck !== null || this.timedOut;
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

  /** Virtual ns until the next outside event (only those that can end a wait, with `waking`; 0 when due), or null. */
  nextTimer(waking = false): bigint | null {
    const t = waking ? this.hrtimers.find((x) => x.wakes) : this.hrtimers[0];
    if (!t) return null;
    const left = t.at - this.clock.elapsed();
    return left > 0n ? left : 0n;
  }

  /** kill(2) from the parent: SI_USER with its pid and our uid, to the whole process (shared queue). */
  killFromParent(signo: number): void {
    sendSignal(this, { signo, errno: 0, code: SI_USER, pid: this.task.ppid, uid: this.task.uid }, 'tgid', 'external');
  }

  /**
   * it_real_fn / the CPU-time timers (SIGALRM, SIGVTALRM, SIGPROF with SEND_SIG_PRIV), then the outside world's
   * events that are due. true when something fired.
   */
  fireTimers(): boolean {
    const sigs = this.task.signal.itimers.due();
    for (const signo of sigs) sendSignal(this, { signo, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 }, 'tgid', 'kernel');
    let fired = sigs.length > 0;
    while (this.hrtimers.length > 0 && this.nextTimer() === 0n && !this.halted) {
      this.hrtimers.shift()!.fn();
      fired = true;
    }
    return fired;
  }

  sleepInterruptible(ns: bigint | null, wake: () => boolean): bigint | null {
    let left = ns;
    const itimers = this.task.signal.itimers;
    let stuckSeen = false;
    for (;;) {
      if (wake() || this.halted) return left ?? 0n;
      // only ITIMER_REAL runs while the process sleeps: the other two count its CPU time
      const real = itimers.remaining().find((r) => r.which === ITIMER_REAL)?.left ?? null;
      // an endless wait with nothing that could end it is stuck now, whatever gcores or timeout lie ahead
      const outside = left === null && this.nextTimer(true) === null ? null : this.nextTimer();
      const next = real === null ? outside : outside === null || real < outside ? real : outside;
      if (next === null || (left !== null && next > left)) {
        if (left !== null) {
          this.clock.sleep(left);
          return 0n;
        }
        if (stuckSeen || !this.onStuck) return null;
        stuckSeen = true;
        if (!this.onStuck(this.stuckReason())) return null;
        continue;
      }
      this.clock.sleep(next);
      if (left !== null) left -= next;
      this.fireTimers();
    }
  }

  /** What the task waits in, for a stuck report: the syscall and its arguments. */
  private stuckReason(): string {
    const cpu = this.cpu;
    const args = [0, 1, 2, 3].map((i) => `0x${cpu.x(i).toString(16)}`).join(', ');
    const nr = Number(cpu.x(8));
    return `task ${this.task.tid} (${this.task.comm}) waits in ${sysCallTable[nr]?.[0] ?? `syscall ${nr}`}(${args}) with nothing that could wake it`;
  }

  /** exit_to_user_mode → do_notify_resume: timers that expired, then do_signal. */
  exitToUserMode(sc?: SyscallReturn): void {
    this.fireTimers();
    doSignal(this, this.mm.vdsoBase, sc);
  }
}
