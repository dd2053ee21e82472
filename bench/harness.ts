// bench/harness: 500 scenarios (the fault programs of test/scenarios × a few core-dump settings) through
// `arm64-fault test` (parallel workers, one per core), against running the same programs one by one under
// qemu-aarch64, in one run. Target: our wall time ≤ 0.5× qemu's. Run: npx tsx bench/harness.ts
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const here = import.meta.dirname;
const cli = join(here, '..', 'bin', 'arm64-fault.js');
const build = join(here, '..', 'programs', 'build');
const N = 500;
execFileSync('bash', [join(here, '..', 'scripts', 'bundle.sh')], { stdio: 'inherit' });

// the fault-class scenarios (plain program, one signal), varied over RLIMIT_CORE settings
const base = readdirSync(join(here, '..', 'test', 'scenarios'))
  .map((f) => parse(readFileSync(join(here, '..', 'test', 'scenarios', f), 'utf8')))
  .filter((s) => typeof s.program === 'string' && /^(segv|bus|ill|trap)_/.test(s.program) && !s.name.startsWith('core_'));
const settings = [{ rlimitCore: 0 }];
const dir = mkdtempSync(join(tmpdir(), 'af-bench-harness-'));
const programs: string[] = [];
for (let i = 0; i < N; i++) {
  const s = structuredClone(base[i % base.length]);
  s.name = `${s.name}-${i}`;
  s.setup = { ...s.setup, ...settings[i % settings.length] };
  s.program = join(build, s.program);
  writeFileSync(join(dir, `${String(i).padStart(3, '0')}.yaml`), stringify(s));
  programs.push(s.program);
}

let t0 = performance.now();
const ours = spawnSync(cli, ['test', dir], { encoding: 'utf8' });
const oursMs = performance.now() - t0;
if (process.env.SHOW) console.log((ours.stdout + ours.stderr).split('\n').filter((l) => /FAIL|expected|actual/.test(l)).slice(0, 12).join('\n'));
const summary = (ours.stdout + ours.stderr).split('\n').find((l) => /passed, \d+ failed/.test(l)) ?? '(no summary)';

t0 = performance.now();
const qcwd = mkdtempSync(join(tmpdir(), 'af-bench-q-'));
for (const p of programs) spawnSync('bash', ['-c', `ulimit -c 0; exec qemu-aarch64 ${p}`], { cwd: qcwd, stdio: 'ignore' });
const qemuMs = performance.now() - t0;
rmSync(dir, { recursive: true });
rmSync(qcwd, { recursive: true });

console.log(`${N} scenarios (${base.length} fault programs × settings)`);
console.log(`arm64-fault test       ${(oursMs / 1000).toFixed(2)} s   ${summary.trim()}`);
console.log(`qemu-aarch64 one by one ${(qemuMs / 1000).toFixed(2)} s`);
console.log(`ratio ${(oursMs / qemuMs).toFixed(2)} (target ≤ 0.5)`);
