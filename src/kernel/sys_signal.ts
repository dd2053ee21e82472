// The signal syscalls of kernel/signal.c (v6.17): rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// sigaltstack, kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigtimedwait. The semantics they
// use live in signal.ts; rt_sigreturn (139) is arch/arm64/signal.ts's.
import type { Kernel, SysResult, SyscallTable } from './kernel.ts';
import { NO_RETURN } from './kernel.ts';
import { getTimespec } from './time.ts';
import type { KSigaction } from './task.ts';
import type { KernelSiginfo } from './siginfo.ts';
import { copySiginfoToUser, siginfoFromUser, postCopySiginfoFromUser, KERNEL_SIGINFO_SIZE, SI_MAX_SIZE } from './siginfo.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EAGAIN, EFAULT, EINVAL, EPERM, ESRCH, ERESTARTNOHAND, neg } from './errno.ts';
import {
  _NSIG, SI_USER, SI_TKILL, SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, UAPI_SA_FLAGS, MINSIGSTKSZ, SA_IMMUTABLE, sigmask,
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
const putSet = (k: Kernel, addr: bigint, set: bigint, size = 8): boolean => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(set & ALL);
  return copyToUser(k.mm, addr, b.subarray(0, size));
};

/** The only thread waits for something nobody can send. */
function sleepForever(k: Kernel, syscall: string): SysResult {
  k.trace('sleep_forever', { syscall, blocked: `0x${k.task.blocked.toString(16)}` });
  k.blockForever(syscall);
  return NO_RETURN;
}

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
  // an interval timer may end the wait: virtual time runs to its expiry
  if (!signalPending(t) && k.sleepInterruptible(null, () => signalPending(t)) === null) return sleepForever(k, 'rt_sigsuspend');
  if (!signalPending(t)) return sleepForever(k, 'rt_sigsuspend');
  return neg(ERESTARTNOHAND);
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

/** check_kill_permission (only valid_signal can fail for our own process), then send unless sig is 0. */
function sendChecked(k: Kernel, sig: number, info: KernelSiginfo, type: 'pid' | 'tgid', source: SignalSource): bigint {
  if (!validSignal(sig)) return neg(EINVAL);
  if (sig !== 0) sendSignal(k, info, type, source);
  return 0n;
}

// DIVERGENCE: the emulated process is alone: every other pid, process group, and kill(-1) find nobody (ESRCH).
const kill: SigSyscall = (k, [pidArg, sigArg]) => {
  const pid = i32(pidArg);
  const sig = i32(sigArg);
  const t = k.task;
  const self = pid > 0 ? pid === t.pid : pid === 0 || (pid !== -1 && pid !== -2147483648 && -pid === t.pgrp);
  return self ? sendChecked(k, sig, killInfo(k, sig, SI_USER), 'tgid', 'kill') : neg(ESRCH);
};

/** do_send_specific: tgid <= 0 means "any thread group". */
function doSendSpecific(k: Kernel, tgid: number, pid: number, sig: number, info: KernelSiginfo,
  source: SignalSource): bigint {
  const t = k.task;
  if (pid !== t.tid || (tgid > 0 && tgid !== t.pid)) return neg(ESRCH);
  return sendChecked(k, sig, info, 'pid', source);
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
  return pid === k.task.pid ? sendChecked(k, sig, info, 'tgid', 'sigqueue') : neg(ESRCH);
};

const rtTgsigqueueinfo: SigSyscall = (k, [tgidArg, pidArg, sigArg, uinfo]) => {
  const [tgid, pid, sig] = [i32(tgidArg), i32(pidArg), i32(sigArg)];
  const info = copySiginfoFromUserSig(k, sig, uinfo);
  if (typeof info === 'bigint') return info;
  if (pid <= 0 || tgid <= 0) return neg(EINVAL);
  if (impersonates(k, info, pid)) return neg(EPERM);
  return doSendSpecific(k, tgid, pid, sig, info, 'sigqueue');
};

/** rt_sigtimedwait / do_sigtimedwait. While the only thread sleeps nothing can arrive: a finite timeout just
 *  advances the virtual clock and gives -EAGAIN; no timeout sleeps forever. */
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
  if (!info && timeout !== 0n) {
    const wake = () => (info = dequeueSignal(t, mask)) !== null;
    if (k.sleepInterruptible(timeout, wake) === null) return sleepForever(k, 'rt_sigtimedwait');
  }
  if (!info) return neg(EAGAIN);
  if (uinfo !== 0n && !copyToUser(k.mm, uinfo, copySiginfoToUser(info))) return neg(EFAULT);
  return BigInt(info.signo);
};

/** Syscalls of kernel/signal.c (rt_sigreturn is arch/arm64/signal.ts's). */
export const signalSyscalls: SyscallTable = {
  129: ['kill', kill], 130: ['tkill', tkill], 131: ['tgkill', tgkill], 132: ['sigaltstack', sigaltstack],
  133: ['rt_sigsuspend', rtSigsuspend], 134: ['rt_sigaction', rtSigaction], 135: ['rt_sigprocmask', rtSigprocmask],
  136: ['rt_sigpending', rtSigpending], 137: ['rt_sigtimedwait', rtSigtimedwait],
  138: ['rt_sigqueueinfo', rtSigqueueinfo], 240: ['rt_tgsigqueueinfo', rtTgsigqueueinfo],
};
