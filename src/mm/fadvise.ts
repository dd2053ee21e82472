// fadvise64 (mm/fadvise.c generic_fadvise, v6.17): advice about a file's page cache. Ours has none to act on,
// so after Linux's checks the advice is taken and changes nothing, as on a file with no backing device (DAX).
import type { Syscall, SyscallTable } from '../kernel/kernel.ts';
import { EINVAL, ESPIPE, neg } from '../kernel/errno.ts';
import { fileOf } from '../fs/read_write.ts';

/** POSIX_FADV_NORMAL, RANDOM, SEQUENTIAL, WILLNEED, DONTNEED (4) and NOREUSE (5) */
const POSIX_FADV_MAX = 5;

const fadvise64: Syscall = (k, [fd, , len, advice]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  // the standard streams are pipes to the emulator (their fstat says S_IFIFO)
  if (f.kind === 'pipe' || f.kind === 'stdio') return neg(ESPIPE);
  if (BigInt.asIntN(64, len) < 0n) return neg(EINVAL);
  const a = Number(BigInt.asIntN(32, advice));
  return a < 0 || a > POSIX_FADV_MAX ? neg(EINVAL) : 0n;
};

export const fadviseSyscalls: SyscallTable = { 223: ['fadvise64', fadvise64] };
