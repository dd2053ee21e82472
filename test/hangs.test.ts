// A hung process turned into a report and a core: signals and gcores at a virtual time (also while it sleeps),
// stuck detection with --on-stuck, and the --timeout watchdog. Virtual time is exact: 1 ns per instruction plus
// what the guest slept.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { prog } from './helpers.ts';

const S = 1_000_000_000n;
function hang(o: Partial<MachineOptions>, ...args: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'af-hang-'));
  return { root, r: new Machine(prog('hang_sleep'), { root, argv: [prog('hang_sleep'), ...args], ...o }).run() };
}
const bt = (core: string) => spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', 'bt', prog('hang_sleep'), core], { encoding: 'utf8' });

describe('hangs', () => {
  it('runUntil({ time }) stops inside a sleep; kill() then interrupts it like a signal from another process', async () => {
    const { createMachine } = await import('../src/index.ts');
    const root = mkdtempSync(join(tmpdir(), 'af-hang-'));
    const m = createMachine({ program: prog('hang_sleep'), root, argv: [prog('hang_sleep'), 'handler'] });
    const at = m.runUntil({ time: 4n * S });
    expect(at.reason).toBe('time');
    expect(m.sys.clock.elapsed()).toBe(4n * S);
    m.kill(10); // SIGUSR1: the handler runs, nanosleep returns EINTR with the 6 s left (less what ran before it)
    expect(m.runUntil({ time: 5n * S }).reason).toBe('time');
    const r = m.run();
    expect(r.stdout).toMatch(/^sleeping\nnanosleep=-1 errno=EINTR rem=6\.0000\d{5}\npausing\n$/);
    expect(r.exit.kind).toBe('stuck');
  });

  it('`sleep 10` hit by SIGQUIT at 1 s of virtual time: killed in nanosleep, with a core whose bt shows it', () => {
    const { r } = hang({ timedSignals: [{ signo: 3, ns: S }] });
    expect([r.stdout, r.exit.kind, r.exit.signal, r.exit.coreDumped]).toEqual(['sleeping\n', 'signaled', 'SIGQUIT', true]);
    expect(r.signals.map((s) => [s.name, s.codeName, s.source])).toEqual([['SIGQUIT', 'SI_USER', 'external']]);
    const g = bt(r.core.path!);
    expect(g.status).toBe(0);
    expect(g.stdout).toMatch(/#0 .*nanosleep/);
    expect(g.stdout).toMatch(/ in main \(/);
  });

  it('a handler without SA_RESTART: nanosleep returns EINTR with the time left (exactly 8.5 s less what ran)', () => {
    const { r } = hang({ timedSignals: [{ signo: 10, ns: 3n * S / 2n }] }, 'handler');
    expect(r.stdout).toMatch(/^sleeping\nnanosleep=-1 errno=EINTR rem=8\.5000\d{5}\npausing\n$/);
    expect(r.exit.kind).toBe('stuck');
  });

  it('pause() with nothing that could end it: outcome stuck, naming the syscall', () => {
    const { r } = hang({});
    expect(r.exit).toMatchObject({ kind: 'stuck', signal: null, coreDumped: false });
    expect(r.notes[0]).toBe('stuck: task 1000 (hang_sleep) waits in ppoll(0x0, 0x0, 0x0, 0x0) for a signal, with nothing that could wake it');
  });

  it('--on-stuck SIGQUIT: the signal ends the wait and its default action dumps core', () => {
    const { r } = hang({ onStuck: 3 });
    expect([r.exit.kind, r.exit.signal, r.exit.coreDumped]).toEqual(['signaled', 'SIGQUIT', true]);
    expect(bt(r.core.path!).stdout).toMatch(/ppoll|pause/);
  });

  it('--on-stuck gcore: a core of the hung process, and the run ends stuck', () => {
    const { r } = hang({ onStuck: 'gcore' });
    expect(r.exit.kind).toBe('stuck');
    expect(r.gcores).toHaveLength(1);
    expect(bt(r.gcores[0].path!).stdout).toMatch(/ppoll|pause/);
  });

  it('--timeout ends a run still going at that virtual time; with --on-timeout SIGABRT it dies with a core', () => {
    expect(hang({ timeout: 2n * S }).r.exit.kind).toBe('timeout');
    const { r } = hang({ timeout: 2n * S, onTimeout: 6 });
    expect([r.exit.kind, r.exit.signal, r.exit.coreDumped]).toEqual(['signaled', 'SIGABRT', true]);
    const spin = new Machine(prog('spin'), { root: tmpdir(), timeout: 10_000_000n }).run();
    expect([spin.exit.kind, spin.icount]).toEqual(['timeout', 10_000_000]);
  });

  it('gcore at a virtual time inside the sleep', () => {
    const { r } = hang({ gcoreTimes: [S / 2n], maxInsns: 10_000_000n });
    expect(r.gcores.map((g) => g.error)).toEqual([null]);
    expect(bt(r.gcores[0].path!).stdout).toMatch(/#0 .*nanosleep/);
  });
});

describe('hang scenarios (test/scenarios-hangs)', () => {
  it('SIGQUIT at a virtual time and a stuck pause(), as scenario files expect them', async () => {
    const { runScenario } = await import('../src/harness/run.ts');
    const { loadScenario } = await import('../src/harness/scenario.ts');
    const dir = join(import.meta.dirname, 'scenarios-hangs');
    for (const f of ['hang_sleep_sigquit.yaml', 'hang_pause_stuck.yaml']) {
      const r = runScenario(loadScenario(join(dir, f)));
      expect([f, r.ok, r.failures]).toEqual([f, true, []]);
    }
  });
});
