// npm run bench:threads — the cost of a thread switch (sched_yield ping-pong between two threads) and of a
// futex wait/wake round trip (a token handed back and forth), arm64-fault against qemu-aarch64, wall clock,
// median of the rounds. Run: npx tsx bench/threads.ts [N] [rounds]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const here = import.meta.dirname;
const n = Number(process.argv[2] ?? 20000);
const rounds = Number(process.argv[3] ?? 3);
const prog = join(here, '..', 'programs', 'build', 'bench_thr');
const cli = join(here, '..', 'bin', 'arm64-fault.js');

function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (!r.stdout.includes('done ')) throw new Error(`${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [mode, per, what] of [['yield', 2 * n, 'thread switch (sched_yield)'], ['futex', n, 'futex wait/wake round trip']] as const) {
  const cost = (cmd: string, args: string[], empty: string[]) => {
    // the same program with N = 0 measures start-up, which is taken away
    const full = median(Array.from({ length: rounds }, () => time(cmd, args)));
    const base = median(Array.from({ length: rounds }, () => time(cmd, empty)));
    return ((full - base) * 1000) / per;
  };
  const q = cost('qemu-aarch64', [prog, mode, String(n)], [prog, mode, '0']);
  const a = cost('node', [cli, 'run', prog, '--', mode, String(n)], [cli, 'run', prog, '--', mode, '0']);
  console.log(`${what}: arm64-fault ${a.toFixed(1)} µs, qemu-aarch64 ${q.toFixed(1)} µs, ratio ${(a / q).toFixed(1)}×`);
}
