// File syscalls (fs/open.c, namei.c, ioctl.c; v6.17), confined to the --root directory through namei.ts.
// Paths under /proc go to the synthesized /proc (proc/root.ts). read/write are in read_write.ts, fcntl and dup in
// fcntl.ts, getdents64 in readdir.ts, pipes in pipe.ts, the stat family in stat.ts.
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyToUser, strncpyFromUser } from '../mm/uaccess.ts';
import {
  EBADF, EFAULT, EINVAL, ENOENT, ENOTTY, ENAMETOOLONG, EEXIST, ENOTDIR, EISDIR, ERANGE, EOPNOTSUPP, errnoFromNode,
  neg,
} from '../kernel/errno.ts';
import { lookup, guestAbsolute } from './namei.ts';
import { lookupOverlay } from './sysroot.ts';
import { procOpen } from './proc/root.ts';
import { newsizeOk } from '../mm/filemap.ts';
import {
  nofile, O_ACCMODE, O_CLOEXEC, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_RDONLY, O_WRONLY, O_LARGEFILE,
} from './files.ts';
import { fileOf } from './read_write.ts';
import { pipeIoctlFionread } from './pipe.ts';

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EMPTY_PATH = 0x1000;
export const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

export function userPath(k: Kernel, addr: bigint): string | bigint {
  const s = strncpyFromUser(k.mm, addr, 4096);
  if (s === null) return neg(EFAULT);
  if (s === 'toolong') return neg(ENAMETOOLONG);
  return s;
}

/** The directory a *at() call is relative to, as a guest path. */
export function dirOf(k: Kernel, dirfd: number, p: string): string | bigint {
  if (p.startsWith('/') || dirfd === AT_FDCWD) return k.task.cwd;
  const f = k.task.files.get(dirfd);
  if (!f) return neg(EBADF);
  if (!f.isDir) return neg(ENOTDIR);
  return f.path;
}

const openat: Syscall = (k, [dirfd, pathp, flagsArg, mode]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const flags = Number(flagsArg);
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const guest = guestAbsolute(dir, p);
  // do_dentry_open keeps f_flags without the open-time-only bits; arm64 is 64-bit, so O_LARGEFILE is forced
  const fflags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const limit = nofile(k.task);
  // the guest's /proc (fs/proc/root.ts); a symlink there that leads out of /proc (cwd, exe, fd/N) opens its target
  const proc = procOpen(k, guest, fflags);
  if (typeof proc === 'number') return BigInt(proc);
  if (proc && 'kind' in proc) return BigInt(k.task.files.install(proc, 0, cloexec, limit));
  const path = proc?.path ?? p;
  if (guest === '/dev/null') { // reads find EOF, writes vanish (drivers/char/mem.c null_fops)
    const devNull = { kind: 'memory' as const, path: guest, flags: fflags, pos: 0n, data: Buffer.alloc(0), refs: 1, write: (d: Buffer) => d.length };
    return BigInt(k.task.files.install(devNull, 0, cloexec, limit));
  }
  const readOnly = (flags & O_ACCMODE) === O_RDONLY && !(flags & (O_CREAT | O_TRUNC));
  const r = readOnly ? lookupOverlay(k.root, k.sysroot ?? null, dir, path, !(flags & O_NOFOLLOW))
    : lookup(k.root, dir, path, !(flags & O_NOFOLLOW), (flags & O_CREAT) !== 0);
  if (typeof r === 'number') return BigInt(r);
  if (r.exists && flags & O_CREAT && flags & O_EXCL) return neg(EEXIST);
  try {
    const st = r.exists ? fs.statSync(r.host) : null;
    if (st?.isDirectory()) {
      if ((flags & O_ACCMODE) !== O_RDONLY) return neg(EISDIR);
      return BigInt(k.task.files.install({ kind: 'host', path: r.guest, flags: fflags, pos: 0n, isDir: true, host: r.host, fd: fs.openSync(r.host, 'r'), refs: 1 }, 0, cloexec, limit));
    }
    if (flags & O_DIRECTORY) return neg(ENOTDIR);
    const fd = fs.openSync(r.host, hostFlags(flags), Number(mode) & ~k.task.umask & 0o7777);
    const n = k.task.files.install({ kind: 'host', path: r.guest, flags: fflags, pos: 0n, fd, refs: 1 }, 0, cloexec, limit);
    if (n < 0) fs.closeSync(fd);
    return BigInt(n);
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
};

function hostFlags(flags: number): number {
  const c = fs.constants;
  return (flags & O_ACCMODE) | (flags & O_CREAT ? c.O_CREAT : 0) | (flags & O_EXCL ? c.O_EXCL : 0) |
    (flags & O_TRUNC ? c.O_TRUNC : 0) | (flags & O_NOFOLLOW ? c.O_NOFOLLOW : 0);
}

const close: Syscall = (k, [fd]) => BigInt(k.task.files.close(s32(fd)));

const getcwd: Syscall = (k, [buf, size]) => {
  const b = Buffer.from(k.task.cwd + '\0');
  if (BigInt(b.length) > size) return neg(ERANGE);
  return copyToUser(k.mm, buf, b) ? BigInt(b.length) : neg(EFAULT);
};

const TCGETS = 0x5401n, TIOCGWINSZ = 0x5413n, FIONREAD = 0x541bn;
const ioctl: Syscall = (k, [fd, cmd, arg]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if (f.kind === 'pipe') return cmd === FIONREAD ? pipeIoctlFionread(k, f, arg) : neg(ENOTTY);
  if ((cmd === TCGETS || cmd === TIOCGWINSZ) && !(f.kind === 'stdio' && k.task.files.stdio.isatty(f.stream!))) return neg(ENOTTY);
  return neg(ENOTTY);
};

const umask: Syscall = (k, [mask]) => {
  const old = k.task.umask;
  k.task.umask = Number(mask) & 0o777;
  return BigInt(old);
};

const faccessat: Syscall = (k, [dirfd, pathp]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const r = lookupOverlay(k.root, k.sysroot ?? null, dir, p, true);
  return typeof r === 'number' ? BigInt(r) : 0n;
};

const unlinkat: Syscall = (k, [dirfd, pathp, flags]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const r = lookup(k.root, dir, p, false);
  if (typeof r === 'number') return BigInt(r);
  try {
    if (Number(flags) & 0x200) fs.rmdirSync(r.host);
    else fs.unlinkSync(r.host);
    return 0n;
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
};

/**
 * filename_create: a new directory entry p (relative to dirfd) that must not exist yet, made by `make` on its host
 * path; EEXIST when it does, the host's errno when making it fails.
 */
function createEntry(k: Kernel, dirfd: bigint, p: string, make: (host: string) => void): bigint {
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const r = lookup(k.root, dir, p, false, true);
  if (typeof r === 'number') return BigInt(r);
  if (r.exists) return neg(EEXIST);
  try {
    make(r.host);
    return 0n;
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
}

const mkdirat: Syscall = (k, [dirfd, pathp, mode]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  return createEntry(k, dirfd, p, (host) => fs.mkdirSync(host, Number(mode) & ~k.task.umask & 0o777));
};

/** symlinkat (do_symlinkat): the target is stored as given; lookups resolve it inside the root (namei.ts). */
const symlinkat: Syscall = (k, [oldp, dirfd, newp]) => {
  const target = userPath(k, oldp);
  if (typeof target !== 'string') return target;
  const p = userPath(k, newp);
  if (typeof p !== 'string') return p;
  if (target === '') return neg(ENOENT);
  return createEntry(k, dirfd, p, (host) => fs.symlinkSync(target, host));
};

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

/**
 * renameat2(olddirfd, old, newdirfd, new, flags) in the root (do_renameat2). DIVERGENCE: RENAME_EXCHANGE and
 * RENAME_WHITEOUT give EINVAL, as on a filesystem without them; RENAME_NOREPLACE is checked before the host rename.
 */
function renameAt(k: Kernel, [olddfd, oldp, newdfd, newp]: bigint[], flags: number): bigint {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return neg(EINVAL);
  if (flags & RENAME_EXCHANGE && flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) return neg(EINVAL);
  const from = userPath(k, oldp);
  if (typeof from !== 'string') return from;
  const to = userPath(k, newp);
  if (typeof to !== 'string') return to;
  const [fromDir, toDir] = [dirOf(k, s32(olddfd), from), dirOf(k, s32(newdfd), to)];
  if (typeof fromDir !== 'string') return fromDir;
  if (typeof toDir !== 'string') return toDir;
  const a = lookup(k.root, fromDir, from, false);
  if (typeof a === 'number') return BigInt(a);
  if (!a.exists) return neg(ENOENT);
  const b = lookup(k.root, toDir, to, false, true);
  if (typeof b === 'number') return BigInt(b);
  if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) return neg(EINVAL);
  if (b.exists && flags & RENAME_NOREPLACE) return neg(EEXIST);
  try {
    fs.renameSync(a.host, b.host);
    return 0n;
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
}
const renameat: Syscall = (k, args) => renameAt(k, args, 0);
const renameat2: Syscall = (k, args) => renameAt(k, args, Number(args[4] & 0xffffffffn));

const AT_SYMLINK_FOLLOW = 0x400;
/** linkat(olddirfd, old, newdirfd, new, flags): a hard link in the root (do_linkat). */
const linkat: Syscall = (k, [olddfd, oldp, newdfd, newp, flagsArg]) => {
  const flags = Number(flagsArg & 0xffffffffn);
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return neg(EINVAL);
  const from = userPath(k, oldp);
  if (typeof from !== 'string') return from;
  const to = userPath(k, newp);
  if (typeof to !== 'string') return to;
  const fromDir = dirOf(k, s32(olddfd), from);
  if (typeof fromDir !== 'string') return fromDir;
  const a = lookup(k.root, fromDir, from, (flags & AT_SYMLINK_FOLLOW) !== 0);
  if (typeof a === 'number') return BigInt(a);
  if (!a.exists) return neg(ENOENT);
  return createEntry(k, newdfd, to, (host) => fs.linkSync(a.host, host));
};

/** do_truncate: the new size is held to RLIMIT_FSIZE (inode_newsize_ok) before the host file changes. */
function doTruncate(k: Kernel, fd: number, length: bigint): bigint {
  if (length < 0n) return neg(EINVAL);
  const limited = newsizeOk(k, length);
  if (limited < 0) return BigInt(limited);
  try {
    fs.ftruncateSync(fd, Number(length));
    return 0n;
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
}
const ftruncate: Syscall = (k, [fd, length]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if (f.kind !== 'host' || f.isDir) return neg(EINVAL);
  if ((f.flags & O_ACCMODE) === O_RDONLY) return neg(EINVAL); // do_sys_ftruncate: not open for writing
  return doTruncate(k, f.fd!, BigInt.asIntN(64, length));
};
const truncate: Syscall = (k, [pathp, length]) => {
  const p = userPath(k, pathp);
  if (typeof p === 'bigint') return p;
  const r = lookup(k.root, k.task.cwd, p, true);
  if (typeof r === 'number') return BigInt(r);
  if (fs.statSync(r.host).isDirectory()) return neg(EISDIR);
  const fd = fs.openSync(r.host, O_WRONLY);
  try {
    return doTruncate(k, fd, BigInt.asIntN(64, length));
  } finally {
    fs.closeSync(fd);
  }
};
/** vfs_fallocate, mode 0 (allocate, and grow the size): the end of the range is held to RLIMIT_FSIZE. */
const fallocate: Syscall = (k, [fd, mode, offset, len]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  const off = BigInt.asIntN(64, offset);
  const n = BigInt.asIntN(64, len);
  if (off < 0n || n <= 0n) return neg(EINVAL);
  if (f.kind !== 'host' || (f.flags & O_ACCMODE) === O_RDONLY) return neg(EBADF);
  // DIVERGENCE: only mode 0 (and FALLOC_FL_KEEP_SIZE = 1); the hole-punching and range modes give EOPNOTSUPP,
  // as on a filesystem without them.
  if (mode !== 0n && mode !== 1n) return neg(EOPNOTSUPP);
  const size = BigInt(fs.fstatSync(f.fd!).size);
  if (mode === 1n || off + n <= size) return 0n;
  return doTruncate(k, f.fd!, off + n);
};

export const fsSyscalls: SyscallTable = {
  56: ['openat', openat], 57: ['close', close],
  17: ['getcwd', getcwd], 29: ['ioctl', ioctl],
  166: ['umask', umask], 48: ['faccessat', faccessat], 35: ['unlinkat', unlinkat], 34: ['mkdirat', mkdirat],
  36: ['symlinkat', symlinkat], 38: ['renameat', renameat], 276: ['renameat2', renameat2], 37: ['linkat', linkat],
  45: ['truncate', truncate], 46: ['ftruncate', ftruncate], 47: ['fallocate', fallocate],
};
