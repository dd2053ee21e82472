// Mirrors arch/arm64/kernel/syscall.c and sys.c (v6.17): sys_call_table, assembled here (and only here) from
// the subsystems' tables (include/uapi/asm-generic/unistd.h numbering), and invoke_syscall. Unknown numbers
// return -ENOSYS, as sys_ni_syscall does, and are traced.
import type { Kernel, SyscallTable, SysResult } from '../../kernel/kernel.ts';
import { NO_RETURN } from '../../kernel/kernel.ts';
import { sysSyscalls } from '../../kernel/sys.ts';
import { signalSyscalls } from '../../kernel/sys_signal.ts';
import { itimerSyscalls } from '../../kernel/itimer.ts';
import { fsSyscalls } from '../../fs/open.ts';
import { statSyscalls } from '../../fs/stat.ts';
import { xattrSyscalls } from '../../fs/xattr.ts';
import { attrSyscalls } from '../../fs/attr.ts';
import { syncSyscalls } from '../../fs/sync.ts';
import { credSyscalls } from '../../kernel/cred.ts';
import { posixTimerSyscalls } from '../../kernel/posix_timers.ts';
import { eventfdSyscalls } from '../../fs/eventfd.ts';
import { eventpollSyscalls } from '../../fs/eventpoll.ts';
import { statfsSyscalls } from '../../fs/statfs.ts';
import { copyRangeSyscalls } from '../../fs/copy_range.ts';
import { socketSyscalls } from '../../net/socket.ts';
import { schedSyscalls } from '../../kernel/sched_syscalls.ts';
import { fadviseSyscalls } from '../../mm/fadvise.ts';
import { selectSyscalls } from '../../fs/select.ts';
import { readWriteSyscalls } from '../../fs/read_write.ts';
import { fcntlSyscalls } from '../../fs/fcntl.ts';
import { readdirSyscalls } from '../../fs/readdir.ts';
import { pipeSyscalls } from '../../fs/pipe.ts';
import { mmSyscalls } from '../../mm/mmap.ts';
import { ENOSYS } from '../../kernel/errno.ts';
import { sysRtSigreturn, type SyscallReturn } from './signal.ts';
import { dieKernelFault } from './fault.ts';
import { SYSCALL_NAMES } from './unistd.ts';
import { wakeReason } from '../../kernel/sched.ts';
import { signalPending } from '../../kernel/signal.ts';
import { forkSyscalls } from '../../kernel/fork.ts';
import { waitSyscalls } from '../../kernel/wait.ts';
import { execSyscalls } from '../../fs/exec.ts';
import { futexSyscalls } from '../../kernel/futex.ts';

export const sysCallTable: Readonly<SyscallTable> = Object.freeze({
  ...sysSyscalls,
  ...signalSyscalls,
  139: ['rt_sigreturn', sysRtSigreturn],
  ...itimerSyscalls,
  ...fsSyscalls,
  ...statSyscalls,
  ...xattrSyscalls,
  ...attrSyscalls,
  ...syncSyscalls,
  ...credSyscalls,
  ...posixTimerSyscalls,
  ...eventfdSyscalls,
  ...eventpollSyscalls,
  ...statfsSyscalls,
  ...copyRangeSyscalls,
  ...socketSyscalls,
  ...schedSyscalls,
  ...fadviseSyscalls,
  ...readWriteSyscalls,
  ...fcntlSyscalls,
  ...readdirSyscalls,
  ...pipeSyscalls,
  ...selectSyscalls,
  ...mmSyscalls,
  ...forkSyscalls,
  ...waitSyscalls,
  ...execSyscalls,
  ...futexSyscalls,
});

/** The syscall that just returned (or, `blocked`, now waits): its number, and what a restart needs. */
export type SyscallExit = SyscallReturn & { nr: number; blocked?: boolean };

/** el0_svc → invoke_syscall: x8 is the number, x0..x5 the arguments, the result goes to x0. */
export function invokeSyscall(k: Kernel): SyscallExit {
  const cpu = k.cpu;
  const nr = Number(cpu.x(8));
  const args = [cpu.x(0), cpu.x(1), cpu.x(2), cpu.x(3), cpu.x(4), cpu.x(5)];
  const origX0 = args[0];
  const entry = sysCallTable[nr];
  if (nr === k.sysctl.oopsOnSyscall && !k.mm.vmaAt(args[0])) {
    // the experiment's buggy kernel path: a plain load from the user pointer, no exception-table fixup
    dieKernelFault(k, args[0], false);
    return { origX0, nr };
  }
  if (k.tracing('sys_enter')) k.trace('sys_enter', { nr, syscall: entry?.[0] ?? null, args: args.map((a) => `0x${a.toString(16)}`) });
  let ret: SysResult;
  if (!entry) {
    ret = BigInt(-ENOSYS);
    k.trace('sys_ni_syscall', { nr });
    // a number Linux has no syscall for gets -ENOSYS there too: only one it has is "not emulated"
    if (SYSCALL_NAMES[nr]) k.notice('unsupported', { what: `system call ${SYSCALL_NAMES[nr]} (${nr})`, errno: ENOSYS });
  } else {
    ret = entry[1](k, args);
  }
  while (typeof ret === 'object') {
    // the syscall has to wait: unless its wait is over already, the task sleeps in it (schedule() runs another)
    const t = k.task;
    t.wait = ret;
    t.waitSyscall = { nr, origX0, args };
    // recalc_sigpending for current: a signal it can take now ends the wait before it begins
    if (signalPending(t)) t.sigpendingFlag = true;
    const why = wakeReason(t, k.clock.elapsed());
    if (!why) return { origX0, nr, blocked: true };
    t.waitSyscall = null;
    ret = endWait(k, why);
  }
  if (ret !== NO_RETURN) setReturn(k, nr, ret);
  return { origX0, nr };
}

function setReturn(k: Kernel, nr: number, ret: bigint): void {
  k.cpu.setX(0, ret);
  if (k.tracing('sys_exit')) k.trace('sys_exit', { nr, ret: Number(BigInt.asIntN(64, ret)) });
}

/** finish_wait: the rest of the syscall, as the task that waited (or its next wait). */
function endWait(k: Kernel, why: 'ready' | 'timeout' | 'signal'): SysResult {
  const t = k.task;
  const w = t.wait!;
  t.wait = null;
  return w.finish(why);
}

/** A task whose wait ended runs again: its syscall completes and it returns to user mode (timers, signals). */
export function finishWait(k: Kernel & { exitToUserMode(sc?: SyscallReturn): void }, why: 'ready' | 'timeout' | 'signal'): void {
  const t = k.task;
  const sc = t.waitSyscall!;
  t.waitSyscall = null;
  let ret = endWait(k, why);
  while (typeof ret === 'object') {
    // the syscall waits again (it did part of its work): unless that wait is over already, the task sleeps on
    t.wait = ret;
    t.waitSyscall = sc;
    const again = wakeReason(t, k.clock.elapsed());
    if (!again) return;
    t.waitSyscall = null;
    ret = endWait(k, again);
  }
  if (ret !== NO_RETURN) setReturn(k, sc.nr, ret);
  if (t.exitState === null) k.exitToUserMode({ origX0: sc.origX0 });
}
