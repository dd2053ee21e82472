// The [vdso] page (arch/arm64/kernel/vdso.c + vdso/sigreturn.S, v6.17), reduced to what a signal needs:
// a valid ELF image whose only symbol is __kernel_rt_sigreturn = `mov x8, #139; svc #0`.
// DIVERGENCE: the real vDSO also exports __kernel_clock_gettime/gettimeofday/clock_getres and comes with
// [vvar] data pages; without them glibc falls back to the syscalls, which read the deterministic clock.
// glibc's setup_vdso (elf/setup-vdso.h) needs PT_LOAD + PT_DYNAMIC with DT_HASH/DT_SYMTAB/DT_STRTAB.

import {
  encodeEhdr, encodePhdr, elf64Ident, ET_DYN, EM_AARCH64, EV_CURRENT, PT_LOAD, PT_DYNAMIC, PF_R, PF_X,
} from '../../fs/elf.ts';

export const VDSO_SIZE = 0x1000;
/** offset of __kernel_rt_sigreturn inside the page */
export const VDSO_SIGRETURN_OFFSET = 0x400;
const MOV_X8_139 = 0xd2801168;
const SVC_0 = 0xd4000001;

const HASH = 0x100, SYMTAB = 0x120, STRTAB = 0x180, DYNAMIC = 0x200;

export function buildVdso(): Buffer {
  const b = Buffer.alloc(VDSO_SIZE);
  encodeEhdr({
    e_ident: elf64Ident(), e_type: ET_DYN, e_machine: EM_AARCH64, e_version: EV_CURRENT,
    e_entry: BigInt(VDSO_SIGRETURN_OFFSET), e_phoff: 64n, e_shoff: 0n, e_flags: 0, e_ehsize: 64, e_phentsize: 56,
    e_phnum: 2, e_shentsize: 64, e_shnum: 0, e_shstrndx: 0,
  }).copy(b, 0);
  // PT_LOAD covering the page, then PT_DYNAMIC; link-time addresses equal file offsets (base 0)
  const ph = (at: number, p_type: number, p_flags: number, off: number, size: number) => encodePhdr({
    p_type, p_flags, p_offset: BigInt(off), p_vaddr: BigInt(off), p_paddr: BigInt(off), p_filesz: BigInt(size),
    p_memsz: BigInt(size), p_align: p_type === PT_LOAD ? 0x1000n : 8n,
  }).copy(b, at);
  const strtab = Buffer.from('\0__kernel_rt_sigreturn\0linux-vdso.so.1\0', 'latin1');
  const dyn: [number, number][] = [[4, HASH], [5, STRTAB], [6, SYMTAB], [10, strtab.length], [11, 24], [14, 23], [0, 0]];
  ph(64, PT_LOAD, PF_R | PF_X, 0, VDSO_SIZE);
  ph(120, PT_DYNAMIC, PF_R, DYNAMIC, dyn.length * 16);
  // DT_HASH: nbucket 1, nchain 2, bucket[0] = 1, chain = [0, 0]
  [1, 2, 1, 0, 0].forEach((v, i) => b.writeUInt32LE(v, HASH + 4 * i));
  // symbol 1: __kernel_rt_sigreturn, STB_GLOBAL|STT_FUNC, in a defined section
  b.writeUInt32LE(1, SYMTAB + 24);
  b.writeUInt8(0x12, SYMTAB + 24 + 4);
  b.writeUInt16LE(7, SYMTAB + 24 + 6);
  b.writeBigUInt64LE(BigInt(VDSO_SIGRETURN_OFFSET), SYMTAB + 24 + 8);
  b.writeBigUInt64LE(8n, SYMTAB + 24 + 16);
  strtab.copy(b, STRTAB);
  dyn.forEach(([tag, val], i) => {
    b.writeBigInt64LE(BigInt(tag), DYNAMIC + 16 * i);
    b.writeBigUInt64LE(BigInt(val), DYNAMIC + 16 * i + 8);
  });
  b.writeUInt32LE(MOV_X8_139, VDSO_SIGRETURN_OFFSET);
  b.writeUInt32LE(SVC_0, VDSO_SIGRETURN_OFFSET + 4);
  return b;
}
