// Mirrors torvalds/linux arch/arm64/kernel/ptrace.c (v6.17): aarch64_regsets[] as seen by the core dumper.
// Simplified: only the getters (regset_get) and only the regsets a Cortex-A57 (ARMv8.0) CPU makes produce notes.
//
// Read: kernel.md §13.6 (PTRACE), ptrace_hbp_get_resource_info / hw_break_get / tls_get from a recent
// arch/arm64/kernel/ptrace.c copy. Layouts: arch/arm64/include/uapi/asm/ptrace.h (user_pt_regs,
// user_fpsimd_state, user_hwdebug_state).
//
// The emulated CPU model is an ARMv8.0 Cortex-A57: no SVE, SME, PAC, FPMR, POE, GCS or MTE. For those the
// kernel keeps a regset, but its getter returns -EINVAL (system_supports_*() is false) and fill_thread_core_info
// skips the note; they are therefore left out of the table and marked where they sit in kernel order.
// The resulting per-thread note list (PRSTATUS, PRFPREG, ARM_TLS, ARM_HW_BREAK, ARM_HW_WATCH,
// ARM_SYSTEM_CALL, ARM_TAGGED_ADDR_CTRL) is what a Cortex-A57 Linux core contains.
import {
  NN_CORE, NN_LINUX, NT_ARM_HW_BREAK, NT_ARM_HW_WATCH, NT_ARM_SYSTEM_CALL, NT_ARM_TAGGED_ADDR_CTRL, NT_ARM_TLS,
  NT_PRFPREG, NT_PRSTATUS,
} from '../../fs/elf.ts';
import type { CoreThread } from '../../fs/binfmt_elf_core.ts';

export type RegsetName = 'GPR' | 'FPR' | 'TLS' | 'HW_BREAK' | 'HW_WATCH' | 'SYSTEM_CALL' | 'TAGGED_ADDR_CTRL';

/** One struct user_regset, reduced to what elf_core_dump needs. */
export interface UserRegset {
  name: RegsetName;
  noteType: number;
  noteName: typeof NN_CORE | typeof NN_LINUX;
  /** n × size in the kernel: the note's descsz. */
  size: number;
  get(thread: CoreThread): Buffer;
}

/*
 * struct user_pt_regs (272 bytes)
 *   0x000 regs[31] (x0..x30)   0x0f8 sp   0x100 pc   0x108 pstate
 */
export const USER_PT_REGS_SIZE = 272;
const PT_REGS = 0x000, PT_SP = 0x0f8, PT_PC = 0x100, PT_PSTATE = 0x108;

/*
 * struct user_fpsimd_state (528 bytes)
 *   0x000 vregs[32] (__uint128_t, little-endian: low doubleword first)   0x200 fpsr u32   0x204 fpcr u32
 *   0x208 __reserved[2] u32
 */
export const USER_FPSIMD_STATE_SIZE = 528;
const FP_VREGS = 0x000, FP_FPSR = 0x200, FP_FPCR = 0x204;

/*
 * struct user_hwdebug_state (264 bytes)
 *   0x000 dbg_info u32   0x004 pad u32   0x008 dbg_regs[16] { addr u64, ctrl u32, pad u32 }
 */
export const USER_HWDEBUG_STATE_SIZE = 264;
export const ARM_MAX_BRP = 16;

/*
 * dbg_info = debug_monitors_arch() << 8 | hw_breakpoint_slots(type)  (ptrace_hbp_get_resource_info).
 * Modelling: these are the values a Cortex-A57 reports in ID_AA64DFR0_EL1 (0x10305106): DebugVer 0x6 (ARMv8
 * debug architecture), BRPs 5 → 6 breakpoints, WRPs 3 → 4 watchpoints. The emulator supports no hardware
 * breakpoints, so every dbg_regs slot reads zero, as for a task that never set one.
 */
export const ARM_DEBUG_ARCH_V8 = 0x6;
export const CORTEX_A57_BRPS = 6;
export const CORTEX_A57_WRPS = 4;

const U64_MASK = (1n << 64n) - 1n;

function gprGet(t: CoreThread): Buffer {
  const b = Buffer.alloc(USER_PT_REGS_SIZE);
  for (let i = 0; i < 31; i++) b.writeBigUInt64LE((t.regs[i] ?? 0n) & U64_MASK, PT_REGS + 8 * i);
  b.writeBigUInt64LE(t.sp & U64_MASK, PT_SP);
  b.writeBigUInt64LE(t.pc & U64_MASK, PT_PC);
  b.writeBigUInt64LE(t.pstate & U64_MASK, PT_PSTATE);
  return b;
}

function fprGet(t: CoreThread): Buffer {
  const b = Buffer.alloc(USER_FPSIMD_STATE_SIZE);
  for (let i = 0; i < 32; i++) {
    const v = t.vregs[i] ?? 0n;
    b.writeBigUInt64LE(v & U64_MASK, FP_VREGS + 16 * i);
    b.writeBigUInt64LE((v >> 64n) & U64_MASK, FP_VREGS + 16 * i + 8);
  }
  b.writeUInt32LE(t.fpsr >>> 0, FP_FPSR);
  b.writeUInt32LE(t.fpcr >>> 0, FP_FPCR);
  return b;
}

/* tls_get: TPIDR_EL0, then TPIDR2_EL0 — zero because the CPU has no SME (system_supports_tpidr2() false). */
function tlsGet(t: CoreThread): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(t.tpidr & U64_MASK, 0);
  return b;
}

function hwDebugGet(slots: number): (t: CoreThread) => Buffer {
  return () => {
    const b = Buffer.alloc(USER_HWDEBUG_STATE_SIZE);
    b.writeUInt32LE(((ARM_DEBUG_ARCH_V8 << 8) | slots) >>> 0, 0);
    return b;
  };
}

/* system_call_get: pt_regs->syscallno as an int; NO_SYSCALL (-1) when the task is not in a syscall. */
function systemCallGet(t: CoreThread): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(t.syscallno | 0, 0);
  return b;
}

/* tagged_addr_ctrl_get: get_tagged_addr_ctrl() as a long; the emulator never enables PR_TAGGED_ADDR_ENABLE. */
function taggedAddrCtrlGet(): Buffer {
  return Buffer.alloc(8);
}

/** aarch64_regsets[] in enum aarch64_regset order; regset 0 must be NT_PRSTATUS (fill_thread_core_info). */
export const aarch64Regsets: readonly UserRegset[] = [
  { name: 'GPR', noteType: NT_PRSTATUS, noteName: NN_CORE, size: USER_PT_REGS_SIZE, get: gprGet },
  { name: 'FPR', noteType: NT_PRFPREG, noteName: NN_CORE, size: USER_FPSIMD_STATE_SIZE, get: fprGet },
  { name: 'TLS', noteType: NT_ARM_TLS, noteName: NN_LINUX, size: 16, get: tlsGet },
  {
    name: 'HW_BREAK', noteType: NT_ARM_HW_BREAK, noteName: NN_LINUX, size: USER_HWDEBUG_STATE_SIZE,
    get: hwDebugGet(CORTEX_A57_BRPS),
  },
  {
    name: 'HW_WATCH', noteType: NT_ARM_HW_WATCH, noteName: NN_LINUX, size: USER_HWDEBUG_STATE_SIZE,
    get: hwDebugGet(CORTEX_A57_WRPS),
  },
  // REGSET_FPMR: fpmr_get → -EINVAL without FEAT_FPMR: no note.
  { name: 'SYSTEM_CALL', noteType: NT_ARM_SYSTEM_CALL, noteName: NN_LINUX, size: 4, get: systemCallGet },
  // REGSET_SVE, REGSET_SSVE, REGSET_ZA, REGSET_ZT: no SVE/SME: no notes.
  // REGSET_PAC_MASK, REGSET_PAC_ENABLED_KEYS, REGSET_PACA_KEYS, REGSET_PACG_KEYS: no pointer auth: no notes.
  {
    name: 'TAGGED_ADDR_CTRL', noteType: NT_ARM_TAGGED_ADDR_CTRL, noteName: NN_LINUX, size: 8,
    get: taggedAddrCtrlGet,
  },
  // REGSET_POE, REGSET_GCS: no FEAT_S1POE / FEAT_GCS: no notes.
] satisfies readonly UserRegset[];
