// One scenario: a fresh Machine in a fresh temp root, a trace sink that keeps event names, and a check of
// every expectation that lists each mismatch as {field, expected, actual} (all of them, not the first).
import { elfSymbols } from '../fs/elf_symbols.ts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine } from '../machine.ts';
import type { RunReport } from '../report.ts';
import type { TraceEvent } from '../trace.ts';
import { gdbOnCore } from './coregdb.ts';
import { loadScenario, matchesText, resolveProgram, scenarioOptions, type Expect, type Scenario } from './scenario.ts';

export interface Failure {
  /** the expectation's path in the file, e.g. `signals[0].esr` */
  field: string;
  expected: string;
  actual: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  ok: boolean;
  failures: Failure[];
  /** null when the scenario could not run (invalid file, missing program); `error` says why */
  report: RunReport | null;
  error: string | null;
  /** event name and icount of every trace event */
  trace: { name: string; icount: number | null }[];
  ms: number;
}

export interface RunScenarioOptions {
  /** keep the temp root (core files) instead of removing it */
  keepRoot?: boolean;
}

/** A scenario's budget unless its setup names one: instructions, and virtual time (sleeps are free otherwise). */
export const SCENARIO_MAX_INSNS = 2_000_000_000n;
export const SCENARIO_TIMEOUT_NS = 600n * 1_000_000_000n;

/** Loads (if given a path) and runs one scenario. Throws ScenarioError for an invalid file. */
export function runScenario(file: string | Scenario, opts: RunScenarioOptions = {}): ScenarioResult {
  const s = typeof file === 'string' ? loadScenario(file) : file;
  const t0 = performance.now();
  const program = resolveProgram(s);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'af-scn-'));
  const trace: ScenarioResult['trace'] = [];
  try {
    const sink = (e: TraceEvent) => void trace.push({ name: e.name, icount: e.icount });
    const o = scenarioOptions(s, program, root);
    // the default budget: a runaway scenario fails with that reason, and the batch goes on
    const budget = o.countInsns !== false && o.maxInsns === undefined && o.timeout === undefined;
    if (budget) Object.assign(o, { maxInsns: SCENARIO_MAX_INSNS, timeout: SCENARIO_TIMEOUT_NS });
    const report = new Machine(program, o, sink).run();
    const failures = checkExpect(s.expect, report, trace.map((e) => e.name), program);
    if (budget && (report.exit.kind === 'limit' || report.exit.kind === 'timeout') && s.expect.exit?.kind !== report.exit.kind) {
      failures.unshift({ field: 'budget', expected: 'the run ends within the default budget',
        actual: `exceeded the default ${report.exit.kind === 'limit' ? `instruction budget (${SCENARIO_MAX_INSNS} instructions)`
          : `virtual-time budget (${SCENARIO_TIMEOUT_NS / 1_000_000_000n} s)`}; set setup.maxInsns or setup.timeout to change it` });
    }
    return { name: s.name, file: s.file, ok: failures.length === 0, failures, report, error: null, trace, ms: performance.now() - t0 };
  } finally {
    if (!opts.keepRoot) fs.rmSync(root, { recursive: true, force: true });
  }
}

/** `/re/flags` is a regular expression; anything else must match exactly (scenario.ts textPattern). */
export function lineMatcher(want: string): (line: string) => boolean {
  return (line) => matchesText(want, line);
}

/**
 * Ordered subsequence: every wanted item matches some later actual item. Returns the index of the first
 * wanted item that found no match, or -1.
 */
function subsequence(wanted: string[], actual: string[], match: (want: string) => (a: string) => boolean): number {
  let j = 0;
  for (let i = 0; i < wanted.length; i++) {
    const m = match(wanted[i]);
    while (j < actual.length && !m(actual[j])) j++;
    if (j === actual.length) return i;
    j++;
  }
  return -1;
}

const symbolCache = new Map<string, Map<string, bigint>>();
function symbols(program: string): Map<string, bigint> {
  let m = symbolCache.get(program);
  if (!m) {
    m = elfSymbols(fs.readFileSync(program));
    symbolCache.set(program, m);
  }
  return m;
}

/** `0x…`, a decimal, or `symbol[+off]` from the program's symbol table, as the report spells addresses. */
export function resolveAddr(want: string, program: string): string {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(want)) return `0x${BigInt(want).toString(16)}`;
  const m = /^([A-Za-z_.$][\w.$]*)\s*(?:\+\s*(0x[0-9a-f]+|\d+))?$/i.exec(want);
  const base = m ? symbols(program).get(m[1]) : undefined;
  if (!m || base === undefined) return `<no symbol ${want}>`;
  return `0x${(base + BigInt(m[2] ?? 0)).toString(16)}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Every mismatch between `want` and the run. */
export function checkExpect(want: Expect, r: RunReport, traceNames: string[], program: string): Failure[] {
  const f: Failure[] = [];
  const eq = (field: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined && expected !== actual) f.push({ field, expected: show(expected), actual: show(actual) });
  };
  /** exact or /re/; a plain string that would have matched as a substring says how to write the regex */
  const text = (field: string, expected: string | undefined, actual: string | null) => {
    if (expected === undefined || (actual !== null && matchesText(expected, actual))) return;
    const hint = actual?.includes(expected) ? ` (a plain string matches exactly; write /${expected.replace(/[/\\^$.*+?()[\]{}|]/g, '\\$&')}/ for part of it)` : '';
    f.push({ field, expected: expected + hint, actual: show(actual) });
  };
  if (want.exit) {
    eq('exit.kind', want.exit.kind, r.exit.kind);
    eq('exit.code', want.exit.code, r.exit.code);
    eq('exit.signal', want.exit.signal, r.exit.signal);
  }
  eq('coreDumped', want.coreDumped, r.exit.coreDumped);
  if (want.signals) {
    const all = r.signals.map((s) => `${s.name} ${s.codeName}`).join(', ') || 'none';
    eq('signals.length', want.signals.length, r.signals.length);
    want.signals.forEach((w, i) => {
      const s = r.signals[i];
      if (!s) return f.push({ field: `signals[${i}]`, expected: show(w), actual: `no signal #${i} (signals: ${all})` });
      eq(`signals[${i}].signal`, w.signal, s.name);
      text(`signals[${i}].code`, w.code, s.codeName);
      if (w.addr !== undefined) eq(`signals[${i}].addr`, resolveAddr(w.addr, program), s.addr);
      eq(`signals[${i}].esr`, w.esr, s.esr);
      text(`signals[${i}].fault`, w.fault, s.fault);
      if (w.pc !== undefined) eq(`signals[${i}].pc`, resolveAddr(w.pc, program), s.pc ?? null);
      for (const k of ['symbol', 'line', 'insn'] as const) text(`signals[${i}].${k}`, w[k], s[k] ?? null);
      eq(`signals[${i}].source`, w.source, s.source);
      eq(`signals[${i}].action`, w.action, s.action);
    });
  }
  if (want.core) {
    eq('core.dumped', want.core.dumped, r.core.dumped);
    eq('core.truncated', want.core.truncated, r.core.truncated);
    text('core.reason', want.core.reason, r.core.reason);
    text('core.path', want.core.path, r.core.path);
    if (want.core.gdb) f.push(...checkCoreGdb(want.core.gdb, r, program));
  }
  const lines = (field: string, wanted: string[] | undefined, actual: string[]) => {
    if (!wanted) return;
    const miss = subsequence(wanted, actual, lineMatcher);
    if (miss >= 0) f.push({ field: `${field}[${miss}]`, expected: wanted[miss], actual: actual.join('\n') || '(empty)' });
  };
  const split = (s: string) => (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n').filter((l, i, a) => a.length > 1 || l !== '');
  lines('stdout', want.stdout, split(r.stdout));
  lines('stderr', want.stderr, split(r.stderr));
  lines('kernelLog', want.kernelLog, r.kernelLog);
  lines('notes', want.notes, r.notes);
  if (want.trace) {
    const miss = subsequence(want.trace, traceNames, (w) => (a) => a === w);
    if (miss >= 0) {
      f.push({ field: `trace[${miss}]`, expected: want.trace.slice(miss).join(' → '), actual: traceNames.join(' → ') || '(no events)' });
    }
  }
  return f;
}

/** expect.core.gdb: each command's output has its lines, in order. */
function checkCoreGdb(checks: { command: string; output: string[] }[], r: RunReport, program: string): Failure[] {
  if (!r.core.dumped || !r.core.path) {
    return [{ field: 'core.gdb', expected: 'a core to run gdb on', actual: `no core: ${r.core.reason ?? 'the process did not dump core'}` }];
  }
  const g = gdbOnCore(program, r.core.path, checks.map((c) => c.command));
  if ('error' in g) return [{ field: 'core.gdb', expected: 'gdb-multiarch output for each command', actual: g.error }];
  const f: Failure[] = [];
  checks.forEach((c, i) => {
    const miss = subsequence(c.output, g.outputs[i], lineMatcher);
    if (miss >= 0) f.push({ field: `core.gdb[${i}].output[${miss}]`, expected: `(gdb) ${c.command}\n${c.output[miss]}`, actual: g.outputs[i].join('\n') || '(no output)' });
  });
  return f;
}

/** runScenario that never throws: an invalid file or a failed load becomes a failed result naming the field. */
export function runScenarioSafe(file: string, opts: RunScenarioOptions = {}): ScenarioResult {
  try {
    return runScenario(file, opts);
  } catch (e) {
    const err = e as Error & { field?: string };
    const field = err.name === 'ScenarioError' ? err.field || 'file' : 'run';
    return {
      name: path.basename(file).replace(/\.ya?ml$/, ''), file, ok: false, report: null, trace: [], ms: 0,
      error: err.message, failures: [{ field, expected: err.name === 'ScenarioError' ? 'a valid scenario' : 'a run', actual: err.message }],
    };
  }
}
