// Mirrors kernel/time/itimer.c (v6.17): setitimer/getitimer on the emulator's virtual clock (time.ts).
// ITIMER_REAL counts virtual time, ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time (virtual time
// minus what it slept). On expiry the kernel sends SIGALRM / SIGVTALRM / SIGPROF with SEND_SIG_PRIV (SI_KERNEL).
// DIVERGENCE: in --fast mode (no instruction count) timers only fire at syscalls and waits.
import type { Syscall, SyscallTable } from './kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL } from './errno.ts';
import { SIGALRM, SIGVTALRM, SIGPROF } from './sigdefs.ts';

export const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
const SIGNAL = [SIGALRM, SIGVTALRM, SIGPROF];

export interface Itimer {
  /** absolute expiry on the timer's own clock (ns), or null when disarmed */
  expires: bigint | null;
  interval: bigint;
}

/** The clocks the timers run on: virtual time, and CPU time (virtual time minus sleeps). */
export interface TimerClocks {
  now(): bigint;
  cpu(): bigint;
}

const NONE: readonly { which: number; left: bigint }[] = Object.freeze([]);
const NO_SIGNALS: readonly number[] = Object.freeze([]);

export class Itimers {
  readonly timers: Itimer[] = [0, 1, 2].map(() => ({ expires: null, interval: 0n }));

  constructor(readonly clocks: TimerClocks) {}

  private clockOf(which: number): bigint {
    return which === ITIMER_REAL ? this.clocks.now() : this.clocks.cpu();
  }

  /** Time left (ns) before each armed timer expires, the soonest first. */
  remaining(): readonly { which: number; left: bigint }[] {
    // the run loop asks before every engine run: with no timer armed (the common case) that allocates nothing
    if (this.timers[0].expires === null && this.timers[1].expires === null && this.timers[2].expires === null) return NONE;
    return this.timers
      .flatMap((t, which) => {
        if (t.expires === null) return [];
        const left = t.expires - this.clockOf(which);
        return [{ which, left: left > 0n ? left : 0n }];
      })
      .sort((a, b) => (a.left < b.left ? -1 : a.left > b.left ? 1 : 0));
  }

  /** Fires every timer that has expired: returns the signals to send, re-arming periodic timers. */
  due(): readonly number[] {
    // asked on every return to user mode: with no timer armed that allocates nothing
    if (this.timers[0].expires === null && this.timers[1].expires === null && this.timers[2].expires === null) return NO_SIGNALS;
    const sigs: number[] = [];
    this.timers.forEach((t, which) => {
      if (t.expires === null || this.clockOf(which) < t.expires) return;
      sigs.push(SIGNAL[which]);
      t.expires = t.interval > 0n ? t.expires + t.interval : null;
    });
    return sigs;
  }

  set(which: number, value: bigint, interval: bigint): Itimer {
    const old = this.get(which);
    const t = this.timers[which];
    t.expires = value === 0n ? null : this.clockOf(which) + value;
    t.interval = interval;
    return old;
  }

  /** it_value as time left, it_interval as set */
  get(which: number): Itimer {
    const t = this.timers[which];
    const left = t.expires === null ? null : t.expires - this.clockOf(which);
    return { expires: left === null ? null : left > 0n ? left : 1000n, interval: t.interval };
  }
}

/** struct itimerval: it_interval {tv_sec, tv_usec}, it_value {tv_sec, tv_usec} */
function decodeItimerval(b: Buffer): { interval: bigint; value: bigint } | null {
  const usec = (o: number) => {
    const sec = b.readBigInt64LE(o);
    const us = b.readBigInt64LE(o + 8);
    return sec < 0n || us < 0n || us >= 1_000_000n ? null : sec * 1_000_000_000n + us * 1000n;
  };
  const interval = usec(0);
  const value = usec(16);
  return interval === null || value === null ? null : { interval, value };
}

function encodeItimerval(t: Itimer): Buffer {
  const b = Buffer.alloc(32);
  const put = (ns: bigint, o: number) => {
    // the kernel rounds a non-zero remainder up to the next microsecond
    const us = (ns + 999n) / 1000n;
    b.writeBigInt64LE(us / 1_000_000n, o);
    b.writeBigInt64LE(us % 1_000_000n, o + 8);
  };
  put(t.interval, 0);
  put(t.expires ?? 0n, 16);
  return b;
}

const setitimer: Syscall = (k, [which, value, ovalue]) => {
  const w = Number(which);
  if (w < 0 || w > 2) return BigInt(-EINVAL);
  let v = { interval: 0n, value: 0n };
  if (value !== 0n) { // a NULL new value disarms, as the kernel has done since v4.x
    const b = copyFromUser(k.mm, value, 32);
    if (!b) return BigInt(-EFAULT);
    const d = decodeItimerval(b);
    if (!d) return BigInt(-EINVAL);
    v = d;
  }
  const old = k.task.signal.itimers.set(w, v.value, v.interval);
  k.trace('itimer_state', { which: w, value: v.value.toString(), interval: v.interval.toString() });
  if (ovalue !== 0n && !copyToUser(k.mm, ovalue, encodeItimerval(old))) return BigInt(-EFAULT);
  return 0n;
};

const getitimer: Syscall = (k, [which, value]) => {
  const w = Number(which);
  if (w < 0 || w > 2) return BigInt(-EINVAL);
  return copyToUser(k.mm, value, encodeItimerval(k.task.signal.itimers.get(w))) ? 0n : BigInt(-EFAULT);
};

export const itimerSyscalls: SyscallTable = {
  103: ['setitimer', setitimer], 102: ['getitimer', getitimer],
};
