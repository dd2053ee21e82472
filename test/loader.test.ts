// Issue 14 item 6: PT_LOADs that share a page, overlap the stack, come in descending order or are huge give what
// load_elf_binary (v6.17) gives: a defined mapping (segments in program-header order, every one after the first
// mapped MAP_FIXED over whatever is there), or a named error that says which segment, the kernel's errno and that
// Linux, past the point of no return, kills the process with SIGSEGV. Never a host crash.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import { LoaderError } from '../src/errors.ts';
import { encodeEhdr, encodePhdr, elf64Ident, ET_EXEC, EM_AARCH64, PT_LOAD, PF_R, PF_W, PF_X } from '../src/fs/elf.ts';

const TASK_SIZE = 1n << 48n;

/** exit_group(*(u8 *)addr): ldr x1, =addr; ldrb w0, [x1]; mov x8, #94; svc #0 */
function exitWithByteAt(addr: bigint): Buffer {
  const b = Buffer.alloc(24);
  [0x58000081, 0x39400020, 0xd2800bc8, 0xd4000001].forEach((w, i) => b.writeUInt32LE(w, 4 * i));
  b.writeBigUInt64LE(addr, 16);
  return b;
}

interface Seg { vaddr: bigint; offset: bigint; filesz: bigint; memsz?: bigint; flags: number }

/** An ET_EXEC with the given PT_LOADs (in this order), page-sized file contents and the entry point. */
function elf(segs: Seg[], pages: Buffer[], entry: bigint): Buffer {
  const head = Buffer.concat([
    encodeEhdr({ e_ident: elf64Ident(), e_type: ET_EXEC, e_machine: EM_AARCH64, e_version: 1, e_entry: entry, e_phoff: 64n,
      e_shoff: 0n, e_flags: 0, e_ehsize: 64, e_phentsize: 56, e_phnum: segs.length, e_shentsize: 0, e_shnum: 0, e_shstrndx: 0 }),
    ...segs.map((s) => encodePhdr({ p_type: PT_LOAD, p_flags: s.flags, p_offset: s.offset, p_vaddr: s.vaddr, p_paddr: s.vaddr,
      p_filesz: s.filesz, p_memsz: s.memsz ?? s.filesz, p_align: 0x1000n })),
  ]);
  return Buffer.concat([head, Buffer.alloc(0x1000 - head.length), ...pages.map((p) => Buffer.concat([p, Buffer.alloc(0x1000 - p.length)]))]);
}
const fill = (byte: number) => Buffer.alloc(0x1000, byte);
const RX = PF_R | PF_X, RW = PF_R | PF_W;

function run(file: Buffer) {
  const dir = mkdtempSync(join(tmpdir(), 'af-loader-'));
  writeFileSync(join(dir, 'prog'), file, { mode: 0o755 });
  try {
    return { report: new Machine(join(dir, 'prog'), { root: dir, rlimitCore: 0n }).run(), error: null, path: join(dir, 'prog') };
  } catch (e) {
    return { report: null, error: e as Error, path: join(dir, 'prog') };
  }
}

function qemu(path: string): { status: number | null; signal: string | null } {
  const q = spawnSync('sh', ['-c', 'ulimit -c 0; exec qemu-aarch64 "$0"', path], { cwd: tmpdir(), timeout: 30_000 });
  expect(q.error).toBeUndefined();
  return { status: q.status, signal: q.signal };
}

describe('PT_LOAD layouts Linux maps', () => {
  it('two segments sharing a page: the later one wins the shared page (MAP_FIXED), as qemu-aarch64', () => {
    // #1 RW 0xaa over [0x401000, 0x401800); #2 R from file page 0x3000 (0xbb) at 0x401800: its page 0x401000 replaces #1's
    const f = elf([
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
      { vaddr: 0x401000n, offset: 0x2000n, filesz: 0x800n, flags: RW },
      { vaddr: 0x401800n, offset: 0x3800n, filesz: 0x100n, flags: PF_R },
    ], [exitWithByteAt(0x401000n), fill(0xaa), fill(0xbb)], 0x400000n);
    const r = run(f);
    expect(r.error).toBeNull();
    expect([r.report!.exit.kind, r.report!.exit.code]).toEqual(['exited', 0xbb]);
    expect(qemu(r.path)).toEqual({ status: 0xbb, signal: null });
  });

  it('descending segments are no overlap: each is mapped where it says, as qemu-aarch64', () => {
    const f = elf([
      { vaddr: 0x500000n, offset: 0x2000n, filesz: 0x10n, flags: PF_R },
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
    ], [exitWithByteAt(0x500008n), fill(0x2a)], 0x400000n);
    const r = run(f);
    expect(r.error).toBeNull();
    expect([r.report!.exit.kind, r.report!.exit.code]).toEqual(['exited', 0x2a]);
    expect(qemu(r.path)).toEqual({ status: 0x2a, signal: null });
  });

  it('a later segment over the stack replaces those stack pages (MAP_FIXED)', () => {
    const at = TASK_SIZE - 0x10000n; // inside the initial [stack] vma, below what create_elf_tables writes
    const f = elf([
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
      { vaddr: at, offset: 0x2000n, filesz: 0x1000n, flags: RW },
    ], [exitWithByteAt(at + 5n), fill(0x3c)], 0x400000n);
    const r = run(f);
    expect(r.error).toBeNull();
    expect([r.report!.exit.kind, r.report!.exit.code]).toEqual(['exited', 0x3c]);
  });
});

describe('PT_LOAD layouts Linux cannot map: a named error, never a host crash', () => {
  const refused = (f: Buffer, what: RegExp) => {
    const r = run(f);
    expect(r.error).toBeInstanceOf(LoaderError);
    expect(r.error!.message).toMatch(what);
    expect(r.error!.message.startsWith('/prog: ')).toBe(true); // the program's guest path (it lies in the root)
    expect(r.error!.message).toMatch(/past the point of no return, Linux kills the process with SIGSEGV$/);
  };

  it('the first segment on the stack: MAP_FIXED_NOREPLACE fails with EEXIST', () => {
    const at = TASK_SIZE - 0x10000n;
    refused(elf([{ vaddr: at, offset: 0x1000n, filesz: 0x18n, flags: RX }], [exitWithByteAt(at)], at),
      /PT_LOAD #0 \(vaddr 0xffffffff0000, memsz 0x18\): \[0xffffffff0000, 0xffffffff1000\) is already mapped by \[stack\] \[0x[0-9a-f]+, 0x1000000000000\) \(MAP_FIXED_NOREPLACE: EEXIST\)/);
  });

  it('a read-only segment over the top of the stack: create_elf_tables cannot write there, EFAULT', () => {
    refused(elf([
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
      { vaddr: TASK_SIZE - 0x1000n, offset: 0x2000n, filesz: 0x1000n, flags: PF_R },
    ], [exitWithByteAt(0x400000n), fill(0)], 0x400000n), /replaced the stack.*not writable: EFAULT/);
  });

  it('p_memsz past the 48-bit address space: ENOMEM, naming the segment', () => {
    refused(elf([
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
      { vaddr: 0x500000n, offset: 0x2000n, filesz: 0x10n, memsz: 0xffffffffffff0000n, flags: RW },
    ], [exitWithByteAt(0x400000n), fill(1)], 0x400000n), /PT_LOAD #1 \(vaddr 0x500000, memsz 0xffffffffffff0000\): .*TASK_SIZE.*ENOMEM/);
  });

  it('p_memsz the host cannot back (Linux would overcommit or fail with ENOMEM): ENOMEM, naming the segment', () => {
    refused(elf([
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
      { vaddr: 0x10000000000n, offset: 0x2000n, filesz: 0x10n, memsz: 1n << 46n, flags: RW },
    ], [exitWithByteAt(0x400000n), fill(1)], 0x400000n), /PT_LOAD #1 \(vaddr 0x10000000000, memsz 0x400000000000\): the host cannot back/);
  });

  it('a segment below mmap_min_addr: EPERM', () => {
    refused(elf([
      { vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, flags: RX },
      { vaddr: 0x1000n, offset: 0x2000n, filesz: 0x10n, flags: RW },
    ], [exitWithByteAt(0x400000n), fill(1)], 0x400000n), /PT_LOAD #1 \(vaddr 0x1000, memsz 0x10\): maps 0x1000, below mmap_min_addr \(0x8000\): EPERM/);
  });

  it('p_filesz > p_memsz: EINVAL', () => {
    refused(elf([{ vaddr: 0x400000n, offset: 0x1000n, filesz: 0x18n, memsz: 0x10n, flags: RX }], [exitWithByteAt(0x400000n)], 0x400000n),
      /PT_LOAD #0 \(vaddr 0x400000, memsz 0x10\): p_filesz 0x18 > p_memsz: EINVAL/);
  });
});
