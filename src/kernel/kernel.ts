// The Kernel: what every kernel path (syscalls, the fault path, signal delivery, the core dump) sees of the
// running system. `task` is `current`; `cpu` and `mm` are current's address space and the engine behind it.
// One object implements it (system.ts); everything below src/arch, kernel, mm and fs takes it as `k`.
import type { Cpu } from '../cpu/cpu.ts';
import type { Mm } from '../mm/mm.ts';
import type { CpuFeatures } from '../arch/arm64/cpufeature.ts';
import type { Task } from './task.ts';
import type { Clock } from './time.ts';
import type { CpuContext } from './sched.ts';
import type { TraceEventMap, NoticeMap } from '../trace.ts';
import type { KernelSiginfo } from './siginfo.ts';

/** The sysctls and boot parameters the kernel paths read (kernel.core_pattern & co). */
export interface Sysctl {
  hostname: string;
  corePattern: string;
  coreUsesPid: boolean;
  /** kernel.core_pipe_limit (0: unlimited) */
  corePipeLimit: number;
  /** fs.suid_dumpable */
  suidDumpable: 0 | 1 | 2;
  /** debug.exception-trace */
  exceptionTrace: boolean;
  /** where the built-in pipe collector (core_pattern `|arm64-fault-collect …`) stores cores */
  collectDir: string;
  /** let a core_pattern pipe run a real host program */
  allowHostPipe: boolean;
  /** experiment: the kernel side of this syscall dereferences x0 without uaccess, so a bad pointer Oopses */
  oopsOnSyscall: number | null;
  // Written through /proc/sys only (fs/proc/sysctl.ts gives their defaults when absent):
  /** kernel.core_uses_pid as the int proc_dointvec stored (coreUsesPid is its truth value) */
  coreUsesPidValue?: number;
  /** kernel.pid_max */
  pidMax?: number;
  /** vm.max_map_count */
  maxMapCount?: number;
}

export interface Kernel {
  /** current */
  readonly task: Task;
  /** every task not yet reaped (threads included), in creation order: for_each_process_thread */
  readonly tasks: readonly Task[];
  /** the engine behind current->mm */
  readonly cpu: Cpu;
  /** current->mm */
  readonly mm: Mm;
  readonly clock: Clock;
  /** host directory that is the guest's `/` */
  readonly root: string;
  /** read-only directory looked up before the root for absolute guest paths that are only read (--sysroot) */
  readonly sysroot?: string | null;
  readonly sysctl: Sysctl;
  readonly features: CpuFeatures;
  /** a tracepoint: trace files, on() and the report's observers see it */
  trace<K extends keyof TraceEventMap>(name: K, data: TraceEventMap[K]): void;
  /** someone listens to this tracepoint: a hot path builds its event only then */
  tracing(name: keyof TraceEventMap): boolean;
  /** a notice for the observers of the kernel (the report), never written to a trace */
  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void;
  /** printk: a line of the kernel log */
  printk(...lines: string[]): void;
  /** deterministic bytes for getrandom and AT_RANDOM */
  randomBytes(n: number): Buffer;
  /** alloc_pid: the next free pid, deterministic (the first process's is --pid) */
  allocPid(): number;
  /** get_next_ino: the inode number of a new pseudo-filesystem inode (a pipe), deterministic */
  getNextIno(): number;
  /** A new engine for a new mm (fork, exec), with the run's options. */
  newCpu(): Cpu;
  /** wake_up_new_task: a new task joins the run queue, to start with these registers. */
  wakeUpNewTask(t: Task, regs: CpuContext): void;
  /** the saved user registers of a task that is not on the CPU (another thread in a core) */
  savedContext(t: Task): CpuContext | undefined;
  /** release_task's last step: the task leaves the task list */
  releaseTask(t: Task): void;
  /** the child reaper: the first process, which orphans are reparented to (it plays init); its leader changes
   *  only when another of its threads execs (de_thread) */
  init: Task;
  /** hrtimer_start: fn runs at virtual time `at` (ns since the start), its signal able to end a wait */
  addTimer(at: bigint, fn: () => void): void;
  /** hrtimer_cancel of a timer that has not fired */
  cancelTimer(fn: () => void): void;
  /** die() with panic_on_oops: the machine stops with outcome `panic` */
  panic(): void;
  /** an emulator bug, never a guest outcome */
  bug(msg: string): never;
  /** a tracer attached to the process (the gdb stub), or null: ptrace_signal consults it */
  readonly ptracer?: Ptracer | null;
}

/**
 * The tracer's part of get_signal (ptrace_signal): it sees every dequeued signal but SIGKILL before its action is
 * taken, and returns the signal to act on (the same, another one, or null: cancelled).
 */
export interface Ptracer {
  signal(info: KernelSiginfo): KernelSiginfo | null;
  /** sched_switch: next takes the CPU (the stub's single step of a thread that blocked ends when it is back) */
  switched?(next: Task): void;
}

/**
 * A syscall that has to wait: the wait queue entry and the rest of the syscall (the kernel's
 * prepare_to_wait / if (!condition) schedule() / finish_wait). The handler returns it instead of a result; the
 * task sleeps (other tasks run, virtual time advances) until `ready()`, the deadline or a signal ends the wait,
 * and then `finish` runs as that task and gives the syscall's result.
 */
export interface Wait {
  readonly wait: true;
  /** what the task waits in, for stuck reports: the syscall and what it waits for */
  readonly reason: string;
  /**
   * the condition holds: the syscall can complete. It changes nothing (it is asked again and again), and it is
   * asked while other tasks are current: it must not look at k.task (capture what it needs when the wait begins).
   */
  ready(): boolean;
  /** absolute virtual time (clock.elapsed(), ns) at which the wait ends by itself, or null */
  readonly deadline: bigint | null;
  /** TASK_KILLABLE (vfork's wait): only a fatal signal ends it early; otherwise TASK_INTERRUPTIBLE */
  readonly killable?: boolean;
  /**
   * the rest of the syscall, run as the task once woken: its result, or another Wait when the syscall goes on
   * waiting (the kernel's loop around wait_event: pipe_write wrote what fit and waits again for room)
   */
  finish(why: 'ready' | 'timeout' | 'signal'): bigint | typeof NO_RETURN | Wait;
}

/** Returned by handlers that set the registers themselves (rt_sigreturn) or ended the task. */
export const NO_RETURN = Symbol('no-return');
export type SysResult = bigint | typeof NO_RETURN | Wait;
export type Syscall = (k: Kernel, a: bigint[]) => SysResult;
export type SyscallTable = Record<number, [string, Syscall]>;
