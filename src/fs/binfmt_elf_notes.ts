// The note builders of fs/binfmt_elf.c (v6.17) for elf_core_dump (binfmt_elf_core.ts): fill_note_info and
// what it calls — NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE and the per-thread regsets. Split from
// binfmt_elf_core.ts for size only; kernel.md §12.
import {
  NN_CORE, NT_AUXV, NT_FILE, NT_PRFPREG, NT_PRPSINFO, NT_PRSTATUS, NT_SIGINFO,
} from './elf.ts';
import { aarch64Regsets, USER_PT_REGS_SIZE } from '../arch/arm64/regset.ts';

import type { CorePsinfo, CoreSnapshot, CoreThread, CoreVma } from './binfmt_elf_core.ts';

export const PAGE_SIZE = 4096;
/** fs/binfmt_elf.c core_file_note_size_limit's default */
export const CORE_FILE_NOTE_SIZE_DEFAULT = 4 * 1024 * 1024;
export const ELF_PRARGSZ = 80;
const AT_NULL = 0n;
const PAGE_SIZE_N = BigInt(PAGE_SIZE);

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

export interface MemElfNote { name: string; type: number; data: Buffer }

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
export function fillNoteInfo(snap: CoreSnapshot, warnings: string[]): MemElfNote[] {
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

