// The kernel's process objects (include/linux/sched.h, sched/signal.h, fs_struct.h, cred.h; v6.17): Task
// (task_struct: one thread), SignalStruct (signal_struct: shared pending, group exit, rlimits, itimers),
// SighandStruct (sighand_struct: the actions) and FsStruct (fs_struct: cwd, umask). A Task holds them by
// reference, so the CLONE_* flags can share them the way copy_process does. `task_struct` → `Task` is an
// allowed shortening (style-models.md §10).
import type { Mm, FutexKey } from '../mm/mm.ts';
import type { KernelSiginfo } from './siginfo.ts';
import type { FileTable } from '../fs/files.ts';
import type { PosixTimer } from './posix_timers.ts';
import type { Itimers } from './itimer.ts';
import type { Wait, Kernel, SysResult } from './kernel.ts';

export const RLIM_INFINITY = 0xffffffffffffffffn;
export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4;
export const RLIMIT_NOFILE = 7, RLIMIT_AS = 9, RLIMIT_SIGPENDING = 11, RLIM_NLIMITS = 16;

export interface Rlimit { cur: bigint; max: bigint }

/** struct k_sigaction */
export interface KSigaction {
  handler: bigint; // SIG_DFL 0, SIG_IGN 1, or an address
  flags: number;
  restorer: bigint;
  mask: bigint;
}

export interface SigqueueEntry { info: KernelSiginfo }

export interface SigPending {
  /** queued entries in arrival order */
  list: SigqueueEntry[];
  /** bitmask of signals with at least one entry */
  signal: bigint;
}

export interface AltStack { sp: bigint; size: bigint; flags: number }

/** signal_struct->flags */
export const SIGNAL_GROUP_EXIT = 0x4;

/** sighand_struct: the signal actions, shared by CLONE_SIGHAND. */
export class SighandStruct {
  action: KSigaction[] = Array.from({ length: 65 }, () => ({ handler: 0n, flags: 0, restorer: 0n, mask: 0n }));
}

/** signal_struct: what the threads of one process share. */
export class SignalStruct {
  sharedPending: SigPending = { list: [], signal: 0n };
  flags = 0;
  /** group_exit_code: a wait status, (status & 0xff) << 8, or the signal | 0x80 when a core was dumped */
  groupExitCode = 0;
  /** curr_target: where complete_signal's round robin over the threads starts (the leader at first) */
  currTarget: Task | null = null;
  /** the siginfo of the fatal signal complete_signal turned into a group exit */
  groupExitInfo: KernelSiginfo | null = null;
  /** group_exec_task: the thread in execve's de_thread, while it waits for the others to die */
  groupExecTask: Task | null = null;
  pgrp: number;
  session: number;
  /** group stop: the stop signal, and whether the parent has yet to be told (WUNTRACED) */
  stopSignal = 0;
  stopReport = false;
  /** SIGCONT ended a stop the parent has yet to be told of (WCONTINUED) */
  contReport = false;
  /** did_exec: the process exec'd since fork (setpgid by the parent then fails with EACCES) */
  didExec = false;
  /** posix_timers: the process's timers by id (timer_create), and the next id to give */
  readonly posixTimers = new Map<number, PosixTimer>();
  nextPosixTimerId = 0;
  constructor(pid: number, public rlim: Rlimit[], readonly itimers: Itimers) {
    this.pgrp = this.session = pid;
  }
}

/** fs_struct: cwd and umask (the root is the emulator's --root for every task). */
export class FsStruct {
  cwd = '/';
  umask = 0o022;
}

/** struct cred, the ids only. */
export interface Cred {
  uid: number; euid: number; suid: number; fsuid: number;
  gid: number; egid: number; sgid: number; fsgid: number;
}

export class Task {
  /** tgid: the process id */
  pid: number;
  tid: number;
  ppid: number;
  uid: number; euid: number; suid: number; fsuid: number;
  gid: number; egid: number; sgid: number; fsgid: number;
  /** cred->group_info: the supplementary groups, sorted (a new array at each setgroups; fork shares it) */
  groups: readonly number[] = [];
  /** comm: at most 15 bytes */
  comm: string;
  /** guest path of the executable (/proc/self/exe) */
  exePath: string;
  clearChildTid = 0n;
  /** robust_list: the user address of the thread's struct robust_list_head (set_robust_list), 0 for none */
  robustList = 0n;
  /** pi_state_list: the PI futexes this thread owns while others wait on them (handed on when it exits) */
  piStateList: FutexKey[] = [];
  /** restart_block: what restart_syscall runs after an -ERESTART_RESTARTBLOCK (futex_wait_restart) */
  restartBlock: ((k: Kernel) => SysResult) | null = null;

  // signals: per thread
  blocked = 0n;
  /** mask saved by rt_sigsuspend / sigtimedwait, restored after the handler runs */
  savedSigmask: bigint | null = null;
  pending: SigPending = { list: [], signal: 0n };
  /** TIF_SIGPENDING: signal_wake_up chose this thread for a signal (a sleeping one wakes for it); cleared when
   *  get_signal finds nothing left to do (recalc_sigpending) */
  sigpendingFlag = false;
  sas: AltStack = { sp: 0n, size: 0n, flags: 2 /* SS_DISABLE */ };
  /** thread_struct fault_address / fault_code (arch/arm64/include/asm/processor.h) */
  thread = { faultAddress: 0n, faultCode: 0n };
  /** the abort being handled was injected (--inject, arch/arm64/inject-entry.ts), not raised by the engine: the
   *  page is present, so a fault inside a VMA that allows the access is a spurious one handle_mm_fault fixes;
   *  firmwareFirst: apei_claim_sea claims a synchronous external abort */
  injected: { firmwareFirst: boolean } | null = null;
  /** restore_sigframe's forget_syscall(): the syscall being returned from must not be restarted */
  syscallForgotten = false;
  /** exit_state: EXIT_ZOMBIE once do_exit ran, EXIT_DEAD once reaped (or released at once) */
  exitState: 'zombie' | 'dead' | null = null;
  /** exit_code: the wait status a parent reads (do_exit's code, or the group's) */
  exitCode = 0;
  /** exit_signal: what the parent gets when this task dies (SIGCHLD for fork, clone's low byte, -1 threads) */
  exitSignal = 17;
  /** real_parent: the process (its group leader) that wait()s for this one; null for the first process */
  parent: Task | null = null;
  /** group_leader: the first thread of the process */
  leader: Task = this;
  /** the syscall this task sleeps in (TASK_INTERRUPTIBLE / TASK_KILLABLE), or null when runnable */
  wait: Wait | null = null;
  /** the waiting syscall: its number and arguments (x0 as it was, for a restart) */
  waitSyscall: { nr: number; origX0: bigint; args: bigint[] } | null = null;
  /** TASK_STOPPED by a group stop (SIGSTOP & co.) until SIGCONT */
  stopped = false;
  /** vfork_done: set while a CLONE_VFORK parent waits for this child to exec or exit */
  vforkDone: { done: boolean } | null = null;
  /** the program of the process (argv), for the report */
  argv: string[] = [];

  constructor(public mm: Mm, public files: FileTable, public signal: SignalStruct,
    public sighand: SighandStruct, public fs: FsStruct,
    init: { pid: number; ppid: number; cred: Cred; comm: string; exePath: string }) {
    this.pid = this.tid = init.pid;
    this.ppid = init.ppid;
    ({ uid: this.uid, euid: this.euid, suid: this.suid, fsuid: this.fsuid } = init.cred);
    ({ gid: this.gid, egid: this.egid, sgid: this.sgid, fsgid: this.fsgid } = init.cred);
    this.comm = init.comm.slice(0, 15);
    this.exePath = init.exePath;
  }

  // The shared state, reached as the kernel's accessors reach it (current->sighand->action, …).
  get action(): KSigaction[] { return this.sighand.action; }
  get sharedPending(): SigPending { return this.signal.sharedPending; }
  get rlim(): Rlimit[] { return this.signal.rlim; }
  get pgrp(): number { return this.signal.pgrp; }
  get sid(): number { return this.signal.session; }
  get cwd(): string { return this.fs.cwd; }
  set cwd(p: string) { this.fs.cwd = p; }
  get umask(): number { return this.fs.umask; }
  set umask(m: number) { this.fs.umask = m; }
  /** mm->flags dumpable bits: 0, 1 (SUID_DUMP_USER) or 2 (SUID_DUMP_ROOT) */
  get dumpable(): 0 | 1 | 2 { return this.mm.dumpable; }
  set dumpable(d: 0 | 1 | 2) { this.mm.dumpable = d; }
  /** /proc/PID/coredump_filter (mm->flags) */
  get coredumpFilter(): number { return this.mm.coredumpFilter; }

  rlimit(resource: number): bigint {
    return this.rlim[resource].cur;
  }
}

/** The limits a login shell on Debian 12 starts with (ulimit -a), except RLIMIT_CORE which options decide. */
export function defaultRlimits(core: bigint, stack: bigint): Rlimit[] {
  const r: Rlimit[] = Array.from({ length: RLIM_NLIMITS }, () => ({ cur: RLIM_INFINITY, max: RLIM_INFINITY }));
  r[RLIMIT_STACK] = { cur: stack, max: RLIM_INFINITY };
  r[RLIMIT_CORE] = { cur: core, max: RLIM_INFINITY };
  r[RLIMIT_NOFILE] = { cur: 1024n, max: 1048576n };
  r[RLIMIT_SIGPENDING] = { cur: 95693n, max: 95693n };
  r[8] = { cur: 8n * 1024n * 1024n, max: 8n * 1024n * 1024n }; // RLIMIT_MEMLOCK
  r[6] = { cur: 95693n, max: 95693n }; //                         RLIMIT_NPROC
  r[12] = { cur: 819200n, max: 819200n }; //                      RLIMIT_MSGQUEUE
  r[13] = { cur: 0n, max: 0n }; //                                RLIMIT_NICE
  r[14] = { cur: 0n, max: 0n }; //                                RLIMIT_RTPRIO
  return r;
}
