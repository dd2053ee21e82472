import { describe, it, expect } from 'vitest';
import { librariesSvr4, type Peek } from './libraries.ts';

/** A sparse guest memory: writes at addresses, reads of what was written (null elsewhere). */
function memory() {
  const chunks: { at: bigint; b: Buffer }[] = [];
  const put = (at: bigint, b: Buffer) => chunks.push({ at, b });
  const u64s = (...v: bigint[]) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(x); return b; }));
  const peek: Peek = (a, len) => {
    const c = chunks.find((x) => a >= x.at && a < x.at + BigInt(x.b.length));
    return c ? c.b.subarray(Number(a - c.at), Number(a - c.at) + len) : null;
  };
  return { put, u64s, peek };
}

/** Elf64_Phdr with only p_type and p_vaddr set */
function phdr(type: number, vaddr: bigint): Buffer {
  const b = Buffer.alloc(56);
  b.writeUInt32LE(type, 0);
  b.writeBigUInt64LE(vaddr, 16);
  return b;
}

const BIAS = 0xaaaaaaaa0000n;
const auxv = (m: ReturnType<typeof memory>) => m.u64s(3n, BIAS + 0x40n, 4n, 56n, 5n, 2n, 0n, 0n); // AT_PHDR, AT_PHENT, AT_PHNUM

describe('qXfer:libraries-svr4 (DT_DEBUG → r_debug → link_map)', () => {
  it('skips the program (main-lm) and nameless entries, lists the rest in chain order', () => {
    const m = memory();
    m.put(BIAS + 0x40n, Buffer.concat([phdr(6, 0x40n), phdr(2, 0x1000n)])); // PT_PHDR, PT_DYNAMIC
    m.put(BIAS + 0x1000n, m.u64s(1n, 5n, 21n, 0x5000n, 0n, 0n)); //           DT_NEEDED, DT_DEBUG, DT_NULL
    m.put(0x5000n, m.u64s(1n, 0x6000n, 0x7000n)); //                          r_version, r_map, r_brk
    const lm = (addr: bigint, name: bigint, ld: bigint, next: bigint, prev: bigint) => m.u64s(addr, name, ld, next, prev);
    m.put(0x6000n, lm(BIAS, 0x8000n, BIAS + 0x1000n, 0x6100n, 0n));
    m.put(0x6100n, lm(0xfffff7ffb000n, 0x8000n, 0xfffff7ffb400n, 0x6200n, 0x6000n)); // an empty name: left out
    m.put(0x6200n, lm(0xfffff7e00000n, 0x8010n, 0xfffff7f9e000n, 0n, 0x6100n));
    m.put(0x8000n, Buffer.from('\0'.repeat(16) + '/lib/a&b.so\0'));
    expect(librariesSvr4(auxv(m), m.peek)?.toString()).toBe('<library-list-svr4 version="1.0" main-lm="0x6000">' +
      '<library name="/lib/a&#38;b.so" lm="0x6200" l_addr="0xfffff7e00000" l_ld="0xfffff7f9e000" lmid="0x0"/></library-list-svr4>');
  });

  it('is empty before ld.so fills DT_DEBUG, and absent without PT_DYNAMIC (a static program)', () => {
    const m = memory();
    m.put(BIAS + 0x40n, Buffer.concat([phdr(6, 0x40n), phdr(2, 0x1000n)]));
    m.put(BIAS + 0x1000n, m.u64s(21n, 0n, 0n, 0n));
    expect(librariesSvr4(auxv(m), m.peek)?.toString()).toBe('<library-list-svr4 version="1.0"/>');
    const s = memory();
    s.put(BIAS + 0x40n, Buffer.concat([phdr(6, 0x40n), phdr(1, 0n)]));
    expect(librariesSvr4(auxv(s), s.peek)).toBeNull();
  });
});
