// The run queue and the context switch (kernel/sched/core.c's __schedule → context_switch, v6.17, reduced to
// what a deterministic emulator needs): one task runs at a time on its mm's engine; a switch saves the
// outgoing task's user registers (its pt_regs and fpsimd state) and loads the incoming one's. The choice of the
// next task is a pure function of the run queue, so the same program and options switch at the same points.
// With one task nothing is ever saved or loaded. A task that waits (Task.wait) is picked once its wait can end.
import { snapshotRegs, type Cpu, type CpuSnapshot } from '../cpu/cpu.ts';
import type { Task } from './task.ts';
import { signalWakes, fatalSignalPending } from './signal.ts';

/** The user register state of a task that is not on the CPU (pt_regs + user_fpsimd_state + tp_value). */
export interface CpuContext {
  x: bigint[];
  sp: bigint;
  pc: bigint;
  nzcv: bigint;
  v: bigint[];
  fpsr: number;
  fpcr: number;
  tpidr: bigint;
}

export function saveContext(cpu: Cpu): CpuContext {
  return {
    x: Array.from({ length: 31 }, (_, i) => cpu.x(i)), sp: cpu.sp, pc: cpu.pc, nzcv: cpu.nzcv,
    v: Array.from({ length: 32 }, (_, i) => cpu.v(i)), fpsr: cpu.fpsr, fpcr: cpu.fpcr, tpidr: cpu.tpidr,
  };
}

export function restoreContext(cpu: Cpu, c: CpuContext): void {
  c.x.forEach((v, i) => cpu.setX(i, v));
  c.v.forEach((v, i) => cpu.setV(i, v));
  cpu.sp = c.sp;
  cpu.pc = c.pc;
  cpu.nzcv = c.nzcv;
  cpu.fpsr = c.fpsr;
  cpu.fpcr = c.fpcr;
  cpu.tpidr = c.tpidr;
}

/**
 * Why a waiting task may go on now, or null: its condition holds, a signal ends the wait (only a fatal one for
 * TASK_KILLABLE), or its deadline passed. The condition comes first, as a woken waiter rechecks it first.
 */
export function wakeReason(t: Task, now: bigint): 'ready' | 'timeout' | 'signal' | null {
  const w = t.wait;
  if (!w) return null;
  if (w.ready()) return 'ready';
  if (w.killable ? fatalSignalPending(t) : signalWakes(t)) return 'signal';
  if (w.deadline !== null && now >= w.deadline) return 'timeout';
  return null;
}

/** A task that can take the CPU now: alive, not stopped, not waiting. */
const runnable = (t: Task): boolean => t.exitState === null && !t.stopped && t.wait === null;

export class Scheduler {
  /** every task not yet reaped, in creation order (the run queue is the live ones among them) */
  readonly tasks: Task[] = [];
  /** saved user registers of the tasks that are not on the CPU: a new task's as values, a switched-out one's as
   *  the engine's raw bytes (a switch copies two buffers: no value per register) */
  private readonly contexts = new Map<Task, CpuContext | CpuSnapshot>();
  private running: Task;
  /** --sched-seed: a deterministic stream that permutes the choice among the tasks that can run */
  private seed: number | null;

  constructor(first: Task, seed: number | null = null) {
    this.tasks.push(first);
    this.running = first;
    this.seed = seed;
  }

  /** current */
  get current(): Task {
    return this.running;
  }

  /** wake_up_new_task: a new task joins the run queue with the registers it will start with. */
  wakeUpNewTask(t: Task, regs: CpuContext): void {
    this.tasks.push(t);
    this.contexts.set(t, regs);
  }

  /** release_task: a reaped task leaves the task list. */
  release(t: Task): void {
    const i = this.tasks.indexOf(t);
    if (i >= 0) this.tasks.splice(i, 1);
    this.contexts.delete(t);
  }

  /** Another task than current could take the CPU now (a time slice then ends at the quantum). */
  othersRunnable(): boolean {
    return this.tasks.some((t) => t !== this.running && (runnable(t) || (t.wait !== null && t.exitState === null)));
  }

  /**
   * pick_next_task: the next task after current in creation order (round robin; with --sched-seed a
   * pseudo-random one) that can run now, current last; with the reason its wait ends, if it waited. null when
   * every task waits (or is stopped or dead).
   */
  pickNextTask(now: bigint): { task: Task; why: 'ready' | 'timeout' | 'signal' | null } | null {
    const n = this.tasks.length;
    const at = this.tasks.indexOf(this.running);
    const can: { task: Task; why: 'ready' | 'timeout' | 'signal' | null }[] = [];
    for (let i = 1; i <= n; i++) {
      const t = this.tasks[(at + i) % n];
      if (t.exitState !== null || t.stopped) continue;
      if (t.wait === null) can.push({ task: t, why: null });
      else {
        const why = wakeReason(t, now);
        if (why) can.push({ task: t, why });
      }
      if (can.length > 0 && this.seed === null) break;
    }
    if (can.length === 0) return null;
    return can[this.seed === null ? 0 : this.nextRandom() % can.length];
  }

  /** mulberry32: small, fast and the same everywhere */
  private nextRandom(): number {
    let z = (this.seed! = (this.seed! + 0x6d2b79f5) | 0);
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** context_switch: save prev's registers, load next's. Tasks of one mm share its engine. */
  contextSwitch(next: Task): void {
    const prev = this.running;
    if (next === prev) return;
    if (!prev.mm.cpu.closed) this.contexts.set(prev, prev.mm.cpu.snapshot());
    const regs = this.contexts.get(next);
    if (regs && 'vregs' in regs) next.mm.cpu.restore(regs);
    else if (regs) restoreContext(next.mm.cpu, regs);
    this.contexts.delete(next);
    this.running = next;
  }

  /** The saved registers of a task that is not on the CPU (a core of another thread, fork from vfork). */
  savedContext(t: Task): CpuContext | undefined {
    const c = this.contexts.get(t);
    if (!c || !('vregs' in c)) return c;
    // as values from now on, kept: a debugger writes a sleeping thread's registers into them
    const values = snapshotRegs(c);
    this.contexts.set(t, values);
    return values;
  }
}
