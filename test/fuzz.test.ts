// A seeded slice of the fuzz suite (the whole of it: npm run fuzz): malformed ELF files end in a named error or
// a guest outcome, never a host crash; hostile guest paths and core patterns change nothing outside the root.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Machine } from '../src/machine.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfCases, pathCases, insnCases, insnProgram } from './fuzz/cases.ts';
import { runElfCase, runPathCase, runInsnCase, qemuFirstSignal } from './fuzz/run.ts';
import { assemble } from '../src/harness/scenario.ts';
import { prog } from './helpers.ts';

describe('fuzz slice (seed 7)', () => {
  it('120 malformed ELF files: each a named error or a guest outcome, no host crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-fuzz-elf-'));
    const kinds = new Map<string, number>();
    const crashes: string[] = [];
    for (const base of ['exit42', 'hello']) {
      for (const c of elfCases(7, 60, readFileSync(prog(base)))) {
        const o = runElfCase(c, dir);
        kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
        if (o.kind === 'crash') crashes.push(`${base} ${c.name}: ${o.detail}`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    expect(crashes).toEqual([]);
    expect(kinds.get('error')).toBeGreaterThan(20); // the mutations do reach the loader's checks
    expect(kinds.get('guest')).toBeGreaterThan(20);
  }, 120_000);

  it('40 path escapes (.., absolute, long names, symlinks out, climbing core patterns): nothing outside changes', () => {
    const out = [...pathCases(7, 40)].map((c) => [c.name, runPathCase(c)] as const);
    expect(out.filter(([, o]) => o.kind === 'escape' || o.kind === 'crash')).toEqual([]);
    expect(new Set(out.map(([n]) => n.split(' ')[0]))).toEqual(new Set(['create', 'mkdir', 'unlink', 'core']));
  }, 120_000);

  it('60 random instruction streams against qemu-aarch64: the same first signal, or a difference with a name', () => {
    const classes = new Map<string, number>();
    let same = 0;
    for (const c of insnCases(7, 60)) {
      const r = runInsnCase(assemble(insnProgram(c.words), c.name), qemuFirstSignal);
      expect(r.crash, c.name).toBeUndefined();
      if (r.cls === null) same++;
      else classes.set(r.cls, (classes.get(r.cls) ?? 0) + 1);
      expect([c.name, r.cls]).not.toEqual([c.name, 'unclassified']);
    }
    expect(same).toBeGreaterThan(5);
    expect([...classes.keys()]).toContain('qemu reports unallocated encodings as ILL_ILLOPN, Linux as ILL_ILLOPC');
  }, 180_000);

  it('what the full suite found stays fixed: a write-only data segment is readable (arm64 has no write-only pages)', () => {
    // protection_map[VM_WRITE] = PAGE_READONLY: the engine once mapped it unreadable and the first read of .data
    // was an internal error ("page fault inside a VMA that allows it")
    const dir = mkdtempSync(join(tmpdir(), 'af-fuzz-found-'));
    const wo = Buffer.from(readFileSync(prog('hello')));
    const phoff = Number(wo.readBigUInt64LE(32));
    const data = Array.from({ length: wo.readUInt16LE(56) }, (_, i) => phoff + 56 * i)
      .find((p) => wo.readUInt32LE(p) === 1 && (wo.readUInt32LE(p + 4) & 2) !== 0)!;
    wo.writeUInt32LE(2, data + 4); // PF_W alone
    writeFileSync(join(dir, 'wo'), wo, { mode: 0o755 });
    const r = new Machine(join(dir, 'wo'), { root: dir, argv: ['hello'] }).run();
    expect([r.exit.kind, r.exit.code, r.stdout]).toEqual(['exited', 0, new Machine(prog('hello'), { root: dir, argv: ['hello'] }).run().stdout]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('what the full suite found stays fixed: e_entry beyond TASK_SIZE, execute-only text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-fuzz-found-'));
    const bad = Buffer.from(readFileSync(prog('exit42')));
    bad.writeBigUInt64LE(0xffffffffffffffffn, 24);
    expect(runElfCase({ name: 'e_entry=~0', file: bad }, dir)).toEqual({ kind: 'error',
      detail: 'LoaderError: /prog: e_entry 0xffffffffffffffff is not a user address: EINVAL, past the point of no return, ' +
        'Linux kills the process with SIGSEGV' });
    // PF_X alone: without EPAN, PROT_EXEC implies read, so the text's literal pools load as on Linux
    const xo = Buffer.from(readFileSync(prog('hello')));
    const phoff = Number(xo.readBigUInt64LE(32));
    const text = Array.from({ length: xo.readUInt16LE(56) }, (_, i) => phoff + 56 * i)
      .find((p) => xo.readUInt32LE(p) === 1 && (xo.readUInt32LE(p + 4) & 1) !== 0)!;
    xo.writeUInt32LE(1, text + 4);
    writeFileSync(join(dir, 'xo'), xo, { mode: 0o755 });
    const r = new Machine(join(dir, 'xo'), { root: dir }).run();
    expect([r.exit.kind, r.exit.code, r.stdout]).toEqual(['exited', 0, new Machine(prog('hello'), { root: dir, argv: [join(dir, 'xo')] }).run().stdout]);
    rmSync(dir, { recursive: true, force: true });
  });
});
