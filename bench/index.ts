// npm run bench: every speed benchmark in one run. Each round runs the same guest program under qemu-aarch64,
// arm64-fault (exact counting, then --fast) and, for the two loops, the raw engine (bench/raw-engine.ts: the same
// libunicorn.so.2, no hooks, one uc_emu_start; its time is the emulation alone, without process start-up). The runs
// alternate round by round and the table shows medians and ratios. Then hello's cold start by phase, and its floor
// (Node's own start, the libraries and the engine's initialisation, hello's instructions in the raw engine).
// bench/core.ts and bench/harness.ts follow.
// Run: npm run bench [-- --rounds N] [--scale F] [--wall] [--cli PATH] [--no-extra] [--rows store,mappings]
//   F < 1 shortens every workload (0.1 for a quick look); --wall times wall clock instead of CPU time.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const argStr = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
// --cli PATH measures another checkout's bin/arm64-fault.js (e.g. the code before a change) on these programs
const cli = argStr('--cli') ?? join(here, '..', 'bin', 'arm64-fault.js');
const prog = (n: string) => join(here, '..', 'programs', 'build', n);
const argOf = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const rounds = argOf('--rounds', 3);
const scale = argOf('--scale', 1);
const root = mkdtempSync(join(tmpdir(), 'af-bench-'));
// the CLI runs dist/cli.js only when it is newer than src/: bundle first so start-up is measured, not tsx
execFileSync('bash', [join(cli, '..', '..', 'scripts', 'bundle.sh')], { stdio: 'inherit' });

// On a shared machine wall time measures the neighbours too: every run is timed both ways, and --wall picks
// the table. CPU time (user + system) of a child comes from our own /proc/self/stat cutime/cstime once it is reaped.
const useWall = process.argv.includes('--wall');
const TICK_MS = 10; // USER_HZ = 100
function childCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS; // fields 16 and 17 of proc(5), counted after "comm) "
}
function wall(cmd: string, args: string[], status = 0): number {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: root, maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== status) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-2000)}`);
  return useWall ? ms : childCpuMs() - c0;
}
function raw(program: string, n: string): number {
  const out = execFileSync('npx', ['tsx', join(here, 'raw-engine.ts'), program, n], { encoding: 'utf8', cwd: join(here, '..') });
  const r = JSON.parse(out) as { ms: number; cpuMs: number };
  return useWall ? r.ms : r.cpuMs;
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

interface Work { name: string; program: string; n: number; what: string; raw: boolean; perIteration?: number }
const works: Work[] = [
  { name: 'store loop', program: 'bench_store', n: Math.round(166_666_667 * scale), what: 'instructions, 1 load + 1 store per 6', raw: true, perIteration: 6 },
  { name: 'register loop', program: 'bench_reg', n: Math.round(166_666_667 * scale), what: 'instructions, registers only', raw: true, perIteration: 6 },
  { name: 'fault round trips', program: 'bench_fault', n: Math.round(100_000 * scale), what: 'SIGSEGV → handler → siglongjmp', raw: false },
  { name: 'getppid', program: 'bench_getppid', n: Math.round(1_000_000 * scale), what: 'system calls', raw: false },
  // vm.max_map_count: one-page mmaps with alternating protections, each touched (programs/c/max_map_count.c).
  // 60,000, not 65,530: qemu-aarch64 maps each guest mapping onto a host one, and at the host's own limit it
  // aborts in GLib (measured 2026-11-29: "failed to allocate 32784 bytes", then it spins).
  { name: 'mappings', program: 'max_map_count', n: Math.round(60_000 * scale), what: 'one-page mmaps, each touched', raw: false },
  { name: 'fork + exit + wait', program: 'bench_fork', n: Math.round(1_000 * scale), what: 'children forked and reaped', raw: false },
];
// --rows a,b: only the rows whose names start with one of these
const rows = argStr('--rows')?.split(',');

const helloReport = JSON.parse(spawnSync(cli, ['run', '--json', prog('hello')], { encoding: 'utf8', cwd: root }).stdout);
const engine = helloReport.engine ?? { version: 'unknown (the report has no engine field)', source: '', path: '' };
console.log(`${cli}: Unicorn ${engine.version} (${engine.source}: ${engine.path}); medians of ${rounds} alternated rounds, ` +
  `${useWall ? 'wall time' : 'CPU time (user + system)'}; the raw engine: uc_emu_start alone`);
console.log('exact/raw and fast/raw: less our start-up (the run with 1 iteration), then (in brackets) the whole process');
console.log('| benchmark | qemu-aarch64 | raw engine | exact | --fast | exact/qemu | fast/qemu | exact/raw | fast/raw |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const w of works.filter((x) => !rows || rows.some((r) => x.name.startsWith(r)))) {
  const t = { qemu: [] as number[], raw: [] as number[], exact: [] as number[], fast: [] as number[],
    exact1: [] as number[], fast1: [] as number[] };
  const n = String(w.n);
  try {
    wall(cli, ['run', '--fast', prog(w.program), '--', n]); // a checkout that cannot run it (a host crash) is a row
  } catch (e) {
    console.log(`| ${w.name} (${w.n.toLocaleString('en')} ${w.what}) | ${String((e as Error).message).split('\n')[0].slice(0, 160)} |`);
    continue;
  }
  for (let i = 0; i < rounds; i++) {
    t.qemu.push(wall('qemu-aarch64', [prog(w.program), n]));
    if (w.raw) t.raw.push(raw(prog(w.program), n));
    t.exact.push(wall(cli, ['run', prog(w.program), '--', n]));
    t.fast.push(wall(cli, ['run', '--fast', prog(w.program), '--', n]));
    if (w.raw) { // the same process with 1 iteration: start-up and exit, to set against uc_emu_start alone
      t.exact1.push(wall(cli, ['run', prog(w.program), '--', '1']));
      t.fast1.push(wall(cli, ['run', '--fast', prog(w.program), '--', '1']));
    }
  }
  const q = median(t.qemu), e = median(t.exact), f = median(t.fast), r = w.raw ? median(t.raw) : NaN;
  const ratio = (a: number, b: number) => (Number.isNaN(b) ? '–' : (a / b).toFixed(2));
  const net = (a: number, a1: number[]) => (w.raw ? `${ratio(a - median(a1), r)} (${ratio(a, r)})` : '–');
  console.log(`| ${w.name} (${(w.n * (w.perIteration ?? 1)).toLocaleString('en')} ${w.what}) | ${fmt(q)} | ${w.raw ? fmt(r) : '–'} | ${fmt(e)} | ${fmt(f)} | ` +
    `${ratio(e, q)} | ${ratio(f, q)} | ${net(e, t.exact1)} | ${net(f, t.fast1)} |`);
}
// cold start: a whole `arm64-fault run` process of hello, as a user types it
if (rows && !rows.some((r) => "hello".startsWith(r))) {
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}
// its phases, as processes that stop after each: Node alone; the CLI's modules loaded (a program that is missing:
// exit status 126); the libraries loaded too (--version: koffi, libunicorn, native/libaficount.so)
const cold = { qemu: [] as number[], exact: [] as number[], fast: [] as number[], node: [] as number[],
  modules: [] as number[], libraries: [] as number[] };
for (let i = 0; i < Math.max(5, rounds); i++) {
  cold.qemu.push(wall('qemu-aarch64', [prog('hello')]));
  cold.exact.push(wall(cli, ['run', prog('hello')]));
  cold.fast.push(wall(cli, ['run', '--fast', prog('hello')]));
  cold.node.push(wall(process.execPath, ['-e', '0']));
  cold.modules.push(wall(cli, ['run', join(root, 'missing')], 126));
  cold.libraries.push(wall(cli, ['--version']));
}
const cq = median(cold.qemu);
console.log(`| hello cold start (whole CLI process) | ${fmt(cq)} | – | ${fmt(median(cold.exact))} | ${fmt(median(cold.fast))} | ` +
  `${(median(cold.exact) / cq).toFixed(2)} | ${(median(cold.fast) / cq).toFixed(2)} | – | – |`);
const [n, m, l, e] = [cold.node, cold.modules, cold.libraries, cold.exact].map(median);
console.log(`\nhello cold start by phase (medians; each phase: the process that stops after it, less the one before):\n` +
  `| Node's own start (node -e 0) | CLI modules | koffi + libunicorn + helper | engine, exec, run, report | whole |\n` +
  `|---|---|---|---|---|\n| ${fmt(n)} | ${fmt(m - n)} | ${fmt(l - m)} | ${fmt(e - l)} | ${fmt(e)} |`);
// The floor under it, what no change to our code removes: Node's own start (above); the libraries, timed inside
// one process (bench/libs.ts); hello's instructions in the raw engine (bench/raw-engine.ts), as the register loop
// (no memory access: the engine's best case) and the store loop (a load and a store per 6 instructions, without
// native/tlb.c's fill hook: every store on Unicorn's slow path) of the same instruction count.
const floor = { koffi: [] as number[], dlopen: [] as number[], rest: [] as number[], reg: [] as number[], store: [] as number[] };
const iterations = String(Math.round(Number(helloReport.icount) / 6));
for (let i = 0; i < Math.max(5, rounds); i++) {
  const out = execFileSync('npx', ['tsx', join(here, 'libs.ts')], { encoding: 'utf8', cwd: join(here, '..') });
  const t = JSON.parse(out) as Record<string, { ms: number; cpuMs: number }>;
  const pick = (x: { ms: number; cpuMs: number }) => (useWall ? x.ms : x.cpuMs);
  floor.koffi.push(pick(t.koffi));
  floor.dlopen.push(pick(t.dlopen));
  floor.rest.push(pick(t.unicorn) + pick(t.open));
  floor.reg.push(raw(prog('bench_reg'), iterations));
  floor.store.push(raw(prog('bench_store'), iterations));
}
const [fk, fd, fr, freg, fst] = [floor.koffi, floor.dlopen, floor.rest, floor.reg, floor.store].map(median);
const ms1 = (x: number) => `${x.toFixed(1)} ms`;
console.log(`\nhello's floor (medians; libraries timed inside one process; ${Number(helloReport.icount).toLocaleString('en')} instructions ` +
  `in the raw engine):\n| Node's own start | koffi's native module | libunicorn.so.2 dlopen | prototypes, helper, engine init | ` +
  `raw engine: register loop / store loop | Node + libraries + register loop |\n|---|---|---|---|---|---|\n` +
  `| ${fmt(n)} | ${ms1(fk)} | ${ms1(fd)} | ${ms1(fr)} | ${ms1(freg)} / ${ms1(fst)} | ${fmt(n + fk + fd + fr + freg)} |`);
rmSync(root, { recursive: true, force: true });

if (!process.argv.includes('--no-extra')) {
  for (const b of ['core.ts', 'harness.ts']) {
    console.log(`\n$ npx tsx bench/${b}`);
    execFileSync('npx', ['tsx', join(here, b)], { stdio: 'inherit' });
  }
}
