// Mirrors coredump_file of Linux v6.17 fs/coredump.c (kernel.md §10 steps 7c–7h), confined to a host
// directory that plays the guest's "/". Source read: ColinIanKing/linux-next fs/coredump.c
// @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 (≈v6.17).
//
// The kernel resolves the corename with the VFS. Here the host filesystem does that, so every path is
// resolved by hand, component by component with lstat, and symlinks are followed by us: a guest-absolute
// link target restarts at root, ".." never climbs above root (as at a chroot's "/"). Only the final open
// is done by the host, with O_NOFOLLOW|O_EXCL, in a directory whose realpath was checked to be inside root.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** include/linux/namei.h MAXSYMLINKS */
export const MAXSYMLINKS = 40;

export interface OpenCoreFileOptions {
  dumpable: 0 | 1 | 2;
  /** The fsuid the dump runs with (planCoredump's `fsuid`: 0 for dumpable 2). */
  fsuid: number;
  /** Guest fsgid, for the group permission class of directories (default: no group match). */
  fsgid?: number;
  /**
   * Maps a host file owner to a guest uid. The host usually runs as root, so "owner ≠ fsuid" and
   * directory permissions compare guest ids through this mapping (default: host uid == guest uid).
   */
  guestUidOf?: (hostUid: number) => number;
  guestGidOf?: (hostGid: number) => number;
}

export type OpenCoreFileResult =
  | { fd: number; hostPath: string }
  | { error: string; reason: string; kernelMessage?: string };

type Walk = { dir: string[]; name: string } | { error: string; reason: string };

class WalkError extends Error {
  constructor(readonly code: string, readonly why: string) { super(why); }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * DIVERGENCE: a simplified generic_permission (no ACLs, no supplementary groups, root = CAP_DAC_OVERRIDE),
 * because the host process (usually root) is not the guest user. Picks the owner,
 * group or other class by guest ids and test the bits. `mask` uses 4/2/1 = r/w/x.
 */
function mayAccess(st: fs.Stats, mask: number, o: OpenCoreFileOptions): boolean {
  if (o.fsuid === 0) return true; // CAP_DAC_OVERRIDE (search needs no x bit check on dirs for root either)
  const uidOf = o.guestUidOf ?? ((u: number) => u);
  const gidOf = o.guestGidOf ?? ((g: number) => g);
  let bits: number;
  if (uidOf(st.uid) === o.fsuid) bits = (st.mode >> 6) & 7;
  else if (o.fsgid !== undefined && gidOf(st.gid) === o.fsgid) bits = (st.mode >> 3) & 7;
  else bits = st.mode & 7;
  return (bits & mask) === mask;
}

const hostOf = (root: string, comps: string[]): string => (comps.length === 0 ? root : path.join(root, ...comps));
const guestOf = (comps: string[]): string => '/' + comps.join('/');

/**
 * Resolve every component but the last, following symlinks inside root. Returns the resolved parent
 * directory (guest components, no symlinks in it) and the final name.
 */
function walkParent(root: string, cwd: string, guestPath: string, o: OpenCoreFileOptions): Walk {
  if (guestPath === '') return { error: 'ENOENT', reason: 'the core file name is empty' };
  // open(…, O_CREAT) whose last component is a directory reference ("x/", "x/.", "..") → EISDIR.
  if (/(^|\/)(\.|\.\.)?$/.test(guestPath)) {
    return { error: 'EISDIR', reason: `${JSON.stringify(guestPath)} names a directory, not a file` };
  }
  let links = 0;
  // Components still to walk; the cwd is itself a guest path and gets the same treatment.
  let todo = (guestPath.startsWith('/') ? guestPath : `${cwd}/${guestPath}`).split('/');
  let stack: string[] = [];
  try {
    for (;;) {
      const c = todo.shift();
      if (c === undefined) break;
      if (c === '' || c === '.') continue;
      if (c === '..') { stack.pop(); continue; } // ".." at root stays at root
      if (todo.every((t) => t === '')) return { dir: stack, name: c }; // the name to create: never followed
      const here = hostOf(root, stack);
      if (!mayAccess(fs.statSync(here), 1, o)) throw new WalkError('EACCES', `no search permission on ${guestOf(stack)}`);
      const host = path.join(here, c);
      const st = lstatOrNull(host);
      if (st === null) throw new WalkError('ENOENT', `the directory ${guestOf([...stack, c])} does not exist`);
      if (st.isSymbolicLink()) {
        if (++links > MAXSYMLINKS) throw new WalkError('ELOOP', `more than ${MAXSYMLINKS} symbolic links while resolving the path`);
        const target = fs.readlinkSync(host);
        if (target.startsWith('/')) stack = []; // guest-absolute: relative to root
        todo = [...target.split('/'), ...todo];
        continue;
      }
      if (!st.isDirectory()) throw new WalkError('ENOTDIR', `${guestOf([...stack, c])} is not a directory`);
      stack.push(c);
    }
  } catch (e) {
    if (e instanceof WalkError) return { error: e.code, reason: e.why };
    const err = e as NodeJS.ErrnoException;
    return { error: err.code ?? 'EIO', reason: err.message };
  }
  return { error: 'EISDIR', reason: `${JSON.stringify(guestPath)} names a directory, not a file` };
}

function failure(guestPath: string, error: string, why: string, kernelMessage?: string): OpenCoreFileResult {
  const base = `the core file ${guestPath} could not be created (${error}): ${why}`;
  const fix: Record<string, string> = {
    ENOENT: 'create the directory or change --core-pattern',
    ENOTDIR: 'change --core-pattern',
    EACCES: 'make the directory writable for the guest user or choose another --core-pattern / --cwd',
    EEXIST: 'remove it or change --core-pattern',
    ELOOP: 'fix the symbolic link loop',
    EISDIR: 'give --core-pattern a file name',
  };
  const r: OpenCoreFileResult = { error, reason: `${base}; ${fix[error] ?? 'check the directory under --root'}` };
  if (kernelMessage !== undefined) r.kernelMessage = kernelMessage;
  return r;
}

/**
 * The checks coredump_file makes on the opened file (§10 steps 7e–7g), on a stat result so they can be
 * tested without racing a real filesystem. Returns null when the file is acceptable.
 */
export function checkCoreFile(st: Pick<fs.Stats, 'nlink' | 'mode' | 'uid' | 'isFile'>, corename: string,
  o: Pick<OpenCoreFileOptions, 'fsuid' | 'guestUidOf'>): { error: string; why: string; kernelMessage?: string } | null {
  if (st.nlink > 1) return { error: 'EMLINK', why: `it has ${st.nlink} hard links (a core file must have exactly one)` };
  if (!st.isFile()) return { error: 'EINVAL', why: 'it is not a regular file' };
  const owner = (o.guestUidOf ?? ((u: number) => u))(st.uid);
  if (owner !== o.fsuid) {
    return { error: 'EPERM', why: `the file is owned by uid ${owner}, not the dumping fsuid ${o.fsuid}`,
      kernelMessage: `Core dump to ${corename} aborted: cannot preserve file owner` };
  }
  if ((st.mode & 0o677) !== 0o600) {
    return { error: 'EPERM', why: `its mode is 0${(st.mode & 0o777).toString(8)}, not 0600 (umask or filesystem changed it)`,
      kernelMessage: `Core dump to ${corename} aborted: cannot preserve file permissions` };
  }
  return null;
}

/**
 * coredump_file from the unlink on: `guestPath` is the corename (relative → guest cwd). On success the
 * caller owns `fd` (O_WRONLY, truncated) and must close it.
 */
export function openCoreFile(root: string, cwd: string, guestPath: string, opts: OpenCoreFileOptions): OpenCoreFileResult {
  if (opts.dumpable === 2 && !guestPath.startsWith('/')) {
    return failure(guestPath, 'EPERM', 'a dumpable-2 process may only dump to a fully qualified path',
      'this process can only dump core to a fully qualified path, skipping core dump');
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return failure(guestPath, 'ENOENT', `the root directory ${root} does not exist`);
  }
  // DIVERGENCE: dumpable 2 resolves from init_task's root in the kernel; the guest has only one root.
  const w = walkParent(realRoot, cwd, guestPath, opts);
  if ('error' in w) return failure(guestPath, w.error, w.reason);
  const parentHost = hostOf(realRoot, w.dir);
  // The walk never follows a link itself; this re-check catches a directory swapped for a symlink by
  // someone else meanwhile. A TOCTOU window remains between this check and openSync below (Node has no
  // openat); the final component is still opened with O_NOFOLLOW|O_EXCL, so at worst a file is created
  // in a directory that was moved after the check — never a link followed out of root.
  let realParent: string;
  try {
    realParent = fs.realpathSync(parentHost);
  } catch (e) {
    return failure(guestPath, (e as NodeJS.ErrnoException).code ?? 'EIO', 'the directory vanished while opening');
  }
  if (realParent !== realRoot && !realParent.startsWith(realRoot + path.sep)) {
    return failure(guestPath, 'EXDEV', `the directory resolved to ${realParent}, outside the root ${realRoot}`);
  }
  const parentSt = fs.statSync(realParent);
  const hostPath = path.join(realParent, w.name);
  const canWriteDir = mayAccess(parentSt, 3, opts);

  // Step 7c: unlink an existing file of that name first (not for dumpable 2); errors are ignored.
  // unlink never follows the final component, so an existing symlink is removed, not its target.
  if (opts.dumpable !== 2 && canWriteDir) {
    const old = lstatOrNull(hostPath);
    const sticky = (parentSt.mode & 0o1000) !== 0;
    const uidOf = opts.guestUidOf ?? ((u: number) => u);
    const stickyDenies = sticky && opts.fsuid !== 0 && old !== null && uidOf(old.uid) !== opts.fsuid && uidOf(parentSt.uid) !== opts.fsuid;
    if (old !== null && !old.isDirectory() && !stickyDenies) {
      try { fs.unlinkSync(hostPath); } catch { /* do_unlinkat errors are ignored, as in the kernel */ }
    }
  }
  if (!canWriteDir) {
    // lookup_open reports an existing name (O_EXCL) before it checks may_o_create on the directory.
    if (lstatOrNull(hostPath) !== null) return failure(guestPath, 'EEXIST', `${guestPath} already exists and its directory is not writable for fsuid ${opts.fsuid}`);
    return failure(guestPath, 'EACCES', `the directory ${guestOf(w.dir)} is not writable for fsuid ${opts.fsuid}`);
  }

  // Step 7d: O_CREAT|O_WRONLY|O_NOFOLLOW|O_LARGEFILE|O_EXCL, 0600 (O_LARGEFILE is implicit on 64-bit).
  const c = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(hostPath, c.O_CREAT | c.O_WRONLY | c.O_NOFOLLOW | c.O_EXCL, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const old = lstatOrNull(hostPath);
    const what = old === null ? 'open failed'
      : old.isDirectory() ? `${guestPath} exists and is a directory (the kernel cannot unlink it, and O_EXCL creation fails)`
        : `${guestPath} already exists${opts.dumpable === 2 ? ' and a dumpable-2 dump never unlinks an existing file' : ''}`;
    return failure(guestPath, code, what);
  }
  // Steps 7e–7h.
  const st = fs.fstatSync(fd);
  const bad = checkCoreFile(st, guestPath, opts);
  if (bad !== null) {
    fs.closeSync(fd);
    return failure(guestPath, bad.error, bad.why, bad.kernelMessage);
  }
  try {
    fs.ftruncateSync(fd, 0);
  } catch (e) {
    fs.closeSync(fd);
    return failure(guestPath, (e as NodeJS.ErrnoException).code ?? 'EIO', 'truncating it failed');
  }
  return { fd, hostPath };
}
