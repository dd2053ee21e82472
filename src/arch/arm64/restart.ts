// The registers of a thread that sleeps in a syscall, as seen from outside the sleep. Linux never shows such a
// thread mid-syscall: whatever looks at it (a core dump's zap, a ptrace stop) first breaks the sleep, and the
// syscall returns -ERESTART* through arch_do_signal_or_restart (arch/arm64/kernel/signal.c, v6.17).
import type { Task } from '../../kernel/task.ts';
import type { CpuContext } from '../../kernel/sched.ts';

/**
 * pc and x0 of a thread asleep in a syscall (`wait`, `waitSyscall`) once it left it with -ERESTART*: x0 back to
 * orig_x0, pc back onto the svc. Any other thread: its saved pc and x0.
 */
export function restartView(t: Task, c: CpuContext): { pc: bigint; x0: bigint } {
  return t.wait && t.waitSyscall ? { pc: c.pc - 4n, x0: t.waitSyscall.origX0 } : { pc: c.pc, x0: c.x[0] };
}
