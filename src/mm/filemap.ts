// Mirrors generic_write_check_limits (mm/filemap.c) and inode_newsize_ok (fs/attr.c), v6.17: RLIMIT_FSIZE.
// A write that would cross the limit is cut at it; one that starts at or past it, and a size change past it,
// fail with -EFBIG after send_sig(SIGXFSZ, current, 0) (SI_USER from the task itself; SIGXFSZ dumps core).
import type { Kernel } from '../kernel/kernel.ts';
import { RLIMIT_FSIZE, RLIM_INFINITY } from '../kernel/task.ts';
import { sendSignal } from '../kernel/signal.ts';
import { SIGXFSZ, SI_USER } from '../kernel/sigdefs.ts';
import { EFBIG } from '../kernel/errno.ts';

/** send_sig(SIGXFSZ, current, 0): SEND_SIG_NOINFO → SI_USER from current's tgid and uid, to the thread. */
function sendSigxfsz(k: Kernel): void {
  sendSignal(k, { signo: SIGXFSZ, errno: 0, code: SI_USER, pid: k.task.pid, uid: k.task.uid }, 'pid', 'kernel');
}

/** generic_write_check_limits: the bytes of a `count`-byte write at `pos` that may be written, or -EFBIG. */
export function writeCheckLimits(k: Kernel, pos: bigint, count: number): number {
  const limit = k.task.rlimit(RLIMIT_FSIZE);
  if (limit === RLIM_INFINITY) return count;
  if (pos >= limit) {
    sendSigxfsz(k);
    return -EFBIG;
  }
  return limit - pos < BigInt(count) ? Number(limit - pos) : count;
}

/** inode_newsize_ok: growing a file to `size` past RLIMIT_FSIZE → SIGXFSZ and -EFBIG; 0 when allowed. */
export function newsizeOk(k: Kernel, size: bigint): number {
  const limit = k.task.rlimit(RLIMIT_FSIZE);
  if (limit !== RLIM_INFINITY && size > limit) {
    sendSigxfsz(k);
    return -EFBIG;
  }
  return 0;
}
