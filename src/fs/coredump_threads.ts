// The threads of a core (fs/coredump.c coredump_wait, fs/binfmt_elf.c fill_note_info, v6.17): the dumping
// thread first, then the others in thread-list order, each with its own registers. current's come from the
// engine; a thread off the CPU has them in the scheduler's saved context (its pt_regs and fpsimd state).
// DIVERGENCE: coredump_wait does not run the other threads to coredump_task_exit before the dump; their registers
// are taken where the scheduler left them, with the restart set-up they would have gone through applied.
import type { Kernel } from '../kernel/kernel.ts';
import type { Task } from '../kernel/task.ts';
import type { CpuContext } from '../kernel/sched.ts';
import type { CoreThread } from './binfmt_elf_core.ts';
import { restartView } from '../arch/arm64/restart.ts';

function fromContext(t: Task, c: CpuContext): CoreThread {
  return {
    tid: t.tid, regs: [...c.x], sp: c.sp, pc: c.pc, pstate: c.nzcv, vregs: [...c.v], fpsr: c.fpsr, fpcr: c.fpcr,
    tpidr: c.tpidr, syscallno: -1, pending: t.pending.signal, blocked: t.blocked,
  };
}

/**
 * Every live thread of current's process, current first. `zapped`: a fatal signal's dump, where coredump_wait
 * made the others leave what they were doing first. A thread asleep in a syscall left it with -ERESTART*, and
 * arch_do_signal_or_restart had already put back x0 (orig_x0) and moved pc back onto the svc before get_signal
 * parked it; so its registers show the svc, as they would on Linux. For a gcore (ptrace's view) they stay as the
 * sleep left them: pc after the svc.
 */
export function coreThreads(k: Kernel, zapped: boolean): CoreThread[] {
  const cur = k.task;
  const cpu = k.cpu;
  const first: CoreThread = {
    tid: cur.tid, regs: Array.from({ length: 31 }, (_, i) => cpu.x(i)), sp: cpu.sp, pc: cpu.pc,
    pstate: cpu.nzcv, vregs: Array.from({ length: 32 }, (_, i) => cpu.v(i)), fpsr: cpu.fpsr, fpcr: cpu.fpcr,
    tpidr: cpu.tpidr, syscallno: -1, pending: cur.pending.signal, blocked: cur.blocked,
  };
  const others: CoreThread[] = [];
  for (const t of k.tasks) {
    if (t === cur || t.signal !== cur.signal || t.exitState !== null) continue;
    const saved = k.savedContext(t);
    if (!saved) continue;
    const th = fromContext(t, saved);
    if (zapped) {
      const at = restartView(t, saved);
      th.pc = at.pc;
      th.regs[0] = at.x0;
    }
    others.push(th);
  }
  return [first, ...others];
}
