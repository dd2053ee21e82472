import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { elfSymbols } from './elf_symbols.ts';

describe('elfSymbols', () => {
  it('agrees with nm on every defined symbol of a static program', () => {
    const file = join(import.meta.dirname, '..', '..', 'programs', 'build', 'bus_adraln_stxr');
    const syms = elfSymbols(readFileSync(file));
    const nm = execFileSync('aarch64-linux-gnu-nm', [file], { encoding: 'utf8' }).trim().split('\n')
      .map((l) => l.split(' ')).filter((p) => p.length === 3 && p[1] !== 'U');
    expect(nm.length).toBeGreaterThan(3);
    for (const [v, , n] of nm) expect(syms.get(n), n).toBe(BigInt(`0x${v}`));
  });

  it('gives nothing for a file without sections', () => {
    expect(elfSymbols(Buffer.alloc(64)).size).toBe(0);
  });
});
