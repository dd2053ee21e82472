// Seeded case generators for the fuzz suite (npm run fuzz; a short slice runs in npm test):
//  - malformed ELF files: truncations, every header field out of range, phdr fields at boundaries,
//    descending/overlapping/huge segments, segments on the stack, bad PT_INTERP — each must end in a named error
//    or a guest outcome;
//  - path escapes: guest programs that create, write, remove and make directories through "..", absolute
//    paths, long names and symlinks planted towards the outside, and core patterns that climb — nothing
//    outside the root may change.
// Everything is a pure function of the seed, so a failing case can be replayed by its name.

/** mulberry32: a small, well-known seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

// ELF64 header and program header field offsets and widths
const EHDR: [string, number, 1 | 2 | 4 | 8][] = [
  ['EI_CLASS', 4, 1], ['EI_DATA', 5, 1], ['EI_VERSION', 6, 1], ['e_type', 16, 2], ['e_machine', 18, 2],
  ['e_version', 20, 4], ['e_entry', 24, 8], ['e_phoff', 32, 8], ['e_flags', 48, 4], ['e_ehsize', 52, 2],
  ['e_phentsize', 54, 2], ['e_phnum', 56, 2],
];
const PHDR: [string, number, 4 | 8][] = [
  ['p_type', 0, 4], ['p_flags', 4, 4], ['p_offset', 8, 8], ['p_vaddr', 16, 8], ['p_paddr', 24, 8],
  ['p_filesz', 32, 8], ['p_memsz', 40, 8], ['p_align', 48, 8],
];
const PT_LOAD = 1, PT_INTERP = 3;

function boundary(r: () => number, width: number, fileLen: number): bigint {
  const max = (1n << BigInt(width * 8)) - 1n;
  return pick(r, [0n, 1n, 2n, 3n, 0xfffn, 0x1000n, 0x7fffn, BigInt(fileLen), BigInt(fileLen + 1), 1n << 47n, (1n << 48n) - 1n,
    max, max >> 1n, BigInt(Math.floor(r() * 2 ** 32))]) & max;
}

function put(b: Buffer, off: number, width: number, v: bigint): void {
  if (off + width > b.length) return;
  if (width === 1) b.writeUInt8(Number(v & 0xffn), off);
  else if (width === 2) b.writeUInt16LE(Number(v & 0xffffn), off);
  else if (width === 4) b.writeUInt32LE(Number(v & 0xffffffffn), off);
  else b.writeBigUInt64LE(v, off);
}

export interface ElfCase { name: string; file: Buffer }

/** n malformed variants of a valid static executable. */
export function* elfCases(seed: number, n: number, base: Buffer): Generator<ElfCase> {
  const r = rng(seed);
  const phoff = Number(base.readBigUInt64LE(32));
  const phnum = base.readUInt16LE(56);
  const ph = (i: number) => phoff + 56 * i;
  for (let i = 0; i < n; i++) {
    const f = Buffer.from(base);
    let name: string;
    switch (Math.floor(r() * 8)) {
      case 0: {
        const len = Math.floor(r() * Math.min(base.length, 8192));
        name = `truncate@${len}`;
        yield { name, file: f.subarray(0, len) };
        continue;
      }
      case 1: {
        const [field, off, w] = pick(r, EHDR);
        const v = boundary(r, w, f.length);
        put(f, off, w, v);
        name = `${field}=0x${v.toString(16)}`;
        break;
      }
      case 2: {
        const k = Math.floor(r() * phnum);
        const [field, off, w] = pick(r, PHDR);
        const v = boundary(r, w, f.length);
        put(f, ph(k) + off, w, v);
        name = `phdr${k}.${field}=0x${v.toString(16)}`;
        break;
      }
      case 3: {
        const a = Math.floor(r() * phnum), b = Math.floor(r() * phnum);
        const t = Buffer.from(f.subarray(ph(a), ph(a) + 56));
        f.copy(f, ph(a), ph(b), ph(b) + 56);
        t.copy(f, ph(b));
        name = `swap phdr${a},phdr${b}`; // descending PT_LOADs among them
        break;
      }
      case 4: {
        const a = Math.floor(r() * phnum), b = Math.floor(r() * phnum);
        f.copy(f, ph(b), ph(a), ph(a) + 56);
        if (r() < 0.5) f.writeUInt32LE(PT_LOAD, ph(b));
        name = `dup phdr${a}→phdr${b}`; // overlapping segments
        break;
      }
      case 6: {
        // a segment moved onto the stack (the top 64 KiB below TASK_SIZE), page offset kept congruent
        const k = Math.floor(r() * phnum);
        const at = (1n << 48n) - BigInt(0x1000 * (1 + Math.floor(r() * 16)));
        f.writeUInt32LE(PT_LOAD, ph(k));
        put(f, ph(k) + 16, 8, at + (f.readBigUInt64LE(ph(k) + 8) & 0xfffn));
        name = `phdr${k} on the stack at 0x${at.toString(16)}`;
        break;
      }
      case 7: {
        // a huge bss: past TASK_SIZE, or more than the host can back
        const k = Math.floor(r() * phnum);
        const v = pick(r, [1n << 40n, 1n << 46n, 1n << 47n, (1n << 48n) - 1n, (1n << 64n) - 1n]);
        put(f, ph(k) + 40, 8, v);
        name = `phdr${k}.p_memsz=0x${v.toString(16)} (huge)`;
        break;
      }
      default: {
        const k = Math.floor(r() * phnum);
        f.writeUInt32LE(PT_INTERP, ph(k));
        put(f, ph(k) + 8, 8, boundary(r, 8, f.length));
        put(f, ph(k) + 32, 8, boundary(r, 8, f.length));
        name = `PT_INTERP@phdr${k}`;
      }
    }
    yield { name, file: f };
  }
}

export interface PathCase {
  name: string;
  /** guest syscalls, each [nr, path, extra args] */
  op: 'create' | 'mkdir' | 'unlink' | 'core';
  path: string;
  /** a symlink planted in the root before the run: [name in root, target] */
  plant: [string, string] | null;
}

const HOSTILE = [
  '../escape', '../../../../../../../../tmp/escape', '/../../../escape', '/tmp/../../escape', 'a/../../escape',
  '/proc/../../escape', `${'x'.repeat(255)}/../../escape`, `${'../'.repeat(200)}escape`, '//escape', '/./../escape',
  'link/escape', 'link/../escape', 'rel/escape', 'rel/../../escape', 'abs', 'abs/escape',
];

/** n path-escape attempts: each operation on each hostile path, with symlinks planted towards the outside. */
export function* pathCases(seed: number, n: number): Generator<PathCase> {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const op = pick(r, ['create', 'mkdir', 'unlink', 'core'] as const);
    const p = pick(r, HOSTILE);
    const plant: PathCase['plant'] = p.startsWith('link') ? ['link', '../../../..'] : p.startsWith('rel') ? ['rel', '../outside']
      : p.startsWith('abs') ? ['abs', '/OUTSIDE/escape'] : null;
    yield { name: `${op} ${p.length > 40 ? `${p.slice(0, 37)}…` : p}`, op, path: p, plant };
  }
}

/** The guest program for a path case: the syscall on `path` (and a one-byte write for create), then exit 0. */
export function pathProgram(c: PathCase): string {
  const sys = c.op === 'create'
    ? 'mov x0, #-100\nadr x1, path\nmov x2, #0x241\nmov x3, #0x1a4\nmov x8, #56\nsvc #0\n' + // openat(O_CREAT|O_WRONLY|O_TRUNC)
      'cmp x0, #0\nb.lt 1f\nadr x1, path\nmov x2, #1\nmov x8, #64\nsvc #0\n1:\n'
    : c.op === 'mkdir' ? 'mov x0, #-100\nadr x1, path\nmov x2, #0x1ed\nmov x8, #34\nsvc #0\n'
      : c.op === 'unlink' ? 'mov x0, #-100\nadr x1, path\nmov x2, #0\nmov x8, #35\nsvc #0\n'
        : 'mov x0, #0\nldr x0, [x0]\n'; // a NULL load: SIGSEGV and a core dump along core_pattern = path
  return `${sys}mov x0, #0\nmov x8, #93\nsvc #0\npath: .asciz "${c.path}"\n.align 2\n`;
}

/**
 * A guest that runs `words` as instructions with x0–x28 pointing into a zeroed, writable buffer and SIGSEGV,
 * SIGBUS, SIGILL, SIGTRAP, SIGFPE and SIGSYS caught by a handler that writes "<signo> <si_code>\n" and exits 0
 * (exit 0 without a signal prints "none"). The same bytes run under qemu-aarch64 give the first signal there.
 */
export function insnProgram(words: number[]): string {
  const handler = [
    'handler:', 'ldr w9, [x1, #8]', 'adr x10, msg', 'mov w11, #10', 'udiv w12, w0, w11', 'msub w13, w12, w11, w0',
    'add w12, w12, #48', 'add w13, w13, #48', 'strb w12, [x10]', 'strb w13, [x10, #1]', 'mov w14, #32', 'strb w14, [x10, #2]',
    'and w9, w9, #0xff', 'udiv w12, w9, w11', 'msub w13, w12, w11, w9', 'add w12, w12, #48', 'add w13, w13, #48',
    'strb w12, [x10, #3]', 'strb w13, [x10, #4]', 'mov w14, #10', 'strb w14, [x10, #5]',
    'mov x0, #1', 'mov x1, x10', 'mov x2, #6', 'mov x8, #64', 'svc #0', 'mov x0, #0', 'mov x8, #94', 'svc #0',
  ];
  const setup = [
    ...[11, 7, 4, 5, 8, 31].flatMap((sig) => [
      'adr x1, act', `mov x0, #${sig}`, 'mov x2, #0', 'mov x3, #8', 'mov x8, #134', 'svc #0']),
    'adr x29, buf', 'add x29, x29, #2048',
    ...Array.from({ length: 29 }, (_, i) => `add x${i}, x29, #${(i * 24) % 1024}`),
  ];
  const done = ['adr x1, none', 'mov x0, #1', 'mov x2, #5', 'mov x8, #64', 'svc #0', 'mov x0, #0', 'mov x8, #94', 'svc #0'];
  return [...setup, ...words.map((w) => `.inst 0x${(w >>> 0).toString(16).padStart(8, '0')}`), ...done, ...handler,
    '.data', '.align 4', 'act: .quad handler, 0x4, 0, 0', // SA_SIGINFO, no restorer: the handler never returns
    'msg: .ascii "00 00\\n"', 'none: .ascii "none\\n"', '.align 12', 'buf: .space 8192', ''].join('\n');
}

/** n streams of `len` random instruction words. */
export function* insnCases(seed: number, n: number, len = 8): Generator<{ name: string; words: number[] }> {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    // most words in the loads-and-stores encoding space (op0 x1x0: bit 27 set, bit 25 clear), where the
    // alignment, exclusive and permission rules live; the rest anywhere
    const words = Array.from({ length: len }, () => {
      const w = Math.floor(r() * 2 ** 32);
      return r() < 0.7 ? ((w | 0x08000000) & ~0x02000000) >>> 0 : w;
    });
    yield { name: `insns ${words.map((w) => w.toString(16).padStart(8, '0')).join(' ')}`, words };
  }
}
