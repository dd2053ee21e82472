// bench/compute: the same static binary under arm64-fault and qemu-aarch64, alternated in one run.
// Prints wall-time ratios (default exact-icount mode and --fast) and the cold start of hello (a fresh
// `arm64-fault run` process, as a user would type it). Run: npx tsx bench/compute.ts [rounds]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const cli = join(here, '..', 'bin', 'arm64-fault.js');
const prog = (n: string) => join(here, '..', 'programs', 'build', n);
const root = mkdtempSync(join(tmpdir(), 'af-bench-'));
// the CLI runs dist/cli.js only when it is newer than src/: bundle first so start-up is measured, not tsx
execFileSync('bash', [join(here, '..', 'scripts', 'bundle.sh')], { stdio: 'inherit' });
const rounds = Number(process.argv[2] ?? 3);

function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// compute: loads and stores over a 64 KiB array; spin: a register-only loop (the control: Unicorn 2.0.1's
// stores take a slow path, unicorn-engine/unicorn#1970, so the two together attribute the gap).
for (const name of ['compute', 'spin']) {
  const res = { qemu: [] as number[], exact: [] as number[], fast: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    res.qemu.push(time('qemu-aarch64', [prog(name)]));
    res.exact.push(time(cli, ['run', '--root', root, prog(name)]));
    res.fast.push(time(cli, ['run', '--fast', '--root', root, prog(name)]));
  }
  const icount = JSON.parse(execFileSync(cli, ['run', '--json', '--root', root, prog(name)], { encoding: 'utf8' })).icount;
  const q = median(res.qemu);
  console.log(`${name}: ${icount} instructions; medians of ${rounds} alternated rounds`);
  console.log(`  qemu-aarch64          ${q.toFixed(0)} ms`);
  console.log(`  arm64-fault (exact)   ${median(res.exact).toFixed(0)} ms   ratio ${(median(res.exact) / q).toFixed(2)}`);
  console.log(`  arm64-fault --fast    ${median(res.fast).toFixed(0)} ms   ratio ${(median(res.fast) / q).toFixed(2)}`);
}
const cold: number[] = [];
for (let i = 0; i < 5; i++) cold.push(time(cli, ['run', '--root', root, prog('hello')]));
console.log(`hello cold start        ${median(cold).toFixed(0)} ms (median of 5 whole CLI processes)`);
