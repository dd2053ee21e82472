import { describe, it, expect } from 'vitest';
import { aarch64Regsets } from './regset.ts';
import type { CoreThread } from '../../fs/binfmt_elf_core.ts';

const thread = (over: Partial<CoreThread> = {}): CoreThread => ({
  tid: 7,
  regs: Array.from({ length: 31 }, (_, i) => 0x1000n + BigInt(i)),
  sp: 0xfffffffff000n,
  pc: 0x400080n,
  pstate: 0x80000000n,
  vregs: Array.from({ length: 32 }, (_, i) => (0xfedcba9876543210n << 64n) | BigInt(i)),
  fpsr: 0x8000001f,
  fpcr: 0x03c00000,
  tpidr: 0x7fff12345678n,
  syscallno: -1,
  pending: 0n,
  blocked: 0n,
  ...over,
});

const byName = (n: string) => aarch64Regsets.find((r) => r.name === n)!;

describe('aarch64Regsets', () => {
  it('is in ptrace.c enum order with the Cortex-A57 note types, names and sizes', () => {
    expect(aarch64Regsets.map((r) => [r.name, r.noteType, r.noteName, r.size])).toEqual([
      ['GPR', 1, 'CORE', 272],
      ['FPR', 2, 'CORE', 528],
      ['TLS', 0x401, 'LINUX', 16],
      ['HW_BREAK', 0x402, 'LINUX', 264],
      ['HW_WATCH', 0x403, 'LINUX', 264],
      ['SYSTEM_CALL', 0x404, 'LINUX', 4],
      ['TAGGED_ADDR_CTRL', 0x409, 'LINUX', 8],
    ]);
  });

  it('every getter returns exactly size bytes', () => {
    for (const r of aarch64Regsets) expect(r.get(thread()).length).toBe(r.size);
  });

  it('GPR is user_pt_regs: x0..x30, sp @0xf8, pc @0x100, pstate @0x108', () => {
    const b = byName('GPR').get(thread());
    expect(b.readBigUInt64LE(0)).toBe(0x1000n);
    expect(b.readBigUInt64LE(30 * 8)).toBe(0x101en);
    expect(b.readBigUInt64LE(0xf8)).toBe(0xfffffffff000n);
    expect(b.readBigUInt64LE(0x100)).toBe(0x400080n);
    expect(b.readBigUInt64LE(0x108)).toBe(0x80000000n);
  });

  it('FPR is user_fpsimd_state: 128-bit vregs low doubleword first, fpsr @0x200, fpcr @0x204, reserved 0', () => {
    const b = byName('FPR').get(thread());
    expect(b.readBigUInt64LE(16 * 5)).toBe(5n);
    expect(b.readBigUInt64LE(16 * 5 + 8)).toBe(0xfedcba9876543210n);
    expect(b.readUInt32LE(0x200)).toBe(0x8000001f);
    expect(b.readUInt32LE(0x204)).toBe(0x03c00000);
    expect(b.readBigUInt64LE(0x208)).toBe(0n);
  });

  it('TLS is TPIDR_EL0 then a zero TPIDR2_EL0 (no SME)', () => {
    const b = byName('TLS').get(thread());
    expect(b.toString('hex')).toBe('78563412ff7f0000' + '0000000000000000');
  });

  it('HW_BREAK/HW_WATCH dbg_info = ARMv8 debug arch 6 << 8 | 6 BRPs / 4 WRPs, all slots zero', () => {
    const brk = byName('HW_BREAK').get(thread());
    const wat = byName('HW_WATCH').get(thread());
    expect(brk.readUInt32LE(0)).toBe(0x606);
    expect(wat.readUInt32LE(0)).toBe(0x604);
    expect(brk.subarray(4).equals(Buffer.alloc(260))).toBe(true);
    expect(wat.subarray(4).equals(Buffer.alloc(260))).toBe(true);
  });

  it('SYSTEM_CALL is the int syscallno: -1 outside a syscall', () => {
    expect(byName('SYSTEM_CALL').get(thread()).toString('hex')).toBe('ffffffff');
    expect(byName('SYSTEM_CALL').get(thread({ syscallno: 221 })).toString('hex')).toBe('dd000000');
  });

  it('TAGGED_ADDR_CTRL is a zero long', () => {
    expect(byName('TAGGED_ADDR_CTRL').get(thread()).toString('hex')).toBe('0000000000000000');
  });

  it('advertises no SVE/SME/PAC/FPMR/POE/GCS/MTE notes', () => {
    const types = new Set(aarch64Regsets.map((r) => r.noteType));
    for (const t of [0x405, 0x406, 0x407, 0x408, 0x40a, 0x40b, 0x40c, 0x40d, 0x40e, 0x40f, 0x410]) {
      expect(types.has(t)).toBe(false);
    }
  });
});
