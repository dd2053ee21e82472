// The syscall table (include/uapi/asm-generic/unistd.h numbering, as arm64 uses it) and the process,
// identity, time and limit syscalls (kernel/sys.c, kernel/time/*.c, v6.17). Handlers return the value for
// x0: a result or -errno. Unknown numbers return -ENOSYS, as sys_ni_syscall does, and are traced.
import type { Kernel, Syscall, SyscallTable, SysResult } from './kernel.ts';
import { NO_RETURN } from './kernel.ts';
import { RLIM_NLIMITS, RLIMIT_STACK } from './task.ts';
import { copyFromUser, copyToUser, readU64 } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, EAGAIN, EINTR, EACCES, neg } from './errno.ts';
import { getTimespec } from './time.ts';
import { doGroupExit, doExit } from './exit.ts';

const ok = 0n;

// ---- identity & process --------------------------------------------------------------------------------
const getpid: Syscall = (k) => BigInt(k.task.pid);
const getppid: Syscall = (k) => BigInt(k.task.ppid);
const gettid: Syscall = (k) => BigInt(k.task.tid);
const getuid: Syscall = (k) => BigInt(k.task.uid);
const geteuid: Syscall = (k) => BigInt(k.task.euid);
const getgid: Syscall = (k) => BigInt(k.task.gid);
const getegid: Syscall = (k) => BigInt(k.task.egid);
/** find_task_by_vpid for a process id (0: the caller) */
const findProcess = (k: Kernel, pid: bigint) => {
  const id = Number(BigInt.asIntN(32, pid));
  return id === 0 ? k.task : k.tasks.find((t) => t.pid === id && t.exitState === null);
};
const getpgid: Syscall = (k, [pid]) => { const t = findProcess(k, pid); return t ? BigInt(t.pgrp) : neg(ESRCH); };
const getsid: Syscall = (k, [pid]) => { const t = findProcess(k, pid); return t ? BigInt(t.sid) : neg(ESRCH); };
/** setsid: not for a process group leader, nor when a group with our pid as its id exists. */
const setsid: Syscall = (k) => {
  const t = k.task;
  if (k.tasks.some((x) => x.exitState === null && x.pgrp === t.pid)) return neg(EPERM);
  t.signal.session = t.signal.pgrp = t.pid;
  return BigInt(t.pid);
};
/** setpgid (kernel/sys.c): the caller or a child of it that has not exec'd, within one session. */
const setpgid: Syscall = (k, [pidArg, pgidArg]) => {
  const me = k.task;
  const pid = Number(BigInt.asIntN(32, pidArg)) || me.pid;
  const pgid = Number(BigInt.asIntN(32, pgidArg)) || pid;
  if (pgid < 0) return neg(EINVAL);
  const p = k.tasks.find((t) => t.tid === pid && t.exitState === null);
  if (!p) return neg(ESRCH);
  if (p.leader !== p) return neg(EINVAL);
  if (p.parent === me.leader) {
    if (p.sid !== me.sid) return neg(EPERM);
    if (p.signal.didExec) return neg(EACCES);
  } else if (p.signal !== me.signal) return neg(ESRCH);
  if (p.sid === p.pid) return neg(EPERM); // a session leader stays in its group
  if (pgid !== pid && !k.tasks.some((t) => t.exitState === null && t.pgrp === pgid && t.sid === me.sid)) return neg(EPERM);
  p.signal.pgrp = pgid;
  return ok;
};

/** exit: this thread only (do_exit); the process ends with its last thread. */
const exit: Syscall = (k, [code]) => { doExit(k, Number(code & 0xffn) << 8); return NO_RETURN; };
const exitGroup: Syscall = (k, [code]) => { doGroupExit(k, Number(code & 0xffn) << 8); return NO_RETURN; };

const setTidAddress: Syscall = (k, [tidptr]) => { k.task.clearChildTid = tidptr; return BigInt(k.task.tid); };
const setRobustList: Syscall = (k, [head, len]) => {
  if (len !== 24n) return neg(EINVAL); // sizeof(struct robust_list_head)
  k.task.robustList = head;
  return ok;
};

// DIVERGENCE: rseq returns -ENOSYS, as on a kernel built without CONFIG_RSEQ (and no AT_RSEQ_* in the auxv):
// glibc then runs without restartable sequences, which a single-threaded emulated process does not need.
const rseq: Syscall = () => neg(ENOSYS);

export const UTS = { sysname: 'Linux', release: '6.17.0-arm64-fault', version: '#1 SMP PREEMPT_DYNAMIC', machine: 'aarch64' };
const uname: Syscall = (k, [buf]) => {
  const b = Buffer.alloc(6 * 65);
  [UTS.sysname, k.sysctl.hostname, UTS.release, UTS.version, UTS.machine, '(none)'].forEach((s, i) => b.write(s, i * 65));
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
function sleepFor(k: Kernel, req: bigint, rem: bigint): SysResult {
  const ns = getTimespec(k.mm, req);
  return ns < 0n ? ns : sleepNs(k, ns, rem);
}

/** hrtimer_nanosleep on virtual time: a signal interrupts it (-EINTR, the time left in rem). */
function sleepNs(k: Kernel, ns: bigint, rem: bigint): SysResult {
  const deadline = k.clock.elapsed() + ns;
  return {
    wait: true, reason: 'for its timeout', deadline, ready: () => false,
    finish: (why) => {
      if (why === 'timeout') return ok;
      const left = deadline - k.clock.elapsed();
      if (rem !== 0n) {
        const b = Buffer.alloc(16);
        b.writeBigInt64LE(left / 1_000_000_000n, 0);
        b.writeBigInt64LE(left % 1_000_000_000n, 8);
        if (!copyToUser(k.mm, rem, b)) return neg(EFAULT);
      }
      return neg(EINTR);
    },
  };
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
/** sched_yield: the next runnable task (if any) runs first. */
const schedYield: Syscall = (k) => ({ wait: true, reason: 'for its turn', deadline: k.clock.elapsed(), ready: () => false, finish: () => ok });

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

export const sysSyscalls: SyscallTable = {
  172: ['getpid', getpid], 173: ['getppid', getppid], 178: ['gettid', gettid], 174: ['getuid', getuid],
  175: ['geteuid', geteuid], 176: ['getgid', getgid], 177: ['getegid', getegid], 155: ['getpgid', getpgid],
  156: ['getsid', getsid], 157: ['setsid', setsid], 93: ['exit', exit], 94: ['exit_group', exitGroup], 154: ['setpgid', setpgid],
  96: ['set_tid_address', setTidAddress], 99: ['set_robust_list', setRobustList], 293: ['rseq', rseq],
  160: ['uname', uname], 261: ['prlimit64', prlimit64], 163: ['getrlimit', getrlimit], 164: ['setrlimit', setrlimit],
  113: ['clock_gettime', clockGettime], 114: ['clock_getres', clockGetres], 169: ['gettimeofday', gettimeofday],
  101: ['nanosleep', nanosleep], 115: ['clock_nanosleep', clockNanosleep], 124: ['sched_yield', schedYield],
  278: ['getrandom', getrandom], 165: ['getrusage', getrusage], 179: ['sysinfo', sysinfo], 98: ['futex', futex],
  167: ['prctl', prctl],
};
