// Interval timers and alarm on the virtual clock (kernel/itimer.ts): setitimer/getitimer, pause (ppoll),
// an interrupted nanosleep, and SIGALRM's default action; compared with qemu-aarch64.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { prog, run } from './helpers.ts';

describe('interval timers', () => {
  const { report } = run('sig_alarm');

  it('SIGALRM comes as SI_KERNEL: alarm + pause, three periodic expiries, an interrupted nanosleep', () => {
    expect(report.stdout).toBe([
      'handler sig=14 code=128', 'pause=-1 errno=EINTR hits=1',
      'armed interval=10000us value<=10000:1',
      'handler sig=14 code=128', 'handler sig=14 code=128', 'handler sig=14 code=128', 'periodic hits=4',
      // virtual time is exact: the alarm fires 1 s after it was set, so 4 s (and a few ns) are left
      'handler sig=14 code=128', 'nanosleep=-1 errno=EINTR rem=4s', '',
    ].join('\n'));
    expect(report.signals.map((s) => `${s.name} ${s.codeName} ${s.source} ${s.action}`)).toEqual([
      ...Array(5).fill('SIGALRM SI_KERNEL kernel handler'), 'SIGALRM SI_KERNEL kernel default']);
  });

  it('SIGALRM at its default action terminates without a core', () => {
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGALRM', coreDumped: false, waitStatus: 14 });
  });

  it('qemu-aarch64 prints the same, but for the time left (host timers: 3 s)', () => {
    const q = spawnSync('bash', ['-c', 'ulimit -c 0; exec qemu-aarch64 "$0"', prog('sig_alarm')], { encoding: 'utf8', timeout: 30_000 });
    if (q.error) throw q.error;
    expect(q.signal).toBe('SIGALRM');
    expect(q.stdout.replace(/rem=\d+s/, 'rem=4s')).toBe(report.stdout);
  }, 30_000);
});
