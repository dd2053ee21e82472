// brk, mmap, munmap, mprotect, mremap, madvise (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c, v6.17).
import * as fs from 'node:fs';
import type { Kernel, Syscall, SyscallTable } from '../kernel/kernel.ts';
import { EINVAL, ENOMEM, EBADF, EACCES, EFAULT, ENODEV, EOVERFLOW, errnoFromNode, neg } from '../kernel/errno.ts';
import { mappedFileFor, filePages, writebackShared, hasSharedFileMappings } from './filemap.ts';
import {
  PAGE_SIZE, TASK_SIZE, MMAP_MIN_ADDR, pageAlignUp, pageAlignDown, vmFlagsFromProt, type Vma,
  VM_SHARED, VM_MAYSHARE, VM_DONTDUMP, ucProt, engineShared,
} from './mm.ts';
import { RLIMIT_DATA } from '../kernel/task.ts';
import { EngineMemoryError } from '../errors.ts';

const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
const MADV_DONTDUMP = 16, MADV_DODUMP = 17, MADV_DONTNEED = 4;
const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
const isAligned = (a: bigint): boolean => (a & (PAGE_SIZE - 1n)) === 0n;

const brk: Syscall = (k, [addr]) => {
  const mm = k.mm;
  if (addr < mm.startBrk) return mm.brk;
  const newEnd = pageAlignUp(addr);
  const oldEnd = pageAlignUp(mm.brk);
  if (addr - mm.startBrk > k.task.rlimit(RLIMIT_DATA)) return mm.brk;
  if (newEnd < oldEnd) {
    mm.unmapRange(newEnd, oldEnd);
  } else if (newEnd > oldEnd) {
    // check_brk_limits + the stack guard gap: refuse to grow into another mapping
    const next = mm.findVma(oldEnd);
    if (next && next.start < newEnd + PAGE_SIZE) return mm.brk;
    if (mm.mapCount > mm.maxMapCount) return mm.brk; // do_brk_flags: "Too many mappings?", even to expand
    const heap = mm.vmas.find((v) => v.name === '[heap]');
    try {
      if (heap) {
        mm.cpu.map(heap.end, newEnd - heap.end, 3);
        heap.end = newEnd;
      } else {
        mm.insert({ start: oldEnd, end: newEnd, flags: 0x3, pgoff: 0n, file: null, name: '[heap]' });
      }
    } catch (e) {
      if (e instanceof EngineMemoryError) return mm.brk; // brk fails by not moving
      throw e;
    }
  }
  mm.brk = addr;
  return mm.brk;
};

function doMmap(k: Kernel, addr: bigint, len: bigint, prot: number, flags: number, fd: number, off: bigint): bigint {
  const mm = k.mm;
  if (len === 0n) return neg(EINVAL);
  if (!isAligned(off)) return neg(EINVAL);
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return neg(EINVAL);
  const size = pageAlignUp(len);
  if (size === 0n || size > TASK_SIZE) return neg(ENOMEM);
  let file: Vma['file'] = null;
  let contents: Buffer | undefined;
  let shared = type !== MAP_PRIVATE;
  const f = flags & MAP_ANONYMOUS ? null : k.task.files.get(fd);
  if (!(flags & MAP_ANONYMOUS) && !f) return neg(EBADF); // ksys_mmap_pgoff's fget, before do_mmap
  if (f && (off + size < off || off + size > 1n << 63n)) return neg(EOVERFLOW);
  // do_mmap: "Too many mappings?" (map_count may reach max_map_count + 1: the check is >, as in v6.17)
  if (mm.mapCount > mm.maxMapCount) return neg(ENOMEM);
  if (f) {
    if (f.kind !== 'host' || f.isDir) return neg(ENODEV);
    if ((f.flags & 3) === 1) return neg(EACCES); // O_WRONLY
    if (shared && prot & PROT_WRITE && (f.flags & 3) !== 2) return neg(EACCES);
    try {
      file = mappedFileFor(mm, f.fd!, f.path, fs.readlinkSync(`/proc/self/fd/${f.fd}`));
    } catch (e) {
      return neg(errnoFromNode(e as NodeJS.ErrnoException));
    }
    contents = filePages(file, off, size);
    // do_mmap: a shared mapping of a file not open for writing can never write it: VM_SHARED is dropped
    // (VM_MAYSHARE stays, so /proc/self/maps still shows 's').
    if (shared && (f.flags & 3) !== 2) shared = false;
  }
  let start: bigint;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (!isAligned(addr)) return neg(EINVAL);
    if (addr < MMAP_MIN_ADDR || addr + size > TASK_SIZE) return neg(addr < MMAP_MIN_ADDR ? EACCES : ENOMEM);
    if (!mm.isFree(addr, addr + size)) {
      if (flags & MAP_FIXED_NOREPLACE) return neg(17); // EEXIST
      if (mm.unmapExceedsMapCount(addr, addr + size)) return neg(ENOMEM); // mmap_region's munmap of the old
      mm.unmapRange(addr, addr + size);
    }
    start = addr;
  } else {
    const hint = pageAlignDown(addr);
    if (hint >= MMAP_MIN_ADDR && hint + size <= TASK_SIZE && mm.isFree(hint, hint + size)) start = hint;
    else {
      const a = mm.getUnmappedArea(size);
      if (a === null) return neg(ENOMEM);
      start = a;
    }
  }
  const vmFlags = vmFlagsFromProt(prot) | (shared ? VM_SHARED : 0) | (type === MAP_PRIVATE ? 0 : VM_MAYSHARE);
  // DIVERGENCE: no vma_merge with a neighbour of the same flags: every mmap is a VMA of its own, and counts
  // towards vm.max_map_count as one.
  try {
    const shmem = !file && type !== MAP_PRIVATE ? { futexQueues: new Map() } : undefined; // shmem_zero_setup
    mm.insert({ start, end: start + size, flags: vmFlags, pgoff: file ? off : 0n, file, name: null, shmem }, contents);
  } catch (e) {
    // DIVERGENCE: Linux overcommits such a mapping; the engine must back it, so it fails as out of memory
    if (e instanceof EngineMemoryError) return neg(ENOMEM);
    throw e;
  }
  k.trace('mmap', { addr: `0x${start.toString(16)}`, len: Number(size), prot, flags });
  return start;
}

const mmap: Syscall = (k, [addr, len, prot, flags, fd, off]) => {
  if (Number(prot) & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return neg(EINVAL);
  return doMmap(k, addr, len, Number(prot) & 7, Number(flags), Number(BigInt.asIntN(32, fd)), off);
};

const munmap: Syscall = (k, [addr, len]) => {
  if (!isAligned(addr) || len === 0n || addr >= TASK_SIZE) return neg(EINVAL);
  const end = pageAlignUp(addr + len);
  if (end > TASK_SIZE) return neg(EINVAL);
  if (k.mm.unmapExceedsMapCount(addr, end)) return neg(ENOMEM);
  if (hasSharedFileMappings(k.mm)) writebackShared(k.mm, addr, end); // the dirty pages reach the file
  k.mm.unmapRange(addr, end);
  return 0n;
};

/** msync (mm/msync.c): flags checked as the kernel does; MS_SYNC/MS_ASYNC write shared pages back. */
const msync: Syscall = (k, [addr, len, flagsArg]) => {
  const flags = Number(flagsArg);
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return neg(EINVAL);
  if (!isAligned(addr)) return neg(EINVAL);
  if (flags & MS_ASYNC && flags & MS_SYNC) return neg(EINVAL);
  const end = pageAlignUp(addr + len);
  if (end < addr) return neg(ENOMEM);
  if (end === addr) return 0n;
  // MS_INVALIDATE on an mlocked mapping would be EBUSY; nothing is ever mlocked here.
  writebackShared(k.mm, addr, end);
  return fullyMapped(k, addr, end) ? 0n : neg(ENOMEM);
};

/** Every page of [start, end) is mapped (mprotect/madvise return ENOMEM otherwise). */
function fullyMapped(k: Kernel, start: bigint, end: bigint): boolean {
  let a = start;
  while (a < end) {
    const v = k.mm.vmaAt(a);
    if (!v) return false;
    a = v.end;
  }
  return true;
}

const mprotect: Syscall = (k, [addr, len, protArg]) => {
  const prot = Number(protArg);
  if (!isAligned(addr)) return neg(EINVAL);
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return neg(EINVAL);
  const end = pageAlignUp(addr + len);
  if (end < addr) return neg(ENOMEM);
  if (len === 0n) return 0n;
  if (!fullyMapped(k, addr, end)) return neg(ENOMEM);
  // mprotect_fixup: PROT_WRITE needs VM_MAYWRITE, which a shared mapping of a read-only file lacks
  if (prot & PROT_WRITE && k.mm.vmas.some((v) => v.start < end && v.end > addr && v.flags & VM_MAYSHARE && !(v.flags & VM_SHARED))) {
    return neg(EACCES);
  }
  // DIVERGENCE: when a split would pass vm.max_map_count, Linux has already changed the VMAs before it; here
  // nothing changes (only a multi-VMA mprotect at the limit can tell).
  if (k.mm.protectExceedsMapCount(addr, end, vmFlagsFromProt(prot & 7))) return neg(ENOMEM);
  k.mm.protectRange(addr, end, vmFlagsFromProt(prot & 7));
  return 0n;
};

const mremap: Syscall = (k, [oldAddr, oldLen, newLenArg, flagsArg, newAddr]) => {
  const flags = Number(flagsArg);
  if (!isAligned(oldAddr) || flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | 4)) return neg(EINVAL);
  if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return neg(EINVAL);
  const oldSize = pageAlignUp(oldLen);
  const newSize = pageAlignUp(newLenArg);
  if (newSize === 0n) return neg(EINVAL);
  const v = k.mm.vmaAt(oldAddr);
  if (!v || oldAddr + oldSize > v.end) return neg(EFAULT);
  if (newSize <= oldSize && !(flags & MREMAP_FIXED)) {
    if (k.mm.unmapExceedsMapCount(oldAddr + newSize, oldAddr + oldSize)) return neg(ENOMEM);
    if (newSize < oldSize) k.mm.unmapRange(oldAddr + newSize, oldAddr + oldSize);
    return oldAddr;
  }
  // grow in place when the next range is free
  if (!(flags & MREMAP_FIXED) && oldAddr + oldSize === v.end && k.mm.isFree(v.end, oldAddr + newSize)) {
    try {
      k.mm.cpu.map(v.end, oldAddr + newSize - v.end, ucProt(v.flags), engineShared(v));
    } catch (e) {
      if (e instanceof EngineMemoryError) return neg(ENOMEM);
      throw e;
    }
    v.end = oldAddr + newSize;
    k.mm.hideBeyondEof(v); // a file mapping that grew past the end of its file: SIGBUS there
    return oldAddr;
  }
  if (!(flags & MREMAP_MAYMOVE)) return neg(ENOMEM);
  // prep_move_vma: "We'd prefer to avoid failure later on in do_munmap: which may split one vma into three"
  if (k.mm.mapCount >= k.mm.maxMapCount - 3) return neg(ENOMEM);
  const dest = flags & MREMAP_FIXED ? newAddr : k.mm.getUnmappedArea(newSize);
  if (dest === null || !isAligned(dest)) return neg(dest === null ? ENOMEM : EINVAL);
  const data = k.mm.cpu.read(oldAddr, Number(oldSize)) ?? Buffer.alloc(Number(oldSize));
  if (flags & MREMAP_FIXED) k.mm.unmapRange(dest, dest + newSize);
  // DIVERGENCE: a moved MAP_SHARED mapping gets new engine memory (a copy): a fork relative no longer shares it
  const moved: Vma = { ...v, start: dest, end: dest + newSize, pgoff: v.pgoff + (oldAddr - v.start) };
  try {
    k.mm.insert(moved, data); // the new place first: if the engine cannot back it, the old mapping is intact
  } catch (e) {
    if (e instanceof EngineMemoryError) return neg(ENOMEM);
    throw e;
  }
  k.mm.unmapRange(oldAddr, oldAddr + oldSize);
  return dest;
};

const madvise: Syscall = (k, [addr, len, advice]) => {
  if (!isAligned(addr)) return neg(EINVAL);
  const end = pageAlignUp(addr + len);
  const adv = Number(advice);
  if (adv < 0 || adv > 25) return neg(EINVAL);
  if (!fullyMapped(k, addr, end)) return neg(ENOMEM);
  if (adv === MADV_DONTDUMP || adv === MADV_DODUMP) {
    for (const v of k.mm.vmas) {
      if (v.start >= addr && v.end <= end) v.flags = adv === MADV_DONTDUMP ? v.flags | VM_DONTDUMP : v.flags & ~VM_DONTDUMP;
    }
  } else if (adv === MADV_DONTNEED) {
    // private pages are dropped: anonymous memory reads back as zero, a private file mapping as the file again
    for (const v of k.mm.vmas) {
      if (v.end <= addr || v.start >= end || v.flags & VM_SHARED) continue;
      const lo = v.start > addr ? v.start : addr;
      const hi = v.end < end ? v.end : end;
      k.mm.cpu.write(lo, v.file ? filePages(v.file, v.pgoff + (lo - v.start), hi - lo) : Buffer.alloc(Number(hi - lo)));
    }
  }
  return 0n;
};

export const mmSyscalls: SyscallTable = {
  214: ['brk', brk], 222: ['mmap', mmap], 215: ['munmap', munmap], 226: ['mprotect', mprotect],
  216: ['mremap', mremap], 233: ['madvise', madvise], 227: ['msync', msync],
};
