// The `inject` axis of `arm64-fault matrix`: which fault_info row (or special exception) a run injected, what the
// pinned kernel's fault_info table says must follow, what did, and whether they agree.
//
// The expectation, per handler of the row (arch/arm64/mm/fault.c, v6.17, kernel.md §3–4):
//   do_page_fault, do_translation_fault  the access is inside a VMA that allows it: handle_mm_fault fixes the
//                                        (spurious) fault and the access is retried: no signal
//   do_bad                               do_mem_abort's fallback: arm64_notify_die with the row's sig and code
//   do_sea, do_alignment_fault, do_tag_check_fault: the row's sig and code
//   memory-failure                       SIGBUS BUS_MCEERR_AR; sp-alignment, pc-alignment: SIGBUS BUS_ADRALN
// An injection with addr=A may point anywhere, so no expectation is computed for the page-fault rows then.
import { InvalidArgumentError } from 'commander';
import { faultInfo } from '../arch/arm64/fault.ts';
import { ALL_KINDS, parseInject, resolveKind, type InjectSpec } from '../arch/arm64/inject.ts';
import { signalName, siCodeName, SIGBUS, BUS_MCEERR_AR, BUS_ADRALN } from '../kernel/sigdefs.ts';
import type { RunReport } from '../report.ts';

/** The columns this axis adds to a matrix row, in order. */
export const INJECT_COLUMNS = ['dfsc', 'fault_info', 'handler', 'expected', 'result', 'mismatch'] as const;

/** `inject=all`: every row by number, memory-failure, sp-alignment, pc-alignment. */
export const expandInject = (v: string): string[] => (v === 'all' ? [...ALL_KINDS] : [v]);

/** A value of the axis: KIND (injected at `at`, e.g. "insns=0") or a whole KIND@insns=N[,…] spec. */
export function injectSpec(value: string, at: string): InjectSpec {
  try {
    return parseInject(value.includes('@') ? value : `${value}@${at}`);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

const sigText = (signo: number, code: number): string => `${signalName(signo)} ${siCodeName(signo, code)}`;

function expectation(spec: InjectSpec): { dfsc: string; name: string; handler: string; expected: string } {
  const k = resolveKind(spec.kind);
  if (k.special === 'memory-failure') return { dfsc: '0x10', name: 'memory failure (firmware-first SEA)', handler: 'do_sea → memory_failure', expected: sigText(SIGBUS, BUS_MCEERR_AR) };
  if (k.special !== null) return { dfsc: '-', name: `${k.special === 'sp-alignment' ? 'SP' : 'PC'} alignment`, handler: 'do_sp_pc_abort', expected: sigText(SIGBUS, BUS_ADRALN) };
  const row = faultInfo[k.fsc];
  const pageFault = row.fnName === 'do_page_fault' || row.fnName === 'do_translation_fault';
  const expected = !pageFault ? sigText(row.sig, row.code) : spec.addr === undefined ? 'none' : '?';
  return { dfsc: `0x${k.fsc.toString(16).padStart(2, '0')}`, name: row.name, handler: row.fnName, expected };
}

/** What happened to the program, in the four outcomes an injection can have (or the run's end otherwise). */
function result(r: RunReport): string {
  if (r.exit.kind === 'signaled') return r.exit.coreDumped ? 'dumped core' : 'killed';
  if (r.exit.kind !== 'exited') return r.exit.kind;
  return r.signals.some((s) => s.action === 'handler') ? 'signal handled by the program' : r.signals.length === 0 ? 'handled silently' : `exited ${r.exit.code}`;
}

/** The axis's columns for one run. */
export function injectColumns(spec: InjectSpec, r: RunReport): Record<(typeof INJECT_COLUMNS)[number], string> {
  const e = expectation(spec);
  const first = r.signals.find((s) => s.source === 'fault' || s.source === 'kernel');
  const actual = first ? sigText(first.signo, first.code) : 'none';
  const taken = (r.injected ?? []).length > 0;
  const mismatch = !taken ? 'yes (not injected)' : e.expected === '?' ? 'n/a' : actual === e.expected ? 'no' : `yes (got ${actual})`;
  return { dfsc: e.dfsc, fault_info: e.name, handler: e.handler, expected: e.expected, result: result(r), mismatch };
}
