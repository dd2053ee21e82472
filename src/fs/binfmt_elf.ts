// Mirrors fs/binfmt_elf.c load_elf_binary, load_elf_interp + create_elf_tables and fs/exec.c setup_arg_pages
// (v6.17) for ELF64 AArch64 executables: ET_EXEC, static-pie and PIE ET_DYN, with or without a PT_INTERP
// program interpreter (ld-linux-aarch64.so.1), randomization off (as under `setarch -R`).
import { LoaderError } from '../errors.ts';
import {
  parseEhdr, parsePhdrs, ET_EXEC, ET_DYN, EM_AARCH64, PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK, PT_GNU_PROPERTY,
  PF_X, parseElfProperties,
} from './elf.ts';
import {
  Mm, type Vma, type MappedFile, PAGE_SIZE, STACK_TOP, TASK_SIZE, pageAlignDown, pageAlignUp,
  VM_READ, VM_WRITE, VM_EXEC, VM_GROWSDOWN,
} from '../mm/mm.ts';
import { elfLoad, maximumAlignment, totalMappingSize, segmentName, PAST_NO_RETURN, type LoadTarget } from './binfmt_elf_load.ts';
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
  /**
   * open_exec of the PT_INTERP path: the interpreter's bytes, its guest path (d_path: symlinks resolved) and
   * host path, or a negative errno. Looked up in the sysroot first, then in the root.
   */
  openInterp?: (guestPath: string) => OpenedFile | number;
}

export interface OpenedFile { data: Buffer; guestPath: string; host: string; executable: boolean }

/** ELF_ET_DYN_BASE (arch/arm64/include/asm/elf.h): 2 / 3 of the 48-bit user address space. */
export const ELF_ET_DYN_BASE = (2n * TASK_SIZE / 3n) & ~(PAGE_SIZE - 1n);
const PATH_MAX = 4096;

export interface ExecResult {
  entry: bigint;
  sp: bigint;
  phdrs: Phdr[];
  vdsoBase: bigint;
  /** the interpreter's load address (AT_BASE), 0 without one */
  interpBase: bigint;
  /** the program's load bias (0 for ET_EXEC) */
  loadBias: bigint;
}

export interface ParsedElf { type: number; entry: bigint; phoff: bigint; phdrs: Phdr[]; interp: string | null }

/**
 * Validates the ELF header and program headers; every problem is a LoaderError that names it. `isInterp`: the file is
 * a PT_INTERP interpreter, whose segment checks fail with ENOMEM in load_elf_interp (EINVAL for the program).
 */
export function parseExecutable(file: Buffer, name: string, isInterp = false): ParsedElf {
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
  if (entry >= TASK_SIZE) fail(`e_entry 0x${entry.toString(16)} is not a user address: EINVAL, ${PAST_NO_RETURN}`);
  if (phentsize !== 56) fail(`e_phentsize ${phentsize} is not 56`);
  // load_elf_phdrs: at most 64 KiB of program headers, all inside the file
  if (phnum < 1 || phnum * 56 > 65536) fail(`e_phnum ${phnum} is out of range (1..1170)`);
  if (phoff + BigInt(phnum * 56) > BigInt(file.length)) fail('program headers lie beyond the end of the file (truncated?)');
  const phdrs: Phdr[] = parsePhdrs(file, eh).map((p) => ({
    type: p.p_type, flags: p.p_flags, offset: p.p_offset, vaddr: p.p_vaddr, filesz: p.p_filesz, memsz: p.p_memsz, align: p.p_align,
  }));
  let interp: string | null = null;
  const pi = phdrs.find((p) => p.type === PT_INTERP);
  if (pi) {
    // the interpreter path: 2..PATH_MAX bytes inside the file, NUL-terminated (else ENOEXEC)
    if (pi.filesz > BigInt(PATH_MAX) || pi.filesz < 2n) fail(`PT_INTERP size ${pi.filesz} is not in 2..${PATH_MAX} (ENOEXEC)`);
    if (pi.offset + pi.filesz > BigInt(file.length)) fail('PT_INTERP lies beyond the end of the file (truncated?)');
    const raw = file.subarray(Number(pi.offset), Number(pi.offset + pi.filesz));
    if (raw[raw.length - 1] !== 0) fail('PT_INTERP path is not NUL-terminated (ENOEXEC)');
    interp = raw.subarray(0, raw.indexOf(0)).toString('latin1');
  }
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) fail('has no PT_LOAD segment');
  // load_elf_binary's check after each elf_load (load_elf_interp's: ENOMEM); the mapping itself is elfLoad's
  const errno = isInterp ? 'ENOMEM' : 'EINVAL';
  loads.forEach((p, i) => {
    const seg = segmentName(i, p);
    if (p.filesz > p.memsz) fail(`${seg}: p_filesz 0x${p.filesz.toString(16)} > p_memsz: ${errno}, ${PAST_NO_RETURN}`);
    // elf_load's vm_mmap / vm_brk_flags of such a segment fails first: ENOMEM
    if (p.vaddr >= TASK_SIZE || p.memsz > TASK_SIZE || TASK_SIZE - p.memsz < p.vaddr) {
      fail(`${seg}: p_vaddr + p_memsz reaches beyond the 48-bit user address space (TASK_SIZE 0x${TASK_SIZE.toString(16)}): ` +
        `ENOMEM, ${PAST_NO_RETURN}`);
    }
    // DIVERGENCE: Linux maps file pages past the end of the file (the program gets SIGBUS when it touches them)
    if (p.filesz > 0n && p.offset + p.filesz > BigInt(file.length)) fail(`${seg}: file data lies beyond the end of the file (truncated?)`);
    // vm_mmap refuses an offset that is not page aligned once the page offset of p_vaddr is taken off
    if ((p.vaddr - p.offset) % PAGE_SIZE !== 0n) fail(`${seg}: p_vaddr and p_offset are not congruent modulo the page size: EINVAL, ${PAST_NO_RETURN}`);
  });
  return { type, entry, phoff, phdrs, interp };
}

/** load_elf_binary's start_code (lowest PF_X p_vaddr), end_code, start_data (highest p_vaddr), end_data. */
function codeAndData(mm: Mm, loads: { vaddr: bigint; filesz: bigint; flags: number }[], bias: bigint): void {
  let startCode = 0xffffffffffffffffn, endCode = 0n, startData = 0n, endData = 0n;
  for (const ph of loads) {
    const x = (ph.flags & PF_X) !== 0;
    if (x && ph.vaddr < startCode) startCode = ph.vaddr;
    if (startData < ph.vaddr) startData = ph.vaddr;
    const end = ph.vaddr + ph.filesz;
    if (x && endCode < end) endCode = end;
    if (endData < end) endData = end;
  }
  [mm.startCode, mm.endCode, mm.startData, mm.endData] = [startCode, endCode, startData, endData].map((a) => BigInt.asUintN(64, a + bias));
}


export function loadElfBinary(mm: Mm, p: ExecParams): ExecResult {
  const { type, entry, phoff, phdrs, interp: interpPath } = parseExecutable(p.file, p.guestPath);
  const loads = phdrs.filter((ph) => ph.type === PT_LOAD);
  const gnuStack = phdrs.find((ph) => ph.type === PT_GNU_STACK);
  const execStack = gnuStack ? (gnuStack.flags & PF_X) !== 0 : false;
  const interp = interpPath === null ? null : openInterpreter(p, interpPath);
  // parse_elf_properties: the interpreter's PT_GNU_PROPERTY if there is one, else the program's. BTI is not
  // emulated (system_supports_bti() is false: no HWCAP2_BTI), so a valid note changes nothing; only a malformed
  // one fails the exec (ENOEXEC), as on a CPU without BTI.
  checkProperties(interp ?? { data: p.file, guestPath: p.guestPath, elf: { phdrs } as ParsedElf });

  mm.mmapBase = STACK_TOP - 128n * 1024n * 1024n; // mmap_base(): gap clamped to MIN_GAP (128 MiB)
  const mapped: MappedFile = { path: p.guestPath, data: p.file, executable: p.executable };

  // setup_arg_pages: the stack vma first, so the segment mappings avoid it.
  const { strings } = setupStack(mm, p);

  // The first PT_LOAD in program-header order places the image (load_bias); the image spans total_mapping_size
  // from its lowest page, whatever the order of the segments.
  let bias = 0n;
  const first = loads[0];
  const total = pageAlignUp(totalMappingSize(loads));
  if (type === ET_DYN && interp) {
    // a PIE program: ELF_ET_DYN_BASE (no arch_mmap_rnd()), aligned down to the largest p_align; elf_map maps
    // total_size there with MAP_FIXED_NOREPLACE
    bias = pageAlignDown((ELF_ET_DYN_BASE & ~(maximumAlignment(loads) - 1n)) - first.vaddr);
    const at = bias + pageAlignDown(first.vaddr);
    if (!mm.isFree(at, at + total)) throw new LoaderError(p.guestPath, `ELF_ET_DYN_BASE is taken: EEXIST, ${PAST_NO_RETURN}`);
  } else if (type === ET_DYN) {
    // ET_DYN without an interpreter is "a loader": placed in the mmap region, top-down (load_bias from mmap).
    // DIVERGENCE: v6.17 aligns this load_bias down to the largest p_align (64 KiB for most binaries) and moves
    // the brk to ELF_ET_DYN_BASE (brk_moved); kept page-aligned with the brk after the image so that reports
    // and cores of existing static-pie programs stay as they were (to be decided by the project lead).
    const at = mm.getUnmappedArea(total);
    if (at === null) throw new LoaderError(p.guestPath, `no room in the address space for the program: ENOMEM, ${PAST_NO_RETURN}`);
    bias = at - pageAlignDown(first.vaddr);
  }
  const target: LoadTarget = { mm, file: mapped, data: p.file, name: p.guestPath };
  let brk = 0n;
  loads.forEach((ph, i) => {
    const end = elfLoad(target, ph, i, bias, i === 0 && (type === ET_EXEC || interp !== null));
    if (end > brk) brk = end;
  });
  mm.startBrk = mm.brk = pageAlignUp(brk);
  codeAndData(mm, loads, bias);

  let interpBase = 0n;
  let start = entry + bias;
  if (interp) {
    interpBase = loadElfInterp(mm, interp);
    start = interp.elf.entry + interpBase;
  }

  // arch_setup_additional_pages: the vDSO takes the first top-down slot.
  const vdsoBase = mm.getUnmappedArea(BigInt(VDSO_SIZE))!;
  mm.vdsoBase = vdsoBase;
  mm.insert({ start: vdsoBase, end: vdsoBase + BigInt(VDSO_SIZE), flags: VM_READ | VM_EXEC, pgoff: 0n, file: null, name: '[vdso]' }, buildVdso());

  // the stack vma may have been split by a PT_LOAD mapped over it: every piece of it
  if (execStack) for (const v of mm.vmas) if (v.flags & VM_GROWSDOWN) v.flags |= VM_EXEC;
  const phdrAddr = findPhdrAddr(phdrs, phoff, bias);
  const sp = createElfTables(mm, p, strings, {
    phdr: phdrAddr, phnum: phdrs.length, entry: entry + bias, vdso: vdsoBase, base: interpBase,
  });
  return { entry: start, sp, phdrs, vdsoBase, interpBase, loadBias: bias };
}

interface Interp { data: Buffer; guestPath: string; host?: string; executable?: boolean; elf: ParsedElf }

/** open_exec(PT_INTERP) and the interpreter checks of load_elf_binary (ELIBBAD when it is not an ELF). */
function openInterpreter(p: ExecParams, path: string): Interp {
  const r = p.openInterp ? p.openInterp(path) : -2;
  if (typeof r === 'number') {
    const why = r === -2 ? 'not found (ENOENT)' : `cannot be opened (errno ${-r})`;
    throw new LoaderError(p.guestPath, `its interpreter ${path} ${why} inside --root or --sysroot; ` +
      'give the directory that holds ld-linux-aarch64.so.1 and the libraries with --sysroot (e.g. /usr/aarch64-linux-gnu) or --root');
  }
  if (r.data.length < 4 || r.data.readUInt32BE(0) !== 0x7f454c46) {
    throw new LoaderError(r.guestPath, `the interpreter of ${p.guestPath} is not an ELF file (ELIBBAD)`);
  }
  const elf = parseExecutable(r.data, r.guestPath, true);
  return { ...r, elf };
}

function checkProperties(f: { data: Buffer; guestPath: string; elf: { phdrs: Phdr[] } }): void {
  const ph = f.elf.phdrs.find((x) => x.type === PT_GNU_PROPERTY);
  if (!ph) return;
  const err = parseElfProperties(f.data, ph.offset, ph.filesz);
  if (err) throw new LoaderError(f.guestPath, `PT_GNU_PROPERTY: ${err} (ENOEXEC)`);
}

/**
 * load_elf_interp: the whole image (total_mapping_size) is placed top-down in the mmap region (an ET_DYN
 * interpreter gets no alignment beyond a page), then each PT_LOAD is mapped at load_addr + p_vaddr; the holes
 * between segments stay unmapped. Returns load_addr (AT_BASE).
 */
function loadElfInterp(mm: Mm, interp: Interp): bigint {
  const loads = interp.elf.phdrs.filter((ph) => ph.type === PT_LOAD);
  const file: MappedFile = { path: interp.guestPath, data: interp.data, executable: interp.executable ?? true, host: interp.host };
  let loadAddr = 0n;
  if (interp.elf.type === ET_DYN) {
    const min = loads.reduce((m, ph) => (pageAlignDown(ph.vaddr) < m ? pageAlignDown(ph.vaddr) : m), loads[0].vaddr);
    const max = loads.reduce((m, ph) => (ph.vaddr + ph.memsz > m ? ph.vaddr + ph.memsz : m), 0n);
    const at = mm.getUnmappedArea(pageAlignUp(max - min));
    if (at === null) throw new LoaderError(interp.guestPath, 'no room in the address space for the interpreter (ENOMEM)');
    loadAddr = at - pageAlignDown(loads[0].vaddr);
  }
  // ET_EXEC, or past the first segment: MAP_FIXED (over the program too, as the kernel does)
  const target: LoadTarget = { mm, file, data: interp.data, name: interp.guestPath };
  loads.forEach((ph, i) => elfLoad(target, ph, i, loadAddr, false));
  return loadAddr;
}

/**
 * create_elf_tables writes the platform string, AT_RANDOM, auxv, envp and argv below the strings copy_strings put
 * at the top of the stack. A later PT_LOAD mapped over those pages (MAP_FIXED) has replaced them; if its pages are
 * not writable, copy_to_user fails: EFAULT.
 */
function checkStackWritable(mm: Mm, name: string, lo: bigint, hi: bigint): void {
  for (const v of mm.vmas) {
    if (v.end <= lo || v.start >= hi || (v.flags & VM_WRITE)) continue;
    throw new LoaderError(name, `a PT_LOAD at [0x${v.start.toString(16)}, 0x${v.end.toString(16)}) replaced the stack, where ` +
      `create_elf_tables writes argv, envp and auxv, with pages that are not writable: EFAULT, ${PAST_NO_RETURN}`);
  }
}

function findPhdrAddr(phdrs: Phdr[], phoff: bigint, bias: bigint): bigint {
  const pt = phdrs.find((p) => p.type === PT_PHDR);
  if (pt) return pt.vaddr + bias;
  // otherwise: the PT_LOAD that contains the program headers' file offset
  const load = phdrs.find((p) => p.type === PT_LOAD && p.offset <= phoff && phoff < p.offset + p.filesz);
  return load ? load.vaddr + (phoff - load.offset) + bias : 0n;
}

/** Where copy_strings put the strings (the bprm's view of them), for create_elf_tables. */
interface StackStrings { execfn: bigint; env: bigint[]; argv: bigint[]; bottom: bigint }

/** bprm_execve → copy_strings: execfn, envp, argv strings at the top of the stack; the stack vma. */
function setupStack(mm: Mm, p: ExecParams): { stack: Vma; strings: StackStrings } {
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
  const env = addrs.slice(1, 1 + p.envp.length).reverse();
  return { stack, strings: { execfn: addrs[0], env, argv: addrs.slice(1 + p.envp.length).reverse(), bottom: sp } };
}

function createElfTables(mm: Mm, p: ExecParams, s: StackStrings,
  at: { phdr: bigint; phnum: number; entry: bigint; vdso: bigint; base: bigint }): bigint {
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
    [AT.AT_PHDR, at.phdr], [AT.AT_PHENT, 56n], [AT.AT_PHNUM, BigInt(at.phnum)], [AT.AT_BASE, at.base],
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
  checkStackWritable(mm, p.guestPath, sp, s.bottom);
  mm.cpu.write(sp, Buffer.concat([table, auxBuf]));
  mm.startStack = sp;
  mm.argStart = s.argv[0] ?? s.bottom;
  mm.argEnd = s.env[0] ?? s.execfn;
  mm.envStart = mm.argEnd;
  mm.envEnd = s.execfn;
  return sp;
}
