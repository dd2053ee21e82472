// Task: the emulated process (task_struct + signal_struct + sighand_struct + mm + files, for the one
// thread we run). `task_struct` → `Task` is an allowed shortening (style-models.md §10).
// DIVERGENCE: one thread per process; clone/fork are not emulated.
import type { Mm } from '../mm/mm.ts';
import type { KernelSiginfo } from './siginfo.ts';
import type { FileTable } from '../fs/files.ts';

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

export class Task {
  pid: number;
  tid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  uid: number; euid: number; suid: number; fsuid: number;
  gid: number; egid: number; sgid: number; fsgid: number;
  /** comm: at most 15 bytes */
  comm: string;
  /** guest path of the executable (/proc/self/exe) */
  exePath: string;
  cwd = '/';
  umask = 0o022;
  rlim: Rlimit[] = [];
  /** mm->flags dumpable bits: 0, 1 (SUID_DUMP_USER) or 2 (SUID_DUMP_ROOT) */
  dumpable: 0 | 1 | 2 = 1;
  /** /proc/PID/coredump_filter */
  coredumpFilter = 0x33;
  clearChildTid = 0n;
  robustList = 0n;

  // signals
  action: KSigaction[] = Array.from({ length: 65 }, () => ({ handler: 0n, flags: 0, restorer: 0n, mask: 0n }));
  blocked = 0n;
  /** mask saved by rt_sigsuspend / sigtimedwait, restored after the handler runs */
  savedSigmask: bigint | null = null;
  pending: SigPending = { list: [], signal: 0n };
  sharedPending: SigPending = { list: [], signal: 0n };
  sas: AltStack = { sp: 0n, size: 0n, flags: 2 /* SS_DISABLE */ };
  /** thread_struct fault_address / fault_code (arch/arm64/include/asm/processor.h) */
  thread = { faultAddress: 0n, faultCode: 0n };

  // exit
  exited = false;
  /** signal_struct group_exit_code: (status & 0xff) << 8, or signal | 0x80 when a core was dumped */
  exitCode = 0;

  constructor(readonly mm: Mm, readonly files: FileTable, init: {
    pid: number; ppid: number; uid: number; gid: number; comm: string; exePath: string; rlimits: Rlimit[];
  }) {
    this.pid = this.tid = this.pgrp = this.sid = init.pid;
    this.ppid = init.ppid;
    this.uid = this.euid = this.suid = this.fsuid = init.uid;
    this.gid = this.egid = this.sgid = this.fsgid = init.gid;
    this.comm = init.comm.slice(0, 15);
    this.exePath = init.exePath;
    this.rlim = init.rlimits;
  }

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
