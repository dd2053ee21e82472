// Extended attributes (fs/xattr.c, v6.17), on files that have none. DIVERGENCE: the guest's files neither have
// nor take extended attributes, as on a filesystem without xattr support (no IOP_XATTR): on a file that exists,
// listxattr gives an empty list (0) and get/set/removexattr -EOPNOTSUPP (xattr_resolve_name). ls, cp and tar take
// that as "not supported here" and go on.
import type { Syscall, SyscallTable } from '../kernel/kernel.ts';
import { EOPNOTSUPP, neg } from '../kernel/errno.ts';
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW } from './open.ts';
import { statAt, statFd } from './stat.ts';

/** A *xattr call on a path (following a final symlink, or not: the l* calls), answered as `ret` once it exists. */
const onPath = (follow: boolean, ret: bigint): Syscall => (k, [pathp]) => {
  const st = statAt(k, BigInt(AT_FDCWD), pathp, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  return typeof st === 'bigint' ? st : ret;
};

/** The f*xattr calls: on an open file. */
const onFd = (ret: bigint): Syscall => (k, [fd]) => {
  const st = statFd(k, fd);
  return typeof st === 'bigint' ? st : ret;
};

const none = neg(EOPNOTSUPP);
export const xattrSyscalls: SyscallTable = {
  5: ['setxattr', onPath(true, none)], 6: ['lsetxattr', onPath(false, none)], 7: ['fsetxattr', onFd(none)],
  8: ['getxattr', onPath(true, none)], 9: ['lgetxattr', onPath(false, none)], 10: ['fgetxattr', onFd(none)],
  11: ['listxattr', onPath(true, 0n)], 12: ['llistxattr', onPath(false, 0n)], 13: ['flistxattr', onFd(0n)],
  14: ['removexattr', onPath(true, none)], 15: ['lremovexattr', onPath(false, none)], 16: ['fremovexattr', onFd(none)],
};
