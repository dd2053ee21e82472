// statfs and fstatfs (fs/statfs.c, v6.17): the filesystem a path or a descriptor is on. A file of the root or the
// sysroot is on the host filesystem that holds it (its type, block size and counts, as the host's statfs gives
// them); /proc is procfs, a pipe or a standard stream pipefs, an eventfd or epoll descriptor anon_inodefs (no blocks).
// DIVERGENCE: f_fsid is 0, f_namelen 255 (NAME_MAX) and f_flags ST_VALID | ST_RELATIME (a default read-write mount)
// whatever the host's mount says: Node gives none of them.
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyToUser } from '../mm/uaccess.ts';
import { EFAULT, errnoFromNode, neg } from '../kernel/errno.ts';
import { fileOf } from './read_write.ts';
import { AT_FDCWD, userPath } from './open.ts';
import { pathAt } from './stat.ts';

const PROC_SUPER_MAGIC = 0x9fa0n, PIPEFS_MAGIC = 0x50495045n, ANON_INODE_FS_MAGIC = 0x09041934n;
const ST_VALID = 0x20n, ST_RELATIME = 0x1000n;
const NAME_MAX = 255n;

type Counts = { type: bigint; bsize: bigint; blocks: bigint; bfree: bigint; bavail: bigint; files: bigint; ffree: bigint };
const pseudo = (type: bigint): Counts => ({ type, bsize: 4096n, blocks: 0n, bfree: 0n, bavail: 0n, files: 0n, ffree: 0n });

/** struct statfs (asm-generic/statfs.h, 64-bit words): 120 bytes */
function encodeStatfs(c: Counts): Buffer {
  const b = Buffer.alloc(120);
  [c.type, c.bsize, c.blocks, c.bfree, c.bavail, c.files, c.ffree].forEach((v, i) => b.writeBigInt64LE(v, i * 8));
  b.writeBigInt64LE(NAME_MAX, 64);
  b.writeBigInt64LE(c.bsize, 72); // f_frsize
  b.writeBigInt64LE(ST_VALID | ST_RELATIME, 80);
  return b;
}

/** The host's statfs of a host path, or -errno. */
function hostStatfs(host: string): Counts | bigint {
  try {
    return fs.statfsSync(host, { bigint: true });
  } catch (e) {
    return neg(errnoFromNode(e as NodeJS.ErrnoException));
  }
}

const toUser = (k: Kernel, buf: bigint, c: Counts | bigint): bigint =>
  (typeof c === 'bigint' ? c : copyToUser(k.mm, buf, encodeStatfs(c)) ? 0n : neg(EFAULT));

/** statfs(path, buf): the lookup follows symlinks, as user_statfs's LOOKUP_FOLLOW. */
const statfs: Syscall = (k, [pathp, buf]) => {
  const p = userPath(k, pathp);
  if (typeof p !== 'string') return p;
  const at = pathAt(k, AT_FDCWD, p, true);
  if (typeof at === 'bigint') return at;
  return toUser(k, buf, 'proc' in at ? pseudo(PROC_SUPER_MAGIC) : hostStatfs(at.host));
};

/** fstatfs(fd, buf) */
const fstatfs: Syscall = (k, [fd, buf]) => {
  const f = fileOf(k, fd);
  if (typeof f === 'bigint') return f;
  if (f.kind === 'host') return toUser(k, buf, hostStatfs(f.host ?? `/proc/self/fd/${f.fd}`));
  if (f.kind === 'pipe' || f.kind === 'stdio') return toUser(k, buf, pseudo(PIPEFS_MAGIC));
  return toUser(k, buf, pseudo(f.path.startsWith('anon_inode:') ? ANON_INODE_FS_MAGIC : PROC_SUPER_MAGIC));
};

export const statfsSyscalls: SyscallTable = { 43: ['statfs', statfs], 44: ['fstatfs', fstatfs] };
