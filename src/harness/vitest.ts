// Custom vitest matchers on a RunReport: `expect(report).toDieWith('SIGBUS', 'BUS_ADRALN')`, `toDumpCore()`.
// Import this file once in a test (it calls expect.extend) and the matchers are typed on every Assertion.
import { expect } from 'vitest';
import type { RunReport } from '../report.ts';

interface RunReportMatchers<R = unknown> {
  /** died of `signal` (exit.kind signaled) and, if given, the fatal signal's si_code name is `code` */
  toDieWith(signal: string, code?: string): R;
  /** the exit says "(core dumped)" and a core was written */
  toDumpCore(): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends RunReportMatchers<T> {}
}

const isReport = (r: unknown): r is RunReport =>
  typeof r === 'object' && r !== null && 'exit' in r && 'signals' in r && 'core' in r;

/** How the run ended, in one line, for failure messages. */
export function describeExit(r: RunReport): string {
  const e = r.exit;
  const fatal = r.signals.filter((s) => s.name === e.signal).at(-1);
  if (e.kind === 'signaled') return `died of ${e.signal}${fatal ? ` ${fatal.codeName}` : ''}${e.coreDumped ? ' (core dumped)' : ''}`;
  if (e.kind === 'exited') return `exited with status ${e.code}`;
  const how = { limit: 'stopped at the instruction limit', panic: 'kernel panic', stuck: 'stuck (waits for something that can never happen)',
    timeout: 'stopped at the virtual-time limit', interrupted: 'interrupted' } as Record<string, string>;
  return how[e.kind] ?? e.kind;
}

export const runReportMatchers = {
  toDieWith(received: unknown, signal: string, code?: string) {
    if (!isReport(received)) return { pass: false, message: () => 'expected a RunReport' };
    // the fatal signal is the last one of that name (a handled earlier one may precede it)
    const fatal = received.signals.filter((s) => s.name === signal).at(-1);
    const pass = received.exit.kind === 'signaled' && received.exit.signal === signal && (code === undefined || fatal?.codeName === code);
    const want = `${signal}${code ? ` ${code}` : ''}`;
    return {
      pass,
      message: () => (pass ? `expected the run not to die with ${want}, but it did` : `expected the run to die with ${want}, but it ${describeExit(received)}`),
      expected: want,
      actual: describeExit(received),
    };
  },
  toDumpCore(received: unknown) {
    if (!isReport(received)) return { pass: false, message: () => 'expected a RunReport' };
    const pass = received.exit.coreDumped && received.core.dumped;
    return {
      pass,
      message: () => (pass
        ? `expected no core dump, but one was written to ${received.core.path}`
        : `expected a core dump, but ${received.exit.kind === 'signaled' ? `none was written: ${received.core.reason ?? 'no reason given'}` : describeExit(received)}`),
    };
  },
};

expect.extend(runReportMatchers);
