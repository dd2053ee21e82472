// The threads of the debugged process as gdb sees them: their ids (`p<pid>.<tid>` once gdb offered multiprocess+,
// else the tid), the list (qfThreadInfo/qsThreadInfo, asked again at every stop, so new threads appear and gone ones
// leave), liveness (T), a description (qThreadExtraInfo: comm and the /proc state), and the thread the register
// packets act on (Hg). The thread on the CPU has its registers in the engine; every other one in the context the
// scheduler saved when it left the CPU (its pt_regs and fpsimd state, what PTRACE_GETREGSET reads of a stopped
// thread), so g/G/p/P there read and write that context, and the thread resumes with what gdb wrote.
import type { Machine } from '../machine.ts';
import type { Task } from '../kernel/task.ts';
import type { CpuContext } from '../kernel/sched.ts';
import { taskState } from '../fs/proc/array.ts';
import { sysCallTable } from '../arch/arm64/syscall.ts';
import type { RegisterFile } from './target.ts';
import { restartView } from '../arch/arm64/restart.ts';

const hex = (n: number): string => n.toString(16);

/**
 * A saved context as a register file: reads and writes go to the context the thread resumes with. A thread asleep
 * in a syscall shows pc and x0 as a ptrace stop would leave them (restartView): on the svc, x0 its first argument.
 */
function contextRegisters(t: Task, c: CpuContext): RegisterFile {
  return {
    x: (n) => (n === 0 ? restartView(t, c).x0 : c.x[n]),
    setX: (n, v) => { c.x[n] = BigInt.asUintN(64, v); },
    v: (n) => c.v[n],
    setV: (n, v) => { c.v[n] = BigInt.asUintN(128, v); },
    get sp() { return c.sp; }, set sp(v) { c.sp = v; },
    get pc() { return restartView(t, c).pc; }, set pc(v) { c.pc = v; },
    // as the engine's NZCV: only the flags are the guest's
    get nzcv() { return c.nzcv; }, set nzcv(v) { c.nzcv = v & 0xf0000000n; },
    get fpsr() { return c.fpsr; }, set fpsr(v) { c.fpsr = v >>> 0; },
    get fpcr() { return c.fpcr; }, set fpcr(v) { c.fpcr = v >>> 0; },
    get tpidr() { return c.tpidr; }, set tpidr(v) { c.tpidr = v; },
  };
}

export class Threads {
  /** gdb offered multiprocess+: ids are p<pid>.<tid> */
  multiprocess = false;
  /** Hg: the thread g/G/p/P act on; null: the one that stopped (each stop selects it again, as gdbserver does) */
  private general: Task | null = null;

  /** `machine`: the one gdb looks at now (the live one, or a replay machine in reverse execution) */
  constructor(private readonly machine: () => Machine) {}

  private get m(): Machine {
    return this.machine();
  }

  /** The live threads of the debugged process (the first process's thread group), in creation order. */
  list(): Task[] {
    const group = this.m.sys.init.signal;
    return this.m.sys.tasks.filter((t) => t.signal === group && t.exitState === null);
  }

  id(t: Task): string {
    return this.multiprocess ? `p${hex(t.pid)}.${hex(t.tid)}` : hex(t.tid);
  }

  /** The thread a stop names: the one on the CPU. */
  get current(): Task {
    return this.m.task;
  }

  /**
   * A thread id of gdb's: one thread, 'all' (-1) or 'any' (0), with or without the p<pid>. prefix; null when it
   * names no live thread of ours.
   */
  find(id: string): Task | 'all' | 'any' | null {
    const m = /^(?:p(-1|[0-9a-f]+)\.)?(-1|[0-9a-f]+)$/.exec(id);
    if (!m) return null;
    const pid = this.m.sys.init.pid;
    if (m[1] !== undefined && m[1] !== '-1' && parseInt(m[1], 16) !== pid) return null;
    if (m[2] === '-1') return 'all';
    if (m[2] === '0') return 'any';
    const tid = parseInt(m[2], 16);
    return this.list().find((t) => t.tid === tid) ?? null;
  }

  /** The one live thread an id names, or null. */
  one(id: string): Task | null {
    const t = this.find(id);
    return typeof t === 'object' ? t : null;
  }

  /** A stop: register packets act on the thread that stopped until gdb selects another. */
  stopped(): void {
    this.general = null;
  }

  /** The registers of the selected thread, or null when it has gone. */
  registers(): RegisterFile | null {
    const t = this.general ?? this.current;
    if (t === this.current) return this.m.cpu;
    const c = t.exitState === null ? this.m.sys.savedContext(t) : undefined;
    return c ? contextRegisters(t, c) : null;
  }

  /**
   * Whether gdb may write register n (null: every one, a G packet) of the selected thread. DIVERGENCE: a thread
   * asleep in a syscall stays in it (the stub does not make it leave with -ERESTART* as a ptrace stop does), so
   * its x0 and pc, shown as the restart would set them, cannot be changed; the other registers can.
   */
  writable(n: number | null): boolean {
    const t = this.general ?? this.current;
    return t === this.current || !t.wait || (n !== null && n !== 0 && n !== 32);
  }

  /**
   * The thread to step: a runnable one that is not on the CPU takes it now (the scheduler's choice, overridden
   * as a debugger's would be), so its next instruction is the step; one asleep in a syscall steps out of it when
   * the syscall is done, as ptrace's PTRACE_SINGLESTEP does.
   */
  toStep(t: Task): Task {
    if (t !== this.current && t.wait === null && !t.stopped && t.exitState === null) this.m.sys.sched.contextSwitch(t);
    return t;
  }

  /** comm and what the thread does, as /proc/PID/task/TID/status says it: "faulter, S (sleeping) in futex" */
  private describe(t: Task): string {
    const nr = t.waitSyscall?.nr;
    const where = t.wait && nr !== undefined ? ` in ${sysCallTable[nr]?.[0] ?? `syscall ${nr}`}` : '';
    return `${t.comm}, ${taskState(t)}${where}`;
  }

  /** The reply to a thread packet (H, T, qC, qfThreadInfo, qsThreadInfo, qThreadExtraInfo), or null: not one. */
  packet(p: string): string | null {
    if (p === 'qC') return `QC${this.id(this.current)}`;
    // one reply holds them all (PacketSize is 20000: ~900 threads of p<pid>.<tid>)
    if (p === 'qfThreadInfo') return `m${this.list().map((t) => this.id(t)).join(',')}`;
    if (p === 'qsThreadInfo') return 'l';
    if (p.startsWith('qThreadExtraInfo,')) {
      const t = this.one(p.slice(17));
      return t ? Buffer.from(this.describe(t)).toString('hex') : 'E01';
    }
    if (p[0] === 'T') return this.one(p.slice(1)) ? 'OK' : 'E01';
    if (p[0] === 'H') {
      const t = this.find(p.slice(2));
      if (t === null) return 'E01';
      // Hc (the thread of c/s without vCont) is taken as given: a resume runs every thread, a step the current one
      if (p[1] === 'g') this.general = typeof t === 'object' ? t : null; // -1 and 0: the stopped thread
      return 'OK';
    }
    return null;
  }
}

/** What a vCont asks of the process, all-stop: run every thread; step one (a step action's thread) if any. */
export interface VContResume { kind: 'continue' | 'step'; /** gdb's signal number, 0 for none */ signal: number; thread: Task }

/**
 * vCont;action[:thread]…: the first step action (s/S) names the thread to step; else the first continue action
 * that names the current thread or no thread gives the signal. A step action without a thread steps the current
 * one. null: malformed.
 * DIVERGENCE: the other threads always run during a step, as under qemu-aarch64 -g; gdbserver keeps them stopped
 * for `vCont;s:T` without a default action (gdb's step over a breakpoint, scheduler-locking). A continue that
 * names one thread (`vCont;c:T`) runs them all too.
 */
export function parseVCont(actions: string, threads: Threads): VContResume | null {
  const list = actions.split(';').map((a) => {
    const [act, id] = a.split(':');
    return { act, target: id === undefined ? 'all' as const : threads.find(id) };
  });
  if (list.some((a) => !/^([cs]|[CS][0-9a-f]{2})$/.test(a.act))) return null;
  const signal = (act: string) => (act.length > 1 ? parseInt(act.slice(1), 16) : 0);
  const step = list.find((a) => a.act[0] === 's' || a.act[0] === 'S');
  if (step) {
    const thread = typeof step.target === 'object' && step.target ? step.target : threads.current;
    return { kind: 'step', signal: signal(step.act), thread };
  }
  const cont = list.find((a) => a.target === 'all' || a.target === 'any' || a.target === threads.current) ?? list[0];
  return { kind: 'continue', signal: cont ? signal(cont.act) : 0, thread: threads.current };
}
