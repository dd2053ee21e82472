// The nodes of the synthesized /proc (fs/proc/inode.c, base.c's pid_entry, proc_sysctl.c; Linux v6.17): what a
// lookup finds (a directory, a file with its read/write operations, a symlink), who owns it (task_dump_owner),
// its permission check (generic_permission, proc_sys_permission's test_perm), and the struct stat it gives.
// Inode numbers: the kernel hands out get_next_ino() numbers as inodes are instantiated, which depend on the
// machine's history; ours are a hash of the path, so that runs stay byte-identical (DIVERGENCE, README).
import type { Kernel } from '../../kernel/kernel.ts';
import type { Task } from '../../kernel/task.ts';
import { EACCES } from '../../kernel/errno.ts';

export const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
/** include/linux/fs_types.h d_type values (DT_* = S_IF* >> 12) */
export const DT_DIR = 4, DT_REG = 8, DT_LNK = 10;
/** PROC_ROOT_INO */
export const PROC_ROOT_INO = 1n;
/** procfs is an anonymous-device superblock; 0:22 is what Debian 12's /proc shows */
const PROC_DEV = (0n << 8n) | 22n;
/** proc_fill_super: s_blocksize 1024 */
const PROC_BLKSIZE = 1024;

export const MAY_WRITE = 2, MAY_READ = 4;

interface NodeBase {
  /** the guest path the node was reached by, symlinks resolved (what d_path prints) */
  path: string;
  /** S_IF* | permission bits */
  mode: number;
  uid: number;
  gid: number;
  /** proc_sys_permission (test_perm on the euid/egid) instead of generic_permission */
  sysctl?: boolean;
}

export interface ProcDirent { name: string; type: number; ino: bigint }

export interface ProcDir extends NodeBase {
  kind: 'dir';
  /** the entries after "." and "..", in the kernel's readdir order */
  entries: () => { name: string; type: number }[];
  /** the entry `name` (its lookup inode operation), or -errno */
  lookup: (name: string) => ProcNode | number;
}

export interface ProcFile extends NodeBase {
  kind: 'file';
  /** bytes at pos (at most len) or -errno: a seq_file regenerates its text when read from 0 */
  read: (pos: bigint, len: number) => Buffer | number;
  write?: (data: Buffer, pos: bigint) => number;
}

export interface ProcLink extends NodeBase {
  kind: 'link';
  /** the link's target (readlink), or -errno */
  target: () => string | number;
  /** a magic link to an open file (/proc/PID/fd/N): opening it reopens that file */
  fd?: { task: Task; fd: number };
}

export type ProcNode = ProcDir | ProcFile | ProcLink;

/** A deterministic inode number for a /proc path (FNV-1a, 32 bits, above the root's 1). */
export function procIno(path: string): bigint {
  if (path === '/proc') return PROC_ROOT_INO;
  let h = 0x811c9dc5;
  for (const b of Buffer.from(path)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return BigInt((h | 0x1000) >>> 0);
}

export const dtype = (mode: number): number => (mode & 0o170000) >>> 12;

/**
 * task_dump_owner: a /proc/PID file belongs to the task's euid/egid, or to root when the task is not dumpable
 * (get_dumpable != SUID_DUMP_USER) — except the /proc/PID directory itself (0555), which always shows the euid.
 */
export function dumpOwner(t: Task, mode: number): { uid: number; gid: number } {
  if (mode !== (S_IFDIR | 0o555) && t.dumpable !== 1) return { uid: 0, gid: 0 };
  return { uid: t.euid, gid: t.egid };
}

/**
 * May current open the node for `mask` (MAY_READ | MAY_WRITE)? proc_sys_permission → test_perm for sysctl
 * files (euid 0 uses the owner bits, egid 0 the group bits, no capability overrides them: a 0444 sysctl is not
 * writable even by root); generic_permission for the rest (fsuid/fsgid, then CAP_DAC_OVERRIDE for euid 0).
 */
export function procPermission(k: Kernel, n: ProcNode, mask: number): number {
  const t = k.task;
  if (n.sysctl) {
    const m = t.euid === 0 ? n.mode >> 6 : t.egid === 0 ? n.mode >> 3 : n.mode;
    return (mask & ~m & 7) === 0 ? 0 : -EACCES;
  }
  const m = t.fsuid === n.uid ? n.mode >> 6 : t.fsgid === n.gid ? n.mode >> 3 : n.mode;
  if ((mask & ~m & 7) === 0) return 0;
  return t.euid === 0 ? 0 : -EACCES;
}

/** struct stat for arm64 (asm-generic/stat.h, 128 bytes) of a /proc node; times are the current clock's. */
export function procStatBuf(k: Kernel, n: ProcNode): Buffer {
  const b = Buffer.alloc(128);
  b.writeBigUInt64LE(PROC_DEV, 0);
  b.writeBigUInt64LE(procIno(n.path), 8);
  b.writeUInt32LE(n.mode, 16);
  // proc_pident_instantiate: directories get nlink 2 (pid_getattr/proc_task_getattr refine it), files 1
  b.writeUInt32LE(n.kind === 'dir' ? 2 : 1, 20);
  b.writeUInt32LE(n.uid, 24);
  b.writeUInt32LE(n.gid, 28);
  // proc files have size 0; a symlink's size is 0 too except the fd links (64), which we do not model
  b.writeInt32LE(PROC_BLKSIZE, 56);
  const now = k.clock.epoch * 1_000_000_000n + k.clock.elapsed();
  for (const at of [72, 88, 104]) {
    b.writeBigInt64LE(now / 1_000_000_000n, at);
    b.writeBigUInt64LE(now % 1_000_000_000n, at + 8);
  }
  return b;
}

/** A seq_file read: the text is made when a read starts at 0 and kept for the reads that continue it. */
export function seqRead(show: () => string | Buffer): ProcFile['read'] {
  let buf: Buffer | null = null;
  return (pos, len) => {
    if (pos === 0n || buf === null) {
      const s = show();
      buf = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    }
    const off = Number(pos);
    return buf.subarray(Math.min(off, buf.length), Math.min(off + len, buf.length));
  };
}
