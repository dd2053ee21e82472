// get_signal (kernel/signal.c, v6.17): the next signal to act on, and the fatal default action taken where the
// kernel takes it (vfs_coredump, do_group_exit). Apart from signal.ts because it reaches kernel/exit.ts and
// fs/coredump.ts, which themselves send signals (SIGCHLD, SIGKILL to the others): no import cycle.
import type { Kernel } from './kernel.ts';
import type { KSigaction } from './task.ts';
import type { KernelSiginfo } from './siginfo.ts';
import { untaggedAddr } from '../mm/uaccess.ts';
import { vfsCoredump } from '../fs/coredump.ts';
import { doGroupExit } from './exit.ts';
import {
  SIGKILL, SIGSTOP, SIGTRAP, TRAP_BRKPT, SI_USER, SIG_DFL, SIG_IGN, SA_RESETHAND, SA_EXPOSE_TAGBITS, sigmask, siginfoLayout, isFaultLayout,
  sigKernelIgnore, sigKernelStop, sigKernelCoredump,
} from './sigdefs.ts';
import { groupExiting, dequeueSignal, dequeueSynchronousSignal, doSignalStop, pgrpOrphaned, sendSignal } from './signal.ts';

export type GetSignalResult =
  | { signo: number; info: KernelSiginfo; ka: KSigaction }
  | { fatal: number; info: KernelSiginfo; coredump: boolean }
  | null;

/** hide_si_addr_tag_bits + arm64 arch_untagged_si_addr (SIGTRAP/TRAP_BRKPT keeps all bits). */
function hideSiAddrTagBits(info: KernelSiginfo): void {
  if (!isFaultLayout(siginfoLayout(info.signo, info.code)) || info.addr === undefined) return;
  if (info.signo === SIGTRAP && info.code === TRAP_BRKPT) return;
  info.addr = untaggedAddr(info.addr);
}

/**
 * get_signal: the next signal to act on. A handler → { signo, info, ka } (ka is a copy; SA_RESETHAND already
 * applied to the table). A fatal default action is taken here, as the kernel takes it — vfs_coredump for the
 * core-dumping signals, then do_group_exit — and reported as { fatal, info, coredump }: the task is a zombie.
 * null: nothing (more) to do.
 */
export function getSignal(k: Kernel): GetSignalResult {
  const t = k.task;
  for (;;) {
    // signal_group_exit: a fatal signal decided the group dies, or another thread's execve is killing this one
    if (groupExiting(t) || (t.signal.groupExecTask && t.signal.groupExecTask !== t)) {
      t.pending.signal &= ~sigmask(SIGKILL);
      k.trace('signal_deliver', { sig: SIGKILL, errno: 0, code: SI_USER, sa_handler: '0x0', sa_flags: 0 });
      const g = t.signal;
      const info = g.groupExitInfo ?? { signo: groupExiting(t) ? g.groupExitCode : SIGKILL, errno: 0, code: SI_USER, pid: 0, uid: 0 };
      // do_group_exit(SIGKILL) keeps the group_exit_code set by complete_signal (the original signal)
      doGroupExit(k, SIGKILL);
      return { fatal: info.signo, info, coredump: false };
    }
    let info = dequeueSynchronousSignal(t) ?? dequeueSignal(t, t.blocked);
    if (!info) {
      t.sigpendingFlag = false; // recalc_sigpending: nothing left that this thread could take
      return null;
    }
    if (k.ptracer && info.signo !== SIGKILL) {
      // ptrace_signal: the tracer may cancel or change the signal; a changed one now blocked is queued again
      info = k.ptracer.signal(info);
      if (!info) continue;
      if (t.blocked & sigmask(info.signo)) {
        sendSignal(k, info, 'pid', 'kernel');
        continue;
      }
    }
    const sig = info.signo;
    const ka = t.action[sig];
    if (k.tracing('signal_deliver')) k.trace('signal_deliver', {
      sig, errno: info.errno, code: info.code, sa_handler: `0x${ka.handler.toString(16)}`, sa_flags: ka.flags,
      // the siginfo fields a tracer prints (--strace)
      addr: info.addr === undefined ? null : `0x${info.addr.toString(16)}`, pid: info.pid ?? null, uid: info.uid ?? null,
      value: info.value === undefined ? null : `0x${info.value.toString(16)}`,
    });
    if (ka.handler === SIG_IGN) continue;
    if (ka.handler !== SIG_DFL) {
      const copy = { ...ka };
      if (ka.flags & SA_RESETHAND) ka.handler = SIG_DFL;
      if (!(copy.flags & SA_EXPOSE_TAGBITS)) hideSiAddrTagBits(info);
      return { signo: sig, info, ka: copy };
    }
    if (sigKernelIgnore(sig)) continue;
    if (sigKernelStop(sig)) {
      // DIVERGENCE: the first process has no parent in the run to continue it: a stop signal with SIG_DFL is
      // reported (trace 'signal_stop_ignored') and ignored instead of stopping it (do_signal_stop).
      if (t.leader.parent === null) {
        k.trace('signal_stop_ignored', { sig });
        continue;
      }
      // the terminal stops do nothing to an orphaned process group: nobody would continue it
      if (sig !== SIGSTOP && pgrpOrphaned(k, t)) continue;
      doSignalStop(k, t, sig);
      return null;
    }
    // the fatal default action: the core dump (coredump_finish sets the 0x80 bit), then do_group_exit
    const coredump = sigKernelCoredump(sig);
    const dumped = coredump && vfsCoredump(k, info);
    doGroupExit(k, dumped ? sig | 0x80 : sig);
    return { fatal: sig, info, coredump };
  }
}

