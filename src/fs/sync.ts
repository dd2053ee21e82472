// sync, syncfs, fsync, fdatasync (fs/sync.c, v6.17). The guest's files are the host's, written through at every
// write, so there is nothing to flush: each call gives what Linux gives for its descriptor and does nothing more.
import type { Syscall, SyscallTable } from '../kernel/kernel.ts';
import { EINVAL, neg } from '../kernel/errno.ts';
import { fileOf } from './read_write.ts';

/** vfs_fsync_range: a file without ->fsync (a pipe, the standard streams, /proc) gives EINVAL. */
const fsync: Syscall = (k, [fd]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  return f.kind === 'host' ? 0n : neg(EINVAL);
};

const syncfs: Syscall = (k, [fd]) => {
  const f = fileOf(k, fd);
  return typeof f === 'bigint' ? f : 0n;
};

export const syncSyscalls: SyscallTable = {
  81: ['sync', () => 0n], 267: ['syncfs', syncfs], 82: ['fsync', fsync], 83: ['fdatasync', fsync],
};
