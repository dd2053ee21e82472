// Mirrors kernel/exit.c (v6.17): do_group_exit and do_exit for the current task, and the wait status a parent
// reads (the encoding of include/uapi/linux/wait.h that WIFEXITED/WIFSIGNALED/WCOREDUMP decode).
import type { Kernel } from './kernel.ts';
import { SIGNAL_GROUP_EXIT, type Task } from './task.ts';

/**
 * do_group_exit(exit_code): exit_code is already a wait status ((status & 0xff) << 8, or a signal number with
 * 0x80 when a core was dumped). A group exit already under way keeps its group_exit_code.
 */
export function doGroupExit(k: Kernel, exitCode: number): void {
  const sig = k.task.signal;
  if (sig.flags & SIGNAL_GROUP_EXIT) exitCode = sig.groupExitCode;
  else {
    sig.flags = SIGNAL_GROUP_EXIT;
    sig.groupExitCode = exitCode;
  }
  doExit(k.task);
}

/** do_exit: the task becomes a zombie. DIVERGENCE: one task per process, so nobody reaps it. */
function doExit(t: Task): void {
  t.exitState = 'zombie';
}

/** What a parent's wait4() would see of a dead task: exited with a code, or killed by a signal. */
export type WaitStatus =
  | { kind: 'exited'; code: number; status: number }
  | { kind: 'signaled'; signo: number; coreDumped: boolean; status: number };

/** The one place the wait status is decoded (WIFEXITED / WEXITSTATUS / WTERMSIG / WCOREDUMP). */
export function waitStatus(status: number): WaitStatus {
  if ((status & 0x7f) === 0) return { kind: 'exited', code: (status >> 8) & 0xff, status };
  return { kind: 'signaled', signo: status & 0x7f, coreDumped: (status & 0x80) !== 0, status };
}
