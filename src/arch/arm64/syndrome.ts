// ESR synthesis: the one place that models what Unicorn hides. Unicorn 2.0.1 reports exceptions as QEMU
// exception numbers and invalid accesses as (kind, address) with ESR_EL1/FAR_EL1 left at 0, so we build the
// syndrome the hardware would report to EL1 (Arm ARM D17.2.37 ESR_EL1), named after QEMU's syn_* helpers.
//
// Modelling choices, all here:
// * Translation level: a simulated 4-level, 4 KiB-granule, 48-bit walk derived from the VMAs. A table entry
//   exists when some VMA overlaps the region it maps (512 GiB at level 0, 1 GiB at 1, 2 MiB at 2), so the fault
//   is reported at the first level whose entry would be missing, else level 3. Linux allocates tables on first
//   touch and frees them on munmap; we assume every VMA was touched.
// * Pages inside a VMA are modelled as present, so a write to a read-only page is a level-3 permission fault
//   (DFSC 0x0F). PROT_NONE pages have PTE_VALID clear on Linux: a level-3 translation fault (0x07).
// * ISV is 0 (no instruction syndrome), as kernel.md §1.5 assumes; IL is 1 (A64 instructions are 32-bit).
// * Atomics (LDADD…, SWP, CAS) report WnR = 1; cache maintenance reports CM = 1 and WnR = 1 (Arm ARM).
// * SP alignment: Unicorn never checks it. native/icount.c does, on the instructions after every SP write that
//   can misalign SP (found by scanning executable mappings with insn.ts spWriteKind), then on every
//   instruction until SP is aligned again. Code that writes itself after it was scanned is not rescanned.
// * In --fast mode Unicorn only knows the start of the translation block of a faulting access; the faulting
//   instruction is found by decoding forward from there (recoverFaultPc).
import type { ExceptionStop } from '../../cpu/cpu.ts';
import { EXCP_UDEF, EXCP_BKPT, EXCP_DATA_ABORT } from '../../cpu/cpu.ts';
import type { Mm } from '../../mm/mm.ts';
import { untaggedAddr } from '../../mm/uaccess.ts';
import { VM_READ, VM_WRITE, VM_EXEC } from '../../mm/vma-flags.ts';
import { beyondEof } from '../../mm/filemap.ts';
import { decodeMemAccess, decodeBrk, type MemAccess } from './insn.ts';
import {
  ESR_ELx_EC_UNKNOWN, ESR_ELx_EC_DABT_LOW, ESR_ELx_EC_IABT_LOW, ESR_ELx_EC_PC_ALIGN, ESR_ELx_EC_BRK64,
  ESR_ELx_EC_SP_ALIGN, ESR_ELx_EC_ILL, ESR_ELx_EC_SHIFT, ESR_ELx_IL, ESR_ELx_WNR, ESR_ELx_CM,
} from './esr.ts';

export interface Syndrome {
  ec: number;
  esr: number;
  far: bigint;
  /** address of the instruction that took the exception */
  pc: bigint;
}

const FSC_FAULT = 0x04, FSC_PERM = 0x0c, FSC_ALIGN = 0x21;

/** Level at which the simulated walk of addr would find no entry (0–2), or 3. */
const LEVEL_SIZES = [1n << 39n, 1n << 30n, 1n << 21n];
export function translationLevel(mm: Mm, addr: bigint): number {
  for (let level = 0; level < 3; level++) {
    const lo = addr & ~(LEVEL_SIZES[level] - 1n);
    const hi = lo + LEVEL_SIZES[level];
    const v = mm.findVma(lo);
    if (!v || v.start >= hi) return level;
  }
  return 3;
}

const esrOf = (ec: number, iss: number): number => ((ec << ESR_ELx_EC_SHIFT) | ESR_ELx_IL | iss) >>> 0;

/** DFSC for an access to addr: translation fault at the walk's level, or a level-3 permission fault. */
export function faultStatus(mm: Mm, tagged: bigint, access: 'read' | 'write' | 'fetch'): number {
  const addr = untaggedAddr(tagged); // TBI: the walk ignores the top byte
  const v = mm.vmaAt(addr);
  if (!v || (v.flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return FSC_FAULT + (v ? 3 : translationLevel(mm, addr));
  if (beyondEof(mm, addr)) return FSC_FAULT + 3; // a file page past EOF is never present: no PTE
  return FSC_PERM + 3;
}

export function synDataAbort(dfsc: number, write: boolean, cm: boolean): number {
  return esrOf(ESR_ELx_EC_DABT_LOW, dfsc | (write || cm ? ESR_ELx_WNR : 0) | (cm ? ESR_ELx_CM : 0));
}
export const synInsnAbort = (dfsc: number): number => esrOf(ESR_ELx_EC_IABT_LOW, dfsc);
export const synBrk = (imm: number): number => esrOf(ESR_ELx_EC_BRK64, imm & 0xffff);
export const synUncategorized = (): number => esrOf(ESR_ELx_EC_UNKNOWN, 0);
export const synPcAlign = (): number => esrOf(ESR_ELx_EC_PC_ALIGN, 0);
export const synSpAlign = (): number => esrOf(ESR_ELx_EC_SP_ALIGN, 0);
export const synIllegalState = (): number => esrOf(ESR_ELx_EC_ILL, 0);

/** What the synthesis reads of the CPU (a Cpu is one): registers, and the instruction word at an address (null
 *  when it cannot be read). */
export interface RegView {
  x(n: number): bigint;
  readonly sp: bigint;
  insnWord(pc: bigint): number | null;
}

/** decodeMemAccess, remembered by word: a handler loop faults at the same few instructions (the decodings are
 *  never changed by their users) */
const decoded = new Map<number, MemAccess | null>();
function decode(insn: number): MemAccess | null {
  let m = decoded.get(insn);
  if (m === undefined) {
    if (decoded.size >= 4096) decoded.clear();
    decoded.set(insn, m = decodeMemAccess(insn));
  }
  return m;
}

/**
 * In fast mode a faulting data access reports the start of its translation block. The registers already
 * hold the state just before the faulting instruction, so the first instruction from the block start whose
 * access, computed from the current registers, touches the fault address with the right direction is it.
 */
export function recoverFaultPc(r: RegView, tbStart: bigint, addr: bigint, write: boolean): bigint {
  for (let i = 0n, pc = tbStart; i < 512n; i++, pc += 4n) {
    const insn = r.insnWord(pc);
    if (insn === null) break;
    const m = decode(insn);
    if (!m || m.size === 0) continue;
    if (write ? !m.write : !m.read) continue;
    const a = m.address((n) => r.x(n), r.sp, pc);
    if (addr >= a && addr < a + BigInt(m.size)) return pc;
  }
  return tbStart;
}

/** Builds the syndrome for a non-svc stop. */
export function synthesizeEsr(mm: Mm, r: RegView, stop: ExceptionStop): Syndrome {
  // FAR is UNKNOWN for an SP alignment fault; the kernel reports regs->sp instead (do_sp_pc_abort).
  if (stop.kind === 'sp-align') return { ec: ESR_ELx_EC_SP_ALIGN, esr: synSpAlign(), far: r.sp, pc: stop.pc };
  if (stop.kind === 'mem') {
    const pc = stop.pcExact ? stop.pc : recoverFaultPc(r, stop.pc, stop.addr, stop.access === 'write');
    if (stop.access === 'fetch') {
      if (stop.addr & 3n) return { ec: ESR_ELx_EC_PC_ALIGN, esr: synPcAlign(), far: stop.addr, pc: stop.addr };
      return { ec: ESR_ELx_EC_IABT_LOW, esr: synInsnAbort(faultStatus(mm, stop.addr, 'fetch')), far: stop.addr, pc };
    }
    const insn = r.insnWord(pc);
    const m = insn === null ? null : decode(insn);
    const cm = m?.kind === 'cache-maint';
    const write = stop.access === 'write' || m?.kind === 'atomic' || m?.kind === 'cas';
    return { ec: ESR_ELx_EC_DABT_LOW, esr: synDataAbort(faultStatus(mm, stop.addr, stop.access), write, cm), far: stop.addr, pc };
  }
  const pc = stop.pc;
  if (pc & 3n) return { ec: ESR_ELx_EC_PC_ALIGN, esr: synPcAlign(), far: pc, pc };
  const insn = r.insnWord(pc);
  if (stop.intno === EXCP_BKPT && insn !== null) {
    const imm = decodeBrk(insn);
    if (imm !== null) return { ec: ESR_ELx_EC_BRK64, esr: synBrk(imm), far: 0n, pc };
  }
  if (stop.intno === EXCP_DATA_ABORT && insn !== null) {
    // QEMU raises a data abort at EL0 for misaligned exclusives and atomics, and the native alignment sites
    // (align.ts) stop the same way for the classes it does not check: Unicorn reports no address.
    const m = decode(insn);
    if (m) {
      const far = m.address((n) => r.x(n), r.sp, pc);
      const write = m.write && m.kind !== 'load-exclusive';
      return { ec: ESR_ELx_EC_DABT_LOW, esr: synDataAbort(FSC_ALIGN, write, false), far, pc };
    }
  }
  if (stop.intno === EXCP_UDEF || insn === null) return { ec: ESR_ELx_EC_UNKNOWN, esr: synUncategorized(), far: 0n, pc };
  // Any other exception QEMU raises at EL0 has no Linux meaning for a user task: bad_el0_sync.
  return { ec: ESR_ELx_EC_ILL, esr: synIllegalState(), far: 0n, pc };
}
