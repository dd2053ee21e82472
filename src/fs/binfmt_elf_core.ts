// Mirrors torvalds/linux fs/binfmt_elf.c (v6.17): elf_core_dump and its note builders, plus the pieces of
// fs/coredump.c it calls (vma_dump_size, dump_user_range, dump_emit/dump_skip/dump_align).
// Simplified: one snapshot object replaces current/mm/vma_meta; output goes to a CoreSink.
//
// Read: ColinIanKing/linux-next fs/binfmt_elf.c @ 34480971edec7f8adb72248a1463c2c66a952001 and
// fs/coredump.c @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 (≈v6.17); kernel.md §10 step 12, §12, §13.
//
//   +------------------+ 0
//   | Elf64_Ehdr       |
//   +------------------+ 64
//   | PT_NOTE phdr     |  p_offset = 64 + 56 × segs
//   | PT_LOAD × nvma   |  p_offset = running offset from dataoff
//   +------------------+
//   | notes            |  thread 0: PRSTATUS PRPSINFO SIGINFO AUXV [FILE] regsets…; other threads: PRSTATUS regsets…
//   +------------------+ dataoff = roundup(…, ELF_EXEC_PAGESIZE)   (the gap is a hole)
//   | segment data     |  p_filesz bytes per PT_LOAD, absent/zero pages as holes
//   +------------------+
//   | Elf64_Shdr       |  only when e_phnum == PN_XNUM (sh_info = real segment count)
//   +------------------+
import { VM_DONTDUMP, VM_EXEC, VM_IO, VM_READ, VM_SHARED, VM_WRITE } from '../mm/vma-flags.ts';
import {
  EHDR_SIZE, ELFMAG, EM_AARCH64, ET_CORE, EV_CURRENT, PF_R, PF_W, PF_X, PHDR_SIZE, PN_XNUM, PT_LOAD, PT_NOTE,
  SHDR_SIZE, SHN_UNDEF, elf64Ident, encodeEhdr, encodeExtnumShdr, encodeNhdr, encodePhdr, noteSize,
} from './elf.ts';
import type { CoreSink } from './core_sink.ts';
import { fillNoteInfo, PAGE_SIZE, type MemElfNote } from './binfmt_elf_notes.ts';

export { PAGE_SIZE, CORE_FILE_NOTE_SIZE_DEFAULT, ELF_PRARGSZ } from './binfmt_elf_notes.ts';

export const ELF_EXEC_PAGESIZE = PAGE_SIZE;
const PAGE_SIZE_N = BigInt(PAGE_SIZE);

/* mm->flags bits of coredump_filter (include/linux/mm_types.h); coredump_filter bit n is mm flag n + 2. */
export const MMF_DUMP_FILTER_SHIFT = 2;
export const MMF_DUMP_ANON_PRIVATE = 2;
export const MMF_DUMP_ANON_SHARED = 3;
export const MMF_DUMP_MAPPED_PRIVATE = 4;
export const MMF_DUMP_MAPPED_SHARED = 5;
export const MMF_DUMP_ELF_HEADERS = 6;
export const MMF_DUMP_HUGETLB_PRIVATE = 7;
export const MMF_DUMP_HUGETLB_SHARED = 8;
export const MMF_DUMP_DAX_PRIVATE = 9;
export const MMF_DUMP_DAX_SHARED = 10;
/** Default /proc/PID/coredump_filter with CONFIG_CORE_DUMP_DEFAULT_ELF_HEADERS=y. */
export const COREDUMP_FILTER_DEFAULT = 0x33;
/** kernel.core_file_note_size_limit default (CORE_FILE_NOTE_SIZE_DEFAULT). */


export interface CoreVma {
  start: bigint;
  end: bigint;
  /** vm_flags (VM_* from mm/vma-flags.ts). */
  flags: number;
  /** Byte offset into the file (vm_pgoff × PAGE_SIZE). */
  pgoff: bigint;
  /** Guest path for NT_FILE (what d_path gives, e.g. "/lib/x.so" or "/dev/zero (deleted)"); null = anonymous. */
  file: string | null;
  /** always_dump_vma(): [vdso]/[vvar]-like special mapping, dumped whole whatever the filter says. */
  special: boolean;
  /** vma->anon_vma != NULL: some page of this private mapping was written (CoW or anonymous). */
  anonWritten: boolean;
  /** The backing inode has an execute bit (only row 10 of §12.2 looks at it). */
  fileHasExecBit?: boolean;
  /** The backing inode has no links (shmem of MAP_SHARED|MAP_ANONYMOUS, memfd, deleted file). Default: file === null. */
  fileUnlinked?: boolean;
  /** vma_is_dax(); the emulator never creates DAX mappings. */
  dax?: boolean;
  /** is_vm_hugetlb_page(); the emulator never creates hugetlb mappings. */
  hugetlb?: boolean;
}

export interface CoreThread {
  tid: number;
  /** x0..x30 (31 values). */
  regs: bigint[];
  sp: bigint;
  pc: bigint;
  pstate: bigint;
  /** v0..v31 as unsigned 128-bit values. */
  vregs: bigint[];
  fpsr: number;
  fpcr: number;
  /** TPIDR_EL0. */
  tpidr: bigint;
  /** pt_regs->syscallno; -1 (NO_SYSCALL) when the thread is not in a syscall. */
  syscallno: number;
  /** This thread's private pending set (word 0); the shared set is not part of pr_sigpend. */
  pending: bigint;
  blocked: bigint;
  /** CPU times in nanoseconds (the group leader's record carries the group total, as fill_prstatus does). */
  utime?: bigint;
  stime?: bigint;
}

export interface CorePsinfo {
  /** The group leader's task->__state (0 = TASK_RUNNING). */
  state: number;
  nice: number;
  /** task->flags (PF_*). */
  flags: bigint;
  uid: number;
  gid: number;
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  comm: string;
  /** mm->arg_start..arg_end raw bytes (NUL-separated arguments). */
  args: Buffer;
}

export type ReadMemory = (addr: bigint, len: number) => Buffer | null;

export interface CoreSnapshot {
  signo: number;
  /** The 128-byte user siginfo_t of the dump signal. */
  siginfo: Buffer;
  /** Saved auxv as raw (type u64, value u64) pairs, including the AT_NULL pair. */
  auxv: Buffer;
  /** Dumping thread first, then the others in rendezvous order. */
  threads: CoreThread[];
  psinfo: CorePsinfo;
  /** In address order (core_sort_vma = 0). */
  vmas: CoreVma[];
  /**
   * Page contents. Return null exactly where Linux has no page and get_dump_page() would give NULL (anonymous
   * memory never touched); file-backed pages that were never touched must return the file's bytes.
   */
  readMemory: ReadMemory;
  coredumpFilter: number;
  /** kernel.core_file_note_size_limit; default 4 MiB. */
  fileNoteSizeLimit?: number;
}

export interface CoreNoteInfo { name: string; type: number; descsz: number; offset: number }

export interface ElfCoreDumpResult {
  /** has_dumped: true once the notes were built (also when writing stopped at the limit). */
  dumped: boolean;
  /** Every write succeeded (false: RLIMIT_CORE or an I/O error cut the dump short). */
  complete: boolean;
  notesSize: number;
  /** Program headers including PT_NOTE (the kernel's segs). */
  segments: number;
  /** e_phnum as written (PN_XNUM when segments ≥ 0xffff). */
  phnum: number;
  dataOffset: number;
  vmaDataSize: bigint;
  /** File size of a complete dump. */
  fullSize: bigint;
  notes: CoreNoteInfo[];
  /** Kernel log lines (pr_warn_once in fill_files_note). */
  warnings: string[];
}

const whole = (v: CoreVma): bigint => v.end - v.start;

/** vma_dump_size() + the DUMP_SIZE_MAYBE_ELFHDR_PLACEHOLDER fix-up of dump_vma_snapshot(): PT_LOAD p_filesz. */
export function vmaDumpSize(vma: CoreVma, filter: number, readMemory: ReadMemory): bigint {
  const FILTER = (bit: number): boolean => (filter & (1 << (bit - MMF_DUMP_FILTER_SHIFT))) !== 0;
  const shared = (vma.flags & VM_SHARED) !== 0;
  if (vma.special) return whole(vma); /* always dump the vdso and vsyscall sections */
  if (vma.flags & VM_DONTDUMP) return 0n;
  if (vma.dax) return FILTER(shared ? MMF_DUMP_DAX_SHARED : MMF_DUMP_DAX_PRIVATE) ? whole(vma) : 0n;
  if (vma.hugetlb) return FILTER(shared ? MMF_DUMP_HUGETLB_SHARED : MMF_DUMP_HUGETLB_PRIVATE) ? whole(vma) : 0n;
  if (vma.flags & VM_IO) return 0n; /* Do not dump I/O mapped devices or special mappings */
  if (shared) {
    /* By default, dump shared memory if mapped from an anonymous file. */
    const unlinked = vma.fileUnlinked ?? vma.file === null;
    return FILTER(unlinked ? MMF_DUMP_ANON_SHARED : MMF_DUMP_MAPPED_SHARED) ? whole(vma) : 0n;
  }
  if (vma.anonWritten && FILTER(MMF_DUMP_ANON_PRIVATE)) return whole(vma); /* Dump segments that have been written to. */
  if (vma.file === null) return 0n;
  if (FILTER(MMF_DUMP_MAPPED_PRIVATE)) return whole(vma);
  /* If this is the beginning of an executable file mapping, dump the first page. */
  if (FILTER(MMF_DUMP_ELF_HEADERS) && vma.pgoff === 0n && (vma.flags & VM_READ)) {
    if (vma.fileHasExecBit) return PAGE_SIZE_N;
    /* ELF libraries aren't always executable: look for the ELF magic (copy_from_user of SELFMAG bytes). */
    const mag = readMemory(vma.start, ELFMAG.length);
    return mag !== null && mag.subarray(0, ELFMAG.length).equals(ELFMAG) ? PAGE_SIZE_N : 0n;
  }
  return 0n;
}

/* struct elf_prstatus (392 bytes): offsets from kernel.md §13.7. */
const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

/** Logical file position (cprm->pos + cprm->to_skip) next to the sink, for dump_align/dump_skip_to. */
class DumpCursor {
  pos = 0;
  constructor(readonly sink: CoreSink) {}
  emit(b: Buffer): boolean {
    if (!this.sink.write(b)) return false;
    this.pos += b.length;
    return true;
  }
  skip(n: number): void {
    this.sink.skip(n);
    this.pos += n;
  }
  align(a: number): void {
    if (this.pos % a) this.skip(a - (this.pos % a));
  }
  skipTo(off: number): void {
    this.skip(off - this.pos);
  }
}

/* writenote: the padding after name and desc is skipped (dump_align), not written. */
function writeNote(n: MemElfNote, c: DumpCursor): boolean {
  if (!c.emit(encodeNhdr(n.name, n.type, n.data.length)) || !c.emit(Buffer.from(`${n.name}\0`, 'latin1'))) return false;
  c.align(4);
  if (!c.emit(n.data)) return false;
  c.align(4);
  return true;
}

/*
 * dump_user_range: absent pages become holes. A present page that is all zero is a hole too.
 * DIVERGENCE: Linux writes every present page (only never-faulted/zero-page PTEs are skipped); the emulator
 * cannot tell a zero-page mapping from a written page that holds zeros, so it skips both. The file reads the
 * same; only RLIMIT_CORE accounting differs (skipped zero pages do not count as written).
 */
/** Pages are fetched a chunk at a time (one read per MiB instead of per page) but emitted one by one, so
 *  holes and RLIMIT_CORE truncation keep the kernel's page granularity. */
const CHUNK_PAGES = 256;

function dumpUserRange(c: DumpCursor, read: ReadMemory, start: bigint, len: bigint): boolean {
  const end = start + len;
  for (let addr = start; addr < end;) {
    const n = Number((end - addr) / PAGE_SIZE_N < BigInt(CHUNK_PAGES) ? (end - addr) / PAGE_SIZE_N : BigInt(CHUNK_PAGES));
    const got = n > 1 ? read(addr, n * PAGE_SIZE) : null;
    const chunk = got && got.length === n * PAGE_SIZE ? got : null;
    for (let i = 0; i < n; i++, addr += PAGE_SIZE_N) {
      // a chunk that could not be read as a whole (some page absent) is read page by page
      const page = chunk ? chunk.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE) : read(addr, PAGE_SIZE);
      if (page === null || page.equals(ZERO_PAGE)) c.skip(PAGE_SIZE);
      else if (!c.emit(page)) return false;
    }
  }
  return true;
}

function vmaPhdrFlags(flags: number): number {
  return (flags & VM_READ ? PF_R : 0) | (flags & VM_WRITE ? PF_W : 0) | (flags & VM_EXEC ? PF_X : 0);
}

/** elf_core_dump: lay out (notes, dataoff, segment offsets), then write. Never throws for guest data. */
export function elfCoreDump(snap: CoreSnapshot, sink: CoreSink): ElfCoreDumpResult {
  const warnings: string[] = [];
  const sizes = snap.vmas.map((v) => vmaDumpSize(v, snap.coredumpFilter, snap.readMemory));
  const vmaDataSize = sizes.reduce((a, b) => a + b, 0n);
  const segs = snap.vmas.length + 1; /* + PT_NOTE; arm64 adds MTE phdrs only for VM_MTE VMAs (none here) */
  const phnum = segs >= PN_XNUM ? PN_XNUM : segs;
  const memNotes = fillNoteInfo(snap, warnings);

  let offset = EHDR_SIZE + segs * PHDR_SIZE;
  const notes: CoreNoteInfo[] = [];
  for (const n of memNotes) {
    notes.push({ name: n.name, type: n.type, descsz: n.data.length, offset });
    offset += noteSize(n.name, n.data.length);
  }
  const notesSize = offset - (EHDR_SIZE + segs * PHDR_SIZE);
  const dataOffset = Math.ceil(offset / ELF_EXEC_PAGESIZE) * ELF_EXEC_PAGESIZE;
  const eShoff = BigInt(dataOffset) + vmaDataSize;
  const xnum = phnum === PN_XNUM;
  const result = {
    dumped: true, complete: false, notesSize, segments: segs, phnum, dataOffset, vmaDataSize,
    fullSize: eShoff + (xnum ? BigInt(SHDR_SIZE) : 0n), notes, warnings,
  };

  const c = new DumpCursor(sink);
  const ehdr = encodeEhdr({
    e_ident: elf64Ident(), e_type: ET_CORE, e_machine: EM_AARCH64, e_version: EV_CURRENT, e_entry: 0n,
    e_phoff: BigInt(EHDR_SIZE), e_shoff: xnum ? eShoff : 0n, e_flags: 0, e_ehsize: EHDR_SIZE,
    e_phentsize: PHDR_SIZE, e_phnum: phnum, e_shentsize: xnum ? SHDR_SIZE : 0, e_shnum: xnum ? 1 : 0,
    e_shstrndx: SHN_UNDEF,
  });
  if (!c.emit(ehdr)) return result;
  const notePhdr = encodePhdr({
    p_type: PT_NOTE, p_flags: 0, p_offset: BigInt(EHDR_SIZE + segs * PHDR_SIZE), p_vaddr: 0n, p_paddr: 0n,
    p_filesz: BigInt(notesSize), p_memsz: 0n, p_align: 4n,
  });
  if (!c.emit(notePhdr)) return result;
  let segOff = BigInt(dataOffset);
  for (const [i, v] of snap.vmas.entries()) {
    const ph = encodePhdr({
      p_type: PT_LOAD, p_flags: vmaPhdrFlags(v.flags), p_offset: segOff, p_vaddr: v.start, p_paddr: 0n,
      p_filesz: sizes[i]!, p_memsz: v.end - v.start, p_align: BigInt(ELF_EXEC_PAGESIZE),
    });
    segOff += sizes[i]!;
    if (!c.emit(ph)) return result;
  }
  for (const n of memNotes) if (!writeNote(n, c)) return result;
  c.skipTo(dataOffset); /* Align to page */
  for (const [i, v] of snap.vmas.entries()) {
    if (!dumpUserRange(c, snap.readMemory, v.start, sizes[i]!)) return result;
  }
  if (xnum && !c.emit(encodeExtnumShdr(segs))) return result;
  result.complete = true;
  return result;
}

export { FileCoreSink, BufferCoreSink, type CoreSink, type CoreSinkResult } from './core_sink.ts';
