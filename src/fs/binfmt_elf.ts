// Mirrors fs/binfmt_elf.c load_elf_binary + create_elf_tables and fs/exec.c setup_arg_pages (v6.17),
// for static ELF64 AArch64 executables (ET_EXEC and static-pie ET_DYN), randomization off.
import { LoaderError } from '../errors.ts';
import {
  parseEhdr, parsePhdrs, ET_EXEC, ET_DYN, EM_AARCH64, PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK, PF_X, PF_W, PF_R,
} from './elf.ts';
import {
  Mm, type Vma, type MappedFile, PAGE_SIZE, STACK_TOP, TASK_SIZE, pageAlignDown, pageAlignUp,
  VM_READ, VM_WRITE, VM_EXEC, VM_GROWSDOWN,
} from '../mm/mm.ts';
import { buildVdso, VDSO_SIZE } from '../arch/arm64/vdso.ts';
import type { CpuFeatures } from '../arch/arm64/cpufeature.ts';


// auxv types (include/uapi/linux/auxvec.h, arch/arm64/include/uapi/asm/auxvec.h)
export const AT = {
  AT_NULL: 0, AT_IGNORE: 1, AT_PHDR: 3, AT_PHENT: 4, AT_PHNUM: 5, AT_PAGESZ: 6, AT_BASE: 7, AT_FLAGS: 8,
  AT_ENTRY: 9, AT_UID: 11, AT_EUID: 12, AT_GID: 13, AT_EGID: 14, AT_PLATFORM: 15, AT_HWCAP: 16, AT_CLKTCK: 17,
  AT_SECURE: 23, AT_RANDOM: 25, AT_HWCAP2: 26, AT_EXECFN: 31, AT_SYSINFO_EHDR: 33, AT_MINSIGSTKSZ: 51,
} as const;

/** 4688-byte rt_sigframe + 16 frame record + 16 alignment slack (kernel.md §9.4) */
export const SIGNAL_MINSIGSTKSZ = 4720n;
/** fs/exec.c setup_arg_pages: the stack vma gets 128 KiB beyond the argument pages */
const STACK_EXPAND = 131072n;

export interface Phdr {
  type: number; flags: number; offset: bigint; vaddr: bigint; filesz: bigint; memsz: bigint; align: bigint;
}

export interface ExecParams {
  /** the executable's bytes and its guest path (AT_EXECFN, NT_FILE, /proc/self/maps) */
  file: Buffer;
  guestPath: string;
  /** the filename given to execve (argv[0] is separate) */
  execfn: string;
  argv: string[];
  envp: string[];
  uid: number; gid: number; euid: number; egid: number;
  /** AT_SECURE: the exec changed credentials (set-id) */
  secure: boolean;
  /** 16 bytes for AT_RANDOM */
  random: Buffer;
  features: CpuFeatures;
  executable: boolean;
}

export interface ExecResult {
  entry: bigint;
  sp: bigint;
  phdrs: Phdr[];
  vdsoBase: bigint;
}

/** Validates the ELF header and program headers; every problem is a LoaderError that names it. */
export function parseExecutable(file: Buffer, name: string): { type: number; entry: bigint; phoff: bigint; phdrs: Phdr[] } {
  const fail = (msg: string): never => { throw new LoaderError(name, msg); };
  if (file.length < 64) fail(`not an ELF file: ${file.length} bytes, an ELF64 header needs 64`);
  if (file.readUInt32BE(0) !== 0x7f454c46) fail('not an ELF file (bad magic)');
  if (file[4] !== 2) fail(`ELF class ${file[4]} is not ELFCLASS64: only 64-bit AArch64 programs run here`);
  if (file[5] !== 1) fail('not little-endian (ELFDATA2LSB)');
  if (file[6] !== 1) fail(`unknown ELF version ${file[6]}`);
  const eh = parseEhdr(file);
  const { e_type: type, e_machine: machine, e_entry: entry, e_phoff: phoff, e_phentsize: phentsize, e_phnum: phnum } = eh;
  if (machine !== EM_AARCH64) fail(`e_machine is ${machine}, not EM_AARCH64 (183): not an AArch64 program`);
  if (type !== ET_EXEC && type !== ET_DYN) fail(`e_type ${type} is not an executable (ET_EXEC or ET_DYN)`);
  // BAD_ADDR(e_entry): load_elf_binary fails the exec with -EINVAL (for ET_DYN after adding the load bias)
  if (entry >= TASK_SIZE) fail(`e_entry 0x${entry.toString(16)} is not a user address (execve fails with EINVAL)`);
  if (phentsize !== 56) fail(`e_phentsize ${phentsize} is not 56`);
  // load_elf_phdrs: at most 64 KiB of program headers, all inside the file
  if (phnum < 1 || phnum * 56 > 65536) fail(`e_phnum ${phnum} is out of range (1..1170)`);
  if (phoff + BigInt(phnum * 56) > BigInt(file.length)) fail('program headers lie beyond the end of the file (truncated?)');
  const phdrs: Phdr[] = parsePhdrs(file, eh).map((p) => ({
    type: p.p_type, flags: p.p_flags, offset: p.p_offset, vaddr: p.p_vaddr, filesz: p.p_filesz, memsz: p.p_memsz, align: p.p_align,
  }));
  if (phdrs.some((p) => p.type === PT_INTERP)) {
    fail('has a PT_INTERP (dynamically linked): only static programs are supported; link with -static');
  }
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) fail('has no PT_LOAD segment');
  loads.forEach((p, i) => {
    const seg = `PT_LOAD #${i} (vaddr 0x${p.vaddr.toString(16)})`;
    if (p.filesz > p.memsz) fail(`${seg}: p_filesz 0x${p.filesz.toString(16)} > p_memsz 0x${p.memsz.toString(16)}`);
    if (p.filesz > 0n && p.offset + p.filesz > BigInt(file.length)) fail(`${seg}: file data lies beyond the end of the file (truncated?)`);
    if (p.vaddr + p.memsz >= TASK_SIZE) fail(`${seg}: p_memsz 0x${p.memsz.toString(16)} reaches beyond the 48-bit user address space`);
    if ((p.vaddr - p.offset) % PAGE_SIZE !== 0n) fail(`${seg}: p_vaddr and p_offset are not congruent modulo the page size`);
    if (i > 0 && p.vaddr < loads[i - 1].vaddr + loads[i - 1].memsz) {
      // DIVERGENCE: Linux maps a later overlapping segment over the earlier one (MAP_FIXED); we refuse.
      fail(`${seg} overlaps the previous PT_LOAD segment (segments must be sorted and disjoint)`);
    }
  });
  if (type === ET_EXEC && loads[0].vaddr < 0x8000n) fail(`first PT_LOAD at 0x${loads[0].vaddr.toString(16)} is below mmap_min_addr (0x8000)`);
  return { type, entry, phoff, phdrs };
}

const protFlags = (pf: number): number => (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);

export function loadElfBinary(mm: Mm, p: ExecParams): ExecResult {
  const { type, entry, phoff, phdrs } = parseExecutable(p.file, p.guestPath);
  const loads = phdrs.filter((ph) => ph.type === PT_LOAD);
  const gnuStack = phdrs.find((ph) => ph.type === PT_GNU_STACK);
  const execStack = gnuStack ? (gnuStack.flags & PF_X) !== 0 : false;

  mm.mmapBase = STACK_TOP - 128n * 1024n * 1024n; // mmap_base(): gap clamped to MIN_GAP (128 MiB)
  const mapped: MappedFile = { path: p.guestPath, data: p.file, executable: p.executable };

  // setup_arg_pages: the stack vma first, so the segment mappings avoid it.
  const stack = setupStack(mm, p);

  // ET_DYN without an interpreter is "a loader": placed in the mmap region, top-down (load_bias from mmap).
  let bias = 0n;
  const lo = pageAlignDown(loads[0].vaddr);
  const hi = pageAlignUp(loads[loads.length - 1].vaddr + loads[loads.length - 1].memsz);
  if (type === ET_DYN) {
    const at = mm.getUnmappedArea(hi - lo);
    if (at === null) throw new LoaderError(p.guestPath, 'no room in the address space for the program');
    bias = at - lo;
  }
  let brk = 0n;
  for (const ph of loads) mapSegment(mm, ph, bias, mapped, p.file, (end) => { if (end > brk) brk = end; });
  mm.startBrk = mm.brk = pageAlignUp(brk);

  // arch_setup_additional_pages: the vDSO takes the first top-down slot.
  const vdsoBase = mm.getUnmappedArea(BigInt(VDSO_SIZE))!;
  mm.vdsoBase = vdsoBase;
  mm.insert({ start: vdsoBase, end: vdsoBase + BigInt(VDSO_SIZE), flags: VM_READ | VM_EXEC, pgoff: 0n, file: null, name: '[vdso]' }, buildVdso());

  if (execStack) stack.flags |= VM_EXEC;
  const phdrAddr = findPhdrAddr(phdrs, phoff, bias);
  const sp = createElfTables(mm, p, {
    phdr: phdrAddr, phnum: phdrs.length, entry: entry + bias, vdso: vdsoBase,
  });
  return { entry: entry + bias, sp, phdrs, vdsoBase };
}

function mapSegment(mm: Mm, ph: Phdr, bias: bigint, file: MappedFile, data: Buffer, brk: (end: bigint) => void): void {
  const vaddr = ph.vaddr + bias;
  const start = pageAlignDown(vaddr);
  const fileEnd = vaddr + ph.filesz;
  const memEnd = vaddr + ph.memsz;
  const flags = protFlags(ph.flags);
  const off = ph.offset - (vaddr - start);
  // elf_load: the file-backed part, its last page zero-filled past p_filesz (padzero)
  const mapEnd = ph.filesz > 0n ? pageAlignUp(fileEnd) : start;
  if (mapEnd > start) {
    const bytes = Buffer.alloc(Number(mapEnd - start));
    data.copy(bytes, 0, Number(off), Number(ph.offset + ph.filesz));
    insertMerging(mm, { start, end: mapEnd, flags, pgoff: off, file, name: null }, bytes);
  }
  // the rest of the bss is anonymous memory (vm_brk_flags)
  const anonEnd = pageAlignUp(memEnd);
  if (anonEnd > mapEnd) insertMerging(mm, { start: mapEnd, end: anonEnd, flags, pgoff: 0n, file: null, name: null });
  brk(memEnd);
}

/** Segments may share their boundary page; the later one's mapping replaces the shared page, as MAP_FIXED does. */
function insertMerging(mm: Mm, vma: Vma, bytes?: Buffer): void {
  const prev = mm.vmaAt(vma.start);
  if (prev) {
    const cut = prev.end;
    const keep = mm.cpu.read(vma.start, Number(cut - vma.start));
    mm.unmapRange(vma.start, cut);
    if (keep && bytes) keep.copy(bytes, 0, 0, Math.min(keep.length, bytes.length));
  }
  mm.insert(vma, bytes);
}

function findPhdrAddr(phdrs: Phdr[], phoff: bigint, bias: bigint): bigint {
  const pt = phdrs.find((p) => p.type === PT_PHDR);
  if (pt) return pt.vaddr + bias;
  // otherwise: the PT_LOAD that contains the program headers' file offset
  const load = phdrs.find((p) => p.type === PT_LOAD && p.offset <= phoff && phoff < p.offset + p.filesz);
  return load ? load.vaddr + (phoff - load.offset) + bias : 0n;
}

/** bprm_execve → copy_strings: execfn, envp, argv strings at the top of the stack; the stack vma. */
function setupStack(mm: Mm, p: ExecParams): Vma {
  const strings = [p.execfn, ...p.envp.slice().reverse(), ...p.argv.slice().reverse()];
  let sp = STACK_TOP - 8n; // bprm->p = vm_end - sizeof(void *)
  const size = strings.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
  const argPages = pageAlignUp(BigInt(size) + 8n + 4096n);
  const expand = argPages + STACK_EXPAND > mm.rlimitStack ? mm.rlimitStack : argPages + STACK_EXPAND;
  const stack = mm.insert({
    start: STACK_TOP - pageAlignUp(expand), end: STACK_TOP, flags: VM_READ | VM_WRITE | VM_GROWSDOWN,
    pgoff: 0n, file: null, name: '[stack]',
  });
  const addrs: bigint[] = [];
  for (const s of strings) {
    const b = Buffer.from(s + '\0');
    sp -= BigInt(b.length);
    mm.cpu.write(sp, b);
    addrs.push(sp);
  }
  stringAddrs.set(mm, { execfn: addrs[0], env: addrs.slice(1, 1 + p.envp.length).reverse(), argv: addrs.slice(1 + p.envp.length).reverse(), bottom: sp });
  return stack;
}

const stringAddrs = new WeakMap<Mm, { execfn: bigint; env: bigint[]; argv: bigint[]; bottom: bigint }>();

function createElfTables(mm: Mm, p: ExecParams, at: { phdr: bigint; phnum: number; entry: bigint; vdso: bigint }): bigint {
  const s = stringAddrs.get(mm)!;
  let sp = s.bottom & ~15n; // arch_align_stack (no randomization)
  const platform = Buffer.from('aarch64\0');
  sp -= BigInt(platform.length);
  mm.cpu.write(sp, platform);
  const uPlatform = sp;
  sp -= 16n;
  mm.cpu.write(sp, p.random);
  const uRandom = sp;
  const auxv: [number, bigint][] = [
    [AT.AT_SYSINFO_EHDR, at.vdso], [AT.AT_MINSIGSTKSZ, SIGNAL_MINSIGSTKSZ],
    [AT.AT_HWCAP, p.features.hwcap], [AT.AT_PAGESZ, PAGE_SIZE], [AT.AT_CLKTCK, 100n],
    [AT.AT_PHDR, at.phdr], [AT.AT_PHENT, 56n], [AT.AT_PHNUM, BigInt(at.phnum)], [AT.AT_BASE, 0n],
    [AT.AT_FLAGS, 0n], [AT.AT_ENTRY, at.entry], [AT.AT_UID, BigInt(p.uid)], [AT.AT_EUID, BigInt(p.euid)],
    [AT.AT_GID, BigInt(p.gid)], [AT.AT_EGID, BigInt(p.egid)], [AT.AT_SECURE, p.secure ? 1n : 0n], [AT.AT_RANDOM, uRandom],
    [AT.AT_HWCAP2, p.features.hwcap2], [AT.AT_EXECFN, s.execfn], [AT.AT_PLATFORM, uPlatform], [AT.AT_NULL, 0n],
  ];
  const auxBuf = Buffer.alloc(auxv.length * 16);
  auxv.forEach(([t, v], i) => {
    auxBuf.writeBigUInt64LE(BigInt(t), i * 16);
    auxBuf.writeBigUInt64LE(v, i * 16 + 8);
  });
  mm.savedAuxv = auxBuf;
  // sp = STACK_ADD(p, ei_index); bprm->p = STACK_ROUND(sp, items)
  sp -= BigInt(auxBuf.length);
  const items = BigInt((p.argv.length + 1) + (p.envp.length + 1) + 1);
  sp = (sp - items * 8n) & ~15n;
  const table = Buffer.alloc(Number(items) * 8);
  let o = 0;
  table.writeBigUInt64LE(BigInt(p.argv.length), o); o += 8;
  for (const a of s.argv) { table.writeBigUInt64LE(a, o); o += 8; }
  o += 8;
  for (const e of s.env) { table.writeBigUInt64LE(e, o); o += 8; }
  mm.cpu.write(sp, Buffer.concat([table, auxBuf]));
  mm.startStack = sp;
  mm.argStart = s.argv[0] ?? s.bottom;
  mm.argEnd = s.env[0] ?? s.execfn;
  mm.envStart = mm.argEnd;
  mm.envEnd = s.execfn;
  return sp;
}
