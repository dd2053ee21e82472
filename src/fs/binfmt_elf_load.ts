// Mirrors fs/binfmt_elf.c (v6.17) elf_map, elf_load, total_mapping_size and maximum_alignment: how one PT_LOAD
// becomes mappings, and what goes wrong on the way. load_elf_binary maps the PT_LOADs in program-header order
// after begin_new_exec, the first with MAP_FIXED_NOREPLACE (ET_EXEC, and a PIE at ELF_ET_DYN_BASE) and every later
// one with MAP_FIXED, so a later segment replaces whatever it overlaps: the page it shares with an earlier one,
// or the stack setup_arg_pages placed before. No order of the segments is required.
import { LoaderError, EngineMemoryError } from '../errors.ts';
import { PF_X, PF_W, PF_R } from './elf.ts';
import {
  type Mm, type Vma, type MappedFile, MMAP_MIN_ADDR, TASK_SIZE, pageAlignDown, pageAlignUp, VM_READ, VM_WRITE, VM_EXEC,
} from '../mm/mm.ts';
import type { Phdr } from './binfmt_elf.ts';

/**
 * bprm_execve: an exec that fails once begin_new_exec has run cannot return to the old program, so the kernel
 * kills the process with SIGSEGV (force_fatal_sig). Every error of the PT_LOAD loop is such a failure.
 * DIVERGENCE: we stop the run with a loader error that names the file, the segment and the kernel's errno instead.
 */
export const PAST_NO_RETURN = 'past the point of no return, Linux kills the process with SIGSEGV';

/** "PT_LOAD #i (vaddr 0x…, memsz 0x…)": i counts PT_LOADs in program-header order. */
export const segmentName = (i: number, ph: Phdr): string =>
  `PT_LOAD #${i} (vaddr 0x${ph.vaddr.toString(16)}, memsz 0x${ph.memsz.toString(16)})`;

const protFlags = (pf: number): number => (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);

/** total_mapping_size: from the lowest PT_LOAD page to the highest end, whatever their order. */
export function totalMappingSize(loads: Phdr[]): bigint {
  let min = -1n, max = 0n;
  for (const ph of loads) {
    const lo = pageAlignDown(ph.vaddr);
    if (min < 0n || lo < min) min = lo;
    if (ph.vaddr + ph.memsz > max) max = ph.vaddr + ph.memsz;
  }
  return max - min;
}

/** maximum_alignment: the largest power-of-two p_align of the PT_LOADs, at least a page. */
export function maximumAlignment(loads: Phdr[]): bigint {
  let a = 0n;
  for (const ph of loads) if (ph.align > 0n && (ph.align & (ph.align - 1n)) === 0n && ph.align > a) a = ph.align;
  return pageAlignUp(a);
}

export interface LoadTarget {
  mm: Mm;
  /** the file (for NT_FILE, /proc/self/maps) and its bytes */
  file: MappedFile;
  data: Buffer;
  /** errors name this file */
  name: string;
}

/**
 * elf_load of PT_LOAD #i at bias: elf_map (the file pages, MAP_FIXED or MAP_FIXED_NOREPLACE), then the pages past
 * p_filesz as anonymous memory (vm_brk_flags, which unmaps what was there first). Returns the segment's end.
 * DIVERGENCE: Linux zeroes the tail of the last file page only when p_memsz > p_filesz (padzero, and only in a
 * writable segment); otherwise the page shows the file's next bytes. Linkers pad text segments with zeros, so
 * this only shows for hand-made files (the asm programs: their text page tail holds the symbol table); kept so
 * that their cores stay byte-identical.
 */
export function elfLoad(t: LoadTarget, ph: Phdr, i: number, bias: bigint, noReplace: boolean): bigint {
  const fail = (why: string): never => { throw new LoaderError(t.name, `${segmentName(i, ph)}: ${why}`); };
  const vaddr = ph.vaddr + bias;
  const start = pageAlignDown(vaddr);
  const fileEnd = vaddr + ph.filesz;
  const memEnd = vaddr + ph.memsz;
  const flags = protFlags(ph.flags);
  const off = ph.offset - (vaddr - start);
  const mapEnd = ph.filesz > 0n ? pageAlignUp(fileEnd) : start;
  const anonEnd = pageAlignUp(memEnd);
  // security_mmap_addr (both vm_mmap and vm_brk_flags go through it): no mapping below mmap_min_addr
  if (start < MMAP_MIN_ADDR && anonEnd > start) {
    fail(`maps 0x${start.toString(16)}, below mmap_min_addr (0x${MMAP_MIN_ADDR.toString(16)}): EPERM, ${PAST_NO_RETURN}`);
  }
  if (anonEnd > TASK_SIZE || anonEnd < start) fail(`ends beyond the 48-bit user address space (TASK_SIZE): ENOMEM, ${PAST_NO_RETURN}`);
  if (noReplace && mapEnd > start && !t.mm.isFree(start, mapEnd)) {
    const v = t.mm.vmas.find((x) => x.start < mapEnd && x.end > start)!;
    fail(`[0x${start.toString(16)}, 0x${mapEnd.toString(16)}) is already mapped by ${v.name ?? v.file?.path ?? 'a mapping'} ` +
      `[0x${v.start.toString(16)}, 0x${v.end.toString(16)}) (MAP_FIXED_NOREPLACE: EEXIST), ${PAST_NO_RETURN}`);
  }
  try {
    if (mapEnd > start) {
      const bytes = Buffer.alloc(Number(mapEnd - start));
      t.data.copy(bytes, 0, Number(off), Number(ph.offset + ph.filesz));
      mapFixed(t.mm, { start, end: mapEnd, flags, pgoff: off, file: t.file, name: null }, bytes);
    }
    if (anonEnd > mapEnd) mapFixed(t.mm, { start: mapEnd, end: anonEnd, flags, pgoff: 0n, file: null, name: null });
  } catch (e) {
    if (!(e instanceof EngineMemoryError)) throw e;
    // DIVERGENCE (README: Unicorn allocates real host memory): Linux would overcommit what the host cannot back here
    fail(`the host cannot back its 0x${(anonEnd - start).toString(16)} bytes: ENOMEM, ${PAST_NO_RETURN}`);
  }
  return memEnd;
}

/** MAP_FIXED: the new mapping replaces whatever [start, end) held (a shared page, the stack). */
function mapFixed(mm: Mm, vma: Vma, bytes?: Buffer): void {
  mm.unmapRange(vma.start, vma.end);
  mm.insert(vma, bytes);
}
