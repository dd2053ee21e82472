// The memory map (mm_struct): the VMA list is the single source of truth for what is mapped and with which
// permissions; the Cpu's mappings only mirror it. Addresses are laid out as Linux v6.17 lays them out on
// arm64 with 4 KiB pages, 48-bit VAs and randomization off (as under `setarch -R`).
import type { Cpu } from '../cpu/cpu.ts';
import { UC_PROT_READ, UC_PROT_WRITE, UC_PROT_EXEC } from '../cpu/unicorn.ts';
import { VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYSHARE, VM_GROWSDOWN } from './vma-flags.ts';
import { TextSites } from './text_scan.ts';
import { EngineMemoryError } from '../errors.ts';

export * from './vma-flags.ts';

export const PAGE_SIZE = 4096n;
export const PAGE_SHIFT = 12n;
/** TASK_SIZE_64 with VA_BITS = 48: user addresses are below it. */
export const TASK_SIZE = 1n << 48n;
/** STACK_TOP without randomization */
export const STACK_TOP = TASK_SIZE;
/** mm/mmap.c stack_guard_gap: 256 pages */
export const STACK_GUARD_GAP = 256n << PAGE_SHIFT;
/** mmap_min_addr as Debian sets it (vm.mmap_min_addr = 32768) */
export const MMAP_MIN_ADDR = 0x8000n;
/** vm.max_map_count's default (include/linux/mm.h: DEFAULT_MAX_MAP_COUNT = USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN) */
export const DEFAULT_MAX_MAP_COUNT = 65530;

export const pageAlignDown = (a: bigint): bigint => a & ~(PAGE_SIZE - 1n);
export const pageAlignUp = (a: bigint): bigint => (a + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);

/**
 * The first address of a file VMA whose page lies wholly past the end of the file (filemap_fault returns
 * VM_FAULT_SIGBUS there: the page index is ≥ DIV_ROUND_UP(i_size, PAGE_SIZE)), or null if there is none.
 * DIVERGENCE: the end of the file is the size it had when the mapping's page cache was read (mm/filemap.ts).
 */
export function eofStart(v: Vma): bigint | null {
  if (!v.file) return null;
  const a = v.start + pageAlignUp(BigInt(v.file.data.length)) - v.pgoff;
  if (a >= v.end) return null;
  return a > v.start ? a : v.start;
}

/** The file behind a file-backed mapping. */
export interface MappedFile {
  /** guest path, as d_path would print it (NT_FILE, /proc/self/maps) */
  path: string;
  /** file contents (private mappings copy from it; the core writer compares pages against it) */
  data: Buffer;
  /** any execute permission bit in the file's mode (coredump_filter bit 4 test) */
  executable: boolean;
  /** host path inside the root, for the write-back of MAP_SHARED mappings (mm/filemap.ts) */
  host?: string;
  /** waiters on futexes in MAP_SHARED mappings of the file (get_futex_key's inode-based keys) */
  futexQueues?: FutexQueues;
}

export interface Vma {
  start: bigint;
  end: bigint;
  flags: number;
  /** offset into the file, in bytes (vm_pgoff << PAGE_SHIFT) */
  pgoff: bigint;
  file: MappedFile | null;
  /** '[heap]', '[stack]', '[vdso]' or null */
  name: string | null;
  /** MAP_SHARED anonymous: its shmem object (shared futex keys are in it) */
  shmem?: Shmem;
}

export function vmFlagsFromProt(prot: number): number {
  return (prot & 1 ? VM_READ : 0) | (prot & 2 ? VM_WRITE : 0) | (prot & 4 ? VM_EXEC : 0);
}

/**
 * The engine's protection for a VMA: the arm64 protection_map without EPAN (the emulated CPU has none), where
 * PROT_EXEC implies read (adjust_protection_map: VM_EXEC → PAGE_READONLY_EXEC) and so does PROT_WRITE (arm64 page
 * tables have no write-only permission: [VM_WRITE] = PAGE_READONLY, [VM_SHARED | VM_WRITE] = PAGE_SHARED), as
 * do_page_fault agrees (a read fault is allowed by VM_READ, VM_WRITE or, without EPAN, VM_EXEC).
 */
export function ucProt(flags: number): number {
  return (flags & (VM_READ | VM_WRITE | VM_EXEC) ? UC_PROT_READ : 0) | (flags & VM_WRITE ? UC_PROT_WRITE : 0) |
    (flags & VM_EXEC ? UC_PROT_EXEC : 0);
}

/** A MAP_SHARED mapping: its pages are the same memory in a fork child (the engine maps one host buffer). */
export const engineShared = (v: Vma): boolean => (v.flags & (VM_SHARED | VM_MAYSHARE)) !== 0;

/** vma_merge: neighbours with the same flags, file and contiguous offsets become one VMA again. */
function mergeVmas(vmas: Vma[]): Vma[] {
  const out: Vma[] = [];
  for (const v of vmas) {
    const p = out[out.length - 1];
    if (p && p.end === v.start && p.flags === v.flags && p.file === v.file && p.name === v.name &&
      (!v.file || p.pgoff + (p.end - p.start) === v.pgoff)) {
      p.end = v.end;
    } else out.push({ ...v });
  }
  return out;
}

/** A futex hash table, by key, each bucket FIFO: an address space's (private keys), or a shared object's. */
export type FutexQueues = Map<string, FutexQ[]>;

/** union futex_key: the table the key lives in and the key in it. */
export interface FutexKey { queues: FutexQueues; id: string }

/** shmem_zero_setup: the object a MAP_SHARED anonymous mapping maps; a fork child's VMA maps the same one. */
/** its file's name, as d_path shows it (an unlinked "dev/zero" on the internal shm mount) */
export const SHMEM_NAME = '/dev/zero (deleted)';
export interface Shmem { futexQueues: FutexQueues }

/** struct futex_q, as much as a waiter needs: who waits, on which key, for which bits; woken by a wake. */
export interface FutexQ {
  key: FutexKey;
  bitset: number;
  /** a FUTEX_LOCK_PI waiter: its tid, and where its lock word is (unlock hands the lock to it) */
  pi?: { tid: number; mm: Mm; uaddr: bigint };
  /** futex_q unqueued by a wake (the waiter's ready()) */
  woken: boolean;
}

export class Mm {
  /** sorted by start, never overlapping */
  vmas: Vma[] = [];
  /** mm->start_code, end_code, start_data, end_data as load_elf_binary sets them (/proc/PID/stat, status) */
  startCode = 0n;
  endCode = 0n;
  startData = 0n;
  endData = 0n;
  startBrk = 0n;
  brk = 0n;
  startStack = 0n;
  argStart = 0n;
  argEnd = 0n;
  envStart = 0n;
  envEnd = 0n;
  /** saved auxv (type, value) pairs including AT_NULL, for NT_AUXV */
  savedAuxv: Buffer = Buffer.alloc(0);
  mmapBase = 0n;
  /** the page cache of mapped files, one MappedFile per inode (mm/filemap.ts) */
  readonly pageCache = new Map<string, { file: MappedFile; size: number; mtimeMs: number }>();
  /** mm->context.vdso: where the [vdso] (and __kernel_rt_sigreturn) is mapped */
  vdsoBase = 0n;
  /** mm->flags dumpable bits: 0, 1 (SUID_DUMP_USER) or 2 (SUID_DUMP_ROOT) */
  dumpable: 0 | 1 | 2 = 1;
  /** mm->flags coredump filter bits (/proc/PID/coredump_filter) */
  coredumpFilter = 0x33;

  /** mm_users: the tasks that use this mm (threads, a vfork child) */
  users = 1;
  /** the futex hash buckets of this address space (kernel/futex/core.c futex_queues), by futex key, FIFO */
  readonly futexQueues: FutexQueues = new Map();

  /** the code's alignment-check sites, armed in the engine (text_scan.ts) */
  private readonly textSites: TextSites;

  /** sysctls: the kernel's one table, read at each check as Linux reads sysctl_max_map_count (none in unit tests) */
  constructor(readonly cpu: Cpu, public rlimitStack: bigint, private readonly sysctl?: { maxMapCount?: number }) {
    this.textSites = new TextSites(cpu);
  }

  /** dup_mm's part for the alignment checks: the parent's armed sites, in a new engine with no code yet. */
  inheritWatches(from: Mm): void {
    this.textSites.inherit(from.textSites);
  }

  /** sysctl vm.max_map_count (sysctl_max_map_count): global, so a write through /proc/sys limits every mm */
  get maxMapCount(): number {
    return this.sysctl?.maxMapCount ?? DEFAULT_MAX_MAP_COUNT;
  }

  /** mm->map_count: the number of VMAs, [stack] and [vdso] included */
  get mapCount(): number {
    return this.vmas.length;
  }

  /**
   * munmap's limit (mm/vma.c vms_gather_munmap_vmas): splitting the first VMA in three fails with ENOMEM once
   * map_count >= max_map_count; any other split may take map_count just above the limit, to free memory.
   */
  unmapExceedsMapCount(start: bigint, end: bigint): boolean {
    const v = this.findVma(start);
    return v !== undefined && v.start < start && end < v.end && this.mapCount >= this.maxMapCount;
  }

  /**
   * mprotect's limit (mm/vma.c vma_modify → split_vma): each split of a VMA whose flags change fails with ENOMEM
   * once map_count >= max_map_count, counting the splits made before it; a range that reaches one end of the
   * VMA and merges there with the neighbour of the same new flags (vma_merge_existing_range) splits nothing.
   */
  protectExceedsMapCount(start: bigint, end: bigint, flags: number): boolean {
    const rwx = VM_READ | VM_WRITE | VM_EXEC;
    let count = this.mapCount;
    for (let i = this.findVmaIndex(start); i < this.vmas.length; i++) {
      const v = this.vmas[i];
      if (v.start >= end) break;
      const nf = (v.flags & ~rwx) | flags;
      const left = v.start < start, right = end < v.end;
      if (nf === v.flags || (!left && !right)) continue;
      const neighbour = left && !right ? this.vmas[i + 1] : !left && right ? this.vmas[i - 1] : undefined;
      if (neighbour && (left ? neighbour.start === v.end : neighbour.end === v.start) && neighbour.flags === nf &&
        neighbour.file === v.file && neighbour.name === v.name && (!v.file ||
          (left ? v.pgoff + (v.end - v.start) === neighbour.pgoff : neighbour.pgoff + (v.start - neighbour.start) === v.pgoff))) {
        continue;
      }
      for (const split of [left, right]) {
        if (!split) continue;
        if (count >= this.maxMapCount) return true;
        count++;
      }
    }
    return false;
  }

  /** find_vma: the first VMA that ends above addr (it may start above addr too). */
  findVma(addr: bigint): Vma | undefined {
    return this.vmas[this.findVmaIndex(addr)];
  }

  /** The index in vmas of findVma(addr) (vmas.length when there is none). */
  findVmaIndex(addr: bigint): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid].end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The VMA containing addr, if any. */
  vmaAt(addr: bigint): Vma | undefined {
    const v = this.findVma(addr);
    return v && v.start <= addr ? v : undefined;
  }

  /** Is [start, end) free of VMAs? */
  isFree(start: bigint, end: bigint): boolean {
    const v = this.findVma(start);
    return !v || v.start >= end;
  }

  /** Inserts a new VMA (the range must be free) and mirrors it into the Cpu, copying file contents. */
  insert(vma: Vma, contents?: Buffer): Vma {
    if (!this.isFree(vma.start, vma.end)) throw new Error(`overlapping mapping at 0x${vma.start.toString(16)}`);
    this.cpu.map(vma.start, vma.end - vma.start, ucProt(vma.flags), engineShared(vma));
    if (contents && contents.length > 0) this.cpu.write(vma.start, contents);
    this.hideBeyondEof(vma);
    this.vmas.splice(this.findVmaIndex(vma.start), 0, vma); // the range is free: before the first VMA above it
    if (vma.flags & VM_EXEC) this.textSites.scan(vma.start, vma.end);
    return vma;
  }

  /**
   * The pages of a file VMA past the end of the file have no page on Linux (filemap_fault gives SIGBUS): the
   * engine maps them without access, so that any access stops there and the fault path can tell (beyondEof).
   */
  hideBeyondEof(v: Vma): void {
    const e = eofStart(v);
    if (e !== null) this.cpu.protect(e, v.end - e, 0);
  }

  /**
   * split_vma over [start, end): each VMA overlapping the range is cut at its ends, and `middle` decides what
   * becomes of the overlapping piece (a replacement, or null to drop it). The pieces outside stay as they were.
   */
  private splitRange(start: bigint, end: bigint, middle: (piece: Vma, orig: Vma) => Vma | null): Vma[] {
    const out: Vma[] = [];
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end) {
        out.push(v);
        continue;
      }
      const lo = v.start > start ? v.start : start;
      const hi = v.end < end ? v.end : end;
      if (v.start < lo) out.push({ ...v, end: lo });
      const mid = middle({ ...v, start: lo, end: hi, pgoff: v.pgoff + (lo - v.start) }, v);
      if (mid) out.push(mid);
      if (hi < v.end) out.push({ ...v, start: hi, pgoff: v.pgoff + (hi - v.start) });
    }
    return out;
  }

  /** Removes [start, end) from every VMA (splitting as needed) and from the Cpu. */
  unmapRange(start: bigint, end: bigint): void {
    this.areaCache = { top: null, hole: 0n }; // a new hole, maybe above the resume point
    let code = false;
    this.vmas = this.splitRange(start, end, (piece) => {
      this.cpu.unmap(piece.start, piece.end - piece.start);
      if (piece.flags & VM_EXEC) code = true;
      return null;
    });
    if (code) this.textSites.forget(start, end);
  }

  /** mprotect on [start, end): splits VMAs and changes their read/write/exec bits. Caller checked coverage. */
  protectRange(start: bigint, end: bigint, flags: number): void {
    const rwx = VM_READ | VM_WRITE | VM_EXEC;
    this.vmas = mergeVmas(this.splitRange(start, end, (piece, orig) => {
      piece.flags = (orig.flags & ~rwx) | flags;
      this.cpu.protect(piece.start, piece.end - piece.start, ucProt(piece.flags));
      this.hideBeyondEof(piece);
      if (piece.flags & VM_EXEC && !(orig.flags & VM_EXEC)) this.textSites.scan(piece.start, piece.end);
      return piece;
    }));
  }

  /** Top-down search for a free range of len bytes below mmapBase (vm_unmapped_area, no randomization). */
  getUnmappedArea(len: bigint): bigint | null {
    // Resume at the last area found unless the request could fit a hole passed over on the way (Linux's
    // free_area_cache before its gap tree): 65,530 top-down mmaps stay linear. unmapRange resets it.
    if (len <= this.areaCache.hole) this.areaCache = { top: null, hole: 0n };
    let high = this.areaCache.top ?? this.mmapBase;
    let hole = this.areaCache.hole;
    // from the VMA just above high: one more above, whose stack guard gap may reach below high
    for (let i = Math.min(this.findVmaIndex(high), this.vmas.length - 2) + 1; i >= -1; i--) {
      const v = i >= 0 ? this.vmas[i] : undefined;
      // a VM_GROWSDOWN vma keeps stack_guard_gap free below it
      const below = v ? v.start - (v.flags & VM_GROWSDOWN ? STACK_GUARD_GAP : 0n) : 0n;
      if (v && v.start >= high) {
        if (below < high) high = below;
        continue;
      }
      const low = v ? v.end : MMAP_MIN_ADDR;
      if (high - low >= len) {
        const a = pageAlignDown(high - len);
        // the next search starts at the area's end, not its start: a caller may leave holes in it (the ELF loader)
        this.areaCache = { top: a + len, hole };
        return a;
      }
      if (high - low > hole) hole = high - low;
      high = below;
    }
    return null;
  }

  /** getUnmappedArea's resume point (null: mmapBase) and the largest hole above it that it passed over */
  private areaCache: { top: bigint | null; hole: bigint } = { top: null, hole: 0n };

  /**
   * expand_stack (mm/mmap.c): grow the VM_GROWSDOWN vma `vma` down to cover addr, within RLIMIT_STACK and
   * keeping stack_guard_gap above the previous mapping. Returns false when Linux would refuse.
   */
  expandStack(vma: Vma, addr: bigint): boolean {
    if (!(vma.flags & VM_GROWSDOWN)) return false;
    const need = pageAlignDown(addr);
    if (need >= vma.start) return true;
    const floor = vma.end - this.rlimitStack;
    if (need < floor || need < MMAP_MIN_ADDR) return false;
    const idx = this.vmas.indexOf(vma);
    const prev = idx > 0 ? this.vmas[idx - 1] : undefined;
    const gapFloor = prev && !(prev.flags & VM_GROWSDOWN) ? prev.end + STACK_GUARD_GAP : 0n;
    if (need < gapFloor) return false;
    // DIVERGENCE: the stack grows by doubling (at least 64 KiB, never past RLIMIT_STACK or the guard gap)
    // instead of page by page: every growth is a new engine region, and Unicorn allows only a few thousand.
    let newStart = vma.start - ((vma.end - vma.start) > 0x10000n ? vma.end - vma.start : 0x10000n);
    if (newStart > need) newStart = need;
    if (newStart < floor) newStart = floor;
    if (newStart < gapFloor) newStart = gapFloor;
    try {
      this.cpu.map(newStart, vma.start - newStart, ucProt(vma.flags));
    } catch (e) {
      if (e instanceof EngineMemoryError) return false; // as if the growth hit its limit: SIGSEGV
      throw e;
    }
    vma.start = newStart;
    return true;
  }
}
