// Cold start, before and after: the processes of hello's cold-start phases (Node alone, the CLI's modules: `run`
// of a missing file, the libraries: `--version`, then `run` of hello, exact and --fast), for one CLI or two
// (--before PATH: another checkout's bin/arm64-fault.js), alternated round by round so that both see the same
// neighbours. Each process reports its own CPU time (user + system, all threads, in µs: process.cpuUsage) and its
// age (performance.now) when it exits, through a preloaded file, so the phases of 10-50 ms are not lost in
// USER_HZ ticks as `npm run bench`'s whole-process CPU times are; wall time is measured around each process. The
// table shows medians and, for a machine others are using, minimums (the least disturbed run).
// Run: npx tsx bench/cold.ts [--rounds N] [--before PATH]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(arg('--rounds') ?? 21);
const before = arg('--before');
const after = join(import.meta.dirname, '..', 'bin', 'arm64-fault.js');
const hello = join(import.meta.dirname, '..', 'programs', 'build', 'hello');
const root = mkdtempSync(join(tmpdir(), 'af-cold-'));
const preload = join(root, 'exit-times.cjs');
writeFileSync(preload, `process.on('exit', () => {
  const c = process.cpuUsage();
  require('node:fs').writeSync(2, '\\n@@cold ' + performance.now() + ' ' + (c.user + c.system) / 1000 + '\\n');
});\n`);

interface Row { label: string; cmd: string[]; status: number; cpu: number[]; age: number[]; wall: number[] }
const row = (label: string, cmd: string[], status = 0): Row => ({ label, cmd, status, cpu: [], age: [], wall: [] });
const phases = (name: string, bin: string): Row[] => [
  row(`${name}: run of a missing file (the CLI's modules)`, [bin, 'run', join(root, 'missing')], 126),
  row(`${name}: --version (+ koffi, libunicorn, helper)`, [bin, '--version']),
  row(`${name}: run hello`, [bin, 'run', hello]),
  row(`${name}: run --fast hello`, [bin, 'run', '--fast', hello]),
];
const rows = [row('node -e 0', [process.execPath, '-e', '0']),
  ...(before ? phases('before', before) : []), ...phases(before ? 'after' : 'this checkout', after)];

for (let r = 0; r < rounds; r++) {
  for (const x of rows) {
    const t0 = performance.now();
    const p = spawnSync(x.cmd[0], x.cmd.slice(1), { cwd: root, encoding: 'utf8',
      env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '', NODE_OPTIONS: `--require ${preload}` } });
    x.wall.push(performance.now() - t0);
    const m = /@@cold (\S+) (\S+)/.exec(p.stderr);
    if (p.status !== x.status || !m) throw new Error(`${x.cmd.join(' ')}: exit ${p.status}: ${p.stderr.slice(-500)}`);
    x.age.push(Number(m[1]));
    x.cpu.push(Number(m[2]));
  }
}
rmSync(root, { recursive: true, force: true });

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;
console.log(`cold start, ${rounds} alternated rounds; median (minimum) of each process's CPU time, age at exit, wall time`);
console.log('| process | CPU | age at exit | wall |\n|---|---|---|---|');
for (const x of rows) {
  console.log(`| ${x.label} | ${ms(median(x.cpu))} (${ms(Math.min(...x.cpu))}) | ${ms(median(x.age))} (${ms(Math.min(...x.age))}) | ` +
    `${ms(median(x.wall))} (${ms(Math.min(...x.wall))}) |`);
}
