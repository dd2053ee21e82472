// The Kernel: what every kernel path (syscalls, the fault path, signal delivery, the core dump) sees of the
// running system. `task` is `current`; `cpu` and `mm` are current's address space and the engine behind it.
// One object implements it (system.ts); everything below src/arch, kernel, mm and fs takes it as `k`.
import type { Cpu } from '../cpu/cpu.ts';
import type { Mm } from '../mm/mm.ts';
import type { CpuFeatures } from '../arch/arm64/cpufeature.ts';
import type { Task } from './task.ts';
import type { Clock } from './time.ts';
import type { TraceEventMap, NoticeMap } from '../trace.ts';

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
  /** a notice for the observers of the kernel (the report), never written to a trace */
  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void;
  /** printk: a line of the kernel log */
  printk(...lines: string[]): void;
  /** deterministic bytes for getrandom and AT_RANDOM */
  randomBytes(n: number): Buffer;
  /**
   * Sleeps ns of virtual time (null: forever), firing the interval timers that expire meanwhile, until wake()
   * says a signal ended the wait. Returns the time left (0 when slept in full), or null when an endless wait
   * has nothing that could end it.
   */
  sleepInterruptible(ns: bigint | null, wake: () => boolean): bigint | null;
  /** The only task waits for something that cannot happen: the run ends there. Syscalls then return NO_RETURN. */
  blockForever(reason: string): void;
  /** die() with panic_on_oops: the machine stops with outcome `panic` */
  panic(): void;
  /** an emulator bug, never a guest outcome */
  bug(msg: string): never;
}

/** Returned by handlers that set the registers themselves (rt_sigreturn) or ended the task. */
export const NO_RETURN = Symbol('no-return');
export type SysResult = bigint | typeof NO_RETURN;
export type Syscall = (k: Kernel, a: bigint[]) => SysResult;
export type SyscallTable = Record<number, [string, Syscall]>;
