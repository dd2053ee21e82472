// An injected abort (--inject, inject.ts): the exception the hardware would take on the instruction about to
// run, with the syndrome it would report, handed to the same el0 handlers an engine stop goes to (do_mem_abort,
// do_sp_pc_abort). Nothing here decides an outcome: the kernel path does.
//
// The syndrome, as the Arm ARM describes it (D17.2.37 ESR_EL1) and as syndrome.ts builds it for real faults:
// * data abort from a lower EL (EC 0x24): DFSC = the row, WnR from the access (stores, atomics, CAS: 1; cache
//   maintenance: CM = 1 and WnR = 1), ISV = 0, IL = 1. FAR = the access's (first byte's) address, or addr=A.
// * with `fetch`: an instruction abort from a lower EL (EC 0x20), IFSC = the row, FAR = the pc.
// * FnV is set only when asked (`fnv`, DFSC 0x10): the architecture lets an implementation report a synchronous
//   external abort without a valid FAR, and then the kernel reports si_addr = 0. By default FAR is valid, as it is
//   on the many implementations that record the address of the access that took the external abort.
// * EA (external abort type) and S1PTW are 0: the first is IMPLEMENTATION DEFINED, the second is for stage 2.
// * sp-alignment: EC 0x26 on the next memory access, FAR UNKNOWN (the kernel reports regs->sp);
//   pc-alignment: EC 0x22 on the next instruction, FAR = its pc (or addr=A).
// DIVERGENCE: an injected abort is transient: it is taken once, and the access, retried after a handler or a
// fixed page fault, succeeds (a real persistent external abort would be taken again).
// The hardware never reports some rows for some accesses (e.g. IFSC 0x21); the kernel dispatches on the low six
// bits either way, so every row can be injected either way.
import type { Kernel } from '../../kernel/kernel.ts';
import { decodeMemAccess } from './insn.ts';
import { synDataAbort, synInsnAbort, synSpAlign, synPcAlign } from './syndrome.ts';
import { doMemAbort, doSpPcAbort, faultInfo } from './fault.ts';
import { ESR_ELx_EC, ESR_ELx_FnV, esrGetClassString } from './esr.ts';
import { resolveKind, type InjectSpec } from './inject.ts';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** The syndrome and fault address of the injected exception at pc, or null if the instruction makes no access. */
function injectedSyndrome(k: Kernel, spec: InjectSpec, pc: bigint): { esr: number; far: bigint } | null {
  const kind = resolveKind(spec.kind);
  if (kind.special === 'pc-alignment') return { esr: synPcAlign(), far: spec.addr ?? pc };
  const fsc = kind.fsc ?? 0x10; // memory-failure: a synchronous external abort
  if (spec.fetch) return { esr: synInsnAbort(fsc), far: spec.addr ?? pc };
  const insn = k.cpu.read(pc, 4)?.readUInt32LE(0);
  const m = insn === undefined ? null : decodeMemAccess(insn);
  if (!m || (m.size === 0 && m.kind !== 'cache-maint')) return null; // PRFM never accesses memory
  if (kind.special === 'sp-alignment') return { esr: synSpAlign(), far: k.cpu.sp };
  const cm = m.kind === 'cache-maint';
  const write = m.write || m.kind === 'atomic' || m.kind === 'cas';
  const esr = (synDataAbort(fsc, write, cm) | (spec.fnv ? ESR_ELx_FnV : 0)) >>> 0;
  return { esr, far: spec.addr ?? m.address((n) => k.cpu.x(n), k.cpu.sp, pc) };
}

/**
 * Takes the injected exception if the instruction at the pc makes the kind of access it needs; returns false
 * (nothing happened) otherwise, so the caller runs one more instruction and asks again.
 */
export function injectAbort(k: Kernel, spec: InjectSpec): boolean {
  const pc = k.cpu.pc;
  const syn = injectedSyndrome(k, spec, pc);
  if (syn === null) return false;
  const kind = resolveKind(spec.kind);
  const { esr, far } = syn;
  const fault = kind.special ?? faultInfo[kind.fsc].name;
  k.trace('inject', { kind: spec.kind, fsc: kind.fsc, fault, pc: hex(pc), far: hex(far), esr: hex(esr) });
  k.trace('exception_entry', { ec: ESR_ELx_EC(esr), class: esrGetClassString(esr), esr: hex(esr), far: hex(far), pc: hex(pc) });
  k.task.injected = { firmwareFirst: kind.special === 'memory-failure' };
  try {
    if (kind.special === 'sp-alignment') doSpPcAbort(k, k.cpu.sp, esr);
    else if (kind.special === 'pc-alignment') doSpPcAbort(k, far, esr);
    else doMemAbort(k, far, esr);
  } finally {
    k.task.injected = null;
  }
  return true;
}
