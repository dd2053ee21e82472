// The run queue and the context switch (kernel/sched/core.c's __schedule → context_switch, v6.17, reduced to
// what a deterministic emulator needs): one task runs at a time on its mm's engine; a switch saves the
// outgoing task's user registers (its pt_regs and fpsimd state) and loads the incoming one's. The choice of the
// next task is a pure function of the run queue, so the same program and options switch at the same points.
// With one task nothing is ever saved or loaded.
import type { Cpu } from '../cpu/cpu.ts';
import type { Task } from './task.ts';

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

export class Scheduler {
  /** every task not yet reaped, in creation order (the run queue is the live ones among them) */
  readonly tasks: Task[] = [];
  /** saved user registers of the tasks that are not on the CPU */
  private readonly contexts = new Map<Task, CpuContext>();
  private running: Task;

  constructor(first: Task) {
    this.tasks.push(first);
    this.running = first;
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

  /** pick_next_task: the next live task after current, round robin in creation order; current when alone. */
  pickNextTask(): Task {
    const n = this.tasks.length;
    const at = this.tasks.indexOf(this.running);
    for (let i = 1; i <= n; i++) {
      const t = this.tasks[(at + i) % n];
      if (!t.exitState) return t;
    }
    return this.running;
  }

  /** context_switch: save prev's registers, load next's. Tasks of one mm share its engine. */
  contextSwitch(next: Task): void {
    const prev = this.running;
    if (next === prev) return;
    this.contexts.set(prev, saveContext(prev.mm.cpu));
    const regs = this.contexts.get(next);
    if (regs) restoreContext(next.mm.cpu, regs);
    this.contexts.delete(next);
    this.running = next;
  }
}
