// npm run fuzz [-- ELF_CASES PATH_CASES INSN_CASES SEED]: the whole fuzz suite, with counts by outcome.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfCases, pathCases, insnCases, insnProgram } from './cases.ts';
import { assemble } from '../../src/harness/scenario.ts';
import { runElfCase, runPathCase, runInsnCase, qemuFirstSignal, type Outcome } from './run.ts';
import { prog } from '../helpers.ts';

const [elfN = 2000, pathN = 400, insnN = 300, seed = 1] = process.argv.slice(2).map(Number);
const counts = new Map<string, number>();
const bad: string[] = [];
const note = (suite: string, name: string, o: Outcome) => {
  counts.set(`${suite} ${o.kind}`, (counts.get(`${suite} ${o.kind}`) ?? 0) + 1);
  if (o.kind === 'crash' || o.kind === 'escape') bad.push(`${suite} ${name}: ${o.detail}`);
};
const dir = mkdtempSync(join(tmpdir(), 'af-fuzz-elf-'));
for (const base of ['exit42', 'hello']) {
  for (const c of elfCases(seed, elfN / 2, readFileSync(prog(base)))) note('elf', `${base} ${c.name}`, runElfCase(c, dir));
}
rmSync(dir, { recursive: true, force: true });
for (const c of pathCases(seed, pathN)) note('path', c.name, runPathCase(c));
const classes = new Map<string, number>();
for (const c of insnCases(seed, insnN)) {
  const r = runInsnCase(assemble(insnProgram(c.words), c.name), qemuFirstSignal);
  note('insn', c.name, r.crash ? { kind: 'crash', detail: r.crash } : { kind: r.cls ? 'differs' : 'same', detail: '' } as Outcome);
  if (r.cls) classes.set(r.cls, (classes.get(r.cls) ?? 0) + 1);
  if (r.cls === 'unclassified') bad.push(`insn ${c.name}: ours ${r.ours}, qemu ${r.qemu}`);
}
for (const [k, v] of [...counts].sort()) console.log(`${k}: ${v}`);
for (const [k, v] of [...classes].sort()) console.log(`differs from qemu: ${v} × ${k}`);
for (const b of bad) console.log(`FAIL ${b}`);
console.log(`${elfN + pathN + insnN - bad.length} passed, ${bad.length} failed`);
process.exitCode = bad.length ? 1 : 0;
