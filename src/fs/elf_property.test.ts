import { describe, it, expect } from 'vitest';
import { parseElfProperties, NT_GNU_PROPERTY_TYPE_0, GNU_PROPERTY_AARCH64_FEATURE_1_AND, GNU_PROPERTY_AARCH64_FEATURE_1_BTI } from './elf.ts';

/** An NT_GNU_PROPERTY_TYPE_0 note holding the given (type, data) properties, 8-byte aligned. */
function note(props: [number, Buffer][], opts: { name?: string; type?: number } = {}): Buffer {
  const body = Buffer.concat(props.map(([t, d]) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(t >>> 0, 0);
    h.writeUInt32LE(d.length, 4);
    return Buffer.concat([h, d, Buffer.alloc((8 - (d.length % 8)) % 8)]);
  }));
  const h = Buffer.alloc(16);
  h.writeUInt32LE(4, 0);
  h.writeUInt32LE(body.length, 4);
  h.writeUInt32LE(opts.type ?? NT_GNU_PROPERTY_TYPE_0, 8);
  h.write(opts.name ?? 'GNU\0', 12, 'latin1');
  return Buffer.concat([h, body]);
}
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const check = (b: Buffer): string | null => parseElfProperties(b, 0n, BigInt(b.length));

describe('parseElfProperties (parse_elf_properties + arm64 arch_parse_elf_property)', () => {
  it('accepts a BTI note (ignored: no BTI here) and an empty property list', () => {
    expect(check(note([[GNU_PROPERTY_AARCH64_FEATURE_1_AND, u32(GNU_PROPERTY_AARCH64_FEATURE_1_BTI)]]))).toBeNull();
    expect(check(note([]))).toBeNull();
    expect(check(note([[1, u32(0)], [GNU_PROPERTY_AARCH64_FEATURE_1_AND, u32(3)]]))).toBeNull();
  });

  it('rejects what the kernel rejects with ENOEXEC or EIO', () => {
    expect(check(note([[GNU_PROPERTY_AARCH64_FEATURE_1_AND, Buffer.alloc(8)]]))).toMatch(/not 4 bytes/);
    expect(check(note([[5, u32(0)], [2, u32(0)]]))).toMatch(/not sorted/);
    expect(check(note([], { name: 'XYZ\0' }))).toMatch(/not an NT_GNU_PROPERTY_TYPE_0/);
    expect(check(note([], { type: 1 }))).toMatch(/not an NT_GNU_PROPERTY_TYPE_0/);
    expect(check(Buffer.alloc(8))).toMatch(/truncated/);
    expect(check(Buffer.alloc(2000))).toMatch(/larger than 1024/);
    const long = note([[1, u32(0)]]);
    long.writeUInt32LE(64, 4); // n_descsz past the segment
    expect(check(long)).toMatch(/n_descsz/);
  });
});
