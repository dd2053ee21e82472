// Batch reporters: a text summary table for people, JSON for scripts, JUnit XML for CI.
// Failures always show expected and actual side by side, one row per expectation.
import * as path from 'node:path';
import type { Failure, ScenarioResult } from './run.ts';

export type ReporterName = 'text' | 'json' | 'junit';
export const REPORTERS: readonly ReporterName[] = ['text', 'json', 'junit'];

const MAX_CELL_LINES = 12;
const MAX_LINE = 100;

function cellLines(s: string): string[] {
  const lines = s.split('\n').map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 1)}…` : l));
  return lines.length > MAX_CELL_LINES ? [...lines.slice(0, MAX_CELL_LINES - 1), `… (${lines.length - MAX_CELL_LINES + 1} more lines)`] : lines;
}

/** A three-column table: field | expected | actual; multi-line values wrap inside their column. */
export function sideBySide(failures: Failure[], indent = ''): string {
  const rows = failures.map((f) => [[f.field], cellLines(f.expected), cellLines(f.actual)]);
  const head = [['field'], ['expected'], ['actual']];
  const w = [0, 1, 2].map((c) => Math.max(...[head, ...rows].map((r) => Math.max(...r[c].map((l) => l.length)))));
  const out: string[] = [];
  const emit = (r: string[][]) => {
    const n = Math.max(...r.map((c) => c.length));
    for (let i = 0; i < n; i++) out.push(`${indent}${r.map((c, j) => (c[i] ?? '').padEnd(w[j])).join(' │ ')}`.trimEnd());
  };
  emit(head);
  out.push(`${indent}${w.map((x) => '─'.repeat(x)).join('─┼─')}`);
  rows.forEach(emit);
  return out.join('\n');
}

const rel = (f: string): string => path.relative(process.cwd(), f) || f;
const secs = (ms: number): string => (ms / 1000).toFixed(3);

export function renderText(results: ScenarioResult[], ms: number): string {
  const out: string[] = [];
  const nameW = Math.max(8, ...results.map((r) => r.name.length));
  out.push(`${'result'.padEnd(6)}  ${'scenario'.padEnd(nameW)}  ${'ms'.padStart(6)}  outcome`);
  for (const r of results) {
    const e = r.report?.exit;
    const outcome = r.error ? `error: ${r.error.split('\n')[0]}`
      : e ? `${e.kind}${e.signal ? ` ${e.signal}` : ''}${e.code !== null ? ` ${e.code}` : ''}${e.coreDumped ? ' (core dumped)' : ''}` : '';
    out.push(`${(r.ok ? 'ok' : 'FAIL').padEnd(6)}  ${r.name.padEnd(nameW)}  ${Math.round(r.ms).toString().padStart(6)}  ${outcome}`);
  }
  for (const r of results.filter((x) => !x.ok)) {
    out.push('', `FAIL ${r.name} (${rel(r.file)})`, sideBySide(r.failures, '  '));
  }
  const failed = results.filter((r) => !r.ok).length;
  out.push('', `${results.length - failed} passed, ${failed} failed, ${results.length} scenarios in ${secs(ms)} s`);
  return out.join('\n');
}

export function renderJson(results: ScenarioResult[], ms: number): string {
  const failed = results.filter((r) => !r.ok).length;
  return JSON.stringify({
    ok: failed === 0, passed: results.length - failed, failed, ms: Math.round(ms),
    scenarios: results.map((r) => ({ name: r.name, file: r.file, ok: r.ok, ms: Math.round(r.ms), error: r.error, failures: r.failures, report: r.report })),
  }, null, 2);
}

/** XML 1.0 text: escape markup and drop the control characters XML cannot carry. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `suite` names the testsuite: a shard's report says which shard, so merged reports keep them apart. */
export function renderJunit(results: ScenarioResult[], ms: number, suite = 'arm64-fault scenarios'): string {
  const failures = results.filter((r) => !r.ok && !r.error).length;
  const errors = results.filter((r) => r.error).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="arm64-fault" tests="${results.length}" failures="${failures}" errors="${errors}" time="${secs(ms)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="0" time="${secs(ms)}">`,
  ];
  for (const r of results) {
    const attrs = `name="${xmlEscape(r.name)}" classname="${xmlEscape(rel(r.file))}" time="${secs(r.ms)}"`;
    if (r.ok) {
      out.push(`    <testcase ${attrs}/>`);
      continue;
    }
    const tag = r.error ? 'error' : 'failure';
    const msg = r.error ? r.error.split('\n')[0] : `${r.failures.length} expectation${r.failures.length > 1 ? 's' : ''} failed: ${r.failures.map((f) => f.field).join(', ')}`;
    out.push(`    <testcase ${attrs}>`,
      `      <${tag} message="${xmlEscape(msg)}" type="${r.error ? 'ScenarioError' : 'expectation'}">${xmlEscape(sideBySide(r.failures))}</${tag}>`,
      '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n');
}

export function render(name: ReporterName, results: ScenarioResult[], ms: number, suite?: string): string {
  return name === 'json' ? renderJson(results, ms) : name === 'junit' ? renderJunit(results, ms, suite) : renderText(results, ms);
}
