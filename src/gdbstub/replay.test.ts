// The replay log without gdb: where it refuses to go back, and that a replay lands on the exact instruction count.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../machine.ts';
import { ReplayLog } from './replay.ts';
import { readAll } from './target.ts';

const prog = (n: string) => join(import.meta.dirname, '..', '..', 'programs', 'build', n);
const root = () => mkdtempSync(join(tmpdir(), 'af-replay-'));
const SYS_CLONE = 220;

function logOf(live: Machine) {
  const lines: string[] = [];
  const log = new ReplayLog({ live, tid: () => '3e8', liveStop: () => 'S05', insert: () => {}, console: (t) => lines.push(t) });
  live.sys.ptracer = log.recording({ signal: (info) => info });
  return { log, lines };
}

describe('ReplayLog', () => {
  it('bs lands one instruction back, with the registers of a run stopped there; at count 0 it is the start of the log', () => {
    const live = new Machine(prog('rev_corrupt'), { root: root() });
    live.runUntil({ insns: 5000n });
    const { log } = logOf(live);
    expect(log.backward('s')).toBe('T05thread:3e8;');
    expect(log.machine!.cpu.icount).toBe(4999n);
    const ref = new Machine(prog('rev_corrupt'), { root: root() });
    ref.runUntil({ insns: 4999n });
    expect(readAll(log.machine!.cpu).equals(readAll(ref.cpu))).toBe(true);
    expect(readAll(log.machine!.cpu).equals(readAll(live.cpu))).toBe(false);
    // bc without breakpoints: back to before the first instruction
    expect(log.backward('c')).toBe('T05replaylog:begin;thread:3e8;');
    expect(log.machine!.cpu.icount).toBe(0n);
    expect(log.machine!.cpu.pc).toBe(live.symbol('_start'));
  });

  it('refuses once the program has forked: the position is one task\'s count', () => {
    const live = new Machine(prog('proc_wait'), { root: root() });
    live.runUntil({ syscall: SYS_CLONE });
    const { log, lines } = logOf(live);
    expect(log.backward('s')).toBe('E01');
    expect(lines).toEqual(['arm64-fault: reverse execution is not possible: the program has started other processes or threads (reverse execution supports one single-threaded process)\n']);
    expect(log.machine).toBeNull();
  });
});
