// File syscalls (fs/open.c, read_write.c, stat.c, namei.c, d_path.c, ioctl.c, fcntl.c; v6.17), confined to
// the --root directory through namei.ts. /proc/self/{exe,maps} are synthesised from the task.
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyFromUser, copyToUser, strncpyFromUser } from '../mm/uaccess.ts';
import {
  EBADF, EFAULT, EINVAL, ENOTTY, ENAMETOOLONG, EEXIST, ENOTDIR, EISDIR, ERANGE, EOPNOTSUPP, errnoFromNode,
  neg,
} from '../kernel/errno.ts';
import { lookup, guestAbsolute } from './namei.ts';
import { lookupOverlay } from './sysroot.ts';
import { writeCheckLimits, newsizeOk, pageCacheSync } from '../mm/filemap.ts';
import {
  type OpenFile, O_ACCMODE, O_APPEND, O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_RDONLY, O_WRONLY,
} from './files.ts';

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

function userPath(k: Kernel, addr: bigint): string | bigint {
  const s = strncpyFromUser(k.mm, addr, 4096);
  if (s === null) return neg(EFAULT);
  if (s === 'toolong') return neg(ENAMETOOLONG);
  return s;
}

/** The directory a *at() call is relative to, as a guest path. */
function dirOf(k: Kernel, dirfd: number, p: string): string | bigint {
  if (p.startsWith('/') || dirfd === AT_FDCWD) return k.task.cwd;
  const f = k.task.files.get(dirfd);
  if (!f) return neg(EBADF);
  if (!f.isDir) return neg(ENOTDIR);
  return f.path;
}

/** Files the kernel makes up rather than reads from a disk. */
function procFile(k: Kernel, guest: string): Buffer | null {
  if (guest === '/proc/self/maps' || guest === `/proc/${k.task.pid}/maps`) return Buffer.from(k.mm.procMaps());
  if (guest === '/proc/self/coredump_filter') return Buffer.from(`${k.task.coredumpFilter.toString(16).padStart(8, '0')}\n`);
  return null;
}

const openat: Syscall = (k, [dirfd, pathp, flagsArg, mode]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const flags = Number(flagsArg);
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const guest = guestAbsolute(dir, p);
  const synthetic = procFile(k, guest);
  if (synthetic) {
    return BigInt(k.task.files.install({ kind: 'memory', path: guest, flags, pos: 0n, data: synthetic, refs: 1 }));
  }
  if (guest === '/dev/null') {
    return BigInt(k.task.files.install({ kind: 'memory', path: guest, flags, pos: 0n, data: Buffer.alloc(0), refs: 1 }));
  }
  const readOnly = (flags & O_ACCMODE) === O_RDONLY && !(flags & (O_CREAT | O_TRUNC));
  const r = readOnly ? lookupOverlay(k.root, k.sysroot ?? null, dir, p, !(flags & O_NOFOLLOW))
    : lookup(k.root, dir, p, !(flags & O_NOFOLLOW), (flags & O_CREAT) !== 0);
  if (typeof r === 'number') return BigInt(r);
  if (r.exists && flags & O_CREAT && flags & O_EXCL) return neg(EEXIST);
  try {
    const st = r.exists ? fs.statSync(r.host) : null;
    if (st?.isDirectory()) {
      if ((flags & O_ACCMODE) !== O_RDONLY) return neg(EISDIR);
      return BigInt(k.task.files.install({ kind: 'host', path: r.guest, flags, pos: 0n, isDir: true, fd: fs.openSync(r.host, 'r'), refs: 1 }));
    }
    if (flags & O_DIRECTORY) return neg(ENOTDIR);
    const fd = fs.openSync(r.host, hostFlags(flags), Number(mode) & ~k.task.umask & 0o7777);
    return BigInt(k.task.files.install({ kind: 'host', path: r.guest, flags, pos: 0n, fd, refs: 1 }));
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

function fileOf(k: Kernel, fd: bigint): OpenFile | bigint {
  return k.task.files.get(s32(fd)) ?? neg(EBADF);
}

const read: Syscall = (k, [fd, buf, len]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  pageCacheSync(k.mm, f, false);
  const r = k.task.files.read(f, Number(len > 0x7ffff000n ? 0x7ffff000n : len));
  if (typeof r === 'number') return BigInt(r);
  return copyToUser(k.mm, buf, r) ? BigInt(r.length) : neg(EFAULT);
};
const write: Syscall = (k, [fd, buf, len]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if ((f.flags & O_ACCMODE) === O_RDONLY && f.kind !== 'stdio') return neg(EBADF);
  const data = copyFromUser(k.mm, buf, Number(len > 0x7ffff000n ? 0x7ffff000n : len));
  if (!data) return neg(EFAULT);
  return vfsWrite(k, f, data);
};

/** vfs_write → generic_write_checks: a regular file's write is held to RLIMIT_FSIZE first. */
function vfsWrite(k: Kernel, f: OpenFile, data: Buffer, at?: bigint): bigint {
  if (f.kind === 'host' && (f.flags & O_ACCMODE) !== O_RDONLY) {
    const st = fs.fstatSync(f.fd!);
    if (st.isFile()) {
      const n = writeCheckLimits(k, f.flags & O_APPEND ? BigInt(st.size) : at ?? f.pos, data.length);
      if (n < 0) return BigInt(n);
      data = data.subarray(0, n);
    }
  }
  pageCacheSync(k.mm, f, false);
  const n = k.task.files.write(f, data, at);
  pageCacheSync(k.mm, f, true);
  return BigInt(n);
}
const pread64: Syscall = (k, [fd, buf, len, off]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  pageCacheSync(k.mm, f, false);
  const r = k.task.files.read(f, Number(len), off);
  if (typeof r === 'number') return BigInt(r);
  return copyToUser(k.mm, buf, r) ? BigInt(r.length) : neg(EFAULT);
};
const pwrite64: Syscall = (k, [fd, buf, len, off]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  const data = copyFromUser(k.mm, buf, Number(len));
  if (!data) return neg(EFAULT);
  return vfsWrite(k, f, data, off);
};

function iovecs(k: Kernel, iov: bigint, cnt: bigint): [bigint, number][] | bigint {
  if (cnt > 1024n) return neg(EINVAL);
  const raw = copyFromUser(k.mm, iov, Number(cnt) * 16);
  if (!raw) return neg(EFAULT);
  const out: [bigint, number][] = [];
  for (let i = 0; i < Number(cnt); i++) out.push([raw.readBigUInt64LE(i * 16), Number(raw.readBigUInt64LE(i * 16 + 8))]);
  return out;
}
const readv: Syscall = (k, [fd, iov, cnt]) => {
  const v = iovecs(k, iov, cnt);
  if (typeof v === 'bigint') return v;
  let total = 0n;
  for (const [base, len] of v) {
    const r = read(k, [fd, base, BigInt(len)]) as bigint;
    if (r < 0n) return total > 0n ? total : r;
    total += r;
    if (r < BigInt(len)) break;
  }
  return total;
};
const writev: Syscall = (k, [fd, iov, cnt]) => {
  const v = iovecs(k, iov, cnt);
  if (typeof v === 'bigint') return v;
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  const parts: Buffer[] = [];
  for (const [base, len] of v) {
    const b = copyFromUser(k.mm, base, len);
    if (!b) return neg(EFAULT);
    parts.push(b);
  }
  return vfsWrite(k, f, Buffer.concat(parts));
};

const lseek: Syscall = (k, [fd, off, whence]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  const r = k.task.files.lseek(f, BigInt.asIntN(64, off), Number(whence));
  return typeof r === 'number' ? BigInt(r) : r;
};

/** struct stat for arm64 (asm-generic/stat.h), 128 bytes */
function encodeStat(st: fs.Stats): Buffer {
  const b = Buffer.alloc(128);
  b.writeBigUInt64LE(BigInt(st.dev), 0);
  b.writeBigUInt64LE(BigInt(st.ino), 8);
  b.writeUInt32LE(st.mode, 16);
  b.writeUInt32LE(st.nlink, 20);
  b.writeUInt32LE(st.uid, 24);
  b.writeUInt32LE(st.gid, 28);
  b.writeBigUInt64LE(BigInt(st.rdev), 32);
  b.writeBigInt64LE(BigInt(st.size), 48);
  b.writeInt32LE(st.blksize, 56);
  b.writeBigInt64LE(BigInt(st.blocks), 64);
  const ts = (ms: number, at: number) => {
    b.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), at);
    b.writeBigUInt64LE(BigInt(Math.floor((ms % 1000) * 1e6)), at + 8);
  };
  ts(st.atimeMs, 72);
  ts(st.mtimeMs, 88);
  ts(st.ctimeMs, 104);
  return b;
}

/** A character device for the stdio streams, as a terminal or pipe would stat. */
function stdioStat(): Buffer {
  const b = Buffer.alloc(128);
  b.writeUInt32LE(0o010600, 16); // S_IFIFO: stdout goes to the emulator, like a pipe
  b.writeUInt32LE(1, 20);
  b.writeInt32LE(4096, 56);
  return b;
}

const fstat: Syscall = (k, [fd, statbuf]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  let b: Buffer;
  if (f.kind === 'host') b = encodeStat(fs.fstatSync(f.fd!));
  else if (f.kind === 'memory') { b = Buffer.alloc(128); b.writeUInt32LE(0o100444, 16); b.writeUInt32LE(1, 20); b.writeInt32LE(4096, 56); }
  else b = stdioStat();
  return copyToUser(k.mm, statbuf, b) ? 0n : neg(EFAULT);
};
const newfstatat: Syscall = (k, [dirfd, pathp, statbuf, flags]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  if (p === '' && Number(flags) & AT_EMPTY_PATH) return fstat(k, [dirfd, statbuf]);
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const r = lookupOverlay(k.root, k.sysroot ?? null, dir, p, !(Number(flags) & AT_SYMLINK_NOFOLLOW));
  if (typeof r === 'number') return BigInt(r);
  try {
    return copyToUser(k.mm, statbuf, encodeStat(fs.lstatSync(r.host))) ? 0n : neg(EFAULT);
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
};

const readlinkat: Syscall = (k, [dirfd, pathp, buf, size]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  if (BigInt.asIntN(64, size) <= 0n) return neg(EINVAL);
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const guest = guestAbsolute(dir, p);
  let target: string;
  if (guest === '/proc/self/exe' || guest === `/proc/${k.task.pid}/exe`) target = k.task.exePath;
  else {
    const r = lookupOverlay(k.root, k.sysroot ?? null, dir, p, false);
    if (typeof r === 'number') return BigInt(r);
    try {
      target = fs.readlinkSync(r.host);
    } catch (e) {
      return neg(errnoFromNode(e as NodeJS.ErrnoException));
    }
  }
  const b = Buffer.from(target).subarray(0, Number(size));
  return copyToUser(k.mm, buf, b) ? BigInt(b.length) : neg(EFAULT);
};

const getcwd: Syscall = (k, [buf, size]) => {
  const b = Buffer.from(k.task.cwd + '\0');
  if (BigInt(b.length) > size) return neg(ERANGE);
  return copyToUser(k.mm, buf, b) ? BigInt(b.length) : neg(EFAULT);
};

const TCGETS = 0x5401n, TIOCGWINSZ = 0x5413n;
const ioctl: Syscall = (k, [fd, cmd]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if ((cmd === TCGETS || cmd === TIOCGWINSZ) && !(f.kind === 'stdio' && k.task.files.stdio.isatty(f.stream!))) return neg(ENOTTY);
  return neg(ENOTTY);
};

const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
const fcntl: Syscall = (k, [fd, cmd, arg]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  switch (Number(cmd)) {
    case F_DUPFD: case F_DUPFD_CLOEXEC: f.refs++; return BigInt(k.task.files.install(f, Number(arg), Number(cmd) === F_DUPFD_CLOEXEC));
    case F_GETFD: return k.task.files.closeOnExec.has(s32(fd)) ? 1n : 0n; // FD_CLOEXEC
    case F_SETFD:
      if (arg & 1n) k.task.files.closeOnExec.add(s32(fd));
      else k.task.files.closeOnExec.delete(s32(fd));
      return 0n;
    case F_GETFL: return BigInt(f.flags);
    case F_SETFL: f.flags = (f.flags & O_ACCMODE) | (Number(arg) & ~O_ACCMODE); return 0n;
    default: return neg(EINVAL);
  }
};
const dup: Syscall = (k, [fd]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  f.refs++;
  return BigInt(k.task.files.install(f));
};
const dup3: Syscall = (k, [oldfd, newfd, flags]) => {
  const f = fileOf(k, oldfd);
  if (typeof f === 'bigint') return f;
  if (oldfd === newfd || (flags & ~0x80000n) !== 0n) return neg(EINVAL);
  if (k.task.files.get(s32(newfd))) k.task.files.close(s32(newfd));
  f.refs++;
  k.task.files.fds[s32(newfd)] = f;
  if (flags & 0x80000n) k.task.files.closeOnExec.add(s32(newfd)); // O_CLOEXEC
  return newfd;
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

const mkdirat: Syscall = (k, [dirfd, pathp, mode]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const r = lookup(k.root, dir, p, false, true);
  if (typeof r === 'number') return BigInt(r);
  if (r.exists) return neg(EEXIST);
  try {
    fs.mkdirSync(r.host, Number(mode) & ~k.task.umask & 0o777);
    return 0n;
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
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
  56: ['openat', openat], 57: ['close', close], 63: ['read', read], 64: ['write', write],
  65: ['readv', readv], 66: ['writev', writev], 67: ['pread64', pread64], 68: ['pwrite64', pwrite64],
  62: ['lseek', lseek], 80: ['fstat', fstat], 79: ['newfstatat', newfstatat], 78: ['readlinkat', readlinkat],
  17: ['getcwd', getcwd], 29: ['ioctl', ioctl], 25: ['fcntl', fcntl], 23: ['dup', dup], 24: ['dup3', dup3],
  166: ['umask', umask], 48: ['faccessat', faccessat], 35: ['unlinkat', unlinkat], 34: ['mkdirat', mkdirat],
  45: ['truncate', truncate], 46: ['ftruncate', ftruncate], 47: ['fallocate', fallocate],
};
