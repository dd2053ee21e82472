// The credentials' ids (kernel/sys.c setuid … setfsgid, getresuid/getresgid; kernel/groups.c; v6.17): real,
// effective, saved and filesystem uid and gid, and the supplementary groups. CAP_SETUID and CAP_SETGID are an
// effective uid of 0 here (root's capabilities, dropped with euid 0 as the kernel's capability rules drop them).
// commit_creds: a change of effective or filesystem id makes the process dumpable only as fs.suid_dumpable says.
// The first process starts with no supplementary groups, as one started with an empty group list would.
import type { Kernel, Syscall, SyscallTable } from './kernel.ts';
import type { Task } from './task.ts';
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

/** A uid or gid argument: -1 means "unchanged" (and is not a valid id), anything else is one (one user namespace). */
const id = (v: bigint): number => Number(v & 0xffffffffn);
const NONE = 0xffffffff;

type Ids = { r: number; e: number; s: number; fs: number };
const uids = (t: Task): Ids => ({ r: t.uid, e: t.euid, s: t.suid, fs: t.fsuid });
const gids = (t: Task): Ids => ({ r: t.gid, e: t.egid, s: t.sgid, fs: t.fsgid });

/** commit_creds: the new ids; a changed euid/egid/fsuid/fsgid sets the mm's dumpable to fs.suid_dumpable. */
function commit(k: Kernel, which: 'uid' | 'gid', n: Ids): bigint {
  const t = k.task;
  const old = which === 'uid' ? uids(t) : gids(t);
  if (which === 'uid') [t.uid, t.euid, t.suid, t.fsuid] = [n.r, n.e, n.s, n.fs];
  else [t.gid, t.egid, t.sgid, t.fsgid] = [n.r, n.e, n.s, n.fs];
  if (old.e !== n.e || old.fs !== n.fs) t.mm.dumpable = k.sysctl.suidDumpable;
  return 0n;
}

/** setuid / setgid: with the capability all three ids, else only the effective one, to the real or saved id. */
const setId = (which: 'uid' | 'gid'): Syscall => (k, [arg]) => {
  const v = id(arg);
  if (v === NONE) return neg(EINVAL);
  const o = which === 'uid' ? uids(k.task) : gids(k.task);
  if (k.task.euid === 0) return commit(k, which, { r: v, e: v, s: v, fs: v });
  if (v !== o.r && v !== o.s) return neg(EPERM);
  return commit(k, which, { ...o, e: v, fs: v });
};

/** setreuid / setregid: the real id to the real or effective one, the effective to any of the three (else the
 *  capability); the saved id follows the effective one when the real id is set or the effective moves off it. */
const setReId = (which: 'uid' | 'gid'): Syscall => (k, [ra, ea]) => {
  const [r, e] = [id(ra), id(ea)];
  const o = which === 'uid' ? uids(k.task) : gids(k.task);
  const cap = k.task.euid === 0;
  const n = { ...o };
  if (r !== NONE) {
    if (r !== o.r && r !== o.e && !cap) return neg(EPERM);
    n.r = r;
  }
  if (e !== NONE) {
    if (e !== o.r && e !== o.e && e !== o.s && !cap) return neg(EPERM);
    n.e = e;
  }
  if (r !== NONE || (e !== NONE && e !== o.r)) n.s = n.e;
  n.fs = n.e;
  return commit(k, which, n);
};

/** setresuid / setresgid: each id not -1 to one of the three current ones, else the capability. */
const setResId = (which: 'uid' | 'gid'): Syscall => (k, args) => {
  const v = args.slice(0, 3).map(id);
  const o = which === 'uid' ? uids(k.task) : gids(k.task);
  const cur = [o.r, o.e, o.s];
  if (v.every((x, i) => x === NONE || x === cur[i])) return 0n;
  if (v.some((x) => x !== NONE && !cur.includes(x)) && k.task.euid !== 0) return neg(EPERM);
  const [r, e, s] = v.map((x, i) => (x === NONE ? cur[i] : x));
  return commit(k, which, { r, e, s, fs: e });
};

/** setfsuid / setfsgid: the old fsuid always; the new one only if it is one of the ids, or with the capability. */
const setFsId = (which: 'uid' | 'gid'): Syscall => (k, [arg]) => {
  const v = id(arg);
  const o = which === 'uid' ? uids(k.task) : gids(k.task);
  if (v !== NONE && ([o.r, o.e, o.s, o.fs].includes(v) || k.task.euid === 0) && v !== o.fs) commit(k, which, { ...o, fs: v });
  return BigInt(o.fs);
};

export const credSyscalls: SyscallTable = {
  158: ['getgroups', getgroups], 159: ['setgroups', setgroups],
  148: ['getresuid', res((t) => [t.uid, t.euid, t.suid])], 150: ['getresgid', res((t) => [t.gid, t.egid, t.sgid])],
  146: ['setuid', setId('uid')], 144: ['setgid', setId('gid')], 145: ['setreuid', setReId('uid')],
  143: ['setregid', setReId('gid')], 147: ['setresuid', setResId('uid')], 149: ['setresgid', setResId('gid')],
  151: ['setfsuid', setFsId('uid')], 152: ['setfsgid', setFsId('gid')],
};
