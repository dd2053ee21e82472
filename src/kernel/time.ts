// The emulator's clock: deterministic virtual time. CLOCK_REALTIME starts at the --time value; every clock
// advances with the instructions retired (1 ns each, a 1 GHz virtual CPU) when they are counted, plus 1 µs per
// clock read, plus whatever the guest slept. DIVERGENCE: no wall-clock time ever reaches the guest.
import type { Mm } from '../mm/mm.ts';
import { copyFromUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL } from './errno.ts';

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;

/** seconds since boot at program start: a machine that has been up for 1000 s */
export const BOOT_OFFSET_NS = 1000n * 1_000_000_000n;

export class Clock {
  private reads = 0n;
  private slept = 0n;
  constructor(private readonly epochSeconds: bigint, private readonly icount: () => bigint | null) {}

  /** nanoseconds the process has existed in virtual time */
  elapsed(): bigint {
    return (this.icount() ?? 0n) + this.reads * 1000n + this.slept;
  }

  /** the clock's value in ns, or null for an invalid clock id */
  read(clk: number): bigint | null {
    this.reads++;
    const t = this.elapsed();
    switch (clk) {
      case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE:
        return this.epochSeconds * 1_000_000_000n + t;
      case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
        return BOOT_OFFSET_NS + t;
      case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
        return t - this.slept;
      default:
        return null;
    }
  }

  sleep(ns: bigint): void {
    this.slept += ns;
  }

  get sleptNs(): bigint {
    return this.slept;
  }

  get epoch(): bigint {
    return this.epochSeconds;
  }
}

/** get_timespec64 + timespec64_valid: the time in ns, or -EFAULT / -EINVAL (negative, as a syscall returns). */
export function getTimespec(mm: Mm, addr: bigint): bigint {
  const b = copyFromUser(mm, addr, 16);
  if (!b) return BigInt(-EFAULT);
  const sec = b.readBigInt64LE(0);
  const nsec = b.readBigInt64LE(8);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return BigInt(-EINVAL);
  return sec * 1_000_000_000n + nsec;
}
