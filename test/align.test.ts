// Issue 14 item 5: every misaligned access that Linux faults faults here. programs/c/sig_align runs each
// instruction class that needs natural alignment (no FEAT_LSE2) once misaligned under a handler, then
// misaligned on an unmapped and on a read-only page, then controls that must not fault; its output, the
// report's signals (si_addr, ESR, fault_info row, pc) and qemu-aarch64's run are asserted line by line.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog, run, symbol as nmSymbol } from './helpers.ts';
import { decodeMemAccess } from '../src/arch/arm64/insn.ts';
import { alignCheckerOf, alignSiteOf, encodeAlignSite } from '../src/arch/arm64/align.ts';

const READ = 0x92000021; // DABT_LOW, IL, DFSC alignment fault (ISV = 0: no SAS/SRT/SF/AR)
const WRITE = 0x92000061; // … and WnR (stores, store-exclusives, atomics and CAS: read-modify-write)

/** [case, address (buf+N, 'main+2', or a number), ESR] in the program's order */
const faults: [string, string | number, number][] = [
  ['ldar_x', 'buf+4', READ], ['ldar_w', 'buf+2', READ], ['ldarh', 'buf+1', READ],
  ['stlr_x', 'buf+12', WRITE], ['stlr_w', 'buf+1', WRITE], ['stlrh', 'buf+3', WRITE],
  ['ldapr_x', 'buf+1', READ], ['ldapr_w', 'buf+6', READ],
  ['ldapur_x', 'buf+17', READ], ['ldapursw', 'buf+18', READ], ['stlur_w', 'buf+2', WRITE],
  ['ldlar_x', 'buf+10', READ], ['stllr_w', 'buf+1', WRITE],
  ['ldxr_w', 'buf+1', READ], ['ldaxrh', 'buf+5', READ], ['stxr_x', 'buf+4', WRITE], ['stlxr_w', 'buf+2', WRITE],
  ['ldxp_x', 'buf+8', READ], ['ldaxp_w', 'buf+4', READ], ['stxp_x', 'buf+8', WRITE], ['stlxp_w', 'buf+12', WRITE],
  ['ldadd_x', 'buf+4', WRITE], ['stadd_w', 'buf+2', WRITE], ['ldsetalh', 'buf+1', WRITE], ['swp_x', 'buf+9', WRITE],
  ['cas_w', 'buf+1', WRITE], ['casp_x', 'buf+8', WRITE],
  // alignment before translation (unmapped 0x1000) and before permission (read-only text)
  ['ldar_x', 0x1001, READ], ['stlr_w', 'main+2', WRITE], ['ldadd_x', 0x1004, WRITE], ['stxr_x', 0x1001, WRITE],
];
const controls = ['ldr_x', 'str_w', 'ldarb', 'ldaddb', 'ldar_x', 'stlr_w', 'ldapur_x', 'ldxp_x', 'casp_x', 'stlur_w'];

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
// one nm run for all the symbols (helpers.symbol runs nm per symbol: slow on a static glibc program)
const nm = new Map(execFileSync('aarch64-linux-gnu-nm', [prog('sig_align')], { encoding: 'utf8' }).split('\n')
  .map((l) => l.split(' ')).filter((f) => f.length === 3).map(([a, , n]) => [n, BigInt(`0x${a}`)] as const));
const symbol = (_p: string, s: string): bigint => nm.get(s) ?? nmSymbol('sig_align', s);
const where = (a: string | number) => (typeof a === 'number' ? hex(a) : a);
const addrOf = (a: string | number): bigint => {
  if (typeof a === 'number') return BigInt(a);
  const [sym, off] = a.split('+');
  return symbol('sig_align', sym) + BigInt(off);
};
const line = ([name, a, esr]: (typeof faults)[number], esrText = hex(esr)) =>
  `${name}: sig=7 code=1 addr=${where(a)} pc=insn esr=${esrText}`;
const expected = [...faults.map((f) => line(f)), ...controls.map((c) => `${c}: ok`), 'done', ''];

describe('sig_align: natural alignment of ordered, exclusive and atomic accesses (Arm ARM B2.5.2)', () => {
  const { report } = run('sig_align', { rlimitCore: 0n });

  it('faults every misaligned class with SIGBUS BUS_ADRALN, the access address and the ESR, and nothing else', () => {
    expect(report.stdout.split('\n')).toEqual(expected);
    expect(report.exit.code).toBe(0);
  });

  it('reports each as an alignment fault at the instruction (fault_info row, si_addr, ESR, pc)', () => {
    const got = report.signals.map((s) => [s.name, s.codeName, s.addr, s.esr, s.fault, s.action, s.pc]);
    expect(got).toEqual(faults.map(([name, a, esr]) =>
      ['SIGBUS', 'BUS_ADRALN', hex(addrOf(a)), hex(esr), 'alignment fault', 'handler', hex(symbol('sig_align', `a_${name}`))]));
  });

  it('qemu-aarch64 -cpu max agrees except where qemu 7.2 is known not to check', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'af-qemu-'));
    const q = spawnSync('sh', ['-c', 'ulimit -c 0; exec qemu-aarch64 -cpu max "$0"', prog('sig_align')], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(q.error).toBeUndefined();
    // qemu 7.2 writes no esr_context; its LDAPR has no MO_ALIGN; its store-exclusives compare the monitor first
    const gaps = new Set(['ldapr_x', 'ldapr_w', 'stxr_x', 'stlxr_w', 'stxp_x', 'stlxp_w']);
    const qemuExpected = [...faults.map((f) => (gaps.has(f[0]) ? `${f[0]}: ok` : line(f, 'none'))),
      ...controls.map((c) => `${c}: ok`), 'done', ''];
    expect(q.stdout.split('\n')).toEqual(qemuExpected);
    expect(q.status).toBe(0);
  });
});

describe('align.ts: who checks which class', () => {
  const enc = (hexWord: number) => decodeMemAccess(hexWord)!;
  it('the engine checks exclusive loads, atomics and CAS; the emulator the rest; byte accesses need nothing', () => {
    expect(alignCheckerOf(enc(0xc85f7c01))).toBe('engine'); // ldxr x1, [x0]
    expect(alignCheckerOf(enc(0xf8210002))).toBe('engine'); // ldadd x1, x2, [x0]
    expect(alignCheckerOf(enc(0x48227c04))).toBe('engine'); // casp x2, x3, x4, x5, [x0]
    expect(alignCheckerOf(enc(0xc8027c01))).toBe('emulator'); // stxr w2, x1, [x0]
    expect(alignCheckerOf(enc(0xc8dffc01))).toBe('emulator'); // ldar x1, [x0]
    expect(alignCheckerOf(enc(0x08dffc01))).toBe(null); // ldarb w1, [x0]
    expect(alignCheckerOf(enc(0xf9400001))).toBe(null); // ldr x1, [x0]
  });
  it('a site carries Rn, the immediate and the alignment; the native argument packs them', () => {
    const stlur = 0xd91fd001; // stlur x1, [x0, #-3]
    expect(alignSiteOf(stlur)).toEqual({ rn: 0, imm: -3, alignment: 8 });
    const arg = encodeAlignSite(stlur, { rn: 0, imm: -3, alignment: 8 });
    expect([arg >> 32n, BigInt.asIntN(32, arg) >> 8n, arg & 0xffn]).toEqual([BigInt(stlur), -3n, 3n << 5n]);
    expect(encodeAlignSite(0, { rn: 31, imm: 255, alignment: 16 })).toBe(BigInt(31 | (4 << 5) | (255 << 8)));
  });
});

describe('sig_align_remap: a check belongs to the code mapped now, not to what an address held before', () => {
  it('ldar, then ldr, then stlr w mapped in turn at one address: only the real misalignments fault, as qemu-aarch64', () => {
    const root = mkdtempSync(join(tmpdir(), 'af-remap-'));
    const { report } = run('sig_align_remap', { root, cwd: '/' });
    const want = ['a: sig=7 code=1 addr=buf+4', 'b: ok', 'c: ok', 'c: sig=7 code=1 addr=buf+2', 'done', ''];
    expect(report.stdout.split('\n')).toEqual(want);
    const q = spawnSync('sh', ['-c', 'ulimit -c 0; exec qemu-aarch64 -cpu max "$0"', prog('sig_align_remap')],
      { cwd: mkdtempSync(join(tmpdir(), 'af-qemu-')), encoding: 'utf8', timeout: 60_000 });
    expect(q.stdout.split('\n')).toEqual(want);
  });
});
