import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../machine.ts';
import type { MachineOptions } from '../options.ts';
import { PROGRAMS_DIR } from './scenario.ts';
import './vitest.ts';

const run = (name: string, o: Partial<MachineOptions> = {}) =>
  new Machine(join(PROGRAMS_DIR, name), { root: mkdtempSync(join(tmpdir(), 'af-vt-')), ...o }).run();

describe('toDieWith / toDumpCore', () => {
  it('a misaligned LDXR dies with SIGBUS BUS_ADRALN and dumps core', () => {
    const r = run('bus_adraln_ldxr');
    expect(r).toDieWith('SIGBUS', 'BUS_ADRALN');
    expect(r).toDieWith('SIGBUS');
    expect(r).toDumpCore();
    expect(r).not.toDieWith('SIGBUS', 'BUS_ADRERR');
    expect(r).not.toDieWith('SIGSEGV');
  });

  it('RLIMIT_CORE 0: no core; the failure message gives the reason', () => {
    const r = run('segv_maperr_null', { rlimitCore: 0n });
    expect(r).toDieWith('SIGSEGV', 'SEGV_MAPERR');
    expect(r).not.toDumpCore();
    expect(() => expect(r).toDumpCore()).toThrow(/expected a core dump, but none was written: RLIMIT_CORE is 0/);
  });

  it('an exit is not a death: the message says how it ended', () => {
    const r = run('exit42');
    expect(() => expect(r).toDieWith('SIGSEGV', 'SEGV_MAPERR')).toThrow('expected the run to die with SIGSEGV SEGV_MAPERR, but it exited with status 42');
    expect(() => expect(r).toDumpCore()).toThrow('expected a core dump, but exited with status 42');
  });
});
