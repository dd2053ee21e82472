// The core-dump decision chain as `arm64-fault explain` walks it: each vfs_coredump check with its values, the
// deciding step highlighted (the first that stopped the dump; when none did, the last one: the write or the
// pipe), the sysctls in force and what the guest wrote to /proc/sys, and the result.
import type { RunReport } from '../report.ts';
import { esc } from './page.ts';

/** The index of the step that decided the outcome, or -1 when there are no steps. */
export function decidingStep(steps: RunReport['core']['steps']): number {
  const stop = steps.findIndex((s) => !s.ok);
  return stop >= 0 ? stop : steps.length - 1;
}

export function renderCoredump(r: RunReport): string {
  const out: string[] = [];
  if (r.exit.kind !== 'signaled') {
    out.push(`<p>The process did not die of a signal (${esc(r.exit.kind)}${r.exit.code !== null ? `, status ${r.exit.code}` : ''}): ` +
      'no core dump was considered.</p>');
    return out.join('\n');
  }
  const fatal = r.signals.at(-1);
  out.push(`<p>The process died of <b>${esc(r.exit.signal)}</b>${fatal ? ` (${esc(fatal.codeName)}${fatal.addr ? ` at ${esc(fatal.addr)}` : ''})` : ''}.</p>`);
  const sysctls = Object.entries(r.sysctl).map(([n, v]) => `<tr><td class="mono">${esc(n)}</td><td class="mono">${esc(JSON.stringify(v))}</td></tr>`);
  out.push(`<table class="sysctl"><thead><tr><th>sysctl in force</th><th>value</th></tr></thead><tbody>${sysctls.join('')}</tbody></table>`);
  for (const c of r.sysctlChanges) {
    out.push(`<p class="muted">the guest set ${esc(c.name)} ${esc(JSON.stringify(c.old))} → ${esc(JSON.stringify(c.new))} ` +
      `(pid ${c.pid}, ${esc(c.comm)}${c.icount !== null ? `, at instruction ${c.icount}` : ''})</p>`);
  }
  const steps = r.core.steps;
  if (steps.length === 0) out.push(`<p>${esc(r.exit.signal)}'s default action does not dump core (it only terminates).</p>`);
  const decides = decidingStep(steps);
  const items = steps.map((s, i) => `<li class="${s.ok ? 'ok' : 'stop'}${i === decides ? ' deciding' : ''}" data-step="${esc(s.step)}">` +
    `<b>${s.ok ? 'ok' : 'STOP'}</b> <code>${esc(s.step)}</code>: ${esc(s.detail)}${i === decides ? ' ◀ decides' : ''}</li>`);
  if (items.length) out.push(`<ol class="chain">\n${items.join('\n')}\n</ol>`);
  out.push(r.core.dumped
    ? `<p class="result dumped">Result: core written to <code>${esc(r.core.path)}</code> (${r.core.size} bytes` +
      `${r.core.truncated ? ', truncated at RLIMIT_CORE' : ''}); the shell shows "(core dumped)".</p>`
    : `<p class="result nocore">Result: no core. ${esc(r.core.reason ?? '')}</p>`);
  for (const l of r.kernelLog.filter((x) => x.startsWith('coredump:'))) out.push(`<p class="mono">kernel log: ${esc(l)}</p>`);
  return out.join('\n');
}
