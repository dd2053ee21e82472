// Mirrors arch/arm64/kernel/syscall.c and sys.c (v6.17): sys_call_table, assembled here (and only here) from
// the subsystems' tables (include/uapi/asm-generic/unistd.h numbering), and invoke_syscall. Unknown numbers
// return -ENOSYS, as sys_ni_syscall does, and are traced.
import type { Kernel, SyscallTable, SysResult } from '../../kernel/kernel.ts';
import { NO_RETURN } from '../../kernel/kernel.ts';
import { sysSyscalls } from '../../kernel/sys.ts';
import { signalSyscalls } from '../../kernel/sys_signal.ts';
import { itimerSyscalls } from '../../kernel/itimer.ts';
import { fsSyscalls } from '../../fs/open.ts';
import { selectSyscalls } from '../../fs/select.ts';
import { mmSyscalls } from '../../mm/mmap.ts';
import { ENOSYS } from '../../kernel/errno.ts';
import { sysRtSigreturn, type SyscallReturn } from './signal.ts';
import { dieKernelFault } from './fault.ts';

export const sysCallTable: Readonly<SyscallTable> = Object.freeze({
  ...sysSyscalls,
  ...signalSyscalls,
  139: ['rt_sigreturn', sysRtSigreturn],
  ...itimerSyscalls,
  ...fsSyscalls,
  ...selectSyscalls,
  ...mmSyscalls,
});

/** The syscall that just returned: its number, and what a restart needs. */
export type SyscallExit = SyscallReturn & { nr: number };

/** el0_svc → invoke_syscall: x8 is the number, x0..x5 the arguments, the result goes to x0. */
export function invokeSyscall(k: Kernel): SyscallExit {
  const cpu = k.cpu;
  const nr = Number(cpu.x(8));
  const args = [0, 1, 2, 3, 4, 5].map((i) => cpu.x(i));
  const origX0 = args[0];
  const entry = sysCallTable[nr];
  if (nr === k.sysctl.oopsOnSyscall && !k.mm.vmaAt(args[0])) {
    // the experiment's buggy kernel path: a plain load from the user pointer, no exception-table fixup
    dieKernelFault(k, args[0], false);
    return { origX0, nr };
  }
  k.trace('sys_enter', { nr, syscall: entry?.[0] ?? null, args: args.map((a) => `0x${a.toString(16)}`) });
  let ret: SysResult;
  if (!entry) {
    ret = BigInt(-ENOSYS);
    k.trace('sys_ni_syscall', { nr });
  } else {
    ret = entry[1](k, args);
  }
  if (ret !== NO_RETURN) {
    cpu.setX(0, ret);
    k.trace('sys_exit', { nr, ret: Number(BigInt.asIntN(64, ret)) });
  }
  return { origX0, nr };
}
