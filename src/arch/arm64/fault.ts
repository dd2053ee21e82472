// Mirrors arch/arm64/mm/fault.c (Linux v6.17; table read from ColinIanKing/linux-next @536f8fe8, kernel.md §3–4):
// fault_info[], do_mem_abort and the handlers the table points at.
import { VM_READ, VM_WRITE, VM_EXEC, TASK_SIZE, PAGE_SHIFT } from '../../mm/mm.ts';
import { untaggedAddr } from '../../mm/uaccess.ts';
import { beyondEof } from '../../mm/filemap.ts';
import {
  SIGSEGV, SIGBUS, SIGKILL, SEGV_MAPERR, SEGV_ACCERR, SEGV_MTESERR, BUS_OBJERR, BUS_ADRALN, BUS_ADRERR, SI_KERNEL,
  BUS_MCEERR_AR,
} from '../../kernel/sigdefs.ts';
import {
  ESR_ELx_EC, ESR_ELx_EC_DABT_LOW, ESR_ELx_EC_DABT_CUR, ESR_ELx_EC_IABT_LOW, ESR_ELx_WNR, ESR_ELx_CM, ESR_ELx_FnV,
  ESR_ELx_IL, esrGetClassString,
} from './esr.ts';
import { translationLevel } from './syndrome.ts';
import { emulateTaggedAccess } from './tbi.ts';
import { arm64ForceSigFault, arm64NotifyDie } from './traps.ts';
import { forceSigMceerr } from '../../kernel/signal.ts';
import type { Kernel } from '../../kernel/kernel.ts';

/** A fault_info handler: 0 = handled (a signal may have been sent), non-zero = unhandled → fallback. */
type FaultFn = (k: Kernel, far: bigint, esr: number) => number;

export interface FaultInfo {
  fn: FaultFn;
  fnName: string;
  sig: number;
  code: number;
  name: string;
}

const isTtbr0Addr = (a: bigint): boolean => a < TASK_SIZE;

/** set_thread_esr: what sigcontext.fault_address and esr_context will show; kernel addresses sanitised (§4.3). */
function setThreadEsr(k: Kernel, address: bigint, esr: number): void {
  k.task.thread.faultAddress = address;
  if (!isTtbr0Addr(address)) {
    const ec = ESR_ELx_EC(esr);
    if (ec === ESR_ELx_EC_DABT_LOW) esr = ((ec << 26) | ESR_ELx_IL | (esr & (ESR_ELx_CM | ESR_ELx_WNR)) | 0x04) >>> 0;
    else if (ec === ESR_ELx_EC_IABT_LOW) esr = ((ec << 26) | ESR_ELx_IL | 0x04) >>> 0;
    else esr = 0;
  }
  k.task.thread.faultCode = BigInt(esr);
}

/** do_bad_area (user mode): set_thread_esr, then the table's signal with si_addr = the raw FAR. */
function doBadArea(k: Kernel, far: bigint, esr: number): number {
  const inf = esrToFaultInfo(esr);
  setThreadEsr(k, untaggedAddr(far), esr);
  arm64ForceSigFault(k, inf.sig, inf.code, far, inf.name);
  return 0;
}

const isWriteAbort = (esr: number): boolean => (esr & ESR_ELx_WNR) !== 0 && (esr & ESR_ELx_CM) === 0;
const isElInstructionAbort = (esr: number): boolean => ESR_ELx_EC(esr) === ESR_ELx_EC_IABT_LOW;

/**
 * do_page_fault (user mode): the VMA decides MAPERR vs ACCERR; a fault below a VM_GROWSDOWN stack grows it
 * (expand_stack) and the instruction restarts. The table's si_code is not used here.
 */
function doPageFault(k: Kernel, far: bigint, esr: number): number {
  const addr = untaggedAddr(far);
  const inf = esrToFaultInfo(esr);
  const need = isElInstructionAbort(esr) ? VM_EXEC : isWriteAbort(esr) ? VM_WRITE : VM_READ | VM_WRITE | VM_EXEC;
  let vma = k.mm.findVma(addr);
  let grew = false;
  if (vma && vma.start > addr) {
    grew = k.mm.expandStack(vma, addr);
    if (!grew) vma = undefined;
  }
  let code = 0;
  if (!vma) code = SEGV_MAPERR;
  else if ((vma.flags & need) === 0) code = SEGV_ACCERR;
  if (k.tracing('do_page_fault')) k.trace('do_page_fault', { addr: hex(addr), vma: vma ? `${hex(vma.start)}-${hex(vma.end)}` : null, code });
  if (code === 0 && !grew && beyondEof(k.mm, addr)) {
    // handle_mm_fault → filemap_fault: the page lies past the end of the file: VM_FAULT_SIGBUS
    setThreadEsr(k, addr, esr);
    arm64ForceSigFault(k, SIGBUS, BUS_ADRERR, far, inf.name);
    return 0;
  }
  if (code === 0) {
    // handle_mm_fault succeeded: the stack grew, the access is retried. Or the pointer was tagged: the
    // hardware ignores the top byte (TBI), Unicorn does not, so the access is performed here (tbi.ts).
    if (k.task.injected) k.trace('handle_mm_fault', { addr: hex(addr), fault: 0 }); // a spurious fault: fixed, retried
    else if (!grew && !(addr !== far && emulateTaggedAccess(k.cpu, k.mm))) k.bug(`page fault at ${hex(addr)} inside a VMA that allows it`);
    return 0;
  }
  setThreadEsr(k, addr, esr);
  arm64ForceSigFault(k, SIGSEGV, code, far, inf.name);
  return 0;
}

function doTranslationFault(k: Kernel, far: bigint, esr: number): number {
  if (isTtbr0Addr(untaggedAddr(far))) return doPageFault(k, far, esr);
  return doBadArea(k, far, esr);
}

const doAlignmentFault: FaultFn = (k, far, esr) => doBadArea(k, far, esr);
const doBad: FaultFn = () => 1;
const doTagCheckFault: FaultFn = (k, far, esr) => doBadArea(k, far, esr);

/** do_sea: si_addr is 0 when FnV is set; arm64_notify_die zeroes fault_address. */
function doSea(k: Kernel, far: bigint, esr: number): number {
  const inf = esrToFaultInfo(esr);
  if (apeiClaimSea(k, far)) return 0;
  const siaddr = esr & ESR_ELx_FnV ? 0n : untaggedAddr(far);
  arm64NotifyDie(k, inf.name, inf.sig, inf.code, siaddr, esr);
  return 0;
}

/**
 * apei_claim_sea: with firmware-first RAS (only for an injected memory-failure here) GHES claims the error and
 * queues memory_failure(pfn, MF_ACTION_REQUIRED), which runs before the return to user: kill_proc sends the
 * current task force_sig_mceerr(BUS_MCEERR_AR, the page's user address, PAGE_SHIFT) (mm/memory-failure.c).
 * fault_address/fault_code are not set on this path, and nothing is logged by arm64_show_signal.
 * DIVERGENCE: the page is not poisoned (a retried access succeeds instead of faulting with VM_FAULT_HWPOISON),
 * and GHES/memory_failure print no log lines (there is no physical address to print).
 */
function apeiClaimSea(k: Kernel, far: bigint): boolean {
  if (!k.task.injected?.firmwareFirst) return false;
  const page = untaggedAddr(far) & ~((1n << PAGE_SHIFT) - 1n);
  k.trace('memory_failure', { addr: hex(page), action: 'MF_ACTION_REQUIRED: SIGBUS BUS_MCEERR_AR to current' });
  forceSigMceerr(k, BUS_MCEERR_AR, page, Number(PAGE_SHIFT));
  return true;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

const bad = (n: number, name = `unknown ${n}`): FaultInfo => ({ fn: doBad, fnName: 'do_bad', sig: SIGKILL, code: SI_KERNEL, name });
const tr = (level: string): FaultInfo => ({ fn: doTranslationFault, fnName: 'do_translation_fault', sig: SIGSEGV, code: SEGV_MAPERR, name: `level ${level} translation fault` });
const pf = (name: string): FaultInfo => ({ fn: doPageFault, fnName: 'do_page_fault', sig: SIGSEGV, code: SEGV_ACCERR, name });
const sea = (sig: number, code: number, name: string): FaultInfo => ({ fn: doSea, fnName: 'do_sea', sig, code, name });

/** fault_info[], indexed by ESR.DFSC/IFSC (esr & 0x3f), all 64 rows in kernel order. */
export const faultInfo: readonly FaultInfo[] = Object.freeze([
  bad(0, 'ttbr address size fault'), //                                      0x00
  bad(1, 'level 1 address size fault'), //                                   0x01
  bad(2, 'level 2 address size fault'), //                                   0x02
  bad(3, 'level 3 address size fault'), //                                   0x03
  tr('0'), tr('1'), tr('2'), tr('3'), //                                     0x04-0x07
  pf('level 0 access flag fault'), pf('level 1 access flag fault'), //      0x08-0x09
  pf('level 2 access flag fault'), pf('level 3 access flag fault'), //      0x0a-0x0b
  pf('level 0 permission fault'), pf('level 1 permission fault'), //        0x0c-0x0d
  pf('level 2 permission fault'), pf('level 3 permission fault'), //        0x0e-0x0f
  sea(SIGBUS, BUS_OBJERR, 'synchronous external abort'), //                  0x10
  { fn: doTagCheckFault, fnName: 'do_tag_check_fault', sig: SIGSEGV, code: SEGV_MTESERR, name: 'synchronous tag check fault' }, // 0x11
  bad(18), //                                                                0x12
  sea(SIGKILL, SI_KERNEL, 'level -1 (translation table walk)'), //           0x13
  sea(SIGKILL, SI_KERNEL, 'level 0 (translation table walk)'), //            0x14
  sea(SIGKILL, SI_KERNEL, 'level 1 (translation table walk)'), //            0x15
  sea(SIGKILL, SI_KERNEL, 'level 2 (translation table walk)'), //            0x16
  sea(SIGKILL, SI_KERNEL, 'level 3 (translation table walk)'), //            0x17
  sea(SIGBUS, BUS_OBJERR, 'synchronous parity or ECC error'), //             0x18
  bad(25), bad(26), //                                                       0x19-0x1a
  sea(SIGKILL, SI_KERNEL, 'level -1 synchronous parity error (translation table walk)'), // 0x1b
  sea(SIGKILL, SI_KERNEL, 'level 0 synchronous parity error (translation table walk)'), //  0x1c
  sea(SIGKILL, SI_KERNEL, 'level 1 synchronous parity error (translation table walk)'), //  0x1d
  sea(SIGKILL, SI_KERNEL, 'level 2 synchronous parity error (translation table walk)'), //  0x1e
  sea(SIGKILL, SI_KERNEL, 'level 3 synchronous parity error (translation table walk)'), //  0x1f
  bad(32), //                                                                0x20
  { fn: doAlignmentFault, fnName: 'do_alignment_fault', sig: SIGBUS, code: BUS_ADRALN, name: 'alignment fault' }, // 0x21
  bad(34), bad(35), bad(36), bad(37), bad(38), bad(39), bad(40), //          0x22-0x28
  bad(41, 'level -1 address size fault'), //                                 0x29
  bad(42), //                                                                0x2a
  tr('-1'), //                                                               0x2b
  bad(44), bad(45), bad(46), bad(47), //                                     0x2c-0x2f
  bad(48, 'TLB conflict abort'), //                                          0x30
  bad(49, 'Unsupported atomic hardware update fault'), //                    0x31
  bad(50), bad(51), //                                                       0x32-0x33
  bad(52, 'implementation fault (lockdown abort)'), //                       0x34
  { ...bad(53, 'implementation fault (unsupported exclusive)'), sig: SIGBUS, code: BUS_OBJERR }, // 0x35
  bad(54), bad(55), bad(56), bad(57), bad(58), bad(59), bad(60), //          0x36-0x3c
  bad(61, 'section domain fault'), //                                        0x3d
  bad(62, 'page domain fault'), //                                           0x3e
  bad(63), //                                                                0x3f
]);

export function esrToFaultInfo(esr: number): FaultInfo {
  return faultInfo[esr & 0x3f];
}

/** do_mem_abort: dispatch through the table; an unhandled fault falls back to arm64_notify_die. */
export function doMemAbort(k: Kernel, far: bigint, esr: number): void {
  const inf = esrToFaultInfo(esr);
  k.trace('mem_abort', { fsc: esr & 0x3f, fault: inf.name, handler: inf.fnName, far: hex(far), esr: `0x${esr.toString(16)}` });
  if (inf.fn(k, far, esr) === 0) return;
  arm64NotifyDie(k, inf.name, inf.sig, inf.code, untaggedAddr(far), esr);
}

/** do_sp_pc_abort: SIGBUS BUS_ADRALN through arm64_notify_die (fault_address 0, fault_code ESR). */
export function doSpPcAbort(k: Kernel, addr: bigint, esr: number): void {
  arm64NotifyDie(k, 'SP/PC alignment exception', SIGBUS, BUS_ADRALN, addr, esr);
}

/**
 * __do_kernel_fault → die_kernel_fault (kernel mode): the kernel itself touched addr without a fixup. The log is
 * the pinned kernel's (kernel.md §4.7, §5.3); then die() with panic_on_oops = 1, so the outcome is a panic.
 * DIVERGENCE: the register dump, module list and call trace that die() also prints are left out.
 */
export function dieKernelFault(k: Kernel, addr: bigint, write: boolean): void {
  const level = translationLevel(k.mm, addr);
  const esr = ((ESR_ELx_EC_DABT_CUR << 26) | ESR_ELx_IL | (write ? ESR_ELx_WNR : 0) | (0x04 + level)) >>> 0;
  const msg = addr < 4096n ? 'NULL pointer dereference' : 'paging request';
  const h16 = (v: bigint | number) => BigInt(v).toString(16).padStart(16, '0');
  const h8 = (v: number) => v.toString(16).padStart(8, '0');
  const inf = esrToFaultInfo(esr);
  k.printk(
    `Unable to handle kernel ${msg} at virtual address ${h16(addr)}`,
    'Mem abort info:',
    `  ESR = 0x${h16(esr)}`,
    `  EC = 0x25: ${esrGetClassString(esr)}, IL = 32 bits`,
    '  SET = 0, FnV = 0',
    '  EA = 0, S1PTW = 0',
    `  FSC = 0x${h8(esr & 0x3f).slice(6)}: ${inf.name}`,
    'Data abort info:',
    `  ISV = 0, ISS = 0x${h8(esr & 0x1ffffff)}, ISS2 = 0x00000000`,
    `  CM = 0, WnR = ${write ? 1 : 0}, TnD = 0, TagAccess = 0`,
    '  GCS = 0, Overlay = 0, DirtyBit = 0, Xs = 0',
    'user pgtable: 4k pages, 48-bit VAs, pgdp=0000000041000000',
    `[${h16(addr)}] pgd=0000000000000000, p4d=0000000000000000`,
    `Internal error: Oops: ${h16(esr)} [#1] SMP`,
    `CPU: 0 UID: ${k.task.uid} PID: ${k.task.pid} Comm: ${k.task.comm} Not tainted 6.17.0-arm64-fault #1`,
    'Kernel panic - not syncing: Oops: Fatal exception',
  );
  k.trace('die', { str: 'Oops', esr: `0x${esr.toString(16)}`, addr: hex(addr) });
  k.panic();
}
