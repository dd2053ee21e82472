// The engine's stop record: why Unicorn stopped, folded into one CpuStop (cpu.ts makes it; nothing here knows
// Linux), with QEMU's exception numbers and Unicorn's invalid-access types.
import {
  UC_MEM_READ_UNMAPPED, UC_MEM_WRITE_UNMAPPED, UC_MEM_FETCH_UNMAPPED, UC_MEM_READ_PROT, UC_MEM_WRITE_PROT,
  UC_MEM_FETCH_PROT,
} from './unicorn.ts';

/** QEMU exception numbers as Unicorn's UC_HOOK_INTR reports them (target/arm/cpu.h EXCP_*). */
export const EXCP_UDEF = 1;
export const EXCP_SWI = 2;
export const EXCP_PREFETCH_ABORT = 3;
export const EXCP_DATA_ABORT = 4;
export const EXCP_BKPT = 7;

export type MemAccessKind = 'read' | 'write' | 'fetch';

/** Why the engine stopped. `pc` is the address of the instruction that caused it (for svc: the next one). */
export type CpuStop =
  | { kind: 'intr'; intno: number; pc: bigint }
  | { kind: 'mem'; access: MemAccessKind; cause: 'unmapped' | 'prot'; addr: bigint; size: number; pc: bigint;
      /** false when Unicorn only knew the start of the translation block (fast mode): syndrome.ts recovers it */
      pcExact: boolean }
  /** the pc reached an address set with setBreakpoint (the instruction there has not run) */
  | { kind: 'breakpoint'; pc: bigint }
  /** a load/store with a misaligned SP as base (SCTLR_EL1.SA0 checking, done by native/icount.c) */
  | { kind: 'sp-align'; pc: bigint }
  /** the instruction budget ran out, or stopAt() asked for a stop */
  | { kind: 'limit'; pc: bigint };

/** The stops that are exceptions the kernel handles (not the emulator's own limit and breakpoint stops). */
export type ExceptionStop = Exclude<CpuStop, { kind: 'limit' } | { kind: 'breakpoint' }>;

/** UC_MEM_* of an invalid access → what it was and why */
export const memKind: Record<number, [MemAccessKind, 'unmapped' | 'prot']> = {
  [UC_MEM_READ_UNMAPPED]: ['read', 'unmapped'],
  [UC_MEM_WRITE_UNMAPPED]: ['write', 'unmapped'],
  [UC_MEM_FETCH_UNMAPPED]: ['fetch', 'unmapped'],
  [UC_MEM_READ_PROT]: ['read', 'prot'],
  [UC_MEM_WRITE_PROT]: ['write', 'prot'],
  [UC_MEM_FETCH_PROT]: ['fetch', 'prot'],
};
