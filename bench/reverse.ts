// bench/reverse: the cost of reverse execution in the gdb stub (src/gdbstub/replay.ts) when the process is 1e7 and
// 1e8 instructions into its run. programs/c/rev_corrupt crashes after a loop of N iterations (4 instructions each);
// gdb-multiarch continues to the SIGSEGV, then times (with its own Python clock, so only the stub's work and the
// protocol are measured) one reverse-stepi, and the whole scenario of the README: a watchpoint on the corrupted
// pointer and reverse-continue to the store. Every reverse step re-executes the run from its start, so the cost
// grows with the position; the forward `continue` to the crash is shown beside it.
// Run: npx tsx bench/reverse.ts [rounds]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const cli = join(here, '..', 'bin', 'arm64-fault.js');
const prog = join(here, '..', 'programs', 'build', 'rev_corrupt');
const rounds = Number(process.argv[2] ?? 3);
execFileSync('bash', [join(here, '..', 'scripts', 'bundle.sh')], { stdio: 'inherit' });

/** One gdb session: `timed` commands each get a "T <label> <seconds>" line. */
async function session(iters: number, timed: [string | null, string][]): Promise<Record<string, number>> {
  const child = spawn(cli, ['run', '--root', mkdtempSync(join(tmpdir(), 'af-bench-')), '--gdb', '0', prog, '--', String(iters)]);
  const port = await new Promise<number>((resolve) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
  });
  const cmds = ['set confirm off', `target remote 127.0.0.1:${port}`, 'python import time'];
  for (const [label, cmd] of timed) {
    if (label === null) cmds.push(cmd);
    else cmds.push('python t0 = time.perf_counter()', cmd, `python print("T ${label} %.4f" % (time.perf_counter() - t0))`);
  }
  cmds.push('kill');
  const r = spawnSync('gdb-multiarch', ['-nx', '-batch', ...cmds.flatMap((c) => ['-ex', c]), prog], { encoding: 'utf8', timeout: 600_000 });
  await new Promise((res) => child.on('close', res));
  const out: Record<string, number> = {};
  for (const m of r.stdout.matchAll(/^T (\S+) ([\d.]+)$/gm)) out[m[1]] = Number(m[2]);
  if (Object.keys(out).length !== timed.filter(([l]) => l !== null).length) throw new Error(`gdb session failed:\n${r.stdout}${r.stderr}`);
  return out;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [label, iters] of [['1e7', 2_500_000], ['1e8', 25_000_000]] as const) {
  const res: Record<string, number[]> = {};
  for (let i = 0; i < rounds; i++) {
    const t = await session(iters, [['continue', 'continue'], ['reverse-stepi', 'reverse-stepi'], ['reverse-stepi-2', 'reverse-stepi'],
      [null, 'watch -l first.next'], ['watch+reverse-continue', 'reverse-continue']]);
    for (const [k, v] of Object.entries(t)) (res[k] ??= []).push(v);
  }
  console.log(`crash ${label} instructions into the run (churn ${iters}); medians of ${rounds} sessions, seconds`);
  for (const [k, v] of Object.entries(res)) console.log(`  ${k.padEnd(24)} ${median(v).toFixed(3)}`);
}
