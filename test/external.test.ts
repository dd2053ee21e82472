// Signals from another process at an exact instruction count (--signal SIG@insns=N).
import { describe, it, expect } from 'vitest';
import { run } from './helpers.ts';

describe('signals sent from outside', () => {
  it('SIGQUIT at instruction 3000: SI_USER from the parent, default action dumps core', () => {
    const { report } = run('hello', { signals: [{ signo: 3, insns: 3000n }] });
    expect(report.signals).toEqual([{
      signo: 3, name: 'SIGQUIT', code: 0, codeName: 'SI_USER', addr: null, esr: null, fault: null,
      source: 'external', action: 'default', icount: 3000, pid: 1000, tid: 1000,
    }]);
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGQUIT', coreDumped: true, waitStatus: 3 | 0x80 });
    expect(report.icount).toBe(3000);
  });

  it('an ignored-by-default signal (SIGCHLD) is dropped by prepare_signal; a later SIGTERM terminates without core', () => {
    const { report } = run('hello', { signals: [{ signo: 17, insns: 100n }, { signo: 15, insns: 200n }] });
    expect(report.signals.map((s) => [s.name, s.action])).toEqual([['SIGCHLD', 'ignored'], ['SIGTERM', 'default']]);
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGTERM', coreDumped: false, waitStatus: 15 });
    expect(report.core.reason).toMatch(/SIGTERM/);
  });
});

describe('stop signals', () => {
  it('SIGSTOP from outside is reported as a group stop the emulator continues at once; SIGCONT is then ignored', () => {
    const { report } = run('hello', { signals: [{ signo: 19, insns: 1000n }, { signo: 18, insns: 2000n }] });
    expect(report.signals.map((s) => [s.name, s.action])).toEqual([['SIGSTOP', 'default'], ['SIGCONT', 'ignored']]);
    expect(report.notes).toEqual(['SIGSTOP stopped the process at instruction 1000 (group stop); with no parent to ' +
      'send SIGCONT, arm64-fault continues it at once (as if SIGCONT came right away)']);
    expect(report.exit.code).toBe(0);
  });
});
