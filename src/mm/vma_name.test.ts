import { describe, it, expect } from 'vitest';
import { vmaName, formatVmaName } from './vma_name.ts';
import type { Vma, MappedFile } from './mm.ts';

function elf(type: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b.writeUInt16LE(type, 16);
  return b;
}

describe('vmaName', () => {
  const libc: MappedFile = { path: '/lib/libc.so.6', data: elf(3), executable: true };
  const prog: MappedFile = { path: '/bin/static', data: elf(2), executable: true };
  const vmas: Vma[] = [
    { start: 0x400000n, end: 0x47e000n, flags: 5, pgoff: 0n, file: prog, name: null },
    { start: 0x490000n, end: 0x493000n, flags: 3, pgoff: 0x80000n, file: prog, name: null },
    { start: 0xfffff7e00000n, end: 0xfffff7f87000n, flags: 5, pgoff: 0n, file: libc, name: null },
    { start: 0xfffff7f9c000n, end: 0xfffff7fa0000n, flags: 1, pgoff: 0x18c000n, file: libc, name: null },
    { start: 0xfffff7fa2000n, end: 0xfffff7fb0000n, flags: 3, pgoff: 0n, file: null, name: null },
    { start: 0xfffff7ffb000n, end: 0xfffff7ffc000n, flags: 5, pgoff: 0n, file: null, name: '[vdso]' },
  ];

  it('gives a shared library offset from its load base (addr2line -e libc.so.6)', () => {
    const n = vmaName(vmas, 0xfffff7e9b6d0n);
    expect(n).toEqual({ object: '/lib/libc.so.6', offset: 0x9b6d0n, vmaStart: 0xfffff7e00000n, fileOffset: 0x9b6d0n });
    expect(formatVmaName(n)).toBe('libc.so.6+0x9b6d0');
    // a later segment: the offset is still from the base, the file offset from vm_pgoff
    expect(vmaName(vmas, 0xfffff7f9c010n)).toMatchObject({ offset: 0x19c010n, fileOffset: 0x18c010n });
  });

  it('gives an ET_EXEC program its own addresses, a special mapping its offset, anonymous memory nothing', () => {
    expect(vmaName(vmas, 0x401234n)).toMatchObject({ object: '/bin/static', offset: 0x401234n, fileOffset: 0x1234n });
    expect(vmaName(vmas, 0xfffff7ffb010n)).toMatchObject({ object: '[vdso]', offset: 0x10n });
    expect(vmaName(vmas, 0xfffff7fa2008n)).toEqual({ object: null, offset: null, vmaStart: 0xfffff7fa2000n, fileOffset: null });
    expect(vmaName(vmas, 0x10n)).toEqual({ object: null, offset: null, vmaStart: null, fileOffset: null });
    expect(formatVmaName(vmaName(vmas, 0x10n))).toBeNull();
  });
});
