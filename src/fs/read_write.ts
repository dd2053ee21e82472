// Mirrors fs/read_write.c (v6.17): read, write, readv, writev, pread64, pwrite64, lseek. vfs_read / vfs_write
// check the open file's mode, then go to the file's operations: a pipe end (fs/pipe.ts, which may wait), a host
// file under the root, an emulator stream or a synthesised file (files.ts).
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable, SysResult } from '../kernel/kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EBADF, EFAULT, EINVAL, ESPIPE, neg } from '../kernel/errno.ts';
import { writeCheckLimits, pageCacheSync } from '../mm/filemap.ts';
import { type OpenFile, O_ACCMODE, O_APPEND, O_RDONLY, O_WRONLY } from './files.ts';
import { pipeRead, pipeWrite, type CopyIn, type CopyOut } from './pipe.ts';
import { dirLseek } from './readdir.ts';

/** MAX_RW_COUNT: INT_MAX & PAGE_MASK */
const MAX_RW_COUNT = 0x7ffff000;
/** UIO_MAXIOV */
const UIO_MAXIOV = 1024;
const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const clampCount = (len: bigint): number => Number(len > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : len);

export function fileOf(k: Kernel, fd: bigint): OpenFile | bigint {
  return k.task.files.get(s32(fd)) ?? neg(EBADF);
}

/** FMODE_READ / FMODE_WRITE of a pipe end (the other files keep their own checks) */
const canRead = (f: OpenFile): boolean => (f.flags & O_ACCMODE) !== O_WRONLY;
const canWrite = (f: OpenFile): boolean => (f.flags & O_ACCMODE) !== O_RDONLY;

/** An iovec array as [base, len] pairs (import_iovec: at most UIO_MAXIOV). */
function iovecs(k: Kernel, iov: bigint, cnt: bigint): [bigint, number][] | bigint {
  if (cnt > BigInt(UIO_MAXIOV)) return neg(EINVAL);
  const raw = copyFromUser(k.mm, iov, Number(cnt) * 16);
  if (!raw) return neg(EFAULT);
  const out: [bigint, number][] = [];
  for (let i = 0; i < Number(cnt); i++) out.push([raw.readBigUInt64LE(i * 16), Number(raw.readBigUInt64LE(i * 16 + 8))]);
  return out;
}

/** An iov_iter over user memory: the pipe code copies chunks at byte offsets of the whole request. */
function iovOut(k: Kernel, v: [bigint, number][]): CopyOut {
  return (off, chunk) => {
    let done = 0;
    for (const [base, len] of v) {
      if (done >= chunk.length) break;
      if (off >= len) {
        off -= len;
        continue;
      }
      const n = Math.min(len - off, chunk.length - done);
      if (!copyToUser(k.mm, base + BigInt(off), chunk.subarray(done, done + n))) return false;
      done += n;
      off = 0;
    }
    return done === chunk.length;
  };
}

function iovIn(k: Kernel, v: [bigint, number][]): CopyIn {
  return (off, want) => {
    const parts: Buffer[] = [];
    let have = 0;
    for (const [base, len] of v) {
      if (have >= want) break;
      if (off >= len) {
        off -= len;
        continue;
      }
      const n = Math.min(len - off, want - have);
      const b = copyFromUser(k.mm, base + BigInt(off), n);
      if (!b) return null;
      parts.push(b);
      have += n;
      off = 0;
    }
    return have === want ? Buffer.concat(parts) : null;
  };
}

const total = (v: [bigint, number][]): number => Math.min(MAX_RW_COUNT, v.reduce((n, [, len]) => n + len, 0));

function vfsRead(k: Kernel, f: OpenFile, v: [bigint, number][], at?: bigint): SysResult {
  if (f.readIter) return at !== undefined ? neg(ESPIPE) : f.readIter(total(v), iovOut(k, v));
  if (f.kind === 'pipe') {
    if (!canRead(f)) return neg(EBADF);
    if (at !== undefined) return neg(ESPIPE); // a stream: no pread
    return pipeRead(f, total(v), iovOut(k, v));
  }
  pageCacheSync(k.mm, f, false);
  const r = k.task.files.read(f, total(v), at);
  if (typeof r === 'number') return BigInt(r);
  return iovOut(k, v)(0, r) ? BigInt(r.length) : neg(EFAULT);
}

/** vfs_write → generic_write_checks: a regular file's write is held to RLIMIT_FSIZE first. */
function vfsWrite(k: Kernel, f: OpenFile, v: [bigint, number][], at?: bigint): SysResult {
  if (f.writeIter) return at !== undefined ? neg(ESPIPE) : f.writeIter(total(v), iovIn(k, v));
  if (f.kind === 'pipe') {
    if (!canWrite(f)) return neg(EBADF);
    if (at !== undefined) return neg(ESPIPE);
    return pipeWrite(k, f, total(v), iovIn(k, v));
  }
  if ((f.flags & O_ACCMODE) === O_RDONLY && f.kind !== 'stdio') return neg(EBADF);
  let data = iovIn(k, v)(0, total(v));
  if (!data) return neg(EFAULT);
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

const read: Syscall = (k, [fd, buf, len]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  return vfsRead(k, f, [[buf, clampCount(len)]]);
};
const write: Syscall = (k, [fd, buf, len]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  return vfsWrite(k, f, [[buf, clampCount(len)]]);
};
const pread64: Syscall = (k, [fd, buf, len, off]) => {
  if (BigInt.asIntN(64, off) < 0n) return neg(EINVAL);
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  return vfsRead(k, f, [[buf, clampCount(len)]], off);
};
const pwrite64: Syscall = (k, [fd, buf, len, off]) => {
  if (BigInt.asIntN(64, off) < 0n) return neg(EINVAL);
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  return vfsWrite(k, f, [[buf, clampCount(len)]], off);
};
const readv: Syscall = (k, [fd, iov, cnt]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  const v = iovecs(k, iov, cnt);
  if (typeof v === 'bigint') return v;
  return vfsRead(k, f, v);
};
const writev: Syscall = (k, [fd, iov, cnt]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  const v = iovecs(k, iov, cnt);
  if (typeof v === 'bigint') return v;
  return vfsWrite(k, f, v);
};

const lseek: Syscall = (k, [fd, off, whence]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if (f.kind === 'pipe') return neg(ESPIPE); // no_llseek
  if (f.isDir) return dirLseek(f, BigInt.asIntN(64, off), Number(whence));
  const r = k.task.files.lseek(f, BigInt.asIntN(64, off), Number(whence));
  return typeof r === 'number' ? BigInt(r) : r;
};

export const readWriteSyscalls: SyscallTable = {
  63: ['read', read], 64: ['write', write], 65: ['readv', readv], 66: ['writev', writev],
  67: ['pread64', pread64], 68: ['pwrite64', pwrite64], 62: ['lseek', lseek],
};
