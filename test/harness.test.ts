// Issue "Scripted experiments and a regression harness": every scenario in test/scenarios passes on worker
// threads; a wrong expectation fails naming its field; a typo'd field is an error naming file:line and field;
// the JUnit report carries one testcase per scenario.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch, harnessMain, type BatchResult } from '../src/harness/batch.ts';
import { runScenario } from '../src/harness/run.ts';
import { loadScenario, ScenarioError } from '../src/harness/scenario.ts';

const DIR = join(import.meta.dirname, 'scenarios');
const names = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

describe('test/scenarios on worker threads', () => {
  let batch: BatchResult;
  beforeAll(async () => { batch = await runBatch([DIR], { jobs: 2, reporter: 'junit' }); });

  it('has the fault classes and the core-policy scenarios', () => {
    expect(names.length).toBeGreaterThanOrEqual(18);
    expect(names).toEqual(expect.arrayContaining(['core_unlimited', 'core_truncated', 'core_pattern_nodir', 'bus_adraln_ldxr', 'asm_inline_brk']));
  });

  it('all pass, in file order', () => {
    const failed = batch.results.filter((r) => !r.ok).map((r) => ({ name: r.name, failures: r.failures, error: r.error }));
    expect(failed).toEqual([]);
    expect(batch.ok).toBe(true);
    expect(batch.results.map((r) => r.name)).toEqual(names);
  });

  it('the JUnit report has one <testcase> per scenario and no <failure>', () => {
    const xml = batch.output;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="arm64-fault"')).toBe(true);
    expect(xml).toContain(`<testsuite name="arm64-fault scenarios" tests="${names.length}" failures="0" errors="0"`);
    const cases = [...xml.matchAll(/<testcase name="([^"]+)" classname="[^"]+" time="\d+\.\d{3}"\/>/g)].map((m) => m[1]);
    expect(cases).toEqual(names);
    expect(xml).not.toContain('<failure');
    expect(xml.trimEnd().endsWith('</testsuite>\n</testsuites>')).toBe(true);
  });
});

describe('failures and errors', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'af-harness-'));
  const wrong = join(tmp, 'wrong.yaml');
  writeFileSync(wrong, [
    'name: wrong_esr',
    'program: bus_adraln_ldxr',
    'setup: { rlimitCore: 0 }',
    'expect:',
    '  exit: { kind: signaled, signal: SIGBUS }',
    '  signals:',
    '    - { signal: SIGBUS, code: BUS_ADRALN, esr: 0x92000061 }',
    '',
  ].join('\n'));
  const typo = join(tmp, 'typo.yaml');
  writeFileSync(typo, 'name: typo\nprogram: exit42\nsetup:\n  rlimitCore: 0\n  maxInsn: 100\nexpect: {}\n');

  it('a wrong ESR fails with exactly that field, expected and actual', () => {
    const r = runScenario(wrong);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([{ field: 'signals[0].esr', expected: '0x92000061', actual: '0x92000021' }]);
  });

  it('a typo is a ScenarioError naming file:line:col and the field, with a suggestion', () => {
    expect(() => loadScenario(typo)).toThrow(ScenarioError);
    expect(() => loadScenario(typo)).toThrow(`${typo}:5:3: field "setup.maxInsn": unknown field (did you mean "maxInsns"?)`);
  });

  it('a wrong type names the field and its line', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'af-harness-type-')), 'type.yaml');
    writeFileSync(f, 'name: t\nprogram: exit42\nexpect:\n  exit:\n    code: "42"\n');
    expect(() => loadScenario(f)).toThrow(`${f}:5:11: field "expect.exit.code": Expected number, received string`);
  });

  it('in a batch both fail, the JUnit <failure> shows expected and actual side by side, exit status 1', async () => {
    const b = await runBatch([tmp], { jobs: 1, reporter: 'junit' });
    expect(b.ok).toBe(false);
    expect(b.results.map((r) => [r.name, r.ok])).toEqual([['typo', false], ['wrong_esr', false]]);
    expect(b.output).toContain('failures="1" errors="1"');
    expect(b.output).toMatch(/<failure message="1 expectation failed: signals\[0\]\.esr" type="expectation">field +│ expected +│ actual\n[─┼]+\nsignals\[0\]\.esr │ 0x92000061 +│ 0x92000021<\/failure>/);
    const out = join(tmp, 'report.xml');
    const status = await harnessMain([tmp, '--jobs', '1', '--reporter', 'junit', '--output', out]);
    expect(status).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('<testcase name="wrong_esr"');
    expect(await harnessMain([join(DIR, 'segv_maperr_l0.yaml'), '-o', join(tmp, 'ok.txt')])).toBe(0);
  });
});
