// Mirrors fs/readdir.c (v6.17): getdents64 and its filldir64, over a host directory inside the root.
// The directory is read as a simple (dcache_readdir-like) filesystem does: position 0 is ".", 1 is "..", and
// position n + 2 the n-th entry; d_off is the position of the next entry, so lseek(SEEK_SET, d_off) resumes there.
// DIVERGENCE: the entries come sorted by name (bytewise), whatever order the host filesystem keeps them in, so
// that runs are deterministic; d_off values are these small positions, not ext4's hash cookies.
// d_ino is the host inode number (lstat), the same number stat() gives; ".." of the root is the root itself.
import { procReaddir } from './proc/root.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyToUser } from '../mm/uaccess.ts';
import { EBADF, EFAULT, EINVAL, ENOENT, ENOTDIR, errnoFromNode, neg } from '../kernel/errno.ts';
import { signalPending } from '../kernel/signal.ts';
import type { OpenFile } from './files.ts';

export const DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

/** One directory entry as a filesystem's iterate_shared hands it to filldir. */
export interface DirEntry {
  name: string;
  ino: bigint;
  type: number;
}

/** The entries of a /proc directory (fs/proc/root.ts, in the kernel's order), or null for any other path. */
export function procReaddirHook(k: Kernel, guestPath: string): DirEntry[] | null {
  return procReaddir(k, guestPath);
}

function dtype(st: fs.Stats): number {
  if (st.isDirectory()) return DT_DIR;
  if (st.isFile()) return DT_REG;
  if (st.isSymbolicLink()) return DT_LNK;
  if (st.isFIFO()) return DT_FIFO;
  if (st.isCharacterDevice()) return DT_CHR;
  if (st.isBlockDevice()) return DT_BLK;
  if (st.isSocket()) return DT_SOCK;
  return DT_UNKNOWN;
}

/** The entries of a host directory, ".", ".." first, then by name; "..", at the root, is the root. */
function hostEntries(k: Kernel, f: OpenFile): DirEntry[] | number {
  const host = f.host!;
  try {
    const self = fs.lstatSync(host);
    const atRoot = path.resolve(host) === path.resolve(k.root) || f.path === '/';
    const parent = atRoot ? self : fs.lstatSync(path.dirname(host));
    const out: DirEntry[] = [
      { name: '.', ino: BigInt(self.ino), type: DT_DIR },
      { name: '..', ino: BigInt(parent.ino), type: DT_DIR },
    ];
    const names = fs.readdirSync(host, { encoding: 'buffer' }).sort(Buffer.compare);
    for (const n of names) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(Buffer.concat([Buffer.from(host + '/'), n]));
      } catch {
        continue; // gone meanwhile
      }
      out.push({ name: n.toString('latin1'), ino: BigInt(st.ino), type: dtype(st) });
    }
    return out;
  } catch (e) {
    const err = errnoFromNode(e as NodeJS.ErrnoException);
    return err === ENOENT ? -ENOENT : -err;
  }
}

/** iterate_dir's source: the directory's entries (a removed directory reads as empty: IS_DEADDIR). */
function dirEntries(k: Kernel, f: OpenFile): DirEntry[] | number {
  const proc = procReaddirHook(k, f.path);
  if (proc) return [...proc];
  const r = hostEntries(k, f);
  return r === -ENOENT ? [] : r;
}

/** lseek on a directory (dcache_dir_lseek): SEEK_SET and SEEK_CUR to any position ≥ 0. */
export function dirLseek(f: OpenFile, off: bigint, whence: number): bigint {
  let pos: bigint;
  if (whence === 0) pos = off;
  else if (whence === 1) pos = f.pos + off;
  else return neg(EINVAL);
  if (pos < 0n) return neg(EINVAL);
  f.pos = pos;
  return pos;
}

/** struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name (NUL-terminated, record aligned to 8). */
function direntRecord(e: DirEntry, name: Buffer, reclen: number): Buffer {
  const b = Buffer.alloc(reclen);
  b.writeBigUInt64LE(e.ino, 0);
  b.writeUInt16LE(reclen, 16);
  b.writeUInt8(e.type, 18);
  name.copy(b, 19);
  return b;
}

/**
 * getdents64(fd, dirent, count): as many whole records as fit from the file position on; the last record's d_off
 * is the position after it. -EINVAL when not even the first fits, 0 at the end, -ENOTDIR for what is not a
 * directory. A pending signal stops it after the first record (filldir64).
 */
const getdents64: Syscall = (k, [fdArg, dirent, countArg]) => {
  const f = k.task.files.get(Number(BigInt.asIntN(32, fdArg)));
  if (!f) return neg(EBADF);
  if (!f.isDir || f.host === undefined) return neg(ENOTDIR); // no iterate_shared
  const entries = dirEntries(k, f);
  if (typeof entries === 'number') return BigInt(entries);
  let count = Number(BigInt.asUintN(32, countArg));
  const start = count;
  const out: Buffer[] = [];
  let error = 0;
  let pos = f.pos;
  while (pos < BigInt(entries.length)) {
    const e = entries[Number(pos)];
    const name = Buffer.from(e.name, 'latin1');
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (reclen > count) {
      error = -EINVAL;
      break;
    }
    if (out.length > 0 && signalPending(k.task)) break;
    if (out.length > 0) out[out.length - 1].writeBigInt64LE(pos, 8); // prev->d_off: this entry's position
    out.push(direntRecord(e, name, reclen));
    count -= reclen;
    pos++;
  }
  if (out.length === 0) return error ? BigInt(error) : 0n;
  out[out.length - 1].writeBigInt64LE(pos, 8);
  if (!copyToUser(k.mm, dirent, Buffer.concat(out))) return neg(EFAULT);
  f.pos = pos;
  return BigInt(start - count);
};

export const readdirSyscalls: SyscallTable = { 61: ['getdents64', getdents64] };
