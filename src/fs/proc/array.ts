// Mirrors fs/proc/array.c of Linux v6.17: proc_pid_status (/proc/PID/status) and do_task_stat (/proc/PID/stat,
// /proc/PID/task/TID/stat). Source read: ColinIanKing/linux-next fs/proc/array.c @
// 16c5b0ab32897ade781a9241444b4f1d087fab0c (task_state, task_sig, render_sigset_t, task_cap, task_seccomp,
// task_core_dumping, task_thp_status, task_untag_mask, do_task_stat); the lines are those of v6.17 (Kthread since
// v6.10, untag_mask since v6.4), with the kernel configuration below.
import type { Kernel } from '../../kernel/kernel.ts';
import type { Task } from '../../kernel/task.ts';
import { RLIM_INFINITY } from '../../kernel/task.ts';
import { BOOT_OFFSET_NS } from '../../kernel/time.ts';
import { taskMem, vmCounters, rssCounters } from './task_mmu.ts';
import { NR_CPU_IDS } from '../../kernel/sched_syscalls.ts';

/**
 * The kernel configuration the status lines depend on, as data (a Debian 12 arm64-like build on the emulated
 * one-CPU machine): which optional lines exist and what the arch hooks answer.
 */
const CONFIG = {
  /** CONFIG_SECCOMP, CONFIG_SECCOMP_FILTER: Seccomp and Seccomp_filters lines */
  seccomp: true,
  /** CONFIG_TRANSPARENT_HUGEPAGE (and MMF_DISABLE_THP never set): THP_enabled 1 */
  thp: true,
  nrCpus: NR_CPU_IDS,
  /** CONFIG_CPUSETS with MAX_NUMNODES = 1 << CONFIG_NODES_SHIFT (arm64's default 4): Mems_allowed */
  maxNumNodes: 16,
  /** arm64 spectre_v4_state: the emulated CPU is SPECTRE_UNAFFECTED → PR_SPEC_NOT_AFFECTED */
  storeBypass: 'not vulnerable',
  /** arm64 arch_prctl_spec_ctrl_get(PR_SPEC_INDIRECT_BRANCH) is -ENODEV → the switch's default */
  indirectBranch: 'unknown',
  /** CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE (40): CAP_FULL_SET */
  capFull: (1n << 41n) - 1n,
} as const;

/** USER_HZ: nsec_to_clock_t */
const clockT = (ns: bigint): bigint => ns / 10_000_000n;

/**
 * task_state_array[task_state_index()]: exit_state first (Z, X), then a group stop (T), a task asleep in a
 * syscall (S: TASK_INTERRUPTIBLE), else running or runnable (R).
 */
export function taskState(t: Task): string {
  if (t.exitState === 'zombie') return 'Z (zombie)';
  if (t.exitState === 'dead') return 'X (dead)';
  if (t.stopped) return 'T (stopped)';
  return t.wait ? 'S (sleeping)' : 'R (running)';
}

/** The threads of t's group that are not yet reaped (signal->nr_threads). */
export function threadGroup(k: Kernel, t: Task): Task[] {
  return k.tasks.filter((x) => x.signal === t.signal);
}

/** exit_mm ran: a zombie (or dead task) has no mm, so its mm lines and fields are absent or 0. */
const hasMm = (t: Task): boolean => t.exitState === null;

/** render_sigset_t: _NSIG = 64 bits as 16 hex digits, highest signal first. */
const sigset = (s: bigint): string => BigInt.asUintN(64, s).toString(16).padStart(16, '0');

/** collect_sigign_sigcatch */
function ignCatch(t: Task): { ign: bigint; cgt: bigint } {
  let ign = 0n, cgt = 0n;
  for (let i = 1; i <= 64; i++) {
    const h = t.action[i]?.handler ?? 0n;
    if (h === 1n) ign |= 1n << BigInt(i - 1);
    else if (h !== 0n) cgt |= 1n << BigInt(i - 1);
  }
  return { ign, cgt };
}

/** files_fdtable(files)->max_fds: NR_OPEN_DEFAULT (64), then alloc_fdtable's multiples of 128 (powers of 2 × 128). */
function maxFds(t: Task): number {
  const hi = t.files.fds.length;
  if (hi <= 64) return 64;
  let nr = 2;
  while (nr * 128 < hi) nr *= 2;
  return nr * 128;
}

/** %*pb of a one-word bitmap of `bits` bits: hex, ⌈bits/4⌉ digits, comma-separated 32-bit chunks. */
function bitmapHex(value: bigint, bits: number): string {
  const chunks: string[] = [];
  for (let at = 0; at < bits; at += 32) {
    const w = Math.min(32, bits - at);
    chunks.unshift(((value >> BigInt(at)) & ((1n << BigInt(w)) - 1n)).toString(16).padStart(Math.ceil(w / 4), '0'));
  }
  return chunks.join(',');
}

/** proc_task_name with escape: ESCAPE_SPACE | ESCAPE_SPECIAL for "\n" and "\\" only. */
const escapedComm = (comm: string): string => comm.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** proc_pid_status */
export function procPidStatus(k: Kernel, t: Task): string {
  const { ign, cgt } = ignCatch(t);
  const nthreads = threadGroup(k, t).length;
  // SigQ: the signals queued for the task's user (ucounts RLIMIT_SIGPENDING), and the task's limit
  const queued = new Set(k.tasks.filter((x) => x.uid === t.uid).flatMap((x) => [x.pending, x.sharedPending]));
  const qsize = [...queued].reduce((n, p) => n + p.list.length, 0);
  const qlim = t.rlim[11].cur; // RLIMIT_SIGPENDING
  const root = t.euid === 0;
  const caps = (v: bigint): string => v.toString(16).padStart(16, '0');
  const lines = [
    `Name:\t${escapedComm(t.comm)}`,
    // "%#04o": the kernel's number() always writes the '0' prefix for SPECIAL octal, then pads to 4
    `Umask:\t0${t.umask.toString(8).padStart(3, '0')}`,
    `State:\t${taskState(t)}`,
    `Tgid:\t${t.pid}`, 'Ngid:\t0', `Pid:\t${t.tid}`, `PPid:\t${t.ppid}`, 'TracerPid:\t0',
    `Uid:\t${t.uid}\t${t.euid}\t${t.suid}\t${t.fsuid}`,
    `Gid:\t${t.gid}\t${t.egid}\t${t.sgid}\t${t.fsgid}`,
    `FDSize:\t${maxFds(t)}`,
    // "Trailing space shouldn't have been added in the first place." (task_state)
    `Groups:\t${t.groups.join(' ')} `,
    `NStgid:\t${t.pid}`, `NSpid:\t${t.tid}`, `NSpgid:\t${t.pgrp}`, `NSsid:\t${t.sid}`,
    'Kthread:\t0',
  ].join('\n') + '\n';
  const mm = hasMm(t)
    ? taskMem(t.mm, { start: t.mm.startCode, end: t.mm.endCode }) +
      // signal->core_state is set only while vfs_coredump runs, when no guest code of the group runs to read it
      'CoreDumping:\t0\n' +
      `THP_enabled:\t${CONFIG.thp ? 1 : 0}\n` + 'untag_mask:\t0xffffffffffffffff\n'
    : '';
  const sig = [
    `Threads:\t${nthreads}`, `SigQ:\t${qsize}/${qlim === RLIM_INFINITY ? '18446744073709551615' : qlim}`,
    `SigPnd:\t${sigset(t.pending.signal)}`, `ShdPnd:\t${sigset(t.sharedPending.signal)}`,
    `SigBlk:\t${sigset(t.blocked)}`, `SigIgn:\t${sigset(ign)}`, `SigCgt:\t${sigset(cgt)}`,
    'CapInh:\t0000000000000000', `CapPrm:\t${caps(root ? CONFIG.capFull : 0n)}`, `CapEff:\t${caps(root ? CONFIG.capFull : 0n)}`,
    `CapBnd:\t${caps(CONFIG.capFull)}`, 'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0', ...(CONFIG.seccomp ? ['Seccomp:\t0', 'Seccomp_filters:\t0'] : []),
    `Speculation_Store_Bypass:\t${CONFIG.storeBypass}`, `SpeculationIndirectBranch:\t${CONFIG.indirectBranch}`,
    `Cpus_allowed:\t${bitmapHex((1n << BigInt(CONFIG.nrCpus)) - 1n, CONFIG.nrCpus)}`,
    `Cpus_allowed_list:\t${CONFIG.nrCpus === 1 ? '0' : `0-${CONFIG.nrCpus - 1}`}`,
    `Mems_allowed:\t${bitmapHex(1n, CONFIG.maxNumNodes)}`, 'Mems_allowed_list:\t0',
    // DIVERGENCE: context switches are not counted
    'voluntary_ctxt_switches:\t0', 'nonvoluntary_ctxt_switches:\t0',
  ].join('\n') + '\n';
  return lines + mm + sig;
}

/**
 * do_task_stat: 52 fields, "pid (comm) state ppid …". `whole` (/proc/PID/stat) sums the thread group and shows the
 * group exit code. esp/eip are 0 for a task that is not dumping core; the fault counters, the children's times
 * and the block-I/O delay are 0 (DIVERGENCE: not counted); utime is the virtual CPU time (stime 0).
 */
export function doTaskStat(k: Kernel, t: Task, whole: boolean): string {
  const mm = hasMm(t) ? t.mm : null;
  const { ign, cgt } = ignCatch(t);
  const nthreads = threadGroup(k, t).length;
  const state = taskState(t)[0];
  const cpuNs = k.clock.elapsed() - k.clock.sleptNs;
  const vsize = mm ? vmCounters(mm).total * 4096n : 0n;
  const rss = mm ? (() => { const r = rssCounters(mm); return r.anon + r.file; })() : 0n;
  const rsslim = t.rlim[5].cur; // RLIMIT_RSS
  const exitCode = whole && t.signal.flags & 0x4 /* SIGNAL_GROUP_EXIT */ ? t.signal.groupExitCode : 0;
  // wchan: 1 when the task is not running (and, for the whole group, it is alone)
  const wchan = (whole && nthreads >= 2) || taskState(t)[0] === 'R' ? 0 : 1;
  const low31 = (s: bigint): bigint => s & 0x7fffffffn;
  const f: (string | number | bigint)[] = [
    t.ppid, t.pgrp, t.sid, 0 /* tty_nr */, -1 /* tty_pgrp */, 0 /* flags */, 0, 0, 0, 0,
    clockT(cpuNs), 0, 0, 0, 20 /* priority */, 0 /* nice */, nthreads, 0,
    clockT(BOOT_OFFSET_NS) /* start_time: DIVERGENCE, every task started at boot + 1000 s */, vsize, rss,
    rsslim === RLIM_INFINITY ? '18446744073709551615' : rsslim,
    mm ? mm.startCode : 0, mm ? mm.endCode : 0, mm ? mm.startStack : 0, 0, 0,
    low31(t.pending.signal), low31(t.blocked), low31(ign), low31(cgt), wchan, 0, 0,
    t.exitSignal, 0 /* task_cpu */, 0, 0, 0, 0, 0,
    ...(mm ? [mm.startData, mm.endData, mm.startBrk, mm.argStart, mm.argEnd, mm.envStart, mm.envEnd] : [0, 0, 0, 0, 0, 0, 0]),
    exitCode,
  ];
  return `${t.tid} (${t.comm}) ${state} ${f.join(' ')}\n`;
}
