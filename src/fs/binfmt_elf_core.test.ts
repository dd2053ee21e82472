import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BufferCoreSink, FileCoreSink, elfCoreDump, vmaDumpSize, type CoreSnapshot, type CoreThread, type CoreVma,
  type ElfCoreDumpResult,
} from './binfmt_elf_core.ts';
import { parseEhdr, parsePhdrs, PT_LOAD, PT_NOTE, PN_XNUM, NT_FILE } from './elf.ts';
import { VM_DONTDUMP, VM_EXEC, VM_GROWSDOWN, VM_IO, VM_READ, VM_SHARED, VM_WRITE } from '../mm/vma-flags.ts';

const PAGE = 4096;
const RX = VM_READ | VM_EXEC, RW = VM_READ | VM_WRITE;
let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'elfcore-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/* ---------------------------------------------------------------- vmaDumpSize: kernel.md §12.2 rows */
describe('vmaDumpSize', () => {
  const vma = (o: Partial<CoreVma>): CoreVma => ({
    start: 0x400000n, end: 0x403000n, flags: RW, pgoff: 0n, file: null, special: false, anonWritten: false, ...o,
  });
  const none = () => null;
  const elfMagic = () => Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
  const WHOLE = 0x3000n;
  it('row 1: special mappings are dumped whole whatever the filter and VM_DONTDUMP/VM_IO', () => {
    expect(vmaDumpSize(vma({ special: true, flags: RX | VM_DONTDUMP | VM_IO }), 0, none)).toBe(WHOLE);
  });
  it('row 2: VM_DONTDUMP → 0', () => {
    expect(vmaDumpSize(vma({ flags: RW | VM_DONTDUMP, anonWritten: true }), 0x1ff, none)).toBe(0n);
  });
  it('row 3: DAX by bit 8 (shared) / bit 7 (private)', () => {
    expect(vmaDumpSize(vma({ dax: true, flags: RW | VM_SHARED, file: '/d' }), 0x100, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ dax: true, flags: RW | VM_SHARED, file: '/d' }), 0xff, none)).toBe(0n);
    expect(vmaDumpSize(vma({ dax: true, file: '/d', anonWritten: true }), 0x80, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ dax: true, file: '/d', anonWritten: true }), 0x17f, none)).toBe(0n);
  });
  it('row 4: hugetlb by bit 6 (shared) / bit 5 (private)', () => {
    expect(vmaDumpSize(vma({ hugetlb: true, flags: RW | VM_SHARED }), 0x40, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ hugetlb: true, flags: RW | VM_SHARED }), 0x1bf, none)).toBe(0n);
    expect(vmaDumpSize(vma({ hugetlb: true, anonWritten: true }), 0x20, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ hugetlb: true, anonWritten: true }), 0x1df, none)).toBe(0n);
  });
  it('row 5: VM_IO → 0', () => {
    expect(vmaDumpSize(vma({ flags: RW | VM_IO, anonWritten: true, file: '/dev/mem' }), 0x1ff, none)).toBe(0n);
  });
  it('row 6: shared anonymous/shmem by bit 1 (0x02), shared file by bit 3 (0x08)', () => {
    const anon = vma({ flags: RW | VM_SHARED });
    expect(vmaDumpSize(anon, 0x02, none)).toBe(WHOLE);
    expect(vmaDumpSize(anon, 0x1fd, none)).toBe(0n);
    const shm = vma({ flags: RW | VM_SHARED, file: '/dev/zero (deleted)', fileUnlinked: true });
    expect(vmaDumpSize(shm, 0x02, none)).toBe(WHOLE);
    expect(vmaDumpSize(shm, 0x08, none)).toBe(0n);
    const file = vma({ flags: RW | VM_SHARED, file: '/data/f' });
    expect(vmaDumpSize(file, 0x08, none)).toBe(WHOLE);
    expect(vmaDumpSize(file, 0x1f7, none)).toBe(0n);
  });
  it('row 7: written private mapping by bit 0 (0x01), file-backed too', () => {
    expect(vmaDumpSize(vma({ anonWritten: true }), 0x01, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ anonWritten: true, file: '/lib/x.so', pgoff: 0x1000n }), 0x01, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ anonWritten: true }), 0x1fe, none)).toBe(0n);
  });
  it('row 8: private anonymous never written → 0', () => {
    expect(vmaDumpSize(vma({}), 0x1ff, none)).toBe(0n);
  });
  it('row 9: private file mapping by bit 2 (0x04)', () => {
    expect(vmaDumpSize(vma({ file: '/lib/x.so', pgoff: 0x5000n }), 0x04, none)).toBe(WHOLE);
    expect(vmaDumpSize(vma({ file: '/lib/x.so', pgoff: 0x5000n }), 0x1fb, none)).toBe(0n);
  });
  it('row 10: bit 4 (0x10) dumps one page at pgoff 0 with VM_READ: exec bit or ELF magic', () => {
    const f = { file: '/lib/x.so', flags: RX };
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: true }), 0x10, none)).toBe(4096n);
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: false }), 0x10, elfMagic)).toBe(4096n);
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: false }), 0x10, () => Buffer.from('#!/b'))).toBe(0n);
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: false }), 0x10, none)).toBe(0n);
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: true, pgoff: 0x1000n }), 0x10, none)).toBe(0n);
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: true, flags: VM_EXEC }), 0x10, none)).toBe(0n);
    expect(vmaDumpSize(vma({ ...f, fileHasExecBit: true }), 0x14, none)).toBe(WHOLE); // bit 2 wins first
  });
  it('row 11: otherwise 0', () => {
    expect(vmaDumpSize(vma({ file: '/lib/x.so', fileHasExecBit: true }), 0x1eb, none)).toBe(0n);
  });
});

/* ---------------------------------------------------------------- the synthetic process */
const TEXT = 0x400000n, DATA = 0x412000n, HEAP = 0x500000n, VDSO = 0xfffff7ff0000n;
const STACK_LO = 0xfffffffdf000n, STACK_HI = 0x1000000000000n;

function makeThread(tid: number, x0: bigint): CoreThread {
  return {
    tid, regs: Array.from({ length: 31 }, (_, i) => (i === 0 ? x0 : BigInt(i) * 0x1111n)),
    sp: 0xffffffffefc0n, pc: 0x400abcn, pstate: 0x60000000n,
    vregs: Array.from({ length: 32 }, (_, i) => (0x0123456789abcdefn << 64n) | BigInt(i + tid)),
    fpsr: 0x10, fpcr: 0x200000, tpidr: 0x4242n + BigInt(tid), syscallno: -1,
    pending: 1n << 9n, blocked: 1n << 12n, utime: 1_500_000_000n, stime: 2_000n,
  };
}

function makeSnapshot(over: Partial<CoreSnapshot> = {}): CoreSnapshot {
  const pages = new Map<bigint, Buffer>();
  const elfPage = Buffer.alloc(PAGE);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elfPage);
  pages.set(TEXT, elfPage);
  pages.set(TEXT + 0x1000n, Buffer.alloc(PAGE, 0xc3));
  pages.set(DATA, Buffer.alloc(PAGE, 0xdd));
  pages.set(VDSO, Buffer.alloc(PAGE, 0x5a));
  pages.set(0xffffffffd000n, Buffer.alloc(PAGE)); // present but all zero → hole
  pages.set(0xffffffffe000n, Buffer.alloc(PAGE, 0x22));
  pages.set(0xfffffffff000n, Buffer.alloc(PAGE, 0x11));
  const auxv = Buffer.alloc(16 * 4);
  [[6n, 4096n], [33n, VDSO], [9n, 0x400100n], [0n, 0n]].forEach(([t, v], i) => {
    auxv.writeBigUInt64LE(t!, 16 * i);
    auxv.writeBigUInt64LE(v!, 16 * i + 8);
  });
  const siginfo = Buffer.alloc(128);
  siginfo.writeInt32LE(11, 0);
  siginfo.writeInt32LE(2, 8); // SEGV_ACCERR
  siginfo.writeBigUInt64LE(0xdeadbeefn, 16);
  return {
    signo: 11, siginfo, auxv, threads: [makeThread(100, 0xcafen), makeThread(101, 0xbeefn)],
    psinfo: {
      state: 0, nice: -5, flags: 0x400600n, uid: 1000, gid: 1001, pid: 100, ppid: 1, pgrp: 100, sid: 1,
      comm: 'crash', args: Buffer.from('/bin/crash\0-x\0'),
    },
    vmas: [
      { start: TEXT, end: TEXT + 0x2000n, flags: RX, pgoff: 0n, file: '/bin/crash', special: false, anonWritten: false, fileHasExecBit: true },
      { start: DATA, end: DATA + 0x1000n, flags: RW, pgoff: 0x2000n, file: '/bin/crash', special: false, anonWritten: true },
      { start: HEAP, end: HEAP + 0x20000n, flags: RW, pgoff: 0n, file: null, special: false, anonWritten: false },
      { start: VDSO, end: VDSO + 0x1000n, flags: RX, pgoff: 0n, file: null, special: true, anonWritten: false },
      { start: STACK_LO, end: STACK_HI, flags: RW | VM_GROWSDOWN, pgoff: 0n, file: null, special: false, anonWritten: true },
    ],
    readMemory: (a, len) => pages.get(a)?.subarray(0, len) ?? null,
    coredumpFilter: 0x33,
    ...over,
  };
}

function writeCore(name: string, snap: CoreSnapshot, limit: number | bigint = Infinity) {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  const sink = new FileCoreSink(fd, limit);
  const res = elfCoreDump(snap, sink);
  const fin = sink.finish();
  closeSync(fd);
  return { path, res, fin, buf: readFileSync(path) };
}

/* notes of thread 0 then thread 1; [name, type, descsz] and the offsets that follow from notesize() */
const EXPECTED_NOTES: [string, number, number][] = [
  ['CORE', 1, 392], ['CORE', 3, 136], ['CORE', 0x53494749, 128], ['CORE', 6, 64], ['CORE', 0x46494c45, 86],
  ['CORE', 2, 528], ['LINUX', 0x401, 16], ['LINUX', 0x402, 264], ['LINUX', 0x403, 264], ['LINUX', 0x404, 4],
  ['LINUX', 0x409, 8],
  ['CORE', 1, 392], ['CORE', 2, 528], ['LINUX', 0x401, 16], ['LINUX', 0x402, 264], ['LINUX', 0x403, 264],
  ['LINUX', 0x404, 4], ['LINUX', 0x409, 8],
];
const EXPECTED_OFFSETS = [400, 812, 968, 1116, 1200, 1308, 1856, 1892, 2176, 2460, 2484,
  2512, 2924, 3472, 3508, 3792, 4076, 4100];

describe('elfCoreDump: layout', () => {
  let core: ReturnType<typeof writeCore>;
  beforeAll(() => { core = writeCore('core.main', makeSnapshot()); });

  it('lays out headers, notes, dataoff and segments', () => {
    const r: ElfCoreDumpResult = core.res;
    expect(r).toMatchObject({ dumped: true, complete: true, segments: 6, phnum: 6, notesSize: 3728, dataOffset: 8192 });
    expect(r.vmaDataSize).toBe(0x1000n + 0x1000n + 0n + 0x1000n + 0x21000n);
    expect(r.notes.map((n) => [n.name, n.type, n.descsz])).toEqual(EXPECTED_NOTES);
    expect(r.notes.map((n) => n.offset)).toEqual(EXPECTED_OFFSETS);
    expect(r.fullSize).toBe(155648n);
    expect(core.buf.length).toBe(155648);
    // written = everything except hole bytes: 46 note padding bytes, the dataoff gap and the zero/absent pages
    expect(core.fin).toEqual({ written: 64 + 6 * 56 + 3728 - 46 + 5 * PAGE, size: 155648, truncated: false, error: null });
  });

  it('writes the ELF header and program headers', () => {
    const eh = parseEhdr(core.buf);
    expect(eh).toMatchObject({ e_type: 4, e_machine: 183, e_version: 1, e_entry: 0n, e_phoff: 64n, e_shoff: 0n,
      e_flags: 0, e_ehsize: 64, e_phentsize: 56, e_phnum: 6, e_shentsize: 0, e_shnum: 0, e_shstrndx: 0 });
    expect(core.buf.subarray(0, 16).toString('hex')).toBe('7f454c46020101000000000000000000');
    const ph = parsePhdrs(core.buf, eh).map((p) => [p.p_type, p.p_flags, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz, p.p_align]);
    expect(ph).toEqual([
      [PT_NOTE, 0, 400n, 0n, 0n, 3728n, 0n, 4n],
      [PT_LOAD, 5, 0x2000n, TEXT, 0n, 0x1000n, 0x2000n, 0x1000n],
      [PT_LOAD, 6, 0x3000n, DATA, 0n, 0x1000n, 0x1000n, 0x1000n],
      [PT_LOAD, 6, 0x4000n, HEAP, 0n, 0n, 0x20000n, 0x1000n],
      [PT_LOAD, 5, 0x4000n, VDSO, 0n, 0x1000n, 0x1000n, 0x1000n],
      [PT_LOAD, 6, 0x5000n, STACK_LO, 0n, 0x21000n, 0x21000n, 0x1000n],
    ]);
  });

  it('writes segment data, with absent and zero pages as zero-filled holes', () => {
    const b = core.buf;
    expect(b.subarray(0x2000, 0x2004).toString('hex')).toBe('7f454c46');
    expect(b.subarray(0x3000, 0x4000).equals(Buffer.alloc(PAGE, 0xdd))).toBe(true);
    expect(b.subarray(0x4000, 0x5000).equals(Buffer.alloc(PAGE, 0x5a))).toBe(true);
    expect(b.subarray(0x5000, 0x24000).equals(Buffer.alloc(0x1f000))).toBe(true);
    expect(b.subarray(0x24000, 0x25000).equals(Buffer.alloc(PAGE, 0x22))).toBe(true);
    expect(b.subarray(0x25000, 0x26000).equals(Buffer.alloc(PAGE, 0x11))).toBe(true);
    expect(b.subarray(400 + 3728, 0x2000).equals(Buffer.alloc(0x2000 - 4128))).toBe(true);
    expect(statSync(core.path).blocks * 512).toBeLessThan(155648); // holes really are sparse
  });

  it('fills prstatus (392 bytes) per §13.7', () => {
    const p = core.buf.subarray(400 + 20, 400 + 20 + 392);
    expect([p.readInt32LE(0), p.readInt32LE(4), p.readInt32LE(8), p.readUInt16LE(0xc)]).toEqual([11, 0, 0, 11]);
    expect([p.readBigUInt64LE(0x10), p.readBigUInt64LE(0x18)]).toEqual([0x200n, 0x1000n]);
    expect([0x20, 0x24, 0x28, 0x2c].map((o) => p.readInt32LE(o))).toEqual([100, 1, 100, 1]);
    expect([0x30, 0x38, 0x40, 0x48, 0x50, 0x60].map((o) => p.readBigInt64LE(o))).toEqual([1n, 500000n, 0n, 2n, 0n, 0n]);
    expect(p.readBigUInt64LE(0x70)).toBe(0xcafen);
    expect(p.readBigUInt64LE(0x70 + 30 * 8)).toBe(30n * 0x1111n);
    expect([p.readBigUInt64LE(0x168), p.readBigUInt64LE(0x170), p.readBigUInt64LE(0x178)])
      .toEqual([0xffffffffefc0n, 0x400abcn, 0x60000000n]);
    expect([p.readInt32LE(0x180), p.readInt32LE(0x184)]).toEqual([1, 0]);
    const p2 = core.buf.subarray(2512 + 20, 2512 + 20 + 392);
    expect([p2.readInt32LE(0x20), p2.readBigUInt64LE(0x70), p2.readUInt16LE(0xc)]).toEqual([101, 0xbeefn, 11]);
  });

  it('fills prpsinfo (136 bytes) per §13.8, psargs with NULs as spaces', () => {
    const p = core.buf.subarray(812 + 20, 812 + 20 + 136);
    expect([p[0], String.fromCharCode(p[1]!), p[2], p.readInt8(3)]).toEqual([0, 'R', 0, -5]);
    expect(p.readBigUInt64LE(8)).toBe(0x400600n);
    expect([0x10, 0x14, 0x18, 0x1c, 0x20, 0x24].map((o) => p.readUInt32LE(o))).toEqual([1000, 1001, 100, 1, 100, 1]);
    expect(p.subarray(0x28, 0x38).toString('latin1')).toBe('crash' + '\0'.repeat(11));
    expect(p.subarray(0x38, 0x38 + 15).toString('latin1')).toBe('/bin/crash -x \0');
  });

  it('writes siginfo raw, auxv up to AT_NULL, NT_FILE with page-unit offsets', () => {
    const b = core.buf;
    expect(b.subarray(968 + 20, 968 + 20 + 128).equals(makeSnapshot().siginfo)).toBe(true);
    expect(b.subarray(1116 + 20, 1116 + 20 + 64).equals(makeSnapshot().auxv)).toBe(true);
    const f = b.subarray(1200 + 20, 1200 + 20 + 86);
    const q = (i: number) => f.readBigUInt64LE(8 * i);
    expect([q(0), q(1), q(2), q(3), q(4), q(5), q(6), q(7)]).toEqual([2n, 4096n, TEXT, TEXT + 0x2000n, 0n, DATA, DATA + 0x1000n, 2n]);
    expect(f.subarray(64).toString('latin1')).toBe('/bin/crash\0/bin/crash\0');
    expect(b.subarray(1200 + 20 + 86, 1200 + 20 + 88).toString('hex')).toBe('0000');
  });

  it('readelf -n -l prints the notes and program headers', () => {
    const out = execFileSync('readelf', ['-n', '-l', core.path], { encoding: 'utf8' });
    expect(out).toContain('Elf file type is CORE (Core file)');
    expect(out).toContain('There are 6 program headers, starting at offset 64');
    expect(out).toMatch(/NOTE\s+0x0000000000000190 0x0000000000000000 0x0000000000000000\s+0x0000000000000e90 0x0000000000000000\s+0x4/);
    expect(out).toMatch(/LOAD\s+0x0000000000002000 0x0000000000400000 0x0000000000000000\s+0x0000000000001000 0x0000000000002000\s+R E\s+0x1000/);
    expect(out).toMatch(/LOAD\s+0x0000000000005000 0x0000fffffffdf000 0x0000000000000000\s+0x0000000000021000 0x0000000000021000\s+RW\s+0x1000/);
    const notes = [...out.matchAll(/^\s+(CORE|LINUX)\s+0x([0-9a-f]{8})\s+(\S+)/gm)].map((m) => [m[1], parseInt(m[2]!, 16), m[3]]);
    expect(notes).toEqual([
      ['CORE', 392, 'NT_PRSTATUS'], ['CORE', 136, 'NT_PRPSINFO'], ['CORE', 128, 'NT_SIGINFO'], ['CORE', 64, 'NT_AUXV'],
      ['CORE', 86, 'NT_FILE'], ['CORE', 528, 'NT_FPREGSET'], ['LINUX', 16, 'NT_ARM_TLS'], ['LINUX', 264, 'NT_ARM_HW_BREAK'],
      ['LINUX', 264, 'NT_ARM_HW_WATCH'], ['LINUX', 4, 'NT_ARM_SYSTEM_CALL'], ['LINUX', 8, 'NT_ARM_TAGGED_ADDR_CTRL'],
      ['CORE', 392, 'NT_PRSTATUS'], ['CORE', 528, 'NT_FPREGSET'], ['LINUX', 16, 'NT_ARM_TLS'], ['LINUX', 264, 'NT_ARM_HW_BREAK'],
      ['LINUX', 264, 'NT_ARM_HW_WATCH'], ['LINUX', 4, 'NT_ARM_SYSTEM_CALL'], ['LINUX', 8, 'NT_ARM_TAGGED_ADDR_CTRL'],
    ]);
  });

  it('eu-readelf -n decodes prstatus, prpsinfo, siginfo, auxv and NT_FILE', () => {
    const out = execFileSync('eu-readelf', ['-n', core.path], { encoding: 'utf8' });
    expect(out).toContain('Note segment of 3728 bytes at offset 0x190:');
    expect([...out.matchAll(/^\s+(CORE|LINUX)\s+(\d+)\s+(\S+)/gm)].map((m) => `${m[1]}/${m[2]}/${m[3]}`)).toEqual([
      'CORE/392/PRSTATUS', 'CORE/136/PRPSINFO', 'CORE/128/SIGINFO', 'CORE/64/AUXV', 'CORE/86/FILE', 'CORE/528/FPREGSET',
      'LINUX/16/ARM_TLS', 'LINUX/264/ARM_HW_BREAK', 'LINUX/264/ARM_HW_WATCH', 'LINUX/4/ARM_SYSTEM_CALL', 'LINUX/8/<unknown>:',
      'CORE/392/PRSTATUS', 'CORE/528/FPREGSET', 'LINUX/16/ARM_TLS', 'LINUX/264/ARM_HW_BREAK', 'LINUX/264/ARM_HW_WATCH',
      'LINUX/4/ARM_SYSTEM_CALL', 'LINUX/8/<unknown>:',
    ]);
    expect(out).toContain('info.si_signo: 11, info.si_code: 0, info.si_errno: 0, cursig: 11');
    expect(out).toContain('pid: 100, ppid: 1, pgrp: 100, sid: 1');
    expect(out).toContain('pc: 0x0000000000400abc, pstate: 0x0000000060000000, fpvalid: 1');
    expect(out).toContain('fname: crash, psargs: /bin/crash -x ');
    expect(out).toContain('si_signo: 11, si_errno: 0, si_code: 2');
    expect(out).toContain('fault address: 0xdeadbeef');
    expect(out).toContain('SYSINFO_EHDR: 0xfffff7ff0000');
    expect(out).toMatch(/00412000-00413000 00002000 4096\s+\/bin\/crash/);
    expect(out).toContain('dbg_info: 0x00000606');
    expect(out).toContain('dbg_info: 0x00000604');
    expect(out).toContain('syscall: 0xffffffff');
  });

  it('gdb-multiarch reads registers, $_siginfo, $v0 and the auxv', () => {
    const out = execFileSync('gdb-multiarch', ['-nx', '-batch', '-ex', 'set architecture aarch64',
      '-ex', `core-file ${core.path}`, '-ex', 'info registers pc sp x0', '-ex', 'p $_siginfo.si_signo',
      '-ex', 'p/x $v0.q.u[0]', '-ex', 'info auxv', '-ex', 'p/x $tpidr', '-ex', 'p/x $fpcr', '-ex', 'info threads',
      '-ex', 'x/2gx 0x412000'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    expect(out).toContain('Program terminated with signal SIGSEGV, Segmentation fault.');
    expect(out).toContain('Core was generated by `/bin/crash -x\'.');
    expect(out).toMatch(/^pc\s+0x400abc\s/m);
    expect(out).toMatch(/^sp\s+0xffffffffefc0\s/m);
    expect(out).toMatch(/^x0\s+0xcafe\s+51966/m);
    expect(out).toMatch(/^\$1 = 11$/m);
    expect(out).toMatch(/^\$2 = 0x123456789abcdef0000000000000064$/m); // v0 of thread 100: high dword | 0 + tid
    expect(out).toMatch(/^33\s+AT_SYSINFO_EHDR\s+System-supplied DSO's ELF header 0xfffff7ff0000$/m);
    expect(out).toMatch(/^9\s+AT_ENTRY\s+Entry point of program\s+0x400100$/m);
    expect(out).toMatch(/^\$3 = 0x42a6$/m);
    expect(out).toMatch(/^\$4 = 0x200000$/m);
    expect(out).toMatch(/LWP 100/);
    expect(out).toMatch(/LWP 101/);
    expect(out).toMatch(/0x412000:\s+0xdddddddddddddddd\s+0xdddddddddddddddd/);
  });
});

describe('elfCoreDump: notes edge cases', () => {
  it('psargs keeps at most 79 bytes then NUL', () => {
    const snap = makeSnapshot();
    snap.psinfo.args = Buffer.from('a\0'.repeat(60));
    const { buf } = writeCore('core.args', snap);
    const ps = buf.subarray(812 + 20 + 0x38, 812 + 20 + 0x38 + 80);
    expect(ps.toString('latin1')).toBe('a '.repeat(39) + 'a' + '\0');
  });
  it('omits NT_FILE when the 64-byte-per-VMA estimate reaches the limit, and logs why', () => {
    const { res } = writeCore('core.nofile', makeSnapshot({ fileNoteSizeLimit: 5 * 64 }));
    expect(res.notes.some((n) => n.type === NT_FILE)).toBe(false);
    expect(res.warnings).toEqual(['coredump Note size too large: 320 (does kernel.core_file_note_size_limit sysctl need adjustment?']);
    expect(res.notesSize).toBe(3728 - 108);
  });
  it('keeps an NT_FILE with count 0 when no VMA is file-backed', () => {
    const snap = makeSnapshot();
    snap.vmas = snap.vmas.filter((v) => v.file === null);
    const { res, buf } = writeCore('core.nofiles', snap);
    const f = res.notes.find((n) => n.type === NT_FILE)!;
    expect(f.descsz).toBe(16);
    expect(buf.readBigUInt64LE(f.offset + 20)).toBe(0n);
    expect(buf.readBigUInt64LE(f.offset + 28)).toBe(4096n);
  });
});

describe('sinks: RLIMIT_CORE and holes', () => {
  const W0 = 64 + 6 * 56 + 3728 - 46; // bytes written before the first segment page
  it('file: truncates at the first write that would pass the limit; holes are free', () => {
    const { fin, buf, res } = writeCore('core.limit', makeSnapshot(), W0 + 2 * PAGE + 100);
    expect(res.complete).toBe(false);
    expect(fin).toEqual({ written: W0 + 2 * PAGE, size: 0x4000, truncated: true, error: null });
    expect(buf.subarray(0x3000, 0x4000).equals(Buffer.alloc(PAGE, 0xdd))).toBe(true);
  });
  it('file: the limit cuts inside the notes when small', () => {
    const { fin } = writeCore('core.small', makeSnapshot(), 1000);
    expect(fin.truncated).toBe(true);
    expect(fin.written).toBeLessThanOrEqual(1000);
    // ehdr, phdrs, prstatus, prpsinfo, then only NT_SIGINFO's nhdr and name fit (its 128-byte desc does not)
    expect(fin.written).toBe(64 + 6 * 56 + (12 + 5 + 392) + (12 + 5 + 136) + (12 + 5));
  });
  it('file: a trailing hole gets one final zero byte so the file covers it', () => {
    const snap = makeSnapshot();
    snap.vmas.push({ start: 0x2000000000000n, end: 0x2000000003000n, flags: RW, pgoff: 0n, file: null, special: false, anonWritten: true });
    const { res, fin, buf } = writeCore('core.tail', snap);
    expect(BigInt(buf.length)).toBe(res.fullSize);
    expect(fin.size).toBe(buf.length);
    expect(buf[buf.length - 1]).toBe(0);
  });
  it('pipe: holes become zero bytes that count against the limit; output equals the file', () => {
    const file = writeCore('core.ref', makeSnapshot()).buf;
    const full = new BufferCoreSink();
    elfCoreDump(makeSnapshot(), full);
    const r = full.finish();
    expect(full.buffer().equals(file)).toBe(true);
    expect(r).toEqual({ written: file.length, size: file.length, truncated: false, error: null });
    const cut = new BufferCoreSink(W0 + 2 * PAGE + 100);
    elfCoreDump(makeSnapshot(), cut);
    const rc = cut.finish();
    expect(rc.truncated).toBe(true);
    expect(rc.written).toBe(0x2000 + PAGE); // zeros up to dataoff count: only the text page fits
    expect(cut.buffer().equals(file.subarray(0, rc.written))).toBe(true);
  });
});

describe('PN_XNUM', () => {
  it('uses extended numbering at 0xffff segments', () => {
    const snap = makeSnapshot({ vmas: [], readMemory: () => null });
    for (let i = 0; i < 0xfffe; i++) {
      const start = 0x10000000n + BigInt(i) * 0x2000n;
      snap.vmas.push({ start, end: start + 0x1000n, flags: RW, pgoff: 0n, file: null, special: false, anonWritten: false });
    }
    const { res, buf, path } = writeCore('core.xnum', snap);
    expect(res).toMatchObject({ segments: 0xffff, phnum: PN_XNUM, complete: true });
    const eh = parseEhdr(buf);
    expect([eh.e_phnum, eh.e_shnum, eh.e_shentsize, eh.e_shstrndx]).toEqual([0xffff, 1, 64, 0]);
    expect(eh.e_shoff).toBe(BigInt(res.dataOffset));
    expect(buf.length).toBe(res.dataOffset + 64);
    expect(buf.readUInt32LE(res.dataOffset + 0x2c)).toBe(0xffff);
    expect(buf.readBigUInt64LE(64 + 8)).toBe(64n + 0xffffn * 56n); // PT_NOTE p_offset after all phdrs
    const out = execFileSync('readelf', ['-h', path], { encoding: 'utf8' });
    expect(out).toMatch(/Number of program headers:\s+65535 \(65535\)/);
    expect(out).toMatch(/Number of section headers:\s+1$/m);
  });
});

describe('large sparse mapping', () => {
  // Timing lives in bench/core, never in a unit test; this checks the layout of a big sparse dump.
  it('dumps a 1 GiB mapping with 64 MiB touched as a sparse file of the right size', () => {
    const base = 0x10000000000n;
    const present = new Map<bigint, Buffer>();
    for (let i = 0; i < 16384; i++) present.set(base + 0x1000000n + BigInt(i) * 4096n, Buffer.alloc(PAGE, (i % 255) + 1));
    const snap = makeSnapshot({
      vmas: [{ start: base, end: base + (1n << 30n), flags: RW, pgoff: 0n, file: null, special: false, anonWritten: true }],
      readMemory: (a) => present.get(a) ?? null,
    });
    const path = join(dir, 'core.big');
    const fd = openSync(path, 'w');
    const sink = new FileCoreSink(fd);
    elfCoreDump(snap, sink);
    const fin = sink.finish();
    closeSync(fd);
    expect(fin.size).toBe(4096 + 2 ** 30);
    // 64 MiB of data pages plus headers; everything else is holes
    expect(statSync(path).blocks * 512).toBeLessThan(64 * 2 ** 20 + 2 ** 20);
    rmSync(path);
  });
});
