// The synthesized /proc of the guest (fs/proc/root.c proc_root_lookup / proc_root_readdir, self.c,
// thread_self.c, base.c proc_pid_lookup / proc_pid_readdir; Linux v6.17): never the host's /proc. The file
// syscalls (fs/open.ts) call in here for every guest path under /proc: procOpen (openat), procStat
// (newfstatat), procReadlink (readlinkat) and procReaddir (getdents64).
// DIVERGENCE: /proc holds only sys/, self, thread-self and the pid directories (no cpuinfo, meminfo, mounts…).
import type { Kernel } from '../../kernel/kernel.ts';
import type { Task } from '../../kernel/task.ts';
import type { OpenFile } from '../files.ts';
import { O_ACCMODE, O_RDONLY, O_WRONLY, O_DIRECTORY, O_NOFOLLOW } from '../files.ts';
import { ENOENT, ENOTDIR, ELOOP, EISDIR, EINVAL } from '../../kernel/errno.ts';
import {
  type ProcNode, type ProcDir, type ProcDirent, S_IFDIR, S_IFLNK, DT_DIR, DT_LNK, MAY_READ, MAY_WRITE,
  procIno, procPermission, procStatBuf,
} from './inode.ts';
import { pidDir } from './base.ts';
import { sysctlLookup } from './sysctl.ts';

export type { ProcDirent } from './inode.ts';

/** MAXSYMLINKS */
const MAXSYMLINKS = 40;

/** A path under /proc, or the /proc directory itself. */
export const isProcPath = (guest: string): boolean => guest === '/proc' || guest.startsWith('/proc/');

/** find_task_by_pid_ns: the task with that tid, else the process with that tgid (its first thread). */
function findTask(k: Kernel, name: string): Task | undefined {
  if (!/^[1-9][0-9]*$/.test(name)) return undefined;
  const n = Number(name);
  return k.tasks.find((t) => t.tid === n) ?? k.tasks.find((t) => t.pid === n);
}

/** The /proc directory: sys, then self, thread-self and one directory per thread group, by ascending tgid. */
function procRoot(k: Kernel): ProcDir {
  const selfLink = (name: string, target: () => string): ProcNode =>
    ({ kind: 'link', path: `/proc/${name}`, mode: S_IFLNK | 0o777, uid: 0, gid: 0, target });
  return {
    kind: 'dir', path: '/proc', mode: S_IFDIR | 0o555, uid: 0, gid: 0,
    entries: () => [
      { name: 'sys', type: DT_DIR }, { name: 'self', type: DT_LNK }, { name: 'thread-self', type: DT_LNK },
      ...[...new Set(k.tasks.map((t) => t.pid))].sort((a, b) => a - b).map((p) => ({ name: String(p), type: DT_DIR })),
    ],
    lookup: (name) => {
      const t = findTask(k, name);
      if (t) return pidDir(k, t, `/proc/${name}`);
      if (name === 'sys') return sysctlLookup(k, []);
      // proc_self_get_link: "%u" of current's tgid; thread-self: "%u/task/%u"
      if (name === 'self') return selfLink('self', () => String(k.task.pid));
      if (name === 'thread-self') return selfLink('thread-self', () => `${k.task.pid}/task/${k.task.tid}`);
      return -ENOENT;
    },
  };
}

/** What a walk ends on: a node, or a path outside /proc that a symlink led to (the caller looks it up). */
export type ProcWalk = ProcNode | { path: string };

/**
 * The path walk inside /proc (link_path_walk over proc's lookup operations): `follow` says whether a symlink in
 * the last component is followed. null: the path is not under /proc.
 */
export function procLookup(k: Kernel, guest: string, follow: boolean): ProcWalk | number | null {
  if (!isProcPath(guest)) return null;
  const parts = guest.split('/').filter((c) => c && c !== '.').slice(1);
  const stack: ProcNode[] = [procRoot(k)];
  let links = 0;
  while (parts.length > 0) {
    const c = parts.shift()!;
    const dir = stack[stack.length - 1];
    if (c === '..') {
      if (stack.length === 1) return { path: ['', ...parts].join('/') || '/' };
      stack.pop();
      continue;
    }
    if (dir.kind !== 'dir') return -ENOTDIR;
    const next = dir.lookup(c);
    if (typeof next === 'number') return next;
    if (next.kind === 'link' && (parts.length > 0 || follow)) {
      if (++links > MAXSYMLINKS) return -ELOOP;
      const target = next.target();
      if (typeof target === 'number') return target;
      if (next.fd && !target.startsWith('/')) {
        // a magic link to what has no path (a pipe): only the last component can be it
        if (parts.length > 0) return -ENOTDIR;
        return next;
      }
      const rest = target.split('/').filter((x) => x && x !== '.');
      if (target.startsWith('/')) {
        const full = ['', ...rest, ...parts].join('/') || '/';
        if (!isProcPath(full)) return { path: full };
        stack.length = 1;
        parts.splice(0, parts.length, ...full.split('/').filter(Boolean).slice(1));
      } else parts.unshift(...rest);
      continue;
    }
    stack.push(next);
  }
  return stack[stack.length - 1];
}

/**
 * openat of a /proc path: an open file (a directory for getdents64, or a file whose reads and writes run the
 * kernel's handlers), -errno, { path } when a symlink leads out of /proc (the caller opens that path), or null.
 */
export function procOpen(k: Kernel, guest: string, flags: number): OpenFile | { path: string } | number | null {
  const n = procLookup(k, guest, !(flags & O_NOFOLLOW));
  if (n === null || typeof n === 'number' || !('kind' in n)) return n;
  if (n.kind === 'link') {
    // a magic link to a pipe (stdio): a new open file of the same stream
    const f = n.fd ? n.fd.task.files.get(n.fd.fd) : undefined;
    if (f?.kind === 'stdio') return { kind: 'stdio', path: f.path, flags, pos: 0n, stream: f.stream, data: f.data, refs: 1 };
    return -ELOOP; // O_NOFOLLOW on a symlink
  }
  const acc = flags & O_ACCMODE;
  if (n.kind === 'dir') {
    if (acc !== O_RDONLY) return -EISDIR;
    const err = procPermission(k, n, MAY_READ);
    return err < 0 ? err : { kind: 'memory', path: n.path, flags, pos: 0n, isDir: true, refs: 1 };
  }
  if (flags & O_DIRECTORY) return -ENOTDIR;
  if (acc === 3) return -EINVAL;
  const mask = (acc !== O_WRONLY ? MAY_READ : 0) | (acc !== O_RDONLY ? MAY_WRITE : 0);
  const err = procPermission(k, n, mask);
  if (err < 0) return err;
  if (acc !== O_RDONLY && !n.write) return -EINVAL;
  return { kind: 'memory', path: n.path, flags, pos: 0n, refs: 1, read: n.read, write: n.write };
}

/**
 * newfstatat of a /proc path: the struct stat, -errno, { path } (stat that path instead) or null. A magic link
 * to a stdio stream stats as the pipe fstat shows.
 */
export function procStat(k: Kernel, guest: string, follow: boolean): Buffer | { path: string } | number | null {
  const n = procLookup(k, guest, follow);
  if (n === null || typeof n === 'number' || !('kind' in n)) return n;
  if (n.kind === 'link' && follow) {
    const b = Buffer.alloc(128);
    b.writeUInt32LE(0o010600, 16); // S_IFIFO, as fstat of a stdio stream
    b.writeUInt32LE(1, 20);
    b.writeInt32LE(4096, 56);
    return b;
  }
  return procStatBuf(k, n);
}

/** readlinkat of a /proc path: the target, -errno (EINVAL when it is not a link), { path } or null. */
export function procReadlink(k: Kernel, guest: string): string | { path: string } | number | null {
  const n = procLookup(k, guest, false);
  if (n === null || typeof n === 'number' || !('kind' in n)) return n;
  if (n.kind !== 'link') return -EINVAL;
  return n.target();
}

/**
 * getdents64 of a /proc directory (guestPath as the directory was opened, e.g. OpenFile.path): every entry in
 * the kernel's order, "." and ".." first, with its d_type and inode number; null when guestPath is not a /proc
 * directory.
 */
export function procReaddir(k: Kernel, guestPath: string): ProcDirent[] | null {
  const n = procLookup(k, guestPath, true);
  if (n === null || typeof n === 'number' || !('kind' in n) || n.kind !== 'dir') return null;
  const parent = n.path === '/proc' ? null : n.path.slice(0, n.path.lastIndexOf('/'));
  return [
    { name: '.', type: DT_DIR, ino: procIno(n.path) },
    // the parent of /proc is the guest's root directory, whose inode is the host's: 2, an ext4 root's
    { name: '..', type: DT_DIR, ino: parent === null ? 2n : procIno(parent) },
    ...n.entries().map((e) => ({ name: e.name, type: e.type, ino: procIno(`${n.path}/${e.name}`) })),
  ];
}
