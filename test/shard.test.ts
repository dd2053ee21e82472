// `arm64-fault test --shard i/n` through the installed command, the example workflow that runs 4 shards, and
// expect.core.gdb (gdb-multiarch on a scenario's core).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN } from './bin.ts';
import { selectShard, parseShard } from '../src/harness/shard.ts';
import { runScenario } from '../src/harness/run.ts';

const ROOT = join(import.meta.dirname, '..');
const SCENARIOS = join(ROOT, 'test/scenarios');
const af = (cwd: string, ...args: string[]) => spawnSync(BIN, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });
const cases = (xml: string) => [...xml.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1]);

describe('arm64-fault test --shard i/n', () => {
  it('the 4 shards of the example workflow run every scenario exactly once, each with its own JUnit report', () => {
    const wf = parse(readFileSync(join(ROOT, 'examples/github-actions-sharded.yml'), 'utf8'));
    expect(wf.jobs.scenarios.strategy.matrix.shard).toEqual([1, 2, 3, 4]);
    const step = (wf.jobs.scenarios.steps as { run?: string }[]).find((s) => s.run?.startsWith('npx arm64-fault test'))!.run!;
    expect((wf.jobs.report.steps as { run?: string }[]).some((s) => s.run?.includes('jrm arm64-fault.xml "shards/*/shard-*.xml"'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'af-shard-'));
    const all: string[] = [];
    for (const i of [1, 2, 3, 4]) {
      const args = step.replaceAll('${{ matrix.shard }}', String(i)).split(' ').slice(2)
        .map((a) => (a === 'crashes/scenarios' ? SCENARIOS : a));
      const r = af(dir, ...args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`shard ${i}/4: 6 of 24 scenarios`);
      const xml = readFileSync(join(dir, `shard-${i}.xml`), 'utf8');
      expect(xml).toContain(`<testsuite name="arm64-fault scenarios (shard ${i}/4)" tests="6" failures="0" errors="0"`);
      all.push(...cases(xml));
    }
    const names = readdirSync(SCENARIOS).map((f) => parse(readFileSync(join(SCENARIOS, f), 'utf8')).name as string);
    expect(all.sort()).toEqual(names.sort());
  });

  it('a shard depends on the scenario names only: not on paths or order; sizes differ by one at most; may be empty', () => {
    const a = mkdtempSync(join(tmpdir(), 'af-shard-')), b = mkdtempSync(join(tmpdir(), 'af-shard-'));
    mkdirSync(join(b, 'nested'));
    const files = readdirSync(SCENARIOS);
    files.forEach((f, i) => {
      copyFileSync(join(SCENARIOS, f), join(a, f));
      copyFileSync(join(SCENARIOS, f), join(b, 'nested', `renamed-${files.length - i}.yaml`));
    });
    const name = (f: string) => parse(readFileSync(f, 'utf8')).name as string;
    const fa = files.map((f) => join(a, f)), fb = readdirSync(join(b, 'nested')).map((f) => join(b, 'nested', f)).reverse();
    for (const n of [1, 3, 5]) {
      const sizes: number[] = [];
      for (let i = 1; i <= n; i++) {
        const sa = selectShard(fa, { index: i, count: n }).map(name), sb = selectShard(fb, { index: i, count: n }).map(name);
        expect(sb.sort()).toEqual(sa.sort());
        sizes.push(sa.length);
      }
      expect(sizes.reduce((x, y) => x + y)).toBe(files.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(selectShard(fa.slice(0, 2), { index: 3, count: 4 }).length + selectShard(fa.slice(0, 2), { index: 4, count: 4 }).length).toBeLessThanOrEqual(2);
    expect(() => parseShard('5/4')).toThrow(/is not i\/n/);
    expect(() => parseShard('0/4')).toThrow(/is not i\/n/);
    const bad = af(a, 'test', a, '--shard', '2-4');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"2-4" is not i/n');
  });

  it('an empty shard passes with an empty report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-shard-'));
    copyFileSync(join(SCENARIOS, 'hello_output.yaml'), join(dir, 'hello_output.yaml'));
    const runs = [1, 2].map((i) => af(dir, 'test', dir, '--shard', `${i}/2`, '-r', 'junit'));
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    expect(runs.map((r) => cases(r.stdout).length).sort()).toEqual([0, 1]);
  });
});

describe('expect.core.gdb', () => {
  const scenario = (gdb: string, extra = '') => {
    const f = join(mkdtempSync(join(tmpdir(), 'af-coregdb-')), 's.yaml');
    writeFileSync(f, `name: coregdb\nprogram: segv_maperr_null\nsetup: { rlimitCore: ${extra || 'unlimited'} }\nexpect:\n  core:\n    gdb:\n${gdb}\n`);
    return runScenario(f);
  };

  it('passes when every command prints its lines, in order', () => {
    const r = scenario('      - { command: bt, output: ["/^#0 +fault_insn /"] }\n      - { command: "p $_siginfo._sifields._sigfault.si_addr", output: "$1 = (void *) 0x0" }');
    expect(r.failures).toEqual([]);
  });

  it("names the command, the line it missed and gdb's output", () => {
    const r = scenario('      - { command: "info registers pc", output: ["/^pc +0x/", "/walk/"] }');
    expect(r.ok).toBe(false);
    expect(r.failures[0].field).toBe('core.gdb[0].output[1]');
    expect(r.failures[0].expected).toBe('(gdb) info registers pc\n/walk/');
    expect(r.failures[0].actual).toMatch(/^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <fault_insn>$/);
  });

  it('fails with the reason when there is no core', () => {
    const r = scenario('      - { command: bt, output: "/fault_insn/" }', '0');
    expect(r.failures).toEqual([{ field: 'core.gdb', expected: 'a core to run gdb on', actual: expect.stringMatching(/^no core: RLIMIT_CORE is 0/) }]);
  });
});
