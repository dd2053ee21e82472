// The [vdso] page (arch/arm64/kernel/vdso.c + vdso/sigreturn.S, v6.17), reduced to what a signal needs:
// a valid ELF image whose only symbol is __kernel_rt_sigreturn = `mov x8, #139; svc #0`.
// DIVERGENCE: the real vDSO also exports __kernel_clock_gettime/gettimeofday/clock_getres and comes with
// [vvar] data pages; without them glibc falls back to the syscalls, which read the deterministic clock.
// glibc's setup_vdso (elf/setup-vdso.h) needs PT_LOAD + PT_DYNAMIC with DT_HASH/DT_SYMTAB/DT_STRTAB.

export const VDSO_SIZE = 0x1000;
/** offset of __kernel_rt_sigreturn inside the page */
export const VDSO_SIGRETURN_OFFSET = 0x400;
const MOV_X8_139 = 0xd2801168;
const SVC_0 = 0xd4000001;

const HASH = 0x100, SYMTAB = 0x120, STRTAB = 0x180, DYNAMIC = 0x200;

export function buildVdso(): Buffer {
  const b = Buffer.alloc(VDSO_SIZE);
  // Elf64_Ehdr
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  b.writeUInt16LE(3, 16); //   ET_DYN
  b.writeUInt16LE(183, 18); // EM_AARCH64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(VDSO_SIGRETURN_OFFSET), 24); // e_entry (unused)
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(2, 56);
  b.writeUInt16LE(64, 58);
  // PT_LOAD covering the page, then PT_DYNAMIC
  const ph = (at: number, type: number, flags: number, off: number, size: number) => {
    b.writeUInt32LE(type, at);
    b.writeUInt32LE(flags, at + 4);
    b.writeBigUInt64LE(BigInt(off), at + 8);
    b.writeBigUInt64LE(BigInt(off), at + 16);
    b.writeBigUInt64LE(BigInt(off), at + 24);
    b.writeBigUInt64LE(BigInt(size), at + 32);
    b.writeBigUInt64LE(BigInt(size), at + 40);
    b.writeBigUInt64LE(type === 1 ? 0x1000n : 8n, at + 48);
  };
  const strtab = Buffer.from('\0__kernel_rt_sigreturn\0linux-vdso.so.1\0', 'latin1');
  const dyn: [number, number][] = [[4, HASH], [5, STRTAB], [6, SYMTAB], [10, strtab.length], [11, 24], [14, 23], [0, 0]];
  ph(64, 1, 5, 0, VDSO_SIZE);
  ph(120, 2, 4, DYNAMIC, dyn.length * 16);
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
