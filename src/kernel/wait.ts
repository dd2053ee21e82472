// Mirrors kernel/exit.c's do_wait (v6.17): wait4 and waitid over the children of the calling process, with
// the selection by pid / process group, WNOHANG / WUNTRACED / WCONTINUED / WNOWAIT, the zombie reaped
// (release_task) and the status or siginfo a parent reads. A wait with nothing to report sleeps until a child
// changes state (the task waits; other tasks run).
import type { Kernel, Syscall, SyscallTable, SysResult } from './kernel.ts';
import type { Task } from './task.ts';
import { SIGNAL_GROUP_EXIT } from './task.ts';
import { releaseTask, threadsOf } from './exit.ts';
import { copyToUser } from '../mm/uaccess.ts';
import { copySiginfoToUser } from './siginfo.ts';
import { SIGCHLD, CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED } from './sigdefs.ts';
import { ECHILD, EINVAL, EFAULT, ERESTARTSYS, ESRCH, neg } from './errno.ts';

export const WNOHANG = 1, WUNTRACED = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000;
const __WNOTHREAD = 0x20000000, __WALL = 0x40000000, __WCLONE = 0x80000000;
const P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;

interface WaitOpts {
  type: 'all' | 'pid' | 'pgid';
  id: number;
  flags: number;
}

/** What wait found: the child and the state change it reports. */
interface Found { child: Task; how: 'exit' | 'stop' | 'cont' }

/** The wait status of a dead child: do_exit's code, or the group's when the group exited. */
const exitStatus = (c: Task): number => (c.signal.flags & SIGNAL_GROUP_EXIT ? c.signal.groupExitCode : c.exitCode);

/** eligible_pid + eligible_child: the children of the process of `waiter` that the selection names. */
function children(k: Kernel, waiter: Task, wo: WaitOpts): Task[] {
  const me = waiter.leader;
  return k.tasks.filter((c) => c.parent === me && c.leader === c && c.exitState !== 'dead' &&
    (wo.type === 'all' || (wo.type === 'pid' ? c.pid === wo.id : c.pgrp === wo.id)) &&
    // __WCLONE selects the children whose exit signal is not SIGCHLD; __WALL both
    (wo.flags & __WALL || ((c.exitSignal !== SIGCHLD) === ((wo.flags & __WCLONE) !== 0))));
}

/** wait_consider_task: a zombie whose threads are all gone, a stop not yet reported, a continue. */
function findChange(k: Kernel, wo: WaitOpts, list: Task[]): Found | null {
  for (const c of list) {
    if (wo.flags & WEXITED && c.exitState === 'zombie' && threadsOf(k, c).length === 0) return { child: c, how: 'exit' };
    if (wo.flags & WSTOPPED && c.signal.stopReport) return { child: c, how: 'stop' };
    if (wo.flags & WCONTINUED && c.signal.contReport) return { child: c, how: 'cont' };
  }
  return null;
}

/** Reports (and for an exit, unless WNOWAIT, reaps) the change; the caller writes it to the user. */
function consume(k: Kernel, wo: WaitOpts, f: Found): { status: number; info: { code: number; status: number } } {
  const c = f.child;
  const keep = (wo.flags & WNOWAIT) !== 0;
  if (f.how === 'stop') {
    const sig = c.signal.stopSignal;
    if (!keep) c.signal.stopReport = false;
    return { status: (sig << 8) | 0x7f, info: { code: CLD_STOPPED, status: sig } };
  }
  if (f.how === 'cont') {
    if (!keep) c.signal.contReport = false;
    return { status: 0xffff, info: { code: CLD_CONTINUED, status: SIGCHLD } };
  }
  const st = exitStatus(c);
  if (!keep) releaseTask(k, c);
  const info = st & 0x80 ? { code: CLD_DUMPED, status: st & 0x7f } : st & 0x7f ? { code: CLD_KILLED, status: st & 0x7f }
    : { code: CLD_EXITED, status: (st >> 8) & 0xff };
  return { status: st, info };
}

/**
 * do_wait: report a change now, 0 for WNOHANG, -ECHILD without eligible children, or sleep until a child
 * changes state (-ERESTARTSYS when a signal ends the sleep).
 */
function doWait(k: Kernel, wo: WaitOpts, report: (f: Found | null) => bigint): SysResult {
  // the waiter: ready() is asked while other tasks are current
  const waiter = k.task;
  const attempt = (): bigint | null => {
    const list = children(k, waiter, wo);
    if (list.length === 0) return neg(ECHILD);
    const f = findChange(k, wo, list);
    if (f) return report(f);
    return wo.flags & WNOHANG ? report(null) : null;
  };
  const now = attempt();
  if (now !== null) return now;
  return {
    wait: true, reason: wo.type === 'pid' ? `for child ${wo.id}` : 'for a child', deadline: null,
    ready: () => {
      const list = children(k, waiter, wo);
      return list.length === 0 || findChange(k, wo, list) !== null;
    },
    finish: (why) => (why === 'ready' ? attempt() ?? neg(ERESTARTSYS) : neg(ERESTARTSYS)),
  };
}

const i32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** wait4(pid, wstatus, options, rusage): the rusage is all zeros (no accounting of CPU time per process). */
const wait4: Syscall = (k, [pidArg, ustatus, options, urusage]) => {
  const opts = Number(options & 0xffffffffn);
  if (opts & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return neg(EINVAL);
  const pid = i32(pidArg);
  // -INT_MIN would overflow: Linux refuses it
  if (pid === -0x80000000) return neg(ESRCH);
  const wo: WaitOpts = pid < -1 ? { type: 'pgid', id: -pid, flags: opts | WEXITED }
    : pid === -1 ? { type: 'all', id: 0, flags: opts | WEXITED }
      : pid === 0 ? { type: 'pgid', id: k.task.pgrp, flags: opts | WEXITED } : { type: 'pid', id: pid, flags: opts | WEXITED };
  return doWait(k, wo, (f) => {
    if (!f) return 0n;
    const pidOf = f.child.pid;
    const { status } = consume(k, wo, f);
    if (ustatus !== 0n) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(status);
      if (!copyToUser(k.mm, ustatus, b)) return neg(EFAULT);
    }
    if (urusage !== 0n && !copyToUser(k.mm, urusage, Buffer.alloc(144))) return neg(EFAULT);
    return BigInt(pidOf);
  });
};

/** waitid(idtype, id, infop, options, rusage): the child's state in a siginfo, 0 on success. */
const waitid: Syscall = (k, [which, idArg, infop, options, urusage]) => {
  const opts = Number(options & 0xffffffffn);
  if (opts & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return neg(EINVAL);
  if (!(opts & (WEXITED | WSTOPPED | WCONTINUED))) return neg(EINVAL);
  const id = i32(idArg);
  let wo: WaitOpts;
  switch (Number(which)) {
    case P_ALL: wo = { type: 'all', id: 0, flags: opts }; break;
    case P_PID: if (id <= 0) return neg(EINVAL); wo = { type: 'pid', id, flags: opts }; break;
    case P_PGID: if (id < 0) return neg(EINVAL); wo = { type: 'pgid', id: id || k.task.pgrp, flags: opts }; break;
    case P_PIDFD:
      k.notice('unsupported', { what: 'waitid(P_PIDFD): pidfds are not emulated', errno: EINVAL });
      return neg(EINVAL);
    default: return neg(EINVAL);
  }
  return doWait(k, wo, (f) => {
    let info = { signo: 0, errno: 0, code: 0, pid: 0, uid: 0, status: 0, utime: 0n, stime: 0n };
    if (f) {
      const { pid, uid } = f.child;
      info = { ...info, signo: SIGCHLD, pid, uid, ...consume(k, wo, f).info };
    }
    if (infop !== 0n && !copyToUser(k.mm, infop, copySiginfoToUser(info))) return neg(EFAULT);
    if (urusage !== 0n && !copyToUser(k.mm, urusage, Buffer.alloc(144))) return neg(EFAULT);
    return 0n;
  });
};

export const waitSyscalls: SyscallTable = { 260: ['wait4', wait4], 95: ['waitid', waitid] };
