// The syscall table (include/uapi/asm-generic/unistd.h numbering, as arm64 uses it) and the process,
// identity, time and limit syscalls (kernel/sys.c, kernel/time/*.c, v6.17). Handlers return the value for
// x0: a result or -errno. Unknown numbers return -ENOSYS, as sys_ni_syscall does, and are traced.
import type { Cpu } from '../cpu/cpu.ts';
import type { Mm } from '../mm/mm.ts';
import type { Task } from './task.ts';
import { RLIM_INFINITY, RLIM_NLIMITS, RLIMIT_STACK } from './task.ts';
import { copyFromUser, copyToUser, readU64 } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, EAGAIN, EINTR, neg } from './errno.ts';
import { fsSyscalls } from '../fs/open.ts';
import { mmSyscalls } from '../mm/mmap.ts';
import { itimerSyscalls } from './itimer.ts';
import { signalPending } from './signal.ts';
import { selectSyscalls } from '../fs/select.ts';
import { getTimespec, type Clock } from './time.ts';

/** What syscall handlers may use of the machine. */
export interface Kernel {
  task: Task;
  cpu: Cpu;
  mm: Mm;
  clock: Clock;
  root: string;
  /** read-only overlay looked up before the root (--sysroot), or null */
  sysroot?: string | null;
  hostname: string;
  /** deterministic bytes for getrandom */
  randomBytes(n: number): Buffer;
  /** exit_group / exit: ends the process with exit_code (status & 0xff) << 8 */
  doGroupExit(code: number): void;
  trace(name: string, data: Record<string, unknown>): void;
  /**
   * Sleeps ns of virtual time (null: forever), firing the interval timers that expire meanwhile, until wake()
   * says a signal ended the wait. Returns the time left (0 when slept in full), or null when an endless wait
   * has nothing that could end it.
   */
  sleepInterruptible?(ns: bigint | null, wake: () => boolean): bigint | null;
}

/** Returned by handlers that set the registers themselves (rt_sigreturn) or ended the task. */
export const NO_RETURN = Symbol('no-return');
export type SysResult = bigint | typeof NO_RETURN;
export type Syscall = (k: Kernel, a: bigint[]) => SysResult;

const ok = 0n;

// ---- identity & process --------------------------------------------------------------------------------
const getpid: Syscall = (k) => BigInt(k.task.pid);
const getppid: Syscall = (k) => BigInt(k.task.ppid);
const gettid: Syscall = (k) => BigInt(k.task.tid);
const getuid: Syscall = (k) => BigInt(k.task.uid);
const geteuid: Syscall = (k) => BigInt(k.task.euid);
const getgid: Syscall = (k) => BigInt(k.task.gid);
const getegid: Syscall = (k) => BigInt(k.task.egid);
const getpgid: Syscall = (k, [pid]) => (pid === 0n || pid === BigInt(k.task.pid) ? BigInt(k.task.pgrp) : neg(ESRCH));
const getsid: Syscall = (k, [pid]) => (pid === 0n || pid === BigInt(k.task.pid) ? BigInt(k.task.sid) : neg(ESRCH));
const setsid: Syscall = (k) => (k.task.pgrp === k.task.pid ? neg(EPERM) : BigInt((k.task.sid = k.task.pgrp = k.task.pid)));

const exit: Syscall = (k, [code]) => { k.doGroupExit(Number(code & 0xffn)); return NO_RETURN; };

const setTidAddress: Syscall = (k, [tidptr]) => { k.task.clearChildTid = tidptr; return BigInt(k.task.tid); };
const setRobustList: Syscall = (k, [head, len]) => {
  if (len !== 24n) return neg(EINVAL); // sizeof(struct robust_list_head)
  k.task.robustList = head;
  return ok;
};

// DIVERGENCE: rseq returns -ENOSYS, as on a kernel built without CONFIG_RSEQ (and no AT_RSEQ_* in the auxv):
// glibc then runs without restartable sequences, which a single-threaded emulated process does not need.
const rseq: Syscall = () => neg(ENOSYS);

const UTS = { sysname: 'Linux', release: '6.17.0-arm64-fault', version: '#1 SMP PREEMPT_DYNAMIC', machine: 'aarch64' };
const uname: Syscall = (k, [buf]) => {
  const b = Buffer.alloc(6 * 65);
  [UTS.sysname, k.hostname, UTS.release, UTS.version, UTS.machine, '(none)'].forEach((s, i) => b.write(s, i * 65));
  return copyToUser(k.mm, buf, b) ? ok : neg(EFAULT);
};

// ---- limits ------------------------------------------------------------------------------------------------
function doPrlimit(k: Kernel, resource: number, newp: bigint, oldp: bigint): bigint {
  if (resource < 0 || resource >= RLIM_NLIMITS) return neg(EINVAL);
  const cur = k.task.rlim[resource];
  let next: { cur: bigint; max: bigint } | null = null;
  if (newp !== 0n) {
    const b = copyFromUser(k.mm, newp, 16);
    if (!b) return neg(EFAULT);
    next = { cur: b.readBigUInt64LE(0), max: b.readBigUInt64LE(8) };
    if (next.cur > next.max) return neg(EINVAL);
    // raising the hard limit needs CAP_SYS_RESOURCE
    if (next.max > cur.max && k.task.euid !== 0) return neg(EPERM);
  }
  if (oldp !== 0n) {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(cur.cur, 0);
    b.writeBigUInt64LE(cur.max, 8);
    if (!copyToUser(k.mm, oldp, b)) return neg(EFAULT);
  }
  if (next) {
    k.task.rlim[resource] = next;
    if (resource === RLIMIT_STACK) k.mm.rlimitStack = next.cur;
  }
  return ok;
}
const prlimit64: Syscall = (k, [pid, res, newp, oldp]) =>
  pid !== 0n && pid !== BigInt(k.task.pid) ? neg(ESRCH) : doPrlimit(k, Number(res), newp, oldp);
const getrlimit: Syscall = (k, [res, oldp]) => doPrlimit(k, Number(res), 0n, oldp === 0n ? 1n : oldp);
const setrlimit: Syscall = (k, [res, newp]) => doPrlimit(k, Number(res), newp === 0n ? 1n : newp, 0n);

// ---- time ------------------------------------------------------------------------------------------------
function putTimespec(k: Kernel, addr: bigint, ns: bigint): boolean {
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(ns / 1_000_000_000n, 0);
  b.writeBigInt64LE(ns % 1_000_000_000n, 8);
  return copyToUser(k.mm, addr, b);
}
const clockGettime: Syscall = (k, [clk, tp]) => {
  const ns = k.clock.read(Number(clk));
  if (ns === null) return neg(EINVAL);
  return putTimespec(k, tp, ns) ? ok : neg(EFAULT);
};
const clockGetres: Syscall = (k, [clk, tp]) => {
  if (k.clock.read(Number(clk)) === null) return neg(EINVAL);
  return tp === 0n || putTimespec(k, tp, 1n) ? ok : neg(EFAULT);
};
const gettimeofday: Syscall = (k, [tv, tz]) => {
  const ns = k.clock.read(0)!;
  if (tv !== 0n) {
    const b = Buffer.alloc(16);
    b.writeBigInt64LE(ns / 1_000_000_000n, 0);
    b.writeBigInt64LE((ns % 1_000_000_000n) / 1000n, 8);
    if (!copyToUser(k.mm, tv, b)) return neg(EFAULT);
  }
  if (tz !== 0n && !copyToUser(k.mm, tz, Buffer.alloc(8))) return neg(EFAULT);
  return ok;
};
function sleepFor(k: Kernel, req: bigint, rem: bigint): bigint {
  const ns = getTimespec(k.mm, req);
  return ns < 0n ? ns : sleepNs(k, ns, rem);
}

/** hrtimer_nanosleep on virtual time: a timer's signal interrupts it (-EINTR, time left in rem). */
function sleepNs(k: Kernel, ns: bigint, rem: bigint): bigint {
  if (!k.sleepInterruptible) {
    k.clock.sleep(ns); // virtual time: sleeping takes no host time
    return ok;
  }
  const left = k.sleepInterruptible(ns, () => signalPending(k.task)) ?? 0n;
  if (left === 0n) return ok;
  if (rem !== 0n) {
    const b = Buffer.alloc(16);
    b.writeBigInt64LE(left / 1_000_000_000n, 0);
    b.writeBigInt64LE(left % 1_000_000_000n, 8);
    if (!copyToUser(k.mm, rem, b)) return neg(EFAULT);
  }
  return neg(EINTR);
}

const nanosleep: Syscall = (k, [req, rem]) => sleepFor(k, req, rem);
const clockNanosleep: Syscall = (k, [clk, flags, req, rem]) => {
  if (k.clock.read(Number(clk)) === null) return neg(EINVAL);
  if (flags & 1n) { // TIMER_ABSTIME
    const until = getTimespec(k.mm, req);
    if (until < 0n) return until;
    const now = k.clock.read(Number(clk))!;
    return until > now ? sleepNs(k, until - now, 0n) : ok;
  }
  return sleepFor(k, req, rem);
};
const schedYield: Syscall = () => ok;

const getrandom: Syscall = (k, [buf, len, flags]) => {
  if (flags & ~7n) return neg(EINVAL);
  const n = Number(len > 33554431n ? 33554431n : len);
  return copyToUser(k.mm, buf, k.randomBytes(n)) ? BigInt(n) : neg(EFAULT);
};

const getrusage: Syscall = (k, [who, ru]) => {
  if (who !== 0n && who !== 0xffffffffffffffffn && who !== 1n) return neg(EINVAL);
  return copyToUser(k.mm, ru, Buffer.alloc(144)) ? ok : neg(EFAULT);
};
const sysinfo: Syscall = (k, [info]) => {
  const b = Buffer.alloc(112);
  b.writeBigInt64LE(k.clock.read(1)! / 1_000_000_000n, 0);
  b.writeBigUInt64LE(24n << 30n, 32); // totalram
  b.writeBigUInt64LE(16n << 30n, 40); // freeram
  b.writeUInt16LE(1, 80); //            procs
  b.writeUInt32LE(1, 104); //           mem_unit
  return copyToUser(k.mm, info, b) ? ok : neg(EFAULT);
};

// prctl (kernel/sys.c): the options a faulting program is studied with.
const PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_GET_NAME = 16;
const prctl: Syscall = (k, [option, arg2]) => {
  switch (Number(option)) {
    case PR_GET_DUMPABLE:
      return BigInt(k.task.dumpable);
    case PR_SET_DUMPABLE: // only SUID_DUMP_DISABLE and SUID_DUMP_USER: 2 is for fs.suid_dumpable
      if (arg2 !== 0n && arg2 !== 1n) return neg(EINVAL);
      k.task.dumpable = Number(arg2) as 0 | 1;
      return ok;
    case PR_SET_NAME: {
      const b = copyFromUser(k.mm, arg2, 16);
      if (!b) return neg(EFAULT);
      const z = b.indexOf(0);
      k.task.comm = b.subarray(0, z < 0 ? 15 : Math.min(z, 15)).toString('latin1');
      return ok;
    }
    case PR_GET_NAME: {
      const b = Buffer.alloc(16);
      b.write(k.task.comm, 'latin1');
      return copyToUser(k.mm, arg2, b) ? ok : neg(EFAULT);
    }
    default:
      k.trace('prctl_unsupported', { option: Number(option) });
      return neg(EINVAL);
  }
};

const futex: Syscall = (k, [uaddr, op]) => {
  const cmd = Number(op & 0x7fn);
  if (cmd === 1 /* FUTEX_WAKE */) return ok;
  if (cmd === 0 /* FUTEX_WAIT */) {
    // one thread: nobody could wake us; a real kernel would block forever unless the value differs
    return readU64(k.mm, uaddr) === null ? neg(EFAULT) : neg(EAGAIN);
  }
  return neg(ENOSYS);
};

export const NR = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, faccessat: 48,
  openat: 56, close: 57, getdents64: 61, lseek: 62, read: 63, write: 64, readv: 65, writev: 66, pread64: 67,
  pwrite64: 68, readlinkat: 78, newfstatat: 79, fstat: 80, exit: 93, exit_group: 94, set_tid_address: 96,
  futex: 98, set_robust_list: 99, nanosleep: 101, getitimer: 102, setitimer: 103, clock_gettime: 113,
  clock_getres: 114, clock_nanosleep: 115, sched_yield: 124, kill: 129, tkill: 130, tgkill: 131,
  sigaltstack: 132, rt_sigsuspend: 133, rt_sigaction: 134, rt_sigprocmask: 135, rt_sigpending: 136,
  rt_sigtimedwait: 137, rt_sigqueueinfo: 138, rt_sigreturn: 139, uname: 160, getrlimit: 163, setrlimit: 164,
  getrusage: 165, umask: 166, prctl: 167, gettimeofday: 169, getpid: 172, getppid: 173, getuid: 174,
  geteuid: 175, getgid: 176, getegid: 177, gettid: 178, sysinfo: 179, brk: 214, munmap: 215, mremap: 216,
  mmap: 222, mprotect: 226, madvise: 233, rt_tgsigqueueinfo: 240, prlimit64: 261, getrandom: 278, rseq: 293,
  getpgid: 155, getsid: 156, setsid: 157, alarm: -1,
} as const;

export const syscallTable: Record<number, [string, Syscall]> = {
  [NR.getpid]: ['getpid', getpid], [NR.getppid]: ['getppid', getppid], [NR.gettid]: ['gettid', gettid],
  [NR.getuid]: ['getuid', getuid], [NR.geteuid]: ['geteuid', geteuid], [NR.getgid]: ['getgid', getgid],
  [NR.getegid]: ['getegid', getegid], [NR.getpgid]: ['getpgid', getpgid], [NR.getsid]: ['getsid', getsid],
  [NR.setsid]: ['setsid', setsid], [NR.exit]: ['exit', exit], [NR.exit_group]: ['exit_group', exit],
  [NR.set_tid_address]: ['set_tid_address', setTidAddress], [NR.set_robust_list]: ['set_robust_list', setRobustList],
  [NR.rseq]: ['rseq', rseq], [NR.uname]: ['uname', uname], [NR.prlimit64]: ['prlimit64', prlimit64],
  [NR.getrlimit]: ['getrlimit', getrlimit], [NR.setrlimit]: ['setrlimit', setrlimit],
  [NR.clock_gettime]: ['clock_gettime', clockGettime], [NR.clock_getres]: ['clock_getres', clockGetres],
  [NR.gettimeofday]: ['gettimeofday', gettimeofday], [NR.nanosleep]: ['nanosleep', nanosleep],
  [NR.clock_nanosleep]: ['clock_nanosleep', clockNanosleep], [NR.sched_yield]: ['sched_yield', schedYield],
  [NR.getrandom]: ['getrandom', getrandom], [NR.getrusage]: ['getrusage', getrusage], [NR.sysinfo]: ['sysinfo', sysinfo],
  [NR.futex]: ['futex', futex], [NR.prctl]: ['prctl', prctl],
  ...fsSyscalls,
  ...mmSyscalls,
  ...itimerSyscalls,
  ...selectSyscalls,
};

/** Adds handlers from other subsystems (signals, prctl…) without this file importing them. */
export function registerSyscalls(entries: Record<number, [string, Syscall]>): void {
  Object.assign(syscallTable, entries);
}

export { RLIM_INFINITY };
