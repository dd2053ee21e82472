import { describe, it, expect } from 'vitest';
import { RLIM_INFINITY } from '../kernel/task.ts';
import { parseScenario, scenarioOptions, assemble, ScenarioError } from './scenario.ts';
import { lineMatcher, resolveAddr, checkExpect } from './run.ts';
import type { RunReport } from '../report.ts';

const err = (text: string): string => {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('parseScenario', () => {
  it('normalises values: unlimited, hex ESR, env map, args, signals by name', () => {
    const s = parseScenario([
      'name: n', 'program: exit42', 'args: [a, 7]', 'env: { A: 1, B: x }',
      'setup: { rlimitCore: unlimited, coredumpFilter: "0x7", fast: true, signals: [{ signal: usr1, insns: 10 }] }',
      'expect: { signals: [{ esr: 0x92000021, addr: 4096 }, { esr: "0xF20003E8" }] }',
    ].join('\n'), '/x/s.yaml');
    expect(s.args).toEqual(['a', '7']);
    expect(s.env).toEqual(['A=1', 'B=x']);
    expect(s.setup.rlimitCore).toBe(RLIM_INFINITY);
    expect(s.expect.signals).toEqual([{ esr: '0x92000021', addr: '0x1000' }, { esr: '0xf20003e8' }]);
    const o = scenarioOptions(s, '/p', '/root');
    expect(o).toEqual({ rlimitCore: RLIM_INFINITY, coredumpFilter: 7, countInsns: false, root: '/root', argv: ['/p', 'a', '7'], env: ['A=1', 'B=x'], signals: [{ signo: 10, insns: 10n }] });
  });

  it('errors name file:line:col and the field', () => {
    expect(err('name: n\nprogram: p\nexpect:\n  exit: { kind: died }\n')).toBe(
      "s.yaml:4:17: field \"expect.exit.kind\": Invalid enum value. Expected 'exited' | 'signaled' | 'limit' | 'panic' | 'stuck' | 'timeout' | 'interrupted', received 'died'");
    expect(err('name: n\nprogram: p\nsetup:\n  signals: [{ signal: SIGFOO, insns: 1 }]\nexpect: {}\n')).toBe('s.yaml:4:23: field "setup.signals[0].signal": "SIGFOO" is not a signal name');
    expect(err('program: p\nexpect: {}\n')).toBe('s.yaml:1:1: field "name": required field is missing');
    expect(err('name: n\nprogram: p\nexpect: {}\nexpect: {}\n')).toMatch(/^s\.yaml:4:1: YAML: Map keys must be unique/);
    expect(err('name: n\nprogram: p\nexpect: {}\nsetupp: {}\n')).toBe('s.yaml:4:1: field "setupp": unknown field (did you mean "setup"?)');
  });
});

describe('expectation helpers', () => {
  it('lineMatcher: exact, or /regex/flags', () => {
    expect(lineMatcher('a.b')('axb')).toBe(false);
    expect(lineMatcher('/^a.b$/')('axb')).toBe(true);
    expect(lineMatcher('/^A$/i')('a')).toBe(true);
  });

  it('resolveAddr: hex, decimal and symbol+offset from the program', () => {
    const exe = assemble('.globl _start\n_start:\n  nop\nsym:\n  brk #0\n');
    expect(resolveAddr('0X10', exe)).toBe('0x10');
    expect(resolveAddr('16', exe)).toBe('0x10');
    expect(resolveAddr('sym+8', exe)).toBe(`0x${(BigInt(resolveAddr('_start', exe)) + 12n).toString(16)}`);
    expect(resolveAddr('nosuch', exe)).toBe('<no symbol nosuch>');
  });

  it('stdout lines are an ordered subsequence; the first missing one is reported', () => {
    const r = { exit: { kind: 'exited', code: 0, signal: null, coreDumped: false, waitStatus: 0 }, signals: [], core: { dumped: false, path: null, size: 0, truncated: false, reason: null, steps: [] },
      stdout: 'a\nb\nc\n', stderr: '', kernelLog: [], icount: 1, gcores: [], notes: [], program: { path: '', argv: [] }, sysctlChanges: [], sysctl: {} } as RunReport;
    expect(checkExpect({ stdout: ['a', 'c'] }, r, [], '')).toEqual([]);
    expect(checkExpect({ stdout: ['c', 'a'] }, r, [], '')).toEqual([{ field: 'stdout[1]', expected: 'a', actual: 'a\nb\nc' }]);
    expect(checkExpect({ trace: ['x'], exit: { code: 1 } }, r, ['y'], '')).toEqual([
      { field: 'exit.code', expected: '1', actual: '0' }, { field: 'trace[0]', expected: 'x', actual: 'y' }]);
  });
});
