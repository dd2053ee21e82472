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
  EHDR_SIZE, ELFMAG, EM_AARCH64, ET_CORE, EV_CURRENT, NN_CORE, NT_AUXV, NT_FILE, NT_PRFPREG, NT_PRPSINFO,
  NT_PRSTATUS, NT_SIGINFO, PF_R, PF_W, PF_X, PHDR_SIZE, PN_XNUM, PT_LOAD, PT_NOTE, SHDR_SIZE, SHN_UNDEF,
  elf64Ident, encodeEhdr, encodeExtnumShdr, encodeNhdr, encodePhdr, noteSize,
} from './elf.ts';
import { aarch64Regsets, USER_PT_REGS_SIZE } from '../arch/arm64/regset.ts';
import type { CoreSink } from './core_sink.ts';

export const PAGE_SIZE = 4096;
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
export const CORE_FILE_NOTE_SIZE_DEFAULT = 4 * 1024 * 1024;

export const ELF_PRARGSZ = 80;
const AT_NULL = 0n;

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
const PRSTATUS_SIZE = 392;
const PR_SIGNO = 0x00, PR_CURSIG = 0x0c, PR_SIGPEND = 0x10, PR_SIGHOLD = 0x18, PR_PID = 0x20, PR_PPID = 0x24;
const PR_PGRP = 0x28, PR_SID = 0x2c, PR_UTIME = 0x30, PR_STIME = 0x40, PR_REG = 0x70, PR_FPVALID = 0x180;

/* struct elf_prpsinfo (136 bytes): offsets from kernel.md §13.8. */
const PRPSINFO_SIZE = 136;
const PS_STATE = 0x00, PS_SNAME = 0x01, PS_ZOMB = 0x02, PS_NICE = 0x03, PS_FLAG = 0x08, PS_UID = 0x10;
const PS_GID = 0x14, PS_PID = 0x18, PS_PPID = 0x1c, PS_PGRP = 0x20, PS_SID = 0x24, PS_FNAME = 0x28;
const PS_PSARGS = 0x38;
const TASK_COMM_LEN = 16;
const SIGINFO_SIZE = 128;

const U64 = (1n << 64n) - 1n;

/* ns_to_kernel_old_timeval: {tv_sec, tv_usec} as two longs. */
function writeTimeval(b: Buffer, off: number, ns: bigint): void {
  b.writeBigInt64LE(ns / 1_000_000_000n, off);
  b.writeBigInt64LE((ns % 1_000_000_000n) / 1000n, off + 8);
}

/* fill_prstatus + the regset 0 (GPR) copy into pr_reg. pr_info.si_code/si_errno stay 0, as in the kernel. */
function fillPrstatus(t: CoreThread, p: CorePsinfo, signr: number, fpvalid: boolean): Buffer {
  const b = Buffer.alloc(PRSTATUS_SIZE);
  b.writeInt32LE(signr, PR_SIGNO);
  b.writeUInt16LE(signr, PR_CURSIG);
  b.writeBigUInt64LE(t.pending & U64, PR_SIGPEND);
  b.writeBigUInt64LE(t.blocked & U64, PR_SIGHOLD);
  b.writeInt32LE(t.tid, PR_PID);
  b.writeInt32LE(p.ppid, PR_PPID);
  b.writeInt32LE(p.pgrp, PR_PGRP);
  b.writeInt32LE(p.sid, PR_SID);
  writeTimeval(b, PR_UTIME, t.utime ?? 0n);
  writeTimeval(b, PR_STIME, t.stime ?? 0n);
  // pr_cutime/pr_cstime stay 0: the emulator runs a single process that never reaps children.
  aarch64Regsets[0]!.get(t).copy(b, PR_REG, 0, USER_PT_REGS_SIZE);
  b.writeInt32LE(fpvalid ? 1 : 0, PR_FPVALID);
  return b;
}

/* fill_psinfo, from the thread-group leader. */
function fillPsinfo(p: CorePsinfo): Buffer {
  const b = Buffer.alloc(PRPSINFO_SIZE);
  const len = Math.min(p.args.length, ELF_PRARGSZ - 1);
  for (let i = 0; i < len; i++) b[PS_PSARGS + i] = p.args[i] === 0 ? 0x20 : p.args[i]!;
  const state = p.state >>> 0;
  const i = state ? 31 - Math.clz32(state & -state) + 1 : 0; /* ffz(~state) + 1 */
  b[PS_STATE] = i;
  b[PS_SNAME] = i > 5 ? 0x2e : 'RSDTZW'.charCodeAt(i);
  b[PS_ZOMB] = b[PS_SNAME] === 0x5a ? 1 : 0;
  b.writeInt8(p.nice, PS_NICE);
  b.writeBigUInt64LE(p.flags & U64, PS_FLAG);
  b.writeUInt32LE(p.uid >>> 0, PS_UID);
  b.writeUInt32LE(p.gid >>> 0, PS_GID);
  b.writeInt32LE(p.pid, PS_PID);
  b.writeInt32LE(p.ppid, PS_PPID);
  b.writeInt32LE(p.pgrp, PS_PGRP);
  b.writeInt32LE(p.sid, PS_SID);
  Buffer.from(p.comm, 'latin1').copy(b, PS_FNAME, 0, TASK_COMM_LEN - 1);
  return b;
}

/* fill_auxv_note: pairs up to and including AT_NULL. */
function fillAuxvNote(auxv: Buffer): Buffer {
  let i = 0;
  do i += 2;
  while (i * 8 <= auxv.length && auxv.readBigUInt64LE((i - 2) * 8) !== AT_NULL);
  return auxv.subarray(0, Math.min(i * 8, auxv.length & ~15));
}

/*
 * fill_files_note: count, page_size, count × {start, end, file_ofs (pages)}, then the NUL-terminated names.
 * The size estimate (64 bytes per VMA, page-rounded, ×5/4 whenever a name does not fit) decides whether the
 * note exists at all, so it is reproduced exactly.
 */
function fillFilesNote(vmas: CoreVma[], limit: number, warnings: string[]): Buffer | null {
  const names = vmas.filter((v) => v.file !== null).map((v) => Buffer.from(`${v.file}\0`, 'utf8'));
  const namesOfs = (2 + 3 * vmas.length) * 8;
  let size = vmas.length * 64;
  for (;;) {
    if (size >= limit) {
      warnings.push(`coredump Note size too large: ${size} (does kernel.core_file_note_size_limit sysctl need adjustment?`);
      return null;
    }
    size = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    if (size === 0) return null; /* kvmalloc(0) → ZERO_SIZE_PTR → -ENOMEM: no note */
    let remaining = size - namesOfs;
    if (names.every((n) => (remaining -= n.length) >= 0)) break;
    size = Math.floor((size * 5) / 4) >>> 0; /* -ENAMETOOLONG: retry with a bigger buffer */
  }
  const head = Buffer.alloc((2 + 3 * names.length) * 8);
  head.writeBigUInt64LE(BigInt(names.length), 0);
  head.writeBigUInt64LE(PAGE_SIZE_N, 8);
  let o = 16;
  for (const v of vmas) {
    if (v.file === null) continue;
    head.writeBigUInt64LE(v.start, o);
    head.writeBigUInt64LE(v.end, o + 8);
    head.writeBigUInt64LE(v.pgoff / PAGE_SIZE_N, o + 16);
    o += 24;
  }
  return Buffer.concat([head, ...names]);
}

interface MemElfNote { name: string; type: number; data: Buffer }

/* fill_thread_core_info: NT_PRSTATUS, then one note per regset after regset 0. */
function fillThreadCoreInfo(t: CoreThread, p: CorePsinfo, signr: number): MemElfNote[] {
  const notes: MemElfNote[] = [];
  let fpvalid = false;
  for (const regset of aarch64Regsets.slice(1)) {
    if (regset.noteType === NT_PRFPREG) fpvalid = true; /* SET_PR_FPVALID */
    notes.push({ name: regset.noteName, type: regset.noteType, data: regset.get(t) });
  }
  return [{ name: NN_CORE, type: NT_PRSTATUS, data: fillPrstatus(t, p, signr, fpvalid) }, ...notes];
}

/* fill_note_info + write_note_info's order: process-wide notes interleaved after thread 0's NT_PRSTATUS. */
function fillNoteInfo(snap: CoreSnapshot, warnings: string[]): MemElfNote[] {
  const siginfo = Buffer.alloc(SIGINFO_SIZE);
  snap.siginfo.copy(siginfo, 0, 0, SIGINFO_SIZE);
  const files = fillFilesNote(snap.vmas, snap.fileNoteSizeLimit ?? CORE_FILE_NOTE_SIZE_DEFAULT, warnings);
  const out: MemElfNote[] = [];
  snap.threads.forEach((t, idx) => {
    const [prstatus, ...regsets] = fillThreadCoreInfo(t, snap.psinfo, snap.signo);
    out.push(prstatus!);
    if (idx === 0) {
      out.push({ name: NN_CORE, type: NT_PRPSINFO, data: fillPsinfo(snap.psinfo) });
      out.push({ name: NN_CORE, type: NT_SIGINFO, data: siginfo });
      out.push({ name: NN_CORE, type: NT_AUXV, data: fillAuxvNote(snap.auxv) });
      if (files) out.push({ name: NN_CORE, type: NT_FILE, data: files });
    }
    out.push(...regsets);
  });
  return out;
}

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
