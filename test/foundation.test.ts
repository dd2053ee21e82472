// Issue 2: loading, start-up stack, syscalls, exit status, malformed ELF files, determinism.
import { describe, it, expect } from 'vitest';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { Machine } from '../src/machine.ts';
import { LoaderError } from '../src/errors.ts';
import { prog, run } from './helpers.ts';

describe('programs run to completion', () => {
  it('exit42: pure assembly write + exit_group', () => {
    const { report } = run('exit42');
    expect(report.stdout).toBe('asm\n');
    expect(report.exit).toEqual({ kind: 'exited', code: 42, signal: null, coreDumped: false, waitStatus: 42 << 8 });
    expect(report.icount).toBe(8);
  });

  it('hello: argv, env, malloc, stdio, exit status from EXIT', () => {
    const { report } = run('hello', { argv: ['hello', 'a', 'b c'], env: ['GREETING=hi', 'EXIT=7'] });
    expect(report.stdout).toBe('hello, world\nargv[0]=hello\nargv[1]=a\nargv[2]=b c\nGREETING=hi\nsum=134353890\n');
    expect(report.stderr).toBe('to stderr\n');
    expect(report.exit.code).toBe(7);
  });

  it('hello-pie: static-pie is placed in the mmap region below mmap_base', () => {
    const { report } = run('hello-pie');
    expect(report.stdout).toContain('hello, world');
    expect(report.exit.code).toBe(0);
  });
});

describe('initial stack and auxv as Linux lays them out', () => {
  const { report } = run('auxv', { argv: ['auxv', 'x'], env: ['A=1'] });
  const lines = report.stdout.split('\n');
  const val = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
  const aux = new Map(lines.filter((l) => l.startsWith('auxv ')).map((l) => { const [, , n, v] = l.split(' '); return [n, BigInt(v)]; }));

  it('argc, argv, envp and the 16-byte aligned sp', () => {
    expect(val('argc')).toBe('2');
    expect(BigInt(val('sp')!) % 16n).toBe(0n);
    expect(lines.some((l) => /^argv\[1\]=0x[0-9a-f]+:x$/.test(l))).toBe(true);
    expect(lines.some((l) => /^envp\[0\]=0x[0-9a-f]+:A=1$/.test(l))).toBe(true);
  });

  it('auxv entries in create_elf_tables order with the right values', () => {
    const names = lines.filter((l) => l.startsWith('auxv ')).map((l) => l.split(' ')[2]);
    expect(names).toEqual(['AT_SYSINFO_EHDR', 'AT_MINSIGSTKSZ', 'AT_HWCAP', 'AT_PAGESZ', 'AT_CLKTCK', 'AT_PHDR',
      'AT_PHENT', 'AT_PHNUM', 'AT_BASE', 'AT_FLAGS', 'AT_ENTRY', 'AT_UID', 'AT_EUID', 'AT_GID', 'AT_EGID',
      'AT_SECURE', 'AT_RANDOM', 'AT_HWCAP2', 'AT_EXECFN', 'AT_PLATFORM', 'AT_NULL']);
    expect(aux.get('AT_PAGESZ')).toBe(4096n);
    expect(aux.get('AT_MINSIGSTKSZ')).toBe(4720n);
    expect(aux.get('AT_PHENT')).toBe(56n);
    expect(aux.get('AT_UID')).toBe(1000n);
    expect(aux.get('AT_SYSINFO_EHDR')).toBe(0xfffff7fff000n);
    // no SVE (bit 22) and no pointer auth (30, 31) are advertised; FP, ASIMD and CPUID are
    const hw = aux.get('AT_HWCAP')!;
    expect(hw & ((1n << 22n) | (1n << 30n) | (1n << 31n))).toBe(0n);
    expect(hw & 0x803n).toBe(0x803n);
  });

  it('strings end 8 bytes below STACK_TOP, with AT_EXECFN last', () => {
    // bprm->p = STACK_TOP - 8: execfn is the last string and ends at 0xfffffffffff8, followed by 8 zero bytes
    expect(val('execfn_end')).toBe('0xfffffffffff8');
    expect(val('after_execfn')).toBe('0000000000000000');
    expect(report.stdout).toMatch(/auxv 31 AT_EXECFN 0x[0-9a-f]+ auxv\n/);
    expect(report.stdout).toMatch(/auxv 15 AT_PLATFORM 0x[0-9a-f]+ aarch64\n/);
    // the vDSO page starts with an ELF header; AT_RANDOM's 16 bytes sit just below the platform string
    expect(report.stdout).toMatch(/auxv 33 AT_SYSINFO_EHDR 0xfffff7fff000 7f454c46\n/);
    expect(aux.get('AT_PLATFORM')! - aux.get('AT_RANDOM')!).toBe(16n);
  });
});

describe('syscalls: success and error paths', () => {
  it('every check of programs/c/syscalls.c passes', () => {
    const { report } = run('syscalls');
    expect(report.stdout).toMatch(/failures=0\n$/);
    expect(report.exit.code).toBe(0);
  });
});

describe('malformed ELF files give a clear LoaderError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-elf-'));
  const good = readFileSync(prog('exit42'));
  const cases: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['truncated header', (b) => b.subarray(0, 40), /an ELF64 header needs 64/],
    ['bad magic', (b) => { const c = Buffer.from(b); c[1] = 0; return c; }, /bad magic/],
    ['wrong machine', (b) => { const c = Buffer.from(b); c.writeUInt16LE(62, 18); return c; }, /e_machine is 62, not EM_AARCH64/],
    ['32-bit class', (b) => { const c = Buffer.from(b); c[4] = 1; return c; }, /not ELFCLASS64/],
    ['phdrs beyond the file', (b) => { const c = Buffer.from(b); c.writeBigUInt64LE(0xffffffn, 32); return c; }, /program headers lie beyond/],
    ['huge p_memsz', (b) => { const c = Buffer.from(b); c.writeBigUInt64LE(0xffffffffffffn, 64 + 40); return c; }, /beyond the 48-bit user address space/],
    ['filesz > memsz', (b) => { const c = Buffer.from(b); c.writeBigUInt64LE(0x100000000n, 64 + 32); return c; }, /p_filesz .* > p_memsz/],
    ['overlapping segments', () => {
      const c = Buffer.from(readFileSync(prog('hello'))); // two PT_LOADs
      const n = c.readUInt16LE(56);
      let first = -1;
      for (let i = 0; i < n; i++) {
        if (c.readUInt32LE(64 + i * 56) !== 1) continue;
        if (first < 0) first = i;
        else {
          const v0 = c.readBigUInt64LE(64 + first * 56 + 16);
          const delta = c.readBigUInt64LE(64 + i * 56 + 16) - (v0 + 0x1000n);
          c.writeBigUInt64LE(v0 + 0x1000n, 64 + i * 56 + 16); // inside the first segment, same page offset
          c.writeBigUInt64LE(c.readBigUInt64LE(64 + first * 56 + 40) + 0x10000n, 64 + first * 56 + 40);
          void delta;
          break;
        }
      }
      return c;
    }, /overlaps the previous PT_LOAD|not congruent/],
    ['dynamically linked', () => readFileSync('/bin/true'), /e_machine is 62|PT_INTERP/],
  ];
  for (const [name, mutate, msg] of cases) {
    it(name, () => {
      const f = join(dir, name.replace(/\W/g, '_'));
      writeFileSync(f, mutate(good));
      expect(() => new Machine(f, { root: dir })).toThrow(LoaderError);
      expect(() => new Machine(f, { root: dir })).toThrow(msg);
    });
  }
});

describe('determinism', () => {
  it('two runs give byte-identical JSON reports', () => {
    const root = mkdtempSync(join(tmpdir(), 'af-d-'));
    const a = run('segv_maperr_null', { root }).report;
    const coreA = readFileSync(join(root, 'core'));
    const b = run('segv_maperr_null', { root }).report;
    expect(readFileSync(join(root, 'core')).equals(coreA)).toBe(true);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('the CLI exit status is the guest status, 128+signal when killed', () => {
    const cli = join(import.meta.dirname, '..', 'bin', 'arm64-fault.js');
    const st = (p: string) => { try { execFileSync(cli, ['run', '--root', mkdtempSync(join(tmpdir(), 'af-c-')), prog(p)], { stdio: 'pipe' }); return 0; } catch (e) { return (e as { status: number }).status; } };
    expect(st('exit42')).toBe(42);
    expect(st('segv_maperr_null')).toBe(128 + 11);
  });
});

describe('mappings the engine cannot back', () => {
  it('fail with ENOMEM in the guest instead of ending the run', () => {
    const { report } = run('hugemap');
    expect(report.stdout).toBe('2^30: ok\n2^34: ok\n2^38: Cannot allocate memory\n2^42: Cannot allocate memory\n2^46: Cannot allocate memory\n');
    expect(report.exit.code).toBe(0);
  });
});

describe('AT_HWCAP advertises nothing the CPU cannot do', () => {
  it('one instruction per advertised capability runs without SIGILL (all 28 of them)', () => {
    const { report } = run('hwcaps');
    const lines = report.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('advertised but missing: 0');
    expect(lines.filter((l) => l.endsWith(' ok'))).toHaveLength(28);
    expect(report.exit.code).toBe(0);
  });
});
