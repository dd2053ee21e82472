// Mirrors kernel/signal.c (Linux v6.17): generation (__send_signal_locked, force_sig_*, job control's stop and
// continue), dequeueing, signal_delivered and sigaltstack. get_signal, which takes the fatal action, is
// signal_deliver.ts's; the syscalls are sys_signal.ts's. complete_signal chooses the thread of a
// process-directed signal. Simplified: no ptrace, no pid namespaces, never init
// (SIGNAL_UNKILLABLE), no posix timers.
// Read: torvalds/linux kernel/signal.c @ 496156e3647f44e2aab3e64f86b63294afca458a and ColinIanKing/linux-next
// kernel/signal.c @ 1ab815f203c2a88e66700850fe6e44ef8e7c3526; kernel.md §7, §8.
import type { Kernel } from './kernel.ts';
import { SIGNAL_GROUP_EXIT, type Task, type KSigaction, type SigPending } from './task.ts';
import type { KernelSiginfo } from './siginfo.ts';
import { EINVAL, ENOMEM, EPERM } from './errno.ts';
import {
  SIGKILL, SIGBUS, SIGSTOP, SIGCONT, SIGSEGV, SIGRTMIN, _NSIG, SI_USER, SI_KERNEL, SI_TIMER, SYNCHRONOUS_MASK,
  SIG_KERNEL_STOP_MASK, SIG_DFL, SIG_IGN, SA_NODEFER, SA_IMMUTABLE, SA_ONSTACK,
  SS_ONSTACK, SS_DISABLE, SS_FLAG_BITS, SS_AUTODISARM, sigmask, sigKernelIgnore,
  sigKernelStop, sigKernelCoredump, SIGCHLD, SA_NOCLDSTOP, CLD_STOPPED, CLD_CONTINUED,
} from './sigdefs.ts';

/** Who generated a signal (the report's "source"). */
export type SignalSource = 'fault' | 'kill' | 'tkill' | 'sigqueue' | 'kernel' | 'external';
/** 'queued' = TRACE_SIGNAL_DELIVERED; 'ignored' = TRACE_SIGNAL_IGNORED (prepare_signal refused: ignored and
 *  not blocked, or the group is exiting); 'dropped' = TRACE_SIGNAL_ALREADY_PENDING (legacy signal pending). */
export type SendResult = 'queued' | 'ignored' | 'dropped';
const TRACE_RESULT: Record<SendResult, number> = { queued: 0, ignored: 1, dropped: 2 };

export const SIG_KILL_STOP = sigmask(SIGKILL) | sigmask(SIGSTOP);
export const ALL = (1n << 64n) - 1n;

/** SIGNAL_GROUP_EXIT: a fatal signal already decided the process dies. */
export const groupExiting = (t: Task): boolean => (t.signal.flags & SIGNAL_GROUP_EXIT) !== 0;

// ---- queues ------------------------------------------------------------------------------------------
/** flush_sigqueue_mask: drop every queued entry and pending bit of the signals in mask. */
export function flushSigqueueMask(p: SigPending, mask: bigint): void {
  if ((p.signal & mask) === 0n) return;
  p.signal &= ~mask;
  p.list = p.list.filter((q) => (sigmask(q.info.signo) & mask) === 0n);
}

/** recalc_sigpending for the one thread: TIF_SIGPENDING. */
export function signalPending(t: Task): boolean {
  return groupExiting(t) || ((t.pending.signal | t.sharedPending.signal) & ~t.blocked) !== 0n;
}

/**
 * What wakes a thread that sleeps interruptibly (signal_wake_up): its own unblocked signals, a group exit, or a
 * process-directed signal complete_signal chose it for (TIF_SIGPENDING), not one another thread was chosen for.
 */
export function signalWakes(t: Task): boolean {
  if (groupExiting(t) || ((t.pending.signal & ~t.blocked) !== 0n)) return true;
  return t.sigpendingFlag && (t.sharedPending.signal & ~t.blocked) !== 0n;
}

/** fatal_signal_pending: SIGKILL is pending (a group exit queues it on every thread). */
export function fatalSignalPending(t: Task): boolean {
  return groupExiting(t) || (t.pending.signal & sigmask(SIGKILL)) !== 0n;
}

/** unhandled_signal: the handler is SIG_DFL or SIG_IGN (the exception-trace line is only for those). */
export const unhandledSignal = (t: Task, sig: number): boolean => t.action[sig].handler <= SIG_IGN;

export const sigHandlerIgnored = (handler: bigint, sig: number): boolean =>
  handler === SIG_IGN || (handler === SIG_DFL && sigKernelIgnore(sig));

/** sig_ignored: blocked signals are never ignored ("the handler may change by the time it is unblocked"). */
function sigIgnored(t: Task, sig: number): boolean {
  if (t.blocked & sigmask(sig)) return false;
  return sigHandlerIgnored(t.action[sig].handler, sig);
}

/** The threads of t's process. */
const threadGroup = (k: Kernel, t: Task): Task[] => k.tasks.filter((x) => x.signal === t.signal && x.exitState === null);

/**
 * prepare_signal: job-control side effects — a stop signal flushes SIGCONT, SIGCONT flushes the stop signals
 * and ends a group stop (the parent hears CLD_CONTINUED), SIGKILL wakes a stopped group — then "is it worth
 * queueing at all?"
 */
function prepareSignal(k: Kernel, t: Task, sig: number): boolean {
  // DIVERGENCE: no core_state window: while the lead writes a core, nothing runs that could send signals.
  if (groupExiting(t)) return false;
  const group = threadGroup(k, t);
  if (sigKernelStop(sig)) {
    flushSigqueueMask(t.sharedPending, sigmask(SIGCONT));
    for (const x of group) flushSigqueueMask(x.pending, sigmask(SIGCONT));
  } else if (sig === SIGCONT) {
    flushSigqueueMask(t.sharedPending, SIG_KERNEL_STOP_MASK);
    for (const x of group) flushSigqueueMask(x.pending, SIG_KERNEL_STOP_MASK);
    if (group.some((x) => x.stopped)) {
      for (const x of group) x.stopped = false;
      t.signal.stopReport = false;
      t.signal.contReport = true;
      k.trace('signal_stop', { sig, stopped: false });
      doNotifyParentCldstop(k, t.leader, CLD_CONTINUED);
    }
  }
  if (sig === SIGKILL) for (const x of group) x.stopped = false;
  return !sigIgnored(t, sig);
}

/** do_notify_parent_cldstop: SIGCHLD with CLD_STOPPED / CLD_CONTINUED, unless the parent set SA_NOCLDSTOP. */
function doNotifyParentCldstop(k: Kernel, t: Task, why: number): void {
  const parent = t.leader.parent;
  if (!parent || parent.action[SIGCHLD].flags & SA_NOCLDSTOP) return;
  const status = why === CLD_CONTINUED ? SIGCONT : t.signal.stopSignal;
  sendSignal(k, { signo: SIGCHLD, errno: 0, code: why, pid: t.pid, uid: t.uid, status, utime: 0n, stime: 0n }, 'tgid', 'kernel', parent);
}

/** is_current_pgrp_orphaned: no member has a parent in another group of the same session. */
export function pgrpOrphaned(k: Kernel, t: Task): boolean {
  return !k.tasks.some((p) => p.leader === p && p.exitState === null && p.pgrp === t.pgrp && p.parent !== null &&
    p.parent.exitState === null && p.parent.pgrp !== t.pgrp && p.parent.sid === t.sid);
}

/** do_signal_stop: every thread of the process stops; the parent hears CLD_STOPPED. */
export function doSignalStop(k: Kernel, t: Task, sig: number): void {
  for (const x of threadGroup(k, t)) x.stopped = true;
  t.signal.stopSignal = sig;
  t.signal.stopReport = true;
  t.signal.contReport = false;
  k.trace('signal_stop', { sig, stopped: true });
  doNotifyParentCldstop(k, t, CLD_STOPPED);
}

/**
 * wants_signal: not blocked, not exiting; SIGKILL always; not stopped; running now, or nothing pending yet (a
 * thread with TIF_SIGPENDING already set will look at its signals anyway).
 */
function wantsSignal(k: Kernel, sig: number, p: Task): boolean {
  if (p.blocked & sigmask(sig)) return false;
  if (p.exitState !== null) return false;
  if (sig === SIGKILL) return true;
  if (p.stopped) return false;
  return p === k.task || !p.sigpendingFlag;
}

/**
 * complete_signal: the thread that takes the signal — p when it wants it; for a process-directed signal
 * (type 'tgid') otherwise the next thread from signal->curr_target on that wants it (round robin); none: it
 * waits in the queue until a thread unblocks it. A fatal signal nobody handles, unless it dumps core, kills the
 * group at once (SIGKILL queued on every thread); else the chosen thread is woken (signal_wake_up).
 */
function completeSignal(k: Kernel, p: Task, info: KernelSiginfo, type: 'pid' | 'tgid'): void {
  const sig = info.signo;
  const signal = p.signal;
  let t: Task;
  if (wantsSignal(k, sig, p)) t = p;
  else {
    const group = threadGroup(k, p);
    if (type === 'pid' || group.length <= 1) return;
    const from = Math.max(0, group.indexOf(signal.currTarget ?? p.leader));
    const found = [...group.slice(from), ...group.slice(0, from)].find((x) => wantsSignal(k, sig, x));
    if (!found) return;
    t = signal.currTarget = found;
  }
  const fatal = !sigKernelIgnore(sig) && !sigKernelStop(sig) && p.action[sig].handler === SIG_DFL;
  if (fatal && !groupExiting(p) && !sigKernelCoredump(sig)) {
    signal.flags = SIGNAL_GROUP_EXIT;
    signal.groupExitCode = sig;
    signal.groupExitInfo = { ...info };
    for (const x of threadGroup(k, p)) {
      x.pending.signal |= sigmask(SIGKILL);
      x.sigpendingFlag = true;
    }
    return;
  }
  t.sigpendingFlag = true; // signal_wake_up
}

/** __send_signal_locked (via send_signal_locked): `type` 'pid' queues on the thread, 'tgid' on the process. */
export function sendSignal(k: Kernel, info: KernelSiginfo, type: 'pid' | 'tgid', source: SignalSource,
  t: Task = k.task): SendResult {
  const sig = info.signo;
  let result: SendResult = 'ignored';
  if (prepareSignal(k, t, sig)) {
    const pending = type === 'pid' ? t.pending : t.sharedPending;
    // "support queuing exactly one non-rt signal": legacy_queue()
    if (sig < SIGRTMIN && (pending.signal & sigmask(sig)) !== 0n) result = 'dropped';
    else {
      // SIGKILL skips the siginfo allocation; collect_signal() then synthesises SI_USER, pid 0, uid 0.
      if (sig !== SIGKILL) pending.list.push({ info: { ...info } });
      pending.signal |= sigmask(sig);
      completeSignal(k, t, info, type);
      result = 'queued';
    }
  }
  if (k.tracing('signal_generate')) k.trace('signal_generate', {
    sig, errno: info.errno, code: info.code, comm: t.comm, pid: t.pid, group: type !== 'pid',
    result: TRACE_RESULT[result], source,
  });
  k.notice('signal_generated', { task: t, info, source, result });
  return result;
}

// ---- forced signals --------------------------------------------------------------------------------------
/** enum sig_handler: HANDLER_CURRENT, HANDLER_SIG_DFL, HANDLER_EXIT */
export type ForceHandler = 'current' | 'sigdfl' | 'exit';

/** force_sig_info_to_task: a blocked or ignored forced signal gets SIG_DFL and is unblocked. */
function forceSigInfoToTask(k: Kernel, info: KernelSiginfo, handler: ForceHandler,
  source: SignalSource = info.code > 0 && info.code !== SI_KERNEL ? 'fault' : 'kernel'): SendResult {
  const t = k.task;
  const sig = info.signo;
  const action = t.action[sig];
  const blocked = (t.blocked & sigmask(sig)) !== 0n;
  if (blocked || action.handler === SIG_IGN || handler !== 'current') {
    action.handler = SIG_DFL;
    if (handler === 'exit') action.flags = (action.flags | SA_IMMUTABLE) >>> 0;
    if (blocked) t.blocked &= ~sigmask(sig);
  }
  return sendSignal(k, info, 'pid', source);
}

/** force_sig_fault: the synchronous fault signal of the current thread. */
export function forceSigFault(k: Kernel, signo: number, code: number, addr: bigint): SendResult {
  return forceSigInfoToTask(k, { signo, errno: 0, code, addr }, 'current', 'fault');
}

/** force_sig_mceerr: SIGBUS BUS_MCEERR_AR/AO for a hardware memory error, si_addr_lsb = the page's shift. */
export function forceSigMceerr(k: Kernel, code: number, addr: bigint, lsb: number): SendResult {
  return forceSigInfoToTask(k, { signo: SIGBUS, errno: 0, code, addr, addrLsb: lsb }, 'current', 'fault');
}

const kernelInfo = (signo: number): KernelSiginfo => ({ signo, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 });
/** force_sig: SEND_SIG_PRIV (SI_KERNEL, pid 0, uid 0), handler kept if installed and unblocked. */
export const forceSig = (k: Kernel, signo: number): SendResult =>
  forceSigInfoToTask(k, kernelInfo(signo), 'current', 'kernel');
/** force_fatal_sig: the handler is always reset to SIG_DFL. */
export const forceFatalSig = (k: Kernel, signo: number): SendResult =>
  forceSigInfoToTask(k, kernelInfo(signo), 'sigdfl', 'kernel');

/** force_sigsegv: frame setup for `sig` failed (kernel.md §7.5, §9.7). */
export function forceSigsegv(k: Kernel, sig: number): SendResult {
  return sig === SIGSEGV ? forceFatalSig(k, SIGSEGV) : forceSig(k, SIGSEGV);
}

// ---- dequeue ---------------------------------------------------------------------------------------------
/** collect_signal: the first queued siginfo of sig; the pending bit stays while another entry remains. */
function collectSignal(sig: number, p: SigPending): KernelSiginfo {
  const i = p.list.findIndex((q) => q.info.signo === sig);
  const more = i >= 0 && p.list.some((q, j) => j > i && q.info.signo === sig);
  if (!more) p.signal &= ~sigmask(sig);
  if (i < 0) return { signo: sig, errno: 0, code: SI_USER, pid: 0, uid: 0 }; // fast-pathed (SIGKILL) or lost info
  return p.list.splice(i, 1)[0].info;
}

/** next_signal: synchronous signals in the first word first, else the lowest number. */
function nextSignal(p: SigPending, mask: bigint): number {
  let x = p.signal & ~mask & ALL;
  if (x === 0n) return 0;
  if (x & SYNCHRONOUS_MASK) x &= SYNCHRONOUS_MASK;
  let sig = 1;
  while ((x & 1n) === 0n) { x >>= 1n; sig++; }
  return sig;
}

/**
 * dequeue_signal(mask = the blocked set): thread queue first, then the shared queue. A POSIX timer's signal goes
 * through posixtimer_deliver_signal: dropped (and the next one taken) when the timer was re-armed, disarmed or
 * deleted since it was queued; else it carries the overrun, which timer_getoverrun then reads.
 */
export function dequeueSignal(t: Task, mask: bigint): KernelSiginfo | null {
  for (;;) {
    let info: KernelSiginfo | null = null;
    for (const p of [t.pending, t.sharedPending]) {
      const sig = nextSignal(p, mask);
      if (sig) {
        info = collectSignal(sig, p);
        break;
      }
    }
    if (!info || info.code !== SI_TIMER || info.sysPrivate === undefined) return info;
    const timer = t.signal.posixTimers.get(info.tid!);
    if (timer?.signalSeq !== info.sysPrivate) continue;
    timer.overrun = info.overrun ?? 0;
    return info;
  }
}

/**
 * dequeue_synchronous_signal: the first thread-queue entry with si_code > SI_USER of a SYNCHRONOUS_MASK
 * signal, "so that the instruction pointer in the signal stack frame points to the faulting instruction".
 * Kernel quirk kept: only the pre-check looks at the blocked mask; the entry returned may itself be blocked.
 */
export function dequeueSynchronousSignal(t: Task): KernelSiginfo | null {
  const p = t.pending;
  if (((p.signal & ~t.blocked) & SYNCHRONOUS_MASK) === 0n) return null;
  const i = p.list.findIndex((q) => q.info.code > SI_USER && (sigmask(q.info.signo) & SYNCHRONOUS_MASK) !== 0n);
  if (i < 0) return null;
  const sync = p.list.splice(i, 1)[0].info;
  if (!p.list.some((q) => q.info.signo === sync.signo)) p.signal &= ~sigmask(sync.signo);
  return sync;
}

// ---- get_signal ------------------------------------------------------------------------------------------
/** __set_current_blocked after set_current_blocked's removal of SIGKILL/SIGSTOP. */
export function setCurrentBlocked(t: Task, set: bigint): void {
  t.blocked = set & ~SIG_KILL_STOP & ALL;
}

/** sigmask_to_save: the mask the frame's uc_sigmask records (saved_sigmask while sigsuspend is pending). */
export const sigmaskToSave = (t: Task): bigint => t.savedSigmask ?? t.blocked;

/** restore_saved_sigmask: no handler ran after sigsuspend & co: put the old mask back. */
export function restoreSavedSigmask(t: Task): void {
  if (t.savedSigmask === null) return;
  const saved = t.savedSigmask;
  t.savedSigmask = null;
  setCurrentBlocked(t, saved);
}

/** signal_delivered: the handler frame is in place; block sa_mask (+ sig unless SA_NODEFER). */
export function signalDelivered(k: Kernel, signo: number, ka: KSigaction): void {
  const t = k.task;
  t.savedSigmask = null; // clear_restore_sigmask
  let blocked = t.blocked | ka.mask;
  if (!(ka.flags & SA_NODEFER)) blocked |= sigmask(signo);
  setCurrentBlocked(t, blocked);
  if (t.sas.flags & SS_AUTODISARM) sasSsReset(t);
}

// ---- alternate signal stack --------------------------------------------------------------------------------
function sasSsReset(t: Task): void {
  t.sas = { sp: 0n, size: 0n, flags: SS_DISABLE };
}
/** on_sig_stack: the stack grows down; an SS_AUTODISARM stack never counts as "on". */
function onSigStack(t: Task, sp: bigint): boolean {
  if (t.sas.flags & SS_AUTODISARM) return false;
  return sp > t.sas.sp && sp - t.sas.sp <= t.sas.size;
}
/** sas_ss_flags: SS_DISABLE without a stack, SS_ONSTACK when sp is on it, else 0. */
function sasSsFlags(t: Task, sp: bigint): number {
  if (t.sas.size === 0n) return SS_DISABLE;
  return onSigStack(t, sp) ? SS_ONSTACK : 0;
}
/** sigsp: the top of the stack the frame goes on. */
export function sigsp(t: Task, sp: bigint, ka: KSigaction): bigint {
  if ((ka.flags & SA_ONSTACK) && sasSsFlags(t, sp) === 0) return t.sas.sp + t.sas.size;
  return sp;
}

export interface StackT { sp: bigint; flags: number; size: bigint }
/** do_sigaltstack: returns the old stack_t view, or -errno. */
export function doSigaltstack(t: Task, ss: StackT | null, sp: bigint, minSsSize: number): StackT | number {
  const old: StackT = { sp: t.sas.sp, size: t.sas.size, flags: (sasSsFlags(t, sp) | (t.sas.flags & SS_FLAG_BITS)) >>> 0 };
  if (ss) {
    if (onSigStack(t, sp)) return -EPERM;
    const flags = ss.flags >>> 0;
    const mode = (flags & ~SS_FLAG_BITS) >>> 0;
    if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -EINVAL;
    if (t.sas.sp === ss.sp && t.sas.size === ss.size && t.sas.flags === flags) return old;
    if (mode === SS_DISABLE) t.sas = { sp: 0n, size: 0n, flags };
    else if (ss.size < BigInt(minSsSize)) return -ENOMEM; // sigaltstack_size_valid() is x86-only
    else t.sas = { sp: ss.sp, size: ss.size, flags };
  }
  return old;
}

/** valid_signal() as the syscalls use it: 0..64 (0 is the existence probe). */
export const validSignal = (sig: number): boolean => sig >= 0 && sig <= _NSIG;

/** stack_t bytes: ss_sp @0, ss_flags (int) @8, ss_size @16 (also __save_altstack's uc_stack). */
export function encodeStackT(s: StackT): Buffer {
  const b = Buffer.alloc(24);
  b.writeBigUInt64LE(s.sp & ALL, 0);
  b.writeInt32LE(s.flags | 0, 8);
  b.writeBigUInt64LE(s.size & ALL, 16);
  return b;
}
export const decodeStackT = (b: Buffer): StackT =>
  ({ sp: b.readBigUInt64LE(0), flags: b.readInt32LE(8) >>> 0, size: b.readBigUInt64LE(16) });

