// The stat family (fs/stat.c, v6.17): fstat, newfstatat and statx over the same lookup (the --root through
// namei.ts and the sysroot overlay, /proc synthesized), and readlinkat.
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyToUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, errnoFromNode, neg } from '../kernel/errno.ts';
import { guestAbsolute, type Lookup } from './namei.ts';
import { lookupOverlay } from './sysroot.ts';
import { procStat, procReadlink } from './proc/root.ts';
import { fileOf } from './read_write.ts';
import { pipeStat } from './pipe.ts';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, dirOf, s32, userPath } from './open.ts';

/** struct stat for arm64 (asm-generic/stat.h), 128 bytes, from the host's (its times to the nanosecond) */
function encodeStat(st: fs.BigIntStats): Buffer {
  const b = Buffer.alloc(128);
  b.writeBigUInt64LE(st.dev, 0);
  b.writeBigUInt64LE(st.ino, 8);
  b.writeUInt32LE(Number(st.mode), 16);
  b.writeUInt32LE(Number(st.nlink), 20);
  b.writeUInt32LE(Number(st.uid), 24);
  b.writeUInt32LE(Number(st.gid), 28);
  b.writeBigUInt64LE(st.rdev, 32);
  b.writeBigInt64LE(st.size, 48);
  b.writeInt32LE(Number(st.blksize), 56);
  b.writeBigInt64LE(st.blocks, 64);
  for (const [ns, at] of [[st.atimeNs, 72], [st.mtimeNs, 88], [st.ctimeNs, 104]] as const) {
    b.writeBigInt64LE(ns / 1_000_000_000n, at);
    b.writeBigUInt64LE(ns % 1_000_000_000n, at + 8);
  }
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

/** vfs_fstat: the struct stat of an open file, or -errno. */
export function statFd(k: Kernel, fd: bigint): Buffer | bigint {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if (f.kind === 'pipe') return pipeStat(f);
  if (f.kind === 'host') return encodeStat(fs.fstatSync(f.fd!, { bigint: true }));
  if (f.kind === 'memory') {
    const proc = procStat(k, f.path, true); // a /proc file or directory (opendir checks S_ISDIR): its own stat
    if (proc !== null && typeof proc !== 'number' && !('path' in proc)) return proc;
    const b = Buffer.alloc(128);
    b.writeUInt32LE(0o100444, 16);
    b.writeUInt32LE(1, 20);
    b.writeInt32LE(4096, 56);
    return b;
  }
  return stdioStat();
}

const fstat: Syscall = (k, [fd, statbuf]) => toUser(k, statbuf, statFd(k, fd));

/**
 * user_path_at for the calls that look a path up to read about it (stat, chdir, statfs): the node p names
 * relative to dirfd, a final symlink followed or not. A /proc node gives its own struct stat; anything else is a
 * file of the sysroot or the root (its lookup). Or -errno.
 */
export function pathAt(k: Kernel, dirfd: number, p: string, follow: boolean): { proc: Buffer } | Lookup | bigint {
  const dir = dirOf(k, dirfd, p);
  if (typeof dir !== 'string') return dir;
  const proc = procStat(k, guestAbsolute(dir, p), follow);
  if (typeof proc === 'number') return BigInt(proc);
  if (proc && !('path' in proc)) return { proc };
  const r = lookupOverlay(k.root, k.sysroot ?? null, dir, proc?.path ?? p, follow);
  return typeof r === 'number' ? BigInt(r) : r;
}

/**
 * vfs_fstatat: the struct stat of a path (or, with AT_EMPTY_PATH and "", of dirfd itself), or -errno.
 * `flags`: AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (the caller checked the others).
 */
export function statAt(k: Kernel, dirfd: bigint, pathp: bigint, flags: number): Buffer | bigint {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  if (p === '' && flags & AT_EMPTY_PATH) return statFd(k, dirfd);
  const r = pathAt(k, s32(dirfd), p, !(flags & AT_SYMLINK_NOFOLLOW));
  if (typeof r === 'bigint' || 'proc' in r) return typeof r === 'bigint' ? r : r.proc;
  try {
    return encodeStat(fs.lstatSync(r.host, { bigint: true }));
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
}

const toUser = (k: Kernel, buf: bigint, b: Buffer | bigint): bigint =>
  (typeof b === 'bigint' ? b : copyToUser(k.mm, buf, b) ? 0n : neg(EFAULT));

const newfstatat: Syscall = (k, [dirfd, pathp, statbuf, flags]) =>
  toUser(k, statbuf, statAt(k, dirfd, pathp, Number(flags) & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)));

const readlinkat: Syscall = (k, [dirfd, pathp, buf, size]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  if (BigInt.asIntN(64, size) <= 0n) return neg(EINVAL);
  const dir = dirOf(k, s32(dirfd), p);
  if (typeof dir !== 'string') return dir;
  const guest = guestAbsolute(dir, p);
  let target: string;
  const proc = procReadlink(k, guest);
  if (typeof proc === 'number') return BigInt(proc);
  if (typeof proc === 'string') target = proc;
  else {
    const r = lookupOverlay(k.root, k.sysroot ?? null, dir, proc?.path ?? p, false);
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

// include/uapi/linux/stat.h
const STATX_BASIC_STATS = 0x7ff;
const STATX__RESERVED = 0x80000000;
const AT_NO_AUTOMOUNT = 0x800;
const AT_STATX_SYNC_TYPE = 0x6000;

/**
 * cp_statx: struct statx (256 bytes) from the struct stat the same lookup gives. DIVERGENCE: stx_mask is
 * STATX_BASIC_STATS only: no birth time, mount id or DIO alignment (Linux adds STATX_MNT_ID always, and
 * STATX_BTIME where the filesystem keeps it); stx_attributes and stx_attributes_mask are 0.
 */
function statxFromStat(st: Buffer): Buffer {
  const b = Buffer.alloc(256);
  const dev = st.readBigUInt64LE(0), rdev = st.readBigUInt64LE(32);
  // glibc's gnu_dev_major/minor: both the old 16-bit and the new 32/64-bit encodings of a dev_t
  const major = (d: bigint) => Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)) >>> 0;
  const minor = (d: bigint) => Number((d & 0xffn) | ((d >> 12n) & ~0xffn)) >>> 0;
  b.writeUInt32LE(STATX_BASIC_STATS, 0);
  b.writeUInt32LE(st.readInt32LE(56), 4); // blksize
  b.writeUInt32LE(st.readUInt32LE(20), 16); // nlink
  b.writeUInt32LE(st.readUInt32LE(24), 20); // uid
  b.writeUInt32LE(st.readUInt32LE(28), 24); // gid
  b.writeUInt16LE(st.readUInt32LE(16) & 0xffff, 28); // mode
  b.writeBigUInt64LE(st.readBigUInt64LE(8), 32); // ino
  b.writeBigUInt64LE(st.readBigUInt64LE(48), 40); // size
  b.writeBigUInt64LE(st.readBigUInt64LE(64), 48); // blocks
  // struct statx_timestamp { s64 tv_sec; u32 tv_nsec; s32 reserved }: atime, (btime), ctime, mtime
  for (const [from, to] of [[72, 64], [104, 96], [88, 112]]) {
    b.writeBigInt64LE(st.readBigInt64LE(from), to);
    b.writeUInt32LE(Number(st.readBigUInt64LE(from + 8)), to + 8);
  }
  b.writeUInt32LE(major(rdev), 128);
  b.writeUInt32LE(minor(rdev), 132);
  b.writeUInt32LE(major(dev), 136);
  b.writeUInt32LE(minor(dev), 140);
  return b;
}

/** statx(dirfd, path, flags, mask, buf): do_statx's checks, then vfs_statx's lookup; a NULL path with
 *  AT_EMPTY_PATH is dirfd itself (v6.11's getname_maybe_null). */
const statx: Syscall = (k, [dirfd, pathp, flagsArg, maskArg, buf]) => {
  const flags = Number(flagsArg & 0xffffffffn), mask = Number(maskArg & 0xffffffffn);
  if (mask & STATX__RESERVED) return neg(EINVAL);
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return neg(EINVAL);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) return neg(EINVAL);
  const st = pathp === 0n && flags & AT_EMPTY_PATH ? statFd(k, dirfd)
    : statAt(k, dirfd, pathp, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
  return toUser(k, buf, typeof st === 'bigint' ? st : statxFromStat(st));
};

export const statSyscalls: SyscallTable = {
  80: ['fstat', fstat], 79: ['newfstatat', newfstatat], 78: ['readlinkat', readlinkat], 291: ['statx', statx],
};
