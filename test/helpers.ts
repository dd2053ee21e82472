// Shared helpers for integration tests: program paths, symbols via nm, runs in a fresh temp root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';

export const prog = (name: string): string => join(import.meta.dirname, '..', 'programs', 'build', name);

export function symbol(name: string, sym: string): bigint {
  const out = execFileSync('aarch64-linux-gnu-nm', [prog(name)], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.endsWith(` ${sym}`));
  if (!line) throw new Error(`${sym} not in ${name}`);
  return BigInt('0x' + line.split(' ')[0]);
}

export function run(name: string, opts: Partial<MachineOptions> = {}) {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'af-'));
  return { root, report: new Machine(prog(name), { root, ...opts }).run() };
}
