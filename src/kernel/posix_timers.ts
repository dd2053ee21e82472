// Mirrors kernel/time/posix-timers.c (v6.17): timer_create, timer_settime, timer_gettime, timer_getoverrun and
// timer_delete on the virtual clock. Each timer is an hrtimer of the kernel (Kernel.addTimer); at expiry it queues
// its signal with SI_TIMER, the timer id, the overrun and the sigevent's value, to the process (SIGEV_SIGNAL) or to
// one of its threads (SIGEV_THREAD_ID). While that signal is still queued, a later expiry only counts an overrun;
// a signal queued before the timer was re-armed, disarmed or deleted is dropped when dequeued (signal.ts).
// The timers belong to the process (signal_struct): a fork child has none, exec deletes them.
// DIVERGENCE: the CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, a pid's CPU clock) give
// EINVAL, with a note; timers on them are not emulated.
import type { Kernel, Syscall, SyscallTable } from './kernel.ts';
import type { Task } from './task.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, EOPNOTSUPP, neg } from './errno.ts';
import { SIGALRM, SIGRTMAX, SI_TIMER } from './sigdefs.ts';
import { sendSignal } from './signal.ts';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME } from './time.ts';

const CLOCK_TAI = 11, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9;
const SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;
const TIMER_ABSTIME = 1;
const NS = 1_000_000_000n;

/** struct k_itimer, as much as the emulator needs */
export interface PosixTimer {
  id: number;
  clock: number;
  notify: number;
  signo: number;
  value: bigint;
  /** the thread a SIGEV_THREAD_ID timer signals, else null (the process) */
  target: Task | null;
  /** expiry in virtual time (ns since the start), or null when disarmed */
  expires: bigint | null;
  interval: bigint;
  /** it_overrun_last: the overrun its last delivered signal carried (timer_getoverrun) */
  overrun: number;
  /** it_signal_seq: moves on at each timer_settime and timer_delete, so a signal queued before is dropped */
  signalSeq: number;
  /** the hrtimer callback while armed */
  fire: (() => void) | null;
}

/**
 * clockid_to_kclock + k_clock.timer_create: the clocks a timer runs on here, or the errno. The coarse and raw
 * clocks have no timers (EOPNOTSUPP), nor the ALARM ones without an RTC; a CPU-time clock is not emulated.
 */
function checkClock(k: Kernel, clock: number): bigint | null {
  if ([CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI].includes(clock)) return null;
  if ([4, 5, 6, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM].includes(clock)) return neg(EOPNOTSUPP);
  if (clock >= 0 && clock !== 2 && clock !== 3) return neg(EINVAL);
  k.notice('unsupported', { what: `timer_create on a CPU-time clock (${clock})`, errno: EINVAL });
  return neg(EINVAL);
}

/** Offset from virtual time to the clock's own time (CLOCK_TAI is CLOCK_REALTIME: a TAI offset of 0). */
const clockBase = (k: Kernel, clock: number): bigint =>
  k.clock.offset(clock === CLOCK_REALTIME || clock === CLOCK_TAI ? CLOCK_REALTIME : CLOCK_MONOTONIC);

const timersOf = (k: Kernel): Map<number, PosixTimer> => k.task.signal.posixTimers;

const u32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** timer_create(clockid, sevp, timerid): the sigevent checked as good_sigevent does; the id written back. */
const timerCreate: Syscall = (k, [clockArg, sevp, idp]) => {
  const clock = u32(clockArg);
  const bad = checkClock(k, clock);
  if (bad !== null) return bad;
  let notify = SIGEV_SIGNAL, signo = SIGALRM, value: bigint | null = null, target: Task | null = null;
  if (sevp !== 0n) {
    const b = copyFromUser(k.mm, sevp, 64);
    if (!b) return neg(EFAULT);
    value = b.readBigUInt64LE(0);
    signo = b.readInt32LE(8);
    notify = b.readInt32LE(12);
    if (notify === (SIGEV_SIGNAL | SIGEV_THREAD_ID)) {
      const tid = b.readInt32LE(16);
      target = k.tasks.find((t) => t.tid === tid && t.exitState === null && t.signal === k.task.signal) ?? null;
      if (!target) return neg(EINVAL);
    }
    if (notify !== SIGEV_NONE && ![SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_SIGNAL | SIGEV_THREAD_ID].includes(notify)) return neg(EINVAL);
    if (notify !== SIGEV_NONE && (signo <= 0 || signo > SIGRTMAX)) return neg(EINVAL);
  }
  const sig = k.task.signal;
  const id = sig.nextPosixTimerId++;
  // no sigevent: SIGEV_SIGNAL, SIGALRM, and the timer id as the value
  const timer: PosixTimer = {
    id, clock, notify, signo, value: value ?? BigInt(id), target, expires: null, interval: 0n, overrun: 0, signalSeq: 0, fire: null,
  };
  const out = Buffer.alloc(4);
  out.writeInt32LE(id);
  if (!copyToUser(k.mm, idp, out)) {
    sig.nextPosixTimerId--;
    return neg(EFAULT);
  }
  sig.posixTimers.set(id, timer);
  return 0n;
};

/** posix_timer_fn: queue the signal, or count an overrun while the last one is still queued; re-arm. */
function expire(k: Kernel, owner: Task, t: PosixTimer): void {
  t.fire = null;
  // exit_itimers: the timers go with the process's last thread
  if (!k.tasks.some((x) => x.signal === owner.signal && x.exitState === null)) {
    t.expires = null;
    return;
  }
  const at = t.expires!;
  t.expires = t.interval > 0n ? at + t.interval : null;
  if (t.notify !== SIGEV_NONE) {
    const dest = t.target && t.target.exitState === null ? t.target : owner;
    const pending = (t.target ? dest.pending : dest.sharedPending).list;
    const queued = pending.find((q) => q.info.code === SI_TIMER && q.info.tid === t.id && q.info.sysPrivate === t.signalSeq);
    // the signal is still queued: this expiry is an overrun it will carry (posix_timer_rearm's count at delivery)
    if (queued) queued.info.overrun = (queued.info.overrun ?? 0) + 1;
    else {
      const info = { signo: t.signo, errno: 0, code: SI_TIMER, tid: t.id, overrun: 0, value: t.value, sysPrivate: t.signalSeq };
      sendSignal(k, info, t.target ? 'pid' : 'tgid', 'kernel', dest);
    }
  }
  if (t.expires !== null) arm(k, owner, t);
}

function arm(k: Kernel, owner: Task, t: PosixTimer): void {
  const fire = (): void => expire(k, owner, t);
  t.fire = fire;
  k.addTimer(t.expires!, fire);
}

function disarm(k: Kernel, t: PosixTimer): void {
  t.signalSeq++;
  if (t.fire) k.cancelTimer(t.fire);
  t.fire = null;
  t.expires = null;
}

/** struct itimerspec: it_interval, it_value (timespecs); the value as time left, the interval as set. */
function itimerspec(k: Kernel, t: PosixTimer): Buffer {
  const b = Buffer.alloc(32);
  const left = t.expires === null ? 0n : t.expires - k.clock.elapsed();
  // common_timer_get: an armed timer shows at least 1 ns left
  const value = t.expires === null ? 0n : left > 0n ? left : 1n;
  for (const [ns, at] of [[t.interval, 0], [value, 16]] as const) {
    b.writeBigInt64LE(ns / NS, at);
    b.writeBigInt64LE(ns % NS, at + 8);
  }
  return b;
}

const timerOf = (k: Kernel, id: bigint): PosixTimer | bigint => timersOf(k).get(u32(id)) ?? neg(EINVAL);

/** timer_settime(id, flags, new, old): relative, or absolute on the timer's clock (TIMER_ABSTIME); 0 disarms. */
const timerSettime: Syscall = (k, [id, flags, newp, oldp]) => {
  const b = copyFromUser(k.mm, newp, 32);
  if (!b) return neg(EFAULT);
  const t = timerOf(k, id);
  if (typeof t === 'bigint') return t;
  const [isec, insec, vsec, vnsec] = [0, 8, 16, 24].map((o) => b.readBigInt64LE(o));
  // timespec64_valid: a non-negative second count and 0 <= nsec < 1 s
  if ([isec, vsec].some((s) => s < 0n) || [insec, vnsec].some((n) => n < 0n || n >= NS)) return neg(EINVAL);
  if (oldp !== 0n && !copyToUser(k.mm, oldp, itimerspec(k, t))) return neg(EFAULT);
  disarm(k, t);
  t.interval = isec * NS + insec;
  const value = vsec * NS + vnsec;
  if (value === 0n) return 0n;
  const now = k.clock.elapsed();
  const at = Number(flags) & TIMER_ABSTIME ? value - clockBase(k, t.clock) : now + value;
  t.expires = at > now ? at : now;
  arm(k, k.task, t);
  return 0n;
};

const timerGettime: Syscall = (k, [id, curp]) => {
  const t = timerOf(k, id);
  if (typeof t === 'bigint') return t;
  return copyToUser(k.mm, curp, itimerspec(k, t)) ? 0n : neg(EFAULT);
};

const timerGetoverrun: Syscall = (k, [id]) => {
  const t = timerOf(k, id);
  return typeof t === 'bigint' ? t : BigInt(t.overrun);
};

const timerDelete: Syscall = (k, [id]) => {
  const t = timerOf(k, id);
  if (typeof t === 'bigint') return t;
  disarm(k, t);
  timersOf(k).delete(t.id);
  return 0n;
};

/** exit_itimers / begin_new_exec: every timer of the process goes. */
export function deletePosixTimers(k: Kernel, timers: Map<number, PosixTimer>): void {
  for (const t of timers.values()) disarm(k, t);
  timers.clear();
}

export const posixTimerSyscalls: SyscallTable = {
  107: ['timer_create', timerCreate], 108: ['timer_gettime', timerGettime], 109: ['timer_getoverrun', timerGetoverrun],
  110: ['timer_settime', timerSettime], 111: ['timer_delete', timerDelete],
};
