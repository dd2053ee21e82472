// Mirrors fs/fcntl.c (v6.17: do_fcntl, f_dupfd, setfl, the FD_CLOEXEC bit) and the descriptor syscalls of
// fs/file.c (dup, dup3, close_range). Close-on-exec is a bit of the descriptor (FileTable.closeOnExec); the
// status flags (O_NONBLOCK, O_APPEND…) belong to the open file and so are shared by its duplicates.
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { EBADF, EINVAL, neg } from '../kernel/errno.ts';
import { type OpenFile, nofile, O_APPEND, O_CLOEXEC, O_DIRECT, O_NOATIME, O_NONBLOCK } from './files.ts';
import { pipeFcntl } from './pipe.ts';

export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;
/** SETFL_MASK: the flags F_SETFL may change (O_NDELAY is O_NONBLOCK on arm64) */
const SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
const CLOSE_RANGE_UNSHARE = 1 << 1, CLOSE_RANGE_CLOEXEC = 1 << 2;

/** f_dupfd: the lowest free descriptor ≥ from; -EINVAL when from is not below RLIMIT_NOFILE. */
function fDupfd(k: Kernel, from: number, f: OpenFile, cloexec: boolean): bigint {
  const end = nofile(k.task);
  if (from >= end) return neg(EINVAL);
  f.refs++; // get_file
  const fd = k.task.files.install(f, from, cloexec, end);
  if (fd < 0) f.refs--;
  return BigInt(fd);
}

/**
 * setfl: only SETFL_MASK changes; O_DIRECT only where the file can do it: a pipe (packet mode) or a regular file
 * (ext4 and tmpfs set FMODE_CAN_ODIRECT), not a directory, a stream or a synthesised file. O_NOATIME needs the
 * file's owner: the guest owns the host's files under the root.
 */
function setfl(f: OpenFile, arg: number): bigint {
  if (arg & O_DIRECT && !(f.kind === 'pipe' || (f.kind === 'host' && !f.isDir))) return neg(EINVAL);
  f.flags = (arg & SETFL_MASK) | (f.flags & ~SETFL_MASK);
  return 0n;
}

const fcntl: Syscall = (k, [fdArg, cmdArg, arg]) => {
  const fd = Number(BigInt.asIntN(32, fdArg));
  const f = k.task.files.get(fd);
  if (!f) return neg(EBADF);
  const cmd = Number(BigInt.asUintN(32, cmdArg));
  const argi = Number(BigInt.asIntN(32, arg));
  switch (cmd) {
    case F_DUPFD: return fDupfd(k, argi >>> 0, f, false);
    case F_DUPFD_CLOEXEC: return fDupfd(k, argi >>> 0, f, true);
    case F_GETFD: return k.task.files.closeOnExec.has(fd) ? BigInt(FD_CLOEXEC) : 0n;
    case F_SETFD:
      if (argi & FD_CLOEXEC) k.task.files.closeOnExec.add(fd);
      else k.task.files.closeOnExec.delete(fd);
      return 0n;
    case F_GETFL: return BigInt(f.flags);
    case F_SETFL: return setfl(f, argi >>> 0);
    default: {
      const r = pipeFcntl(k, f, cmd, arg);
      if (r !== null) return r;
      // DIVERGENCE: record locks, leases, owners, seals and the other commands are not emulated.
      k.notice('unsupported', { what: `fcntl command ${cmd}`, errno: EINVAL });
      return neg(EINVAL);
    }
  }
};

/** dup: the lowest free descriptor, below RLIMIT_NOFILE (-EMFILE), without close-on-exec. */
const dup: Syscall = (k, [fdArg]) => {
  const f = k.task.files.get(Number(BigInt.asIntN(32, fdArg)));
  if (!f) return neg(EBADF);
  f.refs++;
  const fd = k.task.files.install(f, 0, false, nofile(k.task));
  if (fd < 0) f.refs--;
  return BigInt(fd);
};

/**
 * dup3 (ksys_dup3 → do_dup2): flags other than O_CLOEXEC and oldfd == newfd are -EINVAL; newfd not below
 * RLIMIT_NOFILE is -EBADF; whatever newfd held is closed first; the copy's close-on-exec bit is O_CLOEXEC.
 */
const dup3: Syscall = (k, [oldArg, newArg, flagsArg]) => {
  const flags = Number(BigInt.asUintN(32, flagsArg));
  if (flags & ~O_CLOEXEC) return neg(EINVAL);
  const oldfd = Number(BigInt.asUintN(32, oldArg));
  const newfd = Number(BigInt.asUintN(32, newArg));
  if (oldfd === newfd) return neg(EINVAL);
  if (newfd >= nofile(k.task)) return neg(EBADF);
  const files = k.task.files;
  const f = files.get(oldfd);
  if (!f) return neg(EBADF);
  f.refs++;
  if (files.get(newfd)) files.close(newfd);
  files.installAt(newfd, f, (flags & O_CLOEXEC) !== 0);
  return BigInt(newfd);
};

/** close_range(fd, max_fd, flags): close (or, CLOSE_RANGE_CLOEXEC, mark close-on-exec) the open descriptors in [fd, max_fd]. */
const closeRange: Syscall = (k, [fdArg, maxArg, flagsArg]) => {
  const flags = Number(BigInt.asUintN(32, flagsArg));
  const first = Number(BigInt.asUintN(32, fdArg));
  const last = Number(BigInt.asUintN(32, maxArg));
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return neg(EINVAL);
  if (first > last) return neg(EINVAL);
  const t = k.task;
  if (flags & CLOSE_RANGE_UNSHARE && t.files.users > 1) { // unshare_fd
    t.files.users--;
    t.files = t.files.dup();
  }
  const end = Math.min(last, t.files.fds.length - 1);
  for (let fd = first; fd <= end; fd++) {
    if (!t.files.fds[fd]) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) t.files.closeOnExec.add(fd);
    else t.files.close(fd);
  }
  return 0n;
};

export const fcntlSyscalls: SyscallTable = {
  25: ['fcntl', fcntl], 23: ['dup', dup], 24: ['dup3', dup3], 436: ['close_range', closeRange],
};
