// The supplementary groups and the saved ids (kernel/groups.c, kernel/sys.c getresuid/getresgid; v6.17). The
// first process starts with no supplementary groups, as one started with an empty group list would.
import type { Syscall, SyscallTable } from './kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, EPERM, neg } from './errno.ts';

/** NGROUPS_MAX */
const NGROUPS_MAX = 65536;

/** getgroups(size, list): the count, and with size > 0 the groups (EINVAL when they do not fit). */
const getgroups: Syscall = (k, [sizeArg, list]) => {
  const size = Number(BigInt.asIntN(32, sizeArg));
  if (size < 0) return neg(EINVAL);
  const g = k.task.groups;
  if (size === 0) return BigInt(g.length);
  if (size < g.length) return neg(EINVAL);
  const b = Buffer.alloc(g.length * 4);
  g.forEach((x, i) => b.writeUInt32LE(x, i * 4));
  return copyToUser(k.mm, list, b) ? BigInt(g.length) : neg(EFAULT);
};

/** setgroups(size, list): CAP_SETGID (euid 0 here) replaces the list, sorted as groups_sort keeps it. */
const setgroups: Syscall = (k, [sizeArg, list]) => {
  const size = Number(sizeArg & 0xffffffffn);
  if (k.task.euid !== 0) return neg(EPERM);
  if (size > NGROUPS_MAX) return neg(EINVAL);
  const b = size ? copyFromUser(k.mm, list, size * 4) : Buffer.alloc(0);
  if (!b) return neg(EFAULT);
  k.task.groups = Array.from({ length: size }, (_, i) => b.readUInt32LE(i * 4)).sort((x, y) => x - y);
  return 0n;
};

/** getresuid / getresgid: real, effective and saved ids, each a u32 put_user. */
const res = (ids: (t: { uid: number; euid: number; suid: number; gid: number; egid: number; sgid: number }) => number[]): Syscall =>
  (k, args) => {
    const v = ids(k.task);
    for (let i = 0; i < 3; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v[i] >>> 0);
      if (!copyToUser(k.mm, args[i], b)) return neg(EFAULT);
    }
    return 0n;
  };

export const groupsSyscalls: SyscallTable = {
  158: ['getgroups', getgroups], 159: ['setgroups', setgroups],
  148: ['getresuid', res((t) => [t.uid, t.euid, t.suid])], 150: ['getresgid', res((t) => [t.gid, t.egid, t.sgid])],
};
