// copy_file_range (fs/read_write.c, v6.17): bytes from one regular file to another, in the kernel. Offsets are
// the files' positions (which move) or the u64s the caller points to (which are updated instead). The copy stops
// at the input's end; the output is held to RLIMIT_FSIZE as a write is.
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EBADF, EFAULT, EINVAL, EISDIR, errnoFromNode, neg } from '../kernel/errno.ts';
import { writeCheckLimits } from '../mm/filemap.ts';
import { O_ACCMODE, O_APPEND, O_RDONLY, O_WRONLY, type OpenFile } from './files.ts';
import { fileOf } from './read_write.ts';

/** MAX_RW_COUNT */
const MAX_RW_COUNT = 0x7ffff000;

/** An offset argument: the u64 it points to, or the file's position (null pointer). */
function offsetOf(k: Kernel, p: bigint, f: OpenFile): bigint | null {
  if (p === 0n) return f.pos;
  const b = copyFromUser(k.mm, p, 8);
  return b ? b.readBigInt64LE(0) : null;
}

const copyFileRange: Syscall = (k, [fdIn, offInP, fdOut, offOutP, lenArg, flags]) => {
  if (flags !== 0n) return neg(EINVAL);
  const fin = fileOf(k, fdIn);
  if (typeof fin === 'bigint') return fin;
  const fout = fileOf(k, fdOut);
  if (typeof fout === 'bigint') return fout;
  if ((fin.flags & O_ACCMODE) === O_WRONLY || (fout.flags & O_ACCMODE) === O_RDONLY || fout.flags & O_APPEND) return neg(EBADF);
  const offIn = offsetOf(k, offInP, fin), offOut = offsetOf(k, offOutP, fout);
  if (offIn === null || offOut === null) return neg(EFAULT);
  if (offIn < 0n || offOut < 0n) return neg(EINVAL);
  // generic_copy_file_checks: regular files only (a directory: EISDIR), not overlapping ranges of one file
  if (fin.kind !== 'host' || fout.kind !== 'host') return neg(EINVAL);
  if (fin.isDir || fout.isDir) return neg(EISDIR);
  const [sin, sout] = [fs.fstatSync(fin.fd!), fs.fstatSync(fout.fd!)];
  if (!sin.isFile() || !sout.isFile()) return neg(EINVAL);
  let len = Number(BigInt.asUintN(64, lenArg) > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : BigInt.asUintN(64, lenArg));
  len = Math.max(0, Math.min(len, sin.size - Number(offIn)));
  if (sin.ino === sout.ino && sin.dev === sout.dev && offIn + BigInt(len) > offOut && offOut + BigInt(len) > offIn) return neg(EINVAL);
  if (len === 0) return 0n;
  const limited = writeCheckLimits(k, offOut, len);
  if (limited < 0) return BigInt(limited);
  let n: number;
  try {
    const data = Buffer.alloc(limited);
    const got = fs.readSync(fin.fd!, data, 0, limited, Number(offIn));
    n = fs.writeSync(fout.fd!, data, 0, got, Number(offOut));
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
  for (const [p, f, off] of [[offInP, fin, offIn], [offOutP, fout, offOut]] as const) {
    if (p === 0n) f.pos = off + BigInt(n);
    else {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(off + BigInt(n));
      if (!copyToUser(k.mm, p, b)) return neg(EFAULT);
    }
  }
  return BigInt(n);
};

export const copyRangeSyscalls: SyscallTable = { 285: ['copy_file_range', copyFileRange] };
