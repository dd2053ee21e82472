// The sysroot overlay, like qemu-user's `-L DIR` (linux-user/path.c): a read-only directory whose tree is
// looked up before the root's for the guest's absolute paths — the interpreter (PT_INTERP), the libraries
// ld.so opens, their directories. Writes, creations and removals only ever go to the root. Both lookups are
// confined by namei.ts: neither `..` nor a symlink leaves the directory it started in.
import * as fs from 'node:fs';
import { lookup, guestAbsolute, type Lookup } from './namei.ts';
import { ENOENT, ENOTDIR, EACCES } from '../kernel/errno.ts';
import type { OpenedFile } from './binfmt_elf.ts';

/**
 * A read-only lookup: in the sysroot first (when there is one), then in the root.
 * DIVERGENCE: Linux has no such overlay (it is qemu-user's -L); unlike qemu, a path found in neither directory
 * is never looked up on the host (qemu -L falls back to the host's /etc/ld.so.cache, for instance).
 */
export function lookupOverlay(root: string, sysroot: string | null, cwd: string, p: string, follow: boolean): Lookup | number {
  if (sysroot) {
    const r = lookup(sysroot, '/', guestAbsolute(cwd, p), follow);
    if (typeof r !== 'number' || (r !== -ENOENT && r !== -ENOTDIR)) return r;
  }
  return lookup(root, cwd, p, follow);
}

/** open_exec for the program interpreter: its bytes, guest path and host path, or a negative errno. */
export function openExecOverlay(root: string, sysroot: string | null, guestPath: string): OpenedFile | number {
  const r = lookupOverlay(root, sysroot, '/', guestPath, true);
  if (typeof r === 'number') return r;
  try {
    const st = fs.statSync(r.host);
    if (!st.isFile()) return -EACCES; // do_open_execat: not a regular file
    return { data: fs.readFileSync(r.host), guestPath: r.guest, host: r.host, executable: (st.mode & 0o111) !== 0 };
  } catch {
    return -ENOENT;
  }
}
