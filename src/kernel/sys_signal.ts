// The signal syscalls of kernel/signal.c (v6.17): rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// sigaltstack, kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigtimedwait. The semantics they
// use live in signal.ts; rt_sigreturn (139) is arch/arm64/signal.ts's.
import type { Kernel, SysResult, SyscallTable } from './kernel.ts';
import { getTimespec } from './time.ts';
import type { KSigaction, Task } from './task.ts';
import type { KernelSiginfo } from './siginfo.ts';
import { copySiginfoToUser, siginfoFromUser, postCopySiginfoFromUser, KERNEL_SIGINFO_SIZE, SI_MAX_SIZE } from './siginfo.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EAGAIN, EFAULT, EINVAL, EPERM, ESRCH, ERESTARTNOHAND, neg, EINTR } from './errno.ts';
import {
  _NSIG, SI_USER, SI_TKILL, SI_QUEUE, SIGCONT, SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, UAPI_SA_FLAGS, MINSIGSTKSZ, SA_IMMUTABLE, sigmask,
} from './sigdefs.ts';
import {
  ALL, SIG_KILL_STOP, type SignalSource, type StackT, decodeStackT, dequeueSignal, doSigaltstack,
  encodeStackT, flushSigqueueMask, sendSignal, setCurrentBlocked, sigHandlerIgnored,
  signalPending, validSignal,
} from './signal.ts';

// ---- syscalls ----------------------------------------------------------------------------------------------
type SigSyscall = (k: Kernel, a: bigint[]) => SysResult;
const i32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const getSet = (k: Kernel, addr: bigint): bigint | null => copyFromUser(k.mm, addr, 8)?.readBigUInt64LE() ?? null;
const setBuf = Buffer.alloc(8); // copyToUser is done with it when it returns
const putSet = (k: Kernel, addr: bigint, set: bigint, size = 8): boolean => {
  setBuf.writeBigUInt64LE(set & ALL);
  return copyToUser(k.mm, addr, size === 8 ? setBuf : setBuf.subarray(0, size));
};

/** rt_sigaction + do_sigaction. struct sigaction: handler @0, flags (unsigned long) @8, restorer @16, mask @24. */
const rtSigaction: SigSyscall = (k, [sigArg, act, oact, sigsetsize]) => {
  if (sigsetsize !== 8n) return neg(EINVAL);
  let next: KSigaction | null = null;
  if (act !== 0n) {
    const b = copyFromUser(k.mm, act, 32);
    if (!b) return neg(EFAULT);
    // unknown flag bits (SA_UNSUPPORTED included) are cleared so userspace can probe for support
    next = { handler: b.readBigUInt64LE(0), flags: Number(b.readBigUInt64LE(8) & BigInt(UAPI_SA_FLAGS)),
      restorer: b.readBigUInt64LE(16), mask: b.readBigUInt64LE(24) & ~SIG_KILL_STOP };
  }
  const sig = i32(sigArg);
  if (sig < 1 || sig > _NSIG || (next && (sigmask(sig) & SIG_KILL_STOP))) return neg(EINVAL);
  const t = k.task;
  const cur = t.action[sig];
  if (cur.flags & SA_IMMUTABLE) return neg(EINVAL);
  const old = { ...cur, flags: (cur.flags & UAPI_SA_FLAGS) >>> 0 };
  if (next) {
    t.action[sig] = next;
    // POSIX 3.3.1.3: setting SIG_IGN (or SIG_DFL of an ignore-by-default signal) discards it, blocked or not
    if (sigHandlerIgnored(next.handler, sig)) {
      flushSigqueueMask(t.sharedPending, sigmask(sig));
      flushSigqueueMask(t.pending, sigmask(sig));
    }
  }
  if (oact !== 0n) {
    const b = Buffer.alloc(32);
    b.writeBigUInt64LE(old.handler & ALL, 0);
    b.writeBigUInt64LE(BigInt(old.flags), 8);
    b.writeBigUInt64LE(old.restorer & ALL, 16);
    b.writeBigUInt64LE(old.mask & ALL, 24);
    if (!copyToUser(k.mm, oact, b)) return neg(EFAULT);
  }
  return 0n;
};

const rtSigprocmask: SigSyscall = (k, [how, nset, oset, sigsetsize]) => {
  if (sigsetsize !== 8n) return neg(EINVAL);
  const t = k.task;
  const old = t.blocked;
  if (nset !== 0n) {
    const raw = getSet(k, nset);
    if (raw === null) return neg(EFAULT);
    const set = raw & ~SIG_KILL_STOP;
    const h = i32(how);
    if (h === SIG_BLOCK) setCurrentBlocked(t, t.blocked | set);
    else if (h === SIG_UNBLOCK) setCurrentBlocked(t, t.blocked & ~set);
    else if (h === SIG_SETMASK) setCurrentBlocked(t, set);
    else return neg(EINVAL);
  }
  if (oset !== 0n && !putSet(k, oset, old)) return neg(EFAULT);
  return 0n;
};

const rtSigpending: SigSyscall = (k, [uset, sigsetsize]) => {
  if (sigsetsize > 8n) return neg(EINVAL);
  const t = k.task;
  const set = (t.pending.signal | t.sharedPending.signal) & t.blocked;
  return putSet(k, uset, set, Number(sigsetsize)) ? 0n : neg(EFAULT);
};

/**
 * rt_sigsuspend: returns -ERESTARTNOHAND with task.savedSigmask set (set_restore_sigmask); arm64 doSignal then
 * turns it into -EINTR when a handler runs, or restarts the syscall and restores the mask when none does.
 */
const rtSigsuspend: SigSyscall = (k, [unewset, sigsetsize]) => {
  if (sigsetsize !== 8n) return neg(EINVAL);
  const set = getSet(k, unewset);
  if (set === null) return neg(EFAULT);
  const t = k.task;
  t.savedSigmask = t.blocked;
  setCurrentBlocked(t, set);
  if (signalPending(t)) return neg(ERESTARTNOHAND);
  return { wait: true, reason: 'for a signal', deadline: null, ready: () => false, finish: () => neg(ERESTARTNOHAND) };
}

const sigaltstack: SigSyscall = (k, [uss, uoss]) => {
  let ss: StackT | null = null;
  if (uss !== 0n) {
    const b = copyFromUser(k.mm, uss, 24);
    if (!b) return neg(EFAULT);
    ss = decodeStackT(b);
  }
  const old = doSigaltstack(k.task, ss, k.cpu.sp, MINSIGSTKSZ);
  if (typeof old === 'number') return BigInt(old);
  return uoss === 0n || copyToUser(k.mm, uoss, encodeStackT(old)) ? 0n : neg(EFAULT);
};

/** prepare_kill_siginfo: SI_USER (kill) or SI_TKILL (tkill/tgkill) with the sender's tgid and real uid. */
const killInfo = (k: Kernel, sig: number, code: number): KernelSiginfo =>
  ({ signo: sig, errno: 0, code, pid: k.task.pid, uid: k.task.uid });

/**
 * check_kill_permission + kill_ok_by_cred: the sender's uid or euid is the target's uid or saved uid, or the
 * sender is root (CAP_KILL), or SIGCONT within one session.
 */
function killPermitted(k: Kernel, sig: number, info: KernelSiginfo, t: Task): boolean {
  if (info.code !== SI_USER && info.code !== SI_TKILL && info.code < 0 && info.code !== SI_QUEUE) return true;
  const c = k.task;
  if (c.signal === t.signal || c.euid === 0) return true;
  if (c.euid === t.suid || c.euid === t.uid || c.uid === t.suid || c.uid === t.uid) return true;
  return sig === SIGCONT && c.sid === t.sid;
}

/** group_send_sig_info / do_send_specific's tail: permission, then send unless sig is 0. */
function sendChecked(k: Kernel, sig: number, info: KernelSiginfo, type: 'pid' | 'tgid', source: SignalSource,
  t: Task = k.task): bigint {
  if (!validSignal(sig)) return neg(EINVAL);
  if (!killPermitted(k, sig, info, t)) return neg(EPERM);
  if (sig !== 0) sendSignal(k, info, type, source, t);
  return 0n;
}

/** The live processes (their group leaders, or the first live thread when the leader is gone). */
const processes = (k: Kernel): Task[] => k.tasks.filter((t) => t.leader === t && t.exitState !== 'dead' &&
  k.tasks.some((x) => x.signal === t.signal && x.exitState === null));

/** kill_something_info: pid > 0 one process, 0 the caller's group, -1 all but init and the caller, < -1 a group. */
const kill: SigSyscall = (k, [pidArg, sigArg]) => {
  const pid = i32(pidArg);
  const sig = i32(sigArg);
  if (!validSignal(sig)) return neg(EINVAL);
  if (pid === -2147483648) return neg(ESRCH); // -INT_MIN is undefined
  const info = killInfo(k, sig, SI_USER);
  const targetOf = (p: Task) => k.tasks.find((x) => x.signal === p.signal && x.exitState === null) ?? p;
  if (pid > 0) {
    const p = processes(k).find((x) => x.pid === pid);
    return p ? sendChecked(k, sig, info, 'tgid', 'kill', targetOf(p)) : neg(ESRCH);
  }
  const group = pid === 0 ? k.task.pgrp : -pid;
  const list = processes(k).filter((p) => (pid === -1 ? p.signal !== k.task.signal && p !== k.init : p.pgrp === group));
  if (list.length === 0) return neg(ESRCH);
  // __kill_pgrp_info / kill(-1): success if any send succeeded, else the last error
  let ret = neg(EPERM);
  let any = false;
  for (const p of list) {
    const r = sendChecked(k, sig, info, 'tgid', 'kill', targetOf(p));
    if (r === 0n) any = true;
    else ret = r;
  }
  return any ? 0n : ret;
};

/** do_send_specific: the thread `pid`, which must belong to tgid when tgid > 0. */
function doSendSpecific(k: Kernel, tgid: number, pid: number, sig: number, info: KernelSiginfo,
  source: SignalSource): bigint {
  const t = k.tasks.find((x) => x.tid === pid && x.exitState === null);
  if (!t || (tgid > 0 && tgid !== t.pid)) return neg(ESRCH);
  return sendChecked(k, sig, info, 'pid', source, t);
}

const tkill: SigSyscall = (k, [pidArg, sigArg]) => {
  const pid = i32(pidArg);
  const sig = i32(sigArg);
  return pid <= 0 ? neg(EINVAL) : doSendSpecific(k, 0, pid, sig, killInfo(k, sig, SI_TKILL), 'tkill');
};

const tgkill: SigSyscall = (k, [tgidArg, pidArg, sigArg]) => {
  const [tgid, pid, sig] = [i32(tgidArg), i32(pidArg), i32(sigArg)];
  if (pid <= 0 || tgid <= 0) return neg(EINVAL);
  return doSendSpecific(k, tgid, pid, sig, killInfo(k, sig, SI_TKILL), 'tkill');
};

/** __copy_siginfo_from_user(signo, …): the syscall's sig wins over si_signo. */
function copySiginfoFromUserSig(k: Kernel, sig: number, uinfo: bigint): KernelSiginfo | bigint {
  const head = copyFromUser(k.mm, uinfo, KERNEL_SIGINFO_SIZE);
  if (!head) return neg(EFAULT);
  const full = Buffer.alloc(SI_MAX_SIZE);
  head.copy(full);
  const info = siginfoFromUser(full, sig);
  if (postCopySiginfoFromUser(info, full) !== 0) {
    // unknown layout: the expansion bytes must be readable and zero
    const all = copyFromUser(k.mm, uinfo, SI_MAX_SIZE);
    if (!all) return neg(EFAULT);
    const err = postCopySiginfoFromUser(info, all);
    if (err !== 0) return BigInt(err);
  }
  return info;
}

/** "Not even root can pretend to send signals from the kernel. Nor can they impersonate a kill()/tgkill()" */
const impersonates = (k: Kernel, info: KernelSiginfo, pid: number): boolean =>
  (info.code >= 0 || info.code === SI_TKILL) && pid !== k.task.tid;

const rtSigqueueinfo: SigSyscall = (k, [pidArg, sigArg, uinfo]) => {
  const pid = i32(pidArg);
  const sig = i32(sigArg);
  const info = copySiginfoFromUserSig(k, sig, uinfo);
  if (typeof info === 'bigint') return info;
  if (impersonates(k, info, pid)) return neg(EPERM);
  const p = processes(k).find((x) => x.pid === pid);
  return p ? sendChecked(k, sig, info, 'tgid', 'sigqueue', p) : neg(ESRCH);
};

const rtTgsigqueueinfo: SigSyscall = (k, [tgidArg, pidArg, sigArg, uinfo]) => {
  const [tgid, pid, sig] = [i32(tgidArg), i32(pidArg), i32(sigArg)];
  const info = copySiginfoFromUserSig(k, sig, uinfo);
  if (typeof info === 'bigint') return info;
  if (pid <= 0 || tgid <= 0) return neg(EINVAL);
  if (impersonates(k, info, pid)) return neg(EPERM);
  return doSendSpecific(k, tgid, pid, sig, info, 'sigqueue');
};

/** rt_sigtimedwait / do_sigtimedwait: a waited-for signal is dequeued, another one interrupts (-EINTR), the
 *  timeout gives -EAGAIN. */
const rtSigtimedwait: SigSyscall = (k, [uthese, uinfo, uts, sigsetsize]) => {
  if (sigsetsize !== 8n) return neg(EINVAL);
  const these = getSet(k, uthese);
  if (these === null) return neg(EFAULT);
  let timeout: bigint | null = null;
  if (uts !== 0n) {
    timeout = getTimespec(k.mm, uts);
    if (timeout < 0n) return timeout;
  }
  const t = k.task;
  const mask = ~(these & ~SIG_KILL_STOP) & ALL; // the signals NOT waited for count as blocked
  let info = dequeueSignal(t, mask);
  const done = (): bigint => {
    if (uinfo !== 0n && !copyToUser(k.mm, uinfo, copySiginfoToUser(info!))) return neg(EFAULT);
    return BigInt(info!.signo);
  };
  if (info) return done();
  if (timeout === 0n) return neg(EAGAIN);
  return {
    wait: true, reason: `for signals 0x${(these & ALL).toString(16)}`,
    deadline: timeout === null ? null : k.clock.elapsed() + timeout,
    ready: () => ((t.pending.signal | t.sharedPending.signal) & ~mask & ALL) !== 0n,
    finish: (why) => ((info = dequeueSignal(t, mask)) ? done() : why === 'timeout' ? neg(EAGAIN) : neg(EINTR)),
  };
};

/** Syscalls of kernel/signal.c (rt_sigreturn is arch/arm64/signal.ts's). */
export const signalSyscalls: SyscallTable = {
  129: ['kill', kill], 130: ['tkill', tkill], 131: ['tgkill', tgkill], 132: ['sigaltstack', sigaltstack],
  133: ['rt_sigsuspend', rtSigsuspend], 134: ['rt_sigaction', rtSigaction], 135: ['rt_sigprocmask', rtSigprocmask],
  136: ['rt_sigpending', rtSigpending], 137: ['rt_sigtimedwait', rtSigtimedwait],
  138: ['rt_sigqueueinfo', rtSigqueueinfo], 240: ['rt_tgsigqueueinfo', rtTgsigqueueinfo],
};
