// Mirrors fs/select.c (v6.17): ppoll and pselect6 (arm64 has neither poll nor select; glibc builds them, and
// pause(), on these). vfs_poll asks the file: a pipe end answers as pipe_poll does, every other file (regular
// files, the emulator's streams, synthesised files) is DEFAULT_POLLMASK, always ready. When nothing is ready the
// task waits (a Wait) until a descriptor is, the timeout passes on the virtual clock, or a signal comes
// (-ERESTARTNOHAND). The sigmask argument is swapped in for the call (set_user_sigmask) and put back
// afterwards, except when a signal interrupted it: then signal delivery restores it (the frame records it).
import type { Kernel, Syscall, SyscallTable, SysResult } from '../kernel/kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EBADF, EFAULT, EINVAL, ERESTARTNOHAND, neg } from '../kernel/errno.ts';
import { restoreSavedSigmask, setCurrentBlocked, signalPending } from '../kernel/signal.ts';
import { RLIMIT_NOFILE } from '../kernel/task.ts';
import type { OpenFile } from './files.ts';
import { pipePoll, type PipeInodeInfo, EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDNORM, EPOLLWRNORM } from './pipe.ts';

const POLLNVAL = 0x20, POLLPRI = 0x2, POLLRDBAND = 0x80, POLLWRBAND = 0x200;
/** DEFAULT_POLLMASK: a file without ->poll is always readable and writable */
const DEFAULT_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;
const POLLIN_SET = EPOLLRDNORM | POLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR;
const POLLOUT_SET = POLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR;
const POLLEX_SET = POLLPRI;

/** vfs_poll */
export function vfsPoll(f: OpenFile): number {
  return f.poll ? f.poll() : f.kind === 'pipe' ? pipePoll(f) : DEFAULT_POLLMASK;
}

/** How often the file's wait queue was woken so far (an edge-triggered epoll entry reports at each); a file that
 *  is always ready is never woken. */
export function fileWakeups(f: OpenFile): number {
  return f.wakeups ? f.wakeups() : f.kind === 'pipe' ? (f.pipe as PipeInodeInfo).wakeups : 0;
}

/** A timeout: null (forever), or its absolute end on the virtual clock; -errno from poll_select_set_timeout. */
export function readTimeout(k: Kernel, tsp: bigint): { end: bigint | null; zero: boolean } | bigint {
  if (tsp === 0n) return { end: null, zero: false };
  const b = copyFromUser(k.mm, tsp, 16);
  if (!b) return neg(EFAULT);
  const sec = b.readBigInt64LE(0);
  const nsec = b.readBigInt64LE(8);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return neg(EINVAL); // timespec64_valid
  const ns = sec * 1_000_000_000n + nsec;
  return { end: k.clock.elapsed() + ns, zero: ns === 0n };
}

/** set_user_sigmask: a sigmask replaces the blocked set for the call; saved_sigmask keeps the old one. */
export function setUserSigmask(k: Kernel, umask: bigint, size: bigint): bigint | null {
  if (umask === 0n) return null;
  if (size !== 8n) return neg(EINVAL);
  const b = copyFromUser(k.mm, umask, 8);
  if (!b) return neg(EFAULT);
  const t = k.task;
  t.savedSigmask = t.blocked;
  setCurrentBlocked(t, b.readBigUInt64LE(0));
  return null;
}

/**
 * poll_select_finish: the old mask comes back unless a signal interrupted the call (restore_saved_sigmask_unless),
 * and a non-zero timeout is written back as the time left (ppoll and pselect6 both update it).
 */
function pollSelectFinish(k: Kernel, tsp: bigint, to: { end: bigint | null; zero: boolean }, ret: bigint): bigint {
  if (ret !== neg(ERESTARTNOHAND)) restoreSavedSigmask(k.task);
  if (tsp === 0n || to.zero || to.end === null) return ret;
  let left = to.end - k.clock.elapsed();
  if (left < 0n) left = 0n;
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(left / 1_000_000_000n, 0);
  b.writeBigInt64LE(left % 1_000_000_000n, 8);
  copyToUser(k.mm, tsp, b); // a fault here is ignored for PT_TIMESPEC
  return ret;
}

/**
 * The wait of do_poll / do_select: `scan` computes the ready count (and, with `commit`, stores the results);
 * the task sleeps while it is 0, until the deadline or a signal. Signal with nothing ready: -ERESTARTNOHAND.
 */
function pollWait(k: Kernel, reason: string, to: { end: bigint | null; zero: boolean }, scan: (commit: boolean) => bigint,
  finish: (ret: bigint) => bigint): SysResult {
  const first = scan(false);
  if (first !== 0n) return finish(scan(true));
  // nothing ready and no time to wait: a pending signal still wins over the timeout
  if (to.zero) {
    const n = scan(true);
    return finish(signalPending(k.task) ? neg(ERESTARTNOHAND) : n);
  }
  return {
    wait: true, reason, deadline: to.end, ready: () => scan(false) !== 0n,
    finish: (why) => {
      const n = scan(true);
      return finish(n === 0n && why === 'signal' ? neg(ERESTARTNOHAND) : n);
    },
  };
}

/** ppoll(ufds, nfds, tsp, sigmask, sigsetsize) */
const ppoll: Syscall = (k, [ufds, nfdsArg, tsp, sigmask, sigsetsize]) => {
  const to = readTimeout(k, tsp);
  if (typeof to === 'bigint') return to;
  const m = setUserSigmask(k, sigmask, sigsetsize);
  if (m !== null) return m;
  const done = (ret: bigint) => pollSelectFinish(k, tsp, to, ret);
  const nfds = BigInt.asUintN(32, nfdsArg);
  if (nfds > k.task.rlimit(RLIMIT_NOFILE)) return done(neg(EINVAL));
  const n = Number(nfds);
  const fds = n > 0 ? copyFromUser(k.mm, ufds, n * 8) : Buffer.alloc(0);
  if (!fds) return done(neg(EFAULT));
  // the waiting task's table: ready() is asked while other tasks are current
  const files = k.task.files;
  const scan = (commit: boolean): bigint => {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const fd = fds.readInt32LE(i * 8);
      let revents = 0;
      if (fd >= 0) {
        const f = files.get(fd);
        // do_pollfd: the events asked for, and always POLLERR and POLLHUP
        revents = f ? vfsPoll(f) & ((fds.readUInt16LE(i * 8 + 4)) | EPOLLERR | EPOLLHUP) : POLLNVAL;
      }
      if (commit) fds.writeUInt16LE(revents, i * 8 + 6);
      if (revents) count++;
    }
    return BigInt(count);
  };
  return pollWait(k, n > 0 ? `for ${n} descriptors` : 'for a signal', to, scan, (ret) => {
    if (n > 0 && !copyToUser(k.mm, ufds, fds)) ret = neg(EFAULT);
    return done(ret);
  });
};

/** pselect6(n, inp, outp, exp, tsp, sig): sig points to { const sigset_t *p; size_t size }. */
const pselect6: Syscall = (k, [nArg, inp, outp, exp, tsp, sig]) => {
  let umask = 0n, size = 0n;
  if (sig !== 0n) {
    const pack = copyFromUser(k.mm, sig, 16);
    if (!pack) return neg(EFAULT);
    umask = pack.readBigUInt64LE(0);
    size = pack.readBigUInt64LE(8);
  }
  const to = readTimeout(k, tsp);
  if (typeof to === 'bigint') return to;
  const m = setUserSigmask(k, umask, size);
  if (m !== null) return m;
  const done = (ret: bigint) => pollSelectFinish(k, tsp, to, ret);
  let n = Number(BigInt.asIntN(32, nArg));
  if (n < 0) return done(neg(EINVAL));
  n = Math.min(n, k.task.files.maxFdsTable); // fdt->max_fds
  // get_fd_set: whole longs
  const bytes = Math.ceil(n / 64) * 8;
  const sets: (Buffer | null)[] = [];
  for (const p of [inp, outp, exp]) {
    if (p === 0n || bytes === 0) sets.push(null);
    else {
      const b = copyFromUser(k.mm, p, bytes);
      if (!b) return done(neg(EFAULT));
      sets.push(b);
    }
  }
  const bit = (b: Buffer | null, i: number): boolean => b !== null && (b[i >> 3] & (1 << (i & 7))) !== 0;
  // max_select_fd: every descriptor asked about must be open
  for (let i = 0; i < n; i++) if ((bit(sets[0], i) || bit(sets[1], i) || bit(sets[2], i)) && !k.task.files.get(i)) return done(neg(EBADF));
  const res = sets.map((s) => (s ? Buffer.alloc(s.length) : null));
  const files = k.task.files; // the waiting task's table: ready() is asked while other tasks are current
  const scan = (commit: boolean): bigint => {
    let count = 0;
    if (commit) res.forEach((r) => r?.fill(0));
    for (let i = 0; i < n; i++) {
      const want = [bit(sets[0], i), bit(sets[1], i), bit(sets[2], i)];
      if (!want.some(Boolean)) continue;
      const f = files.get(i);
      const mask = f ? vfsPoll(f) : POLLNVAL;
      [POLLIN_SET, POLLOUT_SET, POLLEX_SET].forEach((set, j) => {
        if (!want[j] || !(mask & set)) return;
        count++;
        if (commit) res[j]![i >> 3] |= 1 << (i & 7);
      });
    }
    return BigInt(count);
  };
  return pollWait(k, `for ${n} descriptors (select)`, to, scan, (ret) => {
    if (ret < 0n) return done(ret);
    const ps = [inp, outp, exp];
    for (let j = 0; j < 3; j++) if (res[j] && !copyToUser(k.mm, ps[j], res[j]!)) return done(neg(EFAULT));
    return done(ret);
  });
};

export const selectSyscalls: SyscallTable = { 73: ['ppoll', ppoll], 72: ['pselect6', pselect6] };
