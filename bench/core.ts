// bench/core: a process with 1 GiB mapped and 64 MiB touched crashes (programs/c/bigmem.c). Our core's write
// time (coredump_begin → coredump_end, measured in-process) and on-disk size, against qemu-aarch64's core of the
// same program (its write time estimated as the run with `ulimit -c unlimited` minus the run with `ulimit -c 0`).
// Target: on-disk size within 1% of the touched memory plus notes, written in under 0.5 s.
// Run: npx tsx bench/core.ts [rounds]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';

const prog = join(import.meta.dirname, '..', 'programs', 'build', 'bigmem');
const rounds = Number(process.argv[2] ?? 3);
const TOUCHED = 64 * 2 ** 20;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function ours(): { ms: number; disk: number; size: number; notes: number } {
  const root = mkdtempSync(join(tmpdir(), 'af-core-'));
  let t0 = 0;
  let ms = 0;
  const sink = (e: { name: string }) => {
    if (e.name === 'coredump_begin') t0 = performance.now();
    if (e.name === 'coredump_end') ms = performance.now() - t0;
  };
  const r = new Machine(prog, { root }, sink).run();
  if (!r.core.dumped) throw new Error(`no core: ${r.core.reason}`);
  const st = statSync(r.core.path!);
  const readelf = spawnSync('readelf', ['-lW', r.core.path!], { encoding: 'utf8' }).stdout;
  const notes = parseInt(/NOTE\s+\S+\s+\S+\s+\S+\s+(0x[0-9a-f]+)/.exec(readelf)![1], 16);
  rmSync(root, { recursive: true });
  return { ms, disk: st.blocks * 512, size: st.size, notes };
}

function qemu(limit: string): { ms: number; disk: number } {
  const cwd = mkdtempSync(join(tmpdir(), 'af-qcore-'));
  const t0 = performance.now();
  spawnSync('bash', ['-c', `ulimit -c ${limit}; exec qemu-aarch64 ${prog}`], { cwd, stdio: 'ignore' });
  const ms = performance.now() - t0;
  const core = readdirSync(cwd).find((f) => f.endsWith('.core'));
  const disk = core ? statSync(join(cwd, core)).blocks * 512 : 0;
  rmSync(cwd, { recursive: true });
  return { ms, disk };
}

const a: ReturnType<typeof ours>[] = [];
const q: number[] = [];
const q0: number[] = [];
let qdisk = 0;
for (let i = 0; i < rounds; i++) {
  a.push(ours());
  const withCore = qemu('unlimited');
  qdisk = withCore.disk;
  q.push(withCore.ms);
  q0.push(qemu('0').ms);
}
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const o = a[a.length - 1];
const expected = TOUCHED + o.notes;
console.log(`bigmem: 1 GiB mapped, ${mb(TOUCHED)} touched; medians of ${rounds} alternated rounds`);
console.log(`arm64-fault   core write ${median(a.map((x) => x.ms)).toFixed(0)} ms, on disk ${mb(o.disk)} ` +
  `(${((o.disk / expected - 1) * 100).toFixed(2)}% over touched + notes), file size ${mb(o.size)}`);
console.log(`qemu-aarch64  core write ≈ ${(median(q) - median(q0)).toFixed(0)} ms (run ${median(q).toFixed(0)} ms − ` +
  `${median(q0).toFixed(0)} ms without core), on disk ${mb(qdisk)}`);
