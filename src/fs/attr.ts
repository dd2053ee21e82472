// The working directory and the attributes of files (fs/open.c chdir, fchdir, fchmodat, fchownat; fs/utimes.c
// utimensat; v6.17), on files under the --root. DIVERGENCE: files belong to the host user that runs the emulator
// (stat shows its ids), so there is no owner check: the guest may chmod and set the times of any file under the
// root; chown, which Linux allows only with CAP_CHOWN, needs euid 0 and then changes the host file's owner.
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyFromUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, ENOENT, ENOTDIR, EOPNOTSUPP, EPERM, errnoFromNode, neg } from '../kernel/errno.ts';
import { CLOCK_REALTIME } from '../kernel/time.ts';
import { guestAbsolute, lookup } from './namei.ts';
import { fileOf } from './read_write.ts';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, dirOf, s32, userPath } from './open.ts';
import { pathAt } from './stat.ts';
import { loadKoffi } from '../cpu/koffi.ts';

const S_IFMT = 0o170000, S_IFDIR = 0o040000;
const isDir = (st: Buffer): boolean => (st.readUInt32LE(16) & S_IFMT) === S_IFDIR;

/** The host's answer to an operation on a host path: 0, or its errno. */
function onHost(op: () => void): bigint {
  try {
    op();
    return 0n;
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
}

/** chdir(path): the directory it names (in the root, the sysroot or /proc) becomes the cwd. */
const chdir: Syscall = (k, [pathp]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const at = pathAt(k, AT_FDCWD, p, true);
  if (typeof at === 'bigint') return at;
  if ('proc' in at ? !isDir(at.proc) : !fs.statSync(at.host).isDirectory()) return neg(ENOTDIR);
  k.task.cwd = 'proc' in at ? guestAbsolute(k.task.cwd, p) : at.guest;
  return 0n;
};

/** fchdir(fd): an open directory becomes the cwd. */
const fchdir: Syscall = (k, [fd]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if (!f.isDir) return neg(ENOTDIR);
  k.task.cwd = f.path;
  return 0n;
};

/** What a *at() call acts on: a file of the root by its host path (`link`: a symlink itself), or an open one. */
type Target = { host: string; link: boolean } | { fd: number };

/** The target of a *at() call with AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH, or -errno; `fd`: dirfd itself. */
function targetAt(k: Kernel, dirfd: bigint, pathp: bigint, flags: number, fd = false): Target | bigint {
  const p = fd ? '' : userPath(k, pathp);
  if (typeof p !== 'string') return p;
  if (fd || (p === '' && flags & AT_EMPTY_PATH)) {
    const f = fileOf(k, dirfd);
    if (typeof f === 'bigint') return f;
    // a pipe, a standard stream or a /proc file: not a file of the root, whose attributes stay as they are
    return f.kind === 'host' ? { fd: f.fd! } : neg(EPERM);
  }
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const r = lookup(k.root, dir, p, !(flags & AT_SYMLINK_NOFOLLOW));
  if (typeof r === 'number') return BigInt(r);
  if (!r.exists) return neg(ENOENT);
  return { host: r.host, link: fs.lstatSync(r.host).isSymbolicLink() };
}

const statOf = (t: Target) => ('fd' in t ? fs.fstatSync(t.fd) : fs.lstatSync(t.host));

/** chmod_common: the mode's permission bits (S_IALLUGO); a symlink's mode cannot change (EOPNOTSUPP). */
function chmodAt(k: Kernel, t: Target | bigint, mode: bigint): bigint {
  if (typeof t === 'bigint') return t;
  if ('fd' in t) return onHost(() => fs.fchmodSync(t.fd, Number(mode) & 0o7777));
  if (t.link) return neg(EOPNOTSUPP);
  return onHost(() => fs.chmodSync(t.host, Number(mode) & 0o7777));
}

const fchmod: Syscall = (k, [fd, mode]) => chmodAt(k, targetAt(k, fd, 0n, 0, true), mode);
const fchmodat: Syscall = (k, [dirfd, pathp, mode]) => chmodAt(k, targetAt(k, dirfd, pathp, 0), mode);
const fchmodat2: Syscall = (k, [dirfd, pathp, mode, flagsArg]) => {
  const flags = Number(flagsArg & 0xffffffffn);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return neg(EINVAL);
  return chmodAt(k, targetAt(k, dirfd, pathp, flags), mode);
};

/** chown_common: -1 leaves an id as it is; a change needs CAP_CHOWN here (see the file's comment). */
function chownAt(k: Kernel, t: Target | bigint, uidArg: bigint, gidArg: bigint): bigint {
  if (typeof t === 'bigint') return t;
  const uid = s32(uidArg), gid = s32(gidArg);
  const st = statOf(t);
  const [u, g] = [uid === -1 ? st.uid : uid, gid === -1 ? st.gid : gid];
  if (u === st.uid && g === st.gid) return 0n;
  if (k.task.euid !== 0) return neg(EPERM);
  return onHost(() => ('fd' in t ? fs.fchownSync(t.fd, u, g) : fs.lchownSync(t.host, u, g)));
}

const fchownat: Syscall = (k, [dirfd, pathp, uid, gid, flagsArg]) => {
  const flags = Number(flagsArg & 0xffffffffn);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return neg(EINVAL);
  return chownAt(k, targetAt(k, dirfd, pathp, flags), uid, gid);
};
const fchown: Syscall = (k, [fd, uid, gid]) => chownAt(k, targetAt(k, fd, 0n, 0, true), uid, gid);

// include/uapi/linux/stat.h
const UTIME_NOW = (1n << 30n) - 1n, UTIME_OMIT = (1n << 30n) - 2n;

/** The host's utimensat and futimens (libc, through koffi): Node's own utimes rounds the times to a double. */
let libc: { utimensat(dirfd: number, path: string, times: Buffer, flags: number): number; futimens(fd: number, times: Buffer): number } | null = null;
function hostLibc(): NonNullable<typeof libc> {
  if (!libc) {
    const so = loadKoffi().load('libc.so.6');
    libc = { utimensat: so.func('int utimensat(int, const char *, const void *, int)'), futimens: so.func('int futimens(int, const void *)') };
  }
  return libc;
}

/**
 * utimensat(dirfd, path, times, flags): each time a timespec, UTIME_NOW (the virtual clock's now) or UTIME_OMIT;
 * no times: both now. A NULL path is dirfd itself. The host sets them, to the nanosecond.
 */
const utimensat: Syscall = (k, [dirfd, pathp, utimes, flagsArg]) => {
  const now = k.clock.read(CLOCK_REALTIME)!;
  const ts = Buffer.alloc(32);
  const b = utimes === 0n ? null : copyFromUser(k.mm, utimes, 32);
  if (utimes !== 0n && !b) return neg(EFAULT);
  for (const i of [0, 1]) {
    const nsec = b ? b.readBigInt64LE(i * 16 + 8) : UTIME_NOW;
    if (nsec !== UTIME_NOW && nsec !== UTIME_OMIT && (nsec < 0n || nsec > 999_999_999n)) return neg(EINVAL);
    ts.writeBigInt64LE(nsec === UTIME_NOW ? now / 1_000_000_000n : b!.readBigInt64LE(i * 16), i * 16);
    ts.writeBigInt64LE(nsec === UTIME_NOW ? now % 1_000_000_000n : nsec, i * 16 + 8);
  }
  if (b && b.readBigInt64LE(8) === UTIME_OMIT && b.readBigInt64LE(24) === UTIME_OMIT) return 0n;
  const flags = Number(flagsArg & 0xffffffffn);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return neg(EINVAL);
  // do_utimes: a NULL path is dirfd itself (with no flags); with AT_FDCWD it is a bad address
  const byFd = pathp === 0n && s32(dirfd) !== AT_FDCWD;
  if (byFd && flags) return neg(EINVAL);
  const t = targetAt(k, dirfd, pathp, flags, byFd);
  if (typeof t === 'bigint') return t;
  const c = hostLibc();
  const r = 'fd' in t ? c.futimens(t.fd, ts) : c.utimensat(AT_FDCWD, t.host, ts, t.link ? AT_SYMLINK_NOFOLLOW : 0);
  return r === 0 ? 0n : neg(loadKoffi().errno());
};

export const attrSyscalls: SyscallTable = {
  49: ['chdir', chdir], 50: ['fchdir', fchdir], 52: ['fchmod', fchmod], 53: ['fchmodat', fchmodat],
  452: ['fchmodat2', fchmodat2], 54: ['fchownat', fchownat], 55: ['fchown', fchown], 88: ['utimensat', utimensat],
};
