// A seeded slice of the fuzz suite (the whole of it: npm run fuzz): malformed ELF files end in a named error or
// a guest outcome, never a host crash; hostile guest paths and core patterns change nothing outside the root.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfCases, pathCases } from './fuzz/cases.ts';
import { runElfCase, runPathCase } from './fuzz/run.ts';
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
});
