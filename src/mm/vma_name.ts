// Which object a user address belongs to, from the VMA list alone (the kernel's print_vma_addr names the file
// the same way): the program, a shared library, the interpreter, [vdso], [stack], [heap] or anonymous memory.
// Pure: the report calls it for a signal's pc (fields `object` and `offset`).
import type { Vma } from './mm.ts';

export interface VmaName {
  /** the mapped file as the guest sees it (d_path), '[vdso]'/'[stack]'/'[heap]', or null for anonymous memory */
  object: string | null;
  /**
   * For a file: the address inside the object's own ELF address space (addr − load bias), what
   * `addr2line -e <object>` and gdb's `info symbol` in that object take — for a shared library or PIE the offset
   * from its load base, for an ET_EXEC program the address itself. For a special mapping: addr − its start.
   * null when no VMA contains addr.
   */
  offset: bigint | null;
  /** the containing VMA's start and the file offset of addr (vm_pgoff + addr − vm_start), as /proc/PID/maps shows */
  vmaStart: bigint | null;
  fileOffset: bigint | null;
}

const ET_EXEC = 2;

/** The object and offset of addr; `vmas` sorted by start (Mm.vmas). */
export function vmaName(vmas: readonly Vma[], addr: bigint): VmaName {
  const v = vmas.find((x) => x.start <= addr && addr < x.end);
  if (!v) return { object: null, offset: null, vmaStart: null, fileOffset: null };
  if (!v.file) {
    return { object: v.name, offset: v.name ? addr - v.start : null, vmaStart: v.start, fileOffset: null };
  }
  const fileOffset = v.pgoff + (addr - v.start);
  // the load base: where the file's offset 0 is mapped (the first PT_LOAD of an ELF object)
  const first = vmas.find((x) => x.file === v.file && x.pgoff === 0n) ??
    vmas.find((x) => x.file?.path === v.file!.path && x.pgoff === 0n);
  const data = v.file.data;
  const isElf = data.length >= 18 && data.readUInt32BE(0) === 0x7f454c46;
  let offset = fileOffset;
  if (isElf && data.readUInt16LE(16) === ET_EXEC) offset = addr;
  else if (isElf && first) offset = addr - first.start;
  return { object: v.file.path, offset, vmaStart: v.start, fileOffset };
}

/** "libc.so.6+0x8b6d0"-style text for logs and reports. */
export function formatVmaName(n: VmaName): string | null {
  if (n.object === null || n.offset === null) return null;
  return `${n.object.split('/').pop()}+0x${n.offset.toString(16)}`;
}
