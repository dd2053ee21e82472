// Path walk (fs/namei.c, v6.17) confined to a host directory that is the guest's `/`.
// Every component is looked up with lstat and symlinks are followed here, with guest-absolute targets taken
// relative to the root, so neither `..` nor a symlink can ever reach a host path outside the root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EMLINK, EISDIR, errnoFromNode } from '../kernel/errno.ts';

/** MAXSYMLINKS */
const MAXSYMLINKS = 40;
const PATH_MAX = 4096;

export interface Lookup {
  /** host path of the final component (it may not exist when `missingOk`) */
  host: string;
  /** normalised guest path */
  guest: string;
  exists: boolean;
}

/** Joins a guest path onto the guest cwd and normalises it without touching the filesystem. */
export function guestAbsolute(cwd: string, p: string): string {
  return path.posix.normalize(p.startsWith('/') ? p : `${cwd}/${p}`);
}

/**
 * Resolves a guest path. `follow` says whether a symlink in the last component is followed (O_NOFOLLOW,
 * AT_SYMLINK_NOFOLLOW, readlink and lstat do not). Returns a negative errno on failure.
 */
export function lookup(root: string, cwd: string, p: string, follow: boolean, missingOk = false): Lookup | number {
  if (p.length === 0) return -ENOENT;
  if (p.length >= PATH_MAX) return -ENAMETOOLONG;
  const parts = guestAbsolute(cwd, p).split('/').filter((c) => c && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (parts.length > 0) {
    const c = parts.shift()!;
    if (c === '..') {
      done.pop(); // at the root `..` stays at the root, as in a chroot
      continue;
    }
    const host = path.join(root, ...done, c);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(host);
    } catch (e) {
      const err = errnoFromNode(e as NodeJS.ErrnoException);
      if (err === ENOENT && parts.length === 0 && missingOk) {
        return { host, guest: '/' + [...done, c].join('/'), exists: false };
      }
      return -err;
    }
    const last = parts.length === 0;
    if (st.isSymbolicLink() && (!last || follow)) {
      if (++links > MAXSYMLINKS) return -ELOOP;
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter((x) => x && x !== '.'));
      continue;
    }
    if (!last && !st.isDirectory()) return -ENOTDIR;
    done.push(c);
  }
  const host = path.join(root, ...done);
  return { host, guest: '/' + done.join('/'), exists: true };
}

/** Maps a host path inside root to its guest path; null if it lies outside. */
export function hostToGuest(root: string, host: string): string | null {
  const rel = path.relative(root, host);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return '/' + rel.split(path.sep).join('/');
}

/**
 * mkdir -p beneath a host directory `base` that plays "/": each component of the guest-style path `dir` is
 * resolved with lookup() (symlinks followed only inside base) and created where missing. Returns the host path
 * of the directory, or a negative errno.
 */
export function mkdirBeneath(base: string, dir: string, mode = 0o755): string | number {
  let at = '/';
  for (const c of dir.split('/').filter((x) => x && x !== '.')) {
    at = path.posix.join(at, c);
    const r = lookup(base, '/', at, true, true);
    if (typeof r === 'number') return r;
    if (!r.exists) {
      try {
        fs.mkdirSync(r.host, { mode });
      } catch (e) {
        return -errnoFromNode(e as NodeJS.ErrnoException);
      }
    } else if (!fs.statSync(r.host).isDirectory()) return -ENOTDIR;
    at = r.guest;
  }
  const r = lookup(base, '/', at, true);
  return typeof r === 'number' ? r : r.host;
}

/**
 * Creates (or rewrites) the file at the guest-style path `file` beneath `base`, as the kernel opens a core file:
 * the directory is resolved confined to base, the last component is never followed (O_NOFOLLOW: a symlink there
 * gives ELOOP), and an existing file must be a regular file with a single link (coredump_file's checks, so a
 * hard link cannot carry the write outside) before it is truncated. Returns the open fd and its host path.
 */
export function createBeneath(base: string, file: string, mode = 0o600): { fd: number; host: string } | number {
  const parent = lookup(base, '/', path.posix.dirname(guestAbsolute('/', file)), true);
  if (typeof parent === 'number') return parent;
  const host = path.join(parent.host, path.posix.basename(file));
  let fd: number;
  try {
    fd = fs.openSync(host, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, mode);
  } catch (e) {
    return -errnoFromNode(e as NodeJS.ErrnoException);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile() || st.nlink !== 1) {
    fs.closeSync(fd);
    return st.isFile() ? -EMLINK : -EISDIR;
  }
  fs.ftruncateSync(fd, 0);
  return { fd, host };
}
