// The public API (src/index.ts) as a script uses it: load, watch the kernel path, stop, read and change
// registers and memory, send signals, gcore, run on, get the report; misuse gives a typed error.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../src/index.ts';
import { createMachine, runProgram, StateError, OptionError, SIGSEGV, SIGUSR1, type TraceEvent } from '../src/index.ts';
import { prog } from './helpers.ts';

const root = () => mkdtempSync(join(tmpdir(), 'af-api-'));

describe('createMachine + runUntil', () => {
  it('stops before the faulting instruction; a register change avoids the fault', () => {
    const m = createMachine({ program: prog('segv_maperr_null'), root: root() });
    const at = m.runUntil({ symbol: 'fault_insn' });
    expect(at).toMatchObject({ reason: 'address', pc: m.symbol('fault_insn') });
    expect(m.regs().x[0]).toBe(0n); // ldr x1, [x0] with x0 = 0 is about to run
    m.setReg('x0', m.symbol('fault_insn')); // load from its own code instead
    const r = m.run();
    expect(r.signals).toEqual([]);
    expect(r.exit.kind).toBe('exited');
  });

  it('stops at an instruction count, at an event and after a syscall; events carry the instruction count', () => {
    const seen: TraceEvent[] = [];
    const m = createMachine({ program: prog('hello'), root: root() });
    m.on('sys_exit', (e) => seen.push(e));
    expect(m.runUntil({ insns: 1000n })).toMatchObject({ reason: 'insns', icount: 1000 });
    const w = m.runUntil({ syscall: 64 }); // write
    expect(w.reason).toBe('syscall');
    expect(seen.at(-1)).toMatchObject({ name: 'sys_exit', nr: 64 });
    const counts = seen.map((e) => e.icount as number);
    expect(counts.every((c, i) => typeof c === 'number' && (i === 0 || c >= counts[i - 1]))).toBe(true);
    expect(counts.at(-1)).toBeGreaterThan(1000);
    const ev = m.runUntil({ event: (e) => e.name === 'sys_enter' && e.nr === 64 });
    expect(ev).toMatchObject({ reason: 'event', event: { name: 'sys_enter', nr: 64, syscall: 'write' } });
    m.kill(SIGUSR1);
    const r = m.run();
    expect(r.exit).toMatchObject({ kind: 'signaled', signal: 'SIGUSR1' });
    expect(r.signals[0]).toMatchObject({ name: 'SIGUSR1', codeName: 'SI_USER', source: 'external' });
  });

  it('reads and writes memory while stopped, and takes a gcore', () => {
    const dir = root();
    const m = createMachine({ asm: 'mov x0, #3\nldr x1, =word\nldr x2, [x1]\nmov x8, #93\nsvc #0\n.data\nword: .quad 0x1122334455667788', root: dir });
    m.runUntil({ insns: 2n });
    const word = m.symbol('word');
    expect(m.readMemory(word, 8).readBigUInt64LE()).toBe(0x1122334455667788n);
    m.writeMemory(word, Buffer.from([0x2a, 0, 0, 0, 0, 0, 0, 0]));
    expect(m.gcore()).toMatchObject({ path: join(dir, 'core.1000'), error: null });
    m.runUntil({ insns: 3n });
    expect(m.regs().x[2]).toBe(42n);
    expect(m.run().exit).toMatchObject({ kind: 'exited', code: 3 });
    expect(readdirSync(dir)).toEqual(['core.1000']);
  });
});

describe('misuse gives typed errors that say what to do', () => {
  it('after the end, state calls throw StateError; bad arguments throw OptionError', () => {
    const m = createMachine({ program: prog('exit42'), root: root() });
    m.run();
    expect(() => m.regs()).toThrow(StateError);
    expect(() => m.regs()).toThrow(/read machine.report\(\) instead/);
    expect(m.runUntil({ insns: 1n })).toEqual({ reason: 'exited' });
    expect(() => createMachine({})).toThrow(OptionError);
    const m2 = createMachine({ program: prog('exit42'), root: root() });
    expect(() => m2.readMemory(0n, 4)).toThrow(/not mapped; see machine.maps\(\)/);
    expect(() => m2.setReg('x31', 1n)).toThrow(/use x0..x30, sp, pc or nzcv/);
    expect(() => m2.symbol('nope')).toThrow(StateError);
    m2.run();
  });

  it('runProgram returns the report; the public surface is pinned', () => {
    expect(runProgram(prog('segv_maperr_null'), { root: root(), rlimitCore: 0n }).exit.waitStatus).toBe(SIGSEGV);
    expect(Object.keys(api).sort()).toMatchSnapshot();
  });
});
