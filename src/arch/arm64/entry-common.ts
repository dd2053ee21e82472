// Mirrors arch/arm64/kernel/entry-common.c el0t_64_sync_handler (v6.17, kernel.md §2): one switch on the
// exception class of the synthesized ESR.
import type { ExceptionStop } from '../../cpu/cpu.ts';
import { synthesizeEsr, synDataAbort, faultStatus } from './syndrome.ts';
import { decodeMemAccess } from './insn.ts';
import { doMemAbort, doSpPcAbort } from './fault.ts';
import { forceSignalInject, badEl0Sync, doEl0Brk64, emulateEl0Sys } from './traps.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import {
  ESR_ELx_EC_DABT_LOW, ESR_ELx_EC_IABT_LOW, ESR_ELx_EC_SP_ALIGN, ESR_ELx_EC_PC_ALIGN, ESR_ELx_EC_UNKNOWN,
  ESR_ELx_EC_BRK64, esrGetClassString,
} from './esr.ts';
import { SIGILL, ILL_ILLOPC } from '../../kernel/sigdefs.ts';

/** el0t_64_sync_handler: the exception the engine stopped on, dispatched on its synthesized ESR. */
export function el0SyncHandler(k: Kernel, stop: ExceptionStop): void {
  const syn = synthesizeEsr(k.mm, k.cpu, stop);
  k.cpu.pc = syn.pc;
  k.trace('exception_entry', {
    ec: syn.ec, class: esrGetClassString(syn.esr), esr: `0x${syn.esr.toString(16)}`, far: `0x${syn.far.toString(16)}`,
    pc: `0x${syn.pc.toString(16)}`,
  });
  switch (syn.ec) {
    case ESR_ELx_EC_DABT_LOW: case ESR_ELx_EC_IABT_LOW:
      doMemAbort(k, syn.far, syn.esr);
      break;
    case ESR_ELx_EC_SP_ALIGN:
      doSpPcAbort(k, k.cpu.sp, syn.esr);
      break;
    case ESR_ELx_EC_PC_ALIGN:
      doSpPcAbort(k, syn.far, syn.esr);
      break;
    case ESR_ELx_EC_UNKNOWN: {
      // do_el0_undef: try the MRS / counter / WFI emulation first, then SIGILL with fault_code 0
      const insn = k.cpu.insnWord(syn.pc);
      if (insn !== null && emulateCacheMaint(k, insn)) return;
      if (insn !== null && emulateEl0Sys(k, insn)) {
        k.notice('exception_return', {});
        return;
      }
      forceSignalInject(k, SIGILL, ILL_ILLOPC, syn.pc, 0);
      break;
    }
    case ESR_ELx_EC_BRK64:
      doEl0Brk64(k, syn.pc);
      break;
    default:
      badEl0Sync(k, syn.esr);
  }
}

/**
 * DC CVAC/CVAU/CIVAC/CVAP/CVADP and IC IVAU at EL0 (Linux: SCTLR_EL1.UCI = 1, executed by the CPU). On a mapped,
 * readable address they do nothing visible; otherwise the hardware takes a data abort with CM = 1 (and WnR = 1),
 * which do_page_fault treats as a read. Returns true when the instruction was handled here.
 */
function emulateCacheMaint(k: Kernel, insn: number): boolean {
  const m = decodeMemAccess(insn);
  if (m?.kind !== 'cache-maint') return false;
  const pc = k.cpu.pc;
  const addr = m.address((n) => k.cpu.x(n), k.cpu.sp, pc);
  const vma = k.mm.vmaAt(addr);
  if (vma && vma.flags & 0x7) {
    k.cpu.pc = pc + 4n;
    k.notice('exception_return', {}); // nothing to report: the operation had no visible effect
    return true;
  }
  const esr = synDataAbort(faultStatus(k.mm, addr, 'read'), false, true);
  k.trace('exception_entry', { ec: ESR_ELx_EC_DABT_LOW, class: esrGetClassString(esr), esr: `0x${esr.toString(16)}`, far: `0x${addr.toString(16)}`, pc: `0x${pc.toString(16)}` });
  doMemAbort(k, addr, esr);
  return true;
}
