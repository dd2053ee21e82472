// sched_getaffinity (kernel/sched/syscalls.c, v6.17) on the emulator's one CPU.
import type { Syscall, SyscallTable } from './kernel.ts';
import { copyToUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, ESRCH, neg } from './errno.ts';

/** nr_cpu_ids: the emulator runs one CPU (its tasks take turns on it) */
export const NR_CPU_IDS = 1;
/** cpumask_size(): BITS_TO_LONGS(nr_cpu_ids) longs (arm64's NR_CPUS = 512 > 4 * BITS_PER_LONG) */
const CPUMASK_SIZE = Math.ceil(NR_CPU_IDS / 64) * 8;

/** sched_getaffinity(pid, len, mask): the task's allowed CPUs (CPU 0), min(len, cpumask_size()) bytes of it. */
const schedGetaffinity: Syscall = (k, [pidArg, lenArg, umask]) => {
  const len = Number(lenArg & 0xffffffffn);
  if (len * 8 < NR_CPU_IDS || len & 7) return neg(EINVAL);
  const pid = Number(BigInt.asIntN(32, pidArg));
  // find_process_by_pid: 0 is current, any other id a task (a thread's too)
  if (pid !== 0 && !k.tasks.some((t) => t.tid === pid && t.exitState === null)) return neg(ESRCH);
  const retlen = Math.min(len, CPUMASK_SIZE);
  const mask = Buffer.alloc(retlen);
  mask[0] = (1 << NR_CPU_IDS) - 1;
  return copyToUser(k.mm, umask, mask) ? BigInt(retlen) : neg(EFAULT);
};

export const schedSyscalls: SyscallTable = { 123: ['sched_getaffinity', schedGetaffinity] };
