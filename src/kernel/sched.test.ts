import { describe, it, expect, afterEach } from 'vitest';
import { Cpu } from '../cpu/cpu.ts';
import { Mm } from '../mm/mm.ts';
import { Scheduler, saveContext } from './sched.ts';
import { testKernel } from './testing.ts';

const cpus: Cpu[] = [];
afterEach(() => { while (cpus.length) cpus.pop()!.close(); });

function twoTasksOneMm() {
  const cpu = new Cpu({ countInsns: false });
  cpus.push(cpu);
  const mm = new Mm(cpu, 8n << 20n);
  return { cpu, a: testKernel(mm, 100, 'a').task, b: testKernel(mm, 101, 'b').task };
}

describe('Scheduler', () => {
  it('with one task, picks it and never saves or loads registers', () => {
    const { cpu, a } = twoTasksOneMm();
    const s = new Scheduler(a);
    cpu.setX(3, 33n);
    expect(s.pickNextTask(0n)?.task).toBe(a);
    s.contextSwitch(a);
    expect([s.current, cpu.x(3)]).toEqual([a, 33n]);
  });

  it('context_switch saves the outgoing registers and loads the incoming ones, round robin, skipping zombies', () => {
    const { cpu, a, b } = twoTasksOneMm();
    const s = new Scheduler(a);
    cpu.setX(0, 0xaan);
    cpu.setV(31, 1n << 100n);
    cpu.tpidr = 0x1000n;
    const bRegs = { ...saveContext(cpu), pc: 0x400000n, tpidr: 0x2000n, x: Array.from({ length: 31 }, (_, i) => BigInt(i)) };
    s.wakeUpNewTask(b, bRegs);
    expect(s.pickNextTask(0n)?.task).toBe(b);
    s.contextSwitch(b);
    expect([s.current, cpu.x(0), cpu.x(30), cpu.pc, cpu.tpidr]).toEqual([b, 0n, 30n, 0x400000n, 0x2000n]);
    expect(s.pickNextTask(0n)?.task).toBe(a);
    s.contextSwitch(a);
    expect([cpu.x(0), cpu.v(31), cpu.tpidr]).toEqual([0xaan, 1n << 100n, 0x1000n]);
    b.exitState = 'zombie';
    expect(s.pickNextTask(0n)?.task).toBe(a);
  });
});
