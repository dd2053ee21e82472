import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  EM_AARCH64, ET_CORE, NT_FILE, NT_PRSTATUS, NT_SIGINFO, NT_ARM_TLS, PF_R, PF_X, PT_LOAD, PT_NOTE, elf64Ident,
  encodeEhdr, encodeExtnumShdr, encodeNote, encodePhdr, noteSize, parseEhdr, parsePhdrs,
} from './elf.ts';

const hex = (b: Buffer): string => b.toString('hex');

describe('constants', () => {
  it('has the uapi values', () => {
    expect(NT_SIGINFO).toBe(0x53494749);
    expect(NT_FILE).toBe(0x46494c45);
    expect(NT_ARM_TLS).toBe(0x401);
    expect(EM_AARCH64).toBe(183);
    expect(ET_CORE).toBe(4);
  });
});

describe('encodeEhdr / parseEhdr', () => {
  const eh = {
    e_ident: elf64Ident(), e_type: ET_CORE, e_machine: EM_AARCH64, e_version: 1, e_entry: 0x400123n,
    e_phoff: 64n, e_shoff: 0x1122334455667788n, e_flags: 0xabcdef01, e_ehsize: 64, e_phentsize: 56, e_phnum: 7,
    e_shentsize: 64, e_shnum: 1, e_shstrndx: 0,
  };
  it('writes the exact 64 bytes', () => {
    expect(hex(encodeEhdr(eh))).toBe(
      '7f454c46020101000000000000000000' + // e_ident
      '0400' + 'b700' + '01000000' + '2301400000000000' + '4000000000000000' + '8877665544332211' +
      '01efcdab' + '4000' + '3800' + '0700' + '4000' + '0100' + '0000');
  });
  it('round-trips', () => {
    expect(parseEhdr(encodeEhdr(eh))).toEqual(eh);
  });
});

describe('encodePhdr / parsePhdrs', () => {
  const ph = {
    p_type: PT_LOAD, p_flags: PF_R | PF_X, p_offset: 0x2000n, p_vaddr: 0xfffff7ff0000n, p_paddr: 0n,
    p_filesz: 0x1000n, p_memsz: 0x3000n, p_align: 0x1000n,
  };
  it('writes the exact 56 bytes', () => {
    expect(hex(encodePhdr(ph))).toBe('01000000' + '05000000' + '0020000000000000' + '0000fff7ffff0000' +
      '0000000000000000' + '0010000000000000' + '0030000000000000' + '0010000000000000');
  });
  it('parses e_phnum headers at e_phoff with e_phentsize stride', () => {
    const note = { ...ph, p_type: PT_NOTE, p_flags: 0, p_align: 4n };
    const eh = parseEhdr(encodeEhdr({
      e_ident: elf64Ident(), e_type: ET_CORE, e_machine: EM_AARCH64, e_version: 1, e_entry: 0n, e_phoff: 72n,
      e_shoff: 0n, e_flags: 0, e_ehsize: 64, e_phentsize: 60, e_phnum: 2, e_shentsize: 0, e_shnum: 0,
      e_shstrndx: 0,
    }));
    const file = Buffer.concat([encodeEhdr(eh), Buffer.alloc(8), encodePhdr(note), Buffer.alloc(4), encodePhdr(ph)]);
    expect(parsePhdrs(file, eh)).toEqual([note, ph]);
  });
  it('agrees with readelf on a real executable', () => {
    const buf = readFileSync('/bin/true');
    const eh = parseEhdr(buf);
    const phs = parsePhdrs(buf, eh);
    const out = execFileSync('readelf', ['-lW', '/bin/true'], { encoding: 'utf8' });
    const m = /There are (\d+) program headers, starting at offset (\d+)/.exec(out)!;
    expect(phs.length).toBe(Number(m[1]));
    expect(eh.e_phoff).toBe(BigInt(m[2]!));
    const loads = [...out.matchAll(/^\s+LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+)/gm)];
    const mine = phs.filter((p) => p.p_type === PT_LOAD);
    expect(mine.map((p) => [p.p_offset, p.p_vaddr, p.p_filesz, p.p_memsz]))
      .toEqual(loads.map((l) => l.slice(1, 5).map((x) => BigInt(`0x${x}`))));
  });
});

describe('encodeNote', () => {
  it('counts the NUL in namesz and pads name and desc to 4', () => {
    const n = encodeNote('CORE', NT_PRSTATUS, Buffer.from([1, 2, 3]));
    expect(hex(n)).toBe('05000000' + '03000000' + '01000000' + '434f524500000000' + '01020300');
    expect(n.length).toBe(noteSize('CORE', 3));
  });
  it('LINUX names take 8 bytes', () => {
    const n = encodeNote('LINUX', NT_ARM_TLS, Buffer.alloc(16, 0xaa));
    expect(n.readUInt32LE(0)).toBe(6);
    expect(n.readUInt32LE(4)).toBe(16);
    expect(n.readUInt32LE(8)).toBe(0x401);
    expect(hex(n.subarray(12, 20))).toBe('4c494e5558000000');
    expect(n.length).toBe(12 + 8 + 16);
  });
  it('keeps descsz exact for unaligned payloads', () => {
    const n = encodeNote('CORE', NT_FILE, Buffer.alloc(86, 1));
    expect(n.readUInt32LE(4)).toBe(86);
    expect(n.length).toBe(12 + 8 + 88);
    expect(hex(n.subarray(n.length - 2))).toBe('0000');
  });
});

describe('encodeExtnumShdr', () => {
  it('carries the segment count in sh_info and e_shnum in sh_size', () => {
    const s = encodeExtnumShdr(70000);
    expect(s.length).toBe(64);
    expect(s.readUInt32LE(4)).toBe(0);
    expect(s.readBigUInt64LE(0x20)).toBe(1n);
    expect(s.readUInt32LE(0x2c)).toBe(70000);
  });
});
