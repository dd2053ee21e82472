// `matrix --html`: the rows of a matrix as one coloured table, a cell per setting and per result column, the
// row's colour class from its outcome. The columns are whatever the rows carry (every --vary key, and every
// text column of a row besides its report), so a new axis or result column shows without a change here.
import type { RunReport } from '../report.ts';
import { esc, page } from './page.ts';

/** A matrix row as the harness makes it: its settings, text result columns, and the run's report. */
export interface MatrixRowLike { settings: Record<string, string>; columns?: Record<string, string>; report?: RunReport }

const cell = (r: MatrixRowLike, k: string): unknown => (r as unknown as Record<string, unknown>)[k];

/** The colour class of a run: a core, killed without one, a signal handled and exited, a plain exit, other. */
export function outcomeClass(r: RunReport | undefined): 'dumped' | 'killed' | 'handled' | 'exited' | 'other' {
  if (!r) return 'other';
  if (r.core.dumped) return 'dumped';
  if (r.exit.kind === 'signaled') return 'killed';
  if (r.exit.kind === 'exited') return r.signals.some((s) => s.action === 'handler') ? 'handled' : 'exited';
  return 'other';
}

const LEGEND: [string, string][] = [
  ['dumped', 'killed, core dumped'], ['killed', 'killed, no core'], ['handled', 'a handler ran, then exited'],
  ['exited', 'exited'], ['other', 'limit, timeout, stuck, panic'],
];

/** the columns of the rows, in first-seen order: settings first, then the text result columns */
function columns(rows: MatrixRowLike[]): { settings: string[]; extra: string[]; results: string[] } {
  const settings: string[] = [], extra: string[] = [], results: string[] = [];
  for (const r of rows) {
    for (const k of Object.keys(r.settings)) if (!settings.includes(k)) settings.push(k);
    // an axis's own columns (inject: dfsc, fault_info, handler, expected, result, mismatch)
    for (const k of Object.keys(r.columns ?? {})) if (!extra.includes(k)) extra.push(k);
    for (const [k, v] of Object.entries(r as object)) {
      if (k !== 'settings' && k !== 'report' && (typeof v === 'string' || typeof v === 'number') && !results.includes(k)) results.push(k);
    }
  }
  return { settings, extra, results };
}

export function renderMatrixTable(rows: MatrixRowLike[]): string {
  const { settings, extra, results } = columns(rows);
  const head = [...settings, ...extra, ...results].map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((r) => {
    const cls = outcomeClass(r.report);
    const cells = [...settings.map((k) => `<td class="mono setting">${esc(r.settings[k] ?? '')}</td>`),
      ...extra.map((k) => `<td class="mono" data-column="${esc(k)}">${esc(r.columns?.[k] ?? '')}</td>`),
      ...results.map((k) => `<td class="outcome-${cls}" data-column="${esc(k)}">${esc(cell(r, k) as string | number | undefined)}</td>`)];
    return `<tr data-outcome="${cls}">${cells.join('')}</tr>`;
  });
  const legend = LEGEND.map(([c, t]) => `<span class="outcome-${c}">${esc(t)}</span>`).join('');
  return `<p class="legend">${legend}</p>\n<table class="matrix"><thead><tr>${head}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

/** The whole matrix page. */
export function renderMatrixHtml(rows: MatrixRowLike[], program: string, vary: [string, string[]][]): string {
  const axes = vary.map(([k, vs]) => `${k}=${vs.join(',')}`).join(' ');
  return page(`arm64-fault matrix: ${program}`, `${rows.length} runs; --vary ${axes || '(none)'}`,
    [{ id: 'matrix', title: 'Outcomes', body: renderMatrixTable(rows) }]);
}
