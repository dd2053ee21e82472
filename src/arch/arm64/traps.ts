// Mirrors arch/arm64/kernel/traps.c (v6.17; ColinIanKing/linux-next @e4b9a6be, kernel.md §5): the helpers that
// turn an EL0 exception into a signal, and the EL0 trap emulation (MRS of ID registers, counter reads, WFI).
import type { Kernel } from '../../kernel/kernel.ts';
import { forceSigFault, forceSig, unhandledSignal } from '../../kernel/signal.ts';
import { SIGILL, SIGKILL, SIGSEGV, SIGTRAP, ILL_ILLOPC, TRAP_BRKPT } from '../../kernel/sigdefs.ts';
import { decodeSys, sysregName } from './sysreg.ts';
import { esrGetClassString } from './esr.ts';

const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');

/** arm64_show_signal: the debug.exception-trace log line (kernel.md §5.4). */
function arm64ShowSignal(k: Kernel, signo: number, str: string): void {
  if (!k.sysctl.exceptionTrace || !unhandledSignal(k.task, signo)) return;
  const esr = k.task.thread.faultCode;
  let line = `${k.task.comm}[${k.task.pid}]: unhandled exception: `;
  if (esr !== 0n) line += `${esrGetClassString(Number(esr))}, ESR 0x${hex16(esr)}, `;
  line += str;
  const pc = k.cpu.pc;
  const vma = k.mm.vmaAt(pc);
  if (vma?.file) {
    const base = vma.file.path.split('/').pop();
    line += ` in ${base}[${(pc - vma.start + vma.pgoff).toString(16)},${vma.start.toString(16)}+${(vma.end - vma.start).toString(16)}]`;
  }
  k.printk(line, `pc : ${hex16(pc)}`, `lr : ${hex16(k.cpu.x(30))}`, `sp : ${hex16(k.cpu.sp)}`);
}

/** arm64_force_sig_fault */
export function arm64ForceSigFault(k: Kernel, signo: number, code: number, far: bigint, str: string): void {
  arm64ShowSignal(k, signo, str);
  k.notice('arm64_force_sig_fault', { signo, str });
  if (signo === SIGKILL) forceSig(k, SIGKILL);
  else forceSigFault(k, signo, code, far);
}

/** arm64_notify_die (user mode): fault_address := 0, fault_code := err, then arm64_force_sig_fault. */
export function arm64NotifyDie(k: Kernel, str: string, signo: number, code: number, far: bigint, err: number): void {
  k.task.thread.faultAddress = 0n;
  k.task.thread.faultCode = BigInt(err >>> 0);
  arm64ForceSigFault(k, signo, code, far, str);
}

const descriptions: Record<number, string> = { [SIGILL]: 'undefined instruction', [SIGSEGV]: 'illegal memory access' };

/** force_signal_inject(signal, code, address, err) */
export function forceSignalInject(k: Kernel, signo: number, code: number, addr: bigint, err: number): void {
  const desc = descriptions[signo] ?? 'unknown or unrecoverable error';
  arm64NotifyDie(k, desc, signo, code, addr, err);
}

/** bad_el0_sync */
export function badEl0Sync(k: Kernel, esr: number): void {
  k.task.thread.faultAddress = 0n;
  k.task.thread.faultCode = BigInt(esr >>> 0);
  arm64ForceSigFault(k, SIGILL, ILL_ILLOPC, k.cpu.pc, 'Bad EL0 synchronous exception');
}

/** do_el0_brk64: forced SIGTRAP TRAP_BRKPT at the BRK; the pc is not advanced; fault_* stay stale. */
export function doEl0Brk64(k: Kernel, pc: bigint): void {
  arm64ForceSigFault(k, SIGTRAP, TRAP_BRKPT, pc, 'User debug trap');
}

/** SYS_MPIDR_SAFE_VAL */
const MPIDR_SAFE = 1n << 31n;

/**
 * The EL0 trap emulation Linux does in do_el0_undef (emulate_mrs) and do_el0_sys (cntvct/cntfrq/ctr/wfi).
 * Returns true when the instruction was emulated (the pc has been advanced past it).
 * DIVERGENCE: counter reads trap here on every CPU (CNTKCTL_EL1 = 0) so the guest sees the deterministic
 * clock; Linux lets EL0 read CNTVCT_EL0 directly unless an erratum workaround traps it.
 */
export function emulateEl0Sys(k: Kernel, insn: number): boolean {
  if (insn === 0xd503207f) { // WFI: wfi_handler skips it
    k.cpu.pc += 4n;
    return true;
  }
  const s = decodeSys(insn);
  if (!s || s.kind !== 'mrs') return false;
  let v: bigint | null = null;
  const name = sysregName(s);
  if (name === 'CNTVCT_EL0' || name === 'CNTVCTSS_EL0') v = k.clock.read(1)! / 16n; // 62.5 MHz counter
  else if (name === 'CNTFRQ_EL0') v = 62_500_000n;
  else if (s.op0 === 3 && s.op1 === 0 && s.crn === 0) v = emulateIdReg(k, s);
  if (v === null) return false;
  if (s.rt !== 31) k.cpu.setX(s.rt, v);
  k.cpu.pc += 4n;
  k.trace('emulate_mrs', { reg: name, value: `0x${v.toString(16)}` });
  return true;
}

/** emulate_id_reg / emulate_sys_reg: MIDR, MPIDR, REVIDR, the sanitised ID registers, RAZ elsewhere. */
function emulateIdReg(k: Kernel, s: { op0: number; op1: number; crn: number; crm: number; op2: number }): bigint {
  if (s.crm === 0) {
    if (s.op2 === 0) return k.cpu.readSysreg(3, 0, 0, 0, 0) ?? 0n; // MIDR_EL1
    if (s.op2 === 5) return MPIDR_SAFE;
    return 0n; // REVIDR_EL1 and the rest of CRm 0
  }
  return k.features.idRegs.get([s.op0, s.op1, s.crn, s.crm, s.op2].join(':')) ?? 0n;
}
