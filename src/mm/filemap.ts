// Mirrors mm/filemap.c (v6.17) as far as the emulator needs it, in two parts:
// 1. generic_write_check_limits (mm/filemap.c) and inode_newsize_ok (fs/attr.c): RLIMIT_FSIZE.
//    A write that would cross the limit is cut at it; one that starts at or past it, and a size change past it,
//    fail with -EFBIG after send_sig(SIGXFSZ, current, 0) (SI_USER from the task itself; SIGXFSZ dumps core).
// 2. The page cache of a mapped file, the pages past its end (SIGBUS), and the write-back of MAP_SHARED
//    mappings (msync, munmap, exit).
//
// A MappedFile's `data` plays the page cache: private mappings are filled from it (copy-on-write is free, the
// engine memory is private), the core writer compares against it, and shared mappings are written back to
// the host file through it. One MappedFile per inode (dev:ino) while the file is unchanged, so that split
// VMAs of the same file still merge (vma_merge compares vm_file).
import type { Kernel } from '../kernel/kernel.ts';
import { RLIMIT_FSIZE, RLIM_INFINITY } from '../kernel/task.ts';
import { sendSignal } from '../kernel/signal.ts';
import { SIGXFSZ, SI_USER } from '../kernel/sigdefs.ts';
import { EFBIG } from '../kernel/errno.ts';
import * as fs from 'node:fs';
import { PAGE_SIZE, eofStart, type Mm, type MappedFile } from './mm.ts';
import { VM_SHARED } from './vma-flags.ts';

/** send_sig(SIGXFSZ, current, 0): SEND_SIG_NOINFO → SI_USER from current's tgid and uid, to the thread. */
function sendSigxfsz(k: Kernel): void {
  sendSignal(k, { signo: SIGXFSZ, errno: 0, code: SI_USER, pid: k.task.pid, uid: k.task.uid }, 'pid', 'kernel');
}

/** generic_write_check_limits: the bytes of a `count`-byte write at `pos` that may be written, or -EFBIG. */
export function writeCheckLimits(k: Kernel, pos: bigint, count: number): number {
  const limit = k.task.rlimit(RLIMIT_FSIZE);
  if (limit === RLIM_INFINITY) return count;
  if (pos >= limit) {
    sendSigxfsz(k);
    return -EFBIG;
  }
  return limit - pos < BigInt(count) ? Number(limit - pos) : count;
}

/** inode_newsize_ok: growing a file to `size` past RLIMIT_FSIZE → SIGXFSZ and -EFBIG; 0 when allowed. */
export function newsizeOk(k: Kernel, size: bigint): number {
  const limit = k.task.rlimit(RLIMIT_FSIZE);
  if (limit !== RLIM_INFINITY && size > limit) {
    sendSigxfsz(k);
    return -EFBIG;
  }
  return 0;
}


/**
 * The page cache of the file open on host descriptor `fd` (guest path `guestPath`, host path `hostPath`).
 * Reads the whole file once per inode and modification.
 */
export function mappedFileFor(mm: Mm, fd: number, guestPath: string, hostPath: string): MappedFile {
  const st = fs.fstatSync(fd);
  const cache = mm.pageCache;
  const key = `${st.dev}:${st.ino}`;
  const hit = cache.get(key);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.file.path === guestPath) return hit.file;
  const data = Buffer.alloc(st.size);
  let got = 0;
  while (got < data.length) {
    const n = fs.readSync(fd, data, got, data.length - got, got);
    if (n <= 0) break;
    got += n;
  }
  const file: MappedFile = { path: guestPath, data: data.subarray(0, got), executable: (st.mode & 0o111) !== 0, host: hostPath };
  cache.set(key, { file, size: st.size, mtimeMs: st.mtimeMs });
  return file;
}

/** The bytes a fresh mapping of `len` bytes at file offset `off` shows: the file's, zero past its end. */
export function filePages(file: MappedFile, off: bigint, len: bigint): Buffer {
  const out = Buffer.alloc(Number(len));
  const o = Number(off);
  if (o < file.data.length) file.data.copy(out, 0, o, Math.min(file.data.length, o + out.length));
  return out;
}

/*
 * DIVERGENCE: the end of the file is the size it had when the mapping's page cache was read; a file that grows
 * or shrinks later (ftruncate, fallocate; write() through a descriptor excepted, see fileWritten) keeps, for
 * SIGBUS, the end it had, and a
 * MAP_PRIVATE page never written does not follow later changes of the file (Linux maps the page cache until
 * the first write; POSIX leaves it unspecified). eofStart (mm.ts) finds the first page past the end.
 */
export { eofStart };

/** Is addr inside a file VMA but on a page past the end of the file? */
export function beyondEof(mm: Mm, addr: bigint): boolean {
  const v = mm.vmaAt(addr);
  const e = v ? eofStart(v) : null;
  return e !== null && addr >= e;
}

/**
 * Write-back of MAP_SHARED file mappings in [start, end) (msync, munmap, exit): pages whose bytes differ from
 * the page cache are written to the file inside the root, and the page cache takes the new bytes. Other
 * shared mappings of the same file then see them too (they share the page cache on Linux).
 * DIVERGENCE: Linux shares the page itself, so a store is visible to read() and to other mappings at once;
 * here it reaches the file and the other mappings at the next write-back point (msync, munmap, a read/write
 * syscall on a host file, exit). The file is never written between two syscalls of the only thread, so a
 * single-threaded guest cannot tell the difference.
 */
export function writebackShared(mm: Mm, start = 0n, end = 1n << 64n): number {
  let errors = 0;
  const touched = new Set<MappedFile>();
  for (const v of mm.vmas) {
    if (!(v.flags & VM_SHARED) || !v.file || !v.file.host || v.end <= start || v.start >= end) continue;
    const f = v.file;
    const limit = BigInt(f.data.length) - v.pgoff; // bytes of the VMA backed by the file
    if (limit <= 0n) continue;
    const len = Number(v.end - v.start < limit ? v.end - v.start : limit);
    const now = mm.cpu.read(v.start, len);
    if (!now) continue;
    const off = Number(v.pgoff);
    for (let p = 0; p < len; p += Number(PAGE_SIZE)) {
      const n = Math.min(Number(PAGE_SIZE), len - p);
      const page = now.subarray(p, p + n);
      if (page.equals(f.data.subarray(off + p, off + p + n))) continue;
      try {
        // the host path is the one the guest's open resolved inside the root; never follow a link put there since
        const fd = fs.openSync(f.host!, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
        try { fs.writeSync(fd, page, 0, n, off + p); } finally { fs.closeSync(fd); }
        page.copy(f.data, off + p);
        touched.add(f);
      } catch {
        errors++;
      }
    }
  }
  if (touched.size > 0) refreshShared(mm, touched);
  return errors;
}

/** Shared mappings of these files show the page cache again (another mapping or write() changed it). */
function refreshShared(mm: Mm, files: Set<MappedFile>): void {
  for (const v of mm.vmas) {
    if (!(v.flags & VM_SHARED) || !v.file || !files.has(v.file)) continue;
    const e = eofStart(v) ?? v.end;
    if (e > v.start) mm.cpu.write(v.start, filePages(v.file, v.pgoff, e - v.start));
  }
}

/** Does any VMA map a file shared? (the cheap test before a write-back point) */
export function hasSharedFileMappings(mm: Mm): boolean {
  return mm.vmas.some((v) => (v.flags & VM_SHARED) !== 0 && v.file !== null);
}

/**
 * A write() through a descriptor changed the file at host path `host`: shared mappings of it read the new
 * bytes (they map the page cache the write went to).
 */
export function fileWritten(mm: Mm, host: string): void {
  const files = new Set<MappedFile>();
  for (const v of mm.vmas) if (v.flags & VM_SHARED && v.file?.host === host) files.add(v.file);
  if (files.size === 0) return;
  for (const f of files) {
    try {
      const fd = fs.openSync(f.host!, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      let data: Buffer;
      try { data = fs.readFileSync(fd); } finally { fs.closeSync(fd); }
      if (data.length === f.data.length) data.copy(f.data);
      else f.data = data;
    } catch { /* the file is gone: the mapping keeps its pages */ }
  }
  refreshShared(mm, files);
}

/**
 * The page cache is shared between read()/write() and MAP_SHARED mappings: stores through a mapping reach the
 * file before a host file is read or written (wrote = false), and a write() reaches the mappings of that file
 * after it (wrote = true).
 */
export function pageCacheSync(mm: Mm, f: { kind: string; fd?: number }, wrote: boolean): void {
  if (f.kind !== 'host' || f.fd === undefined || !hasSharedFileMappings(mm)) return;
  if (!wrote) {
    writebackShared(mm);
    return;
  }
  try { fileWritten(mm, fs.readlinkSync(`/proc/self/fd/${f.fd}`)); } catch { /* closed meanwhile */ }
}
