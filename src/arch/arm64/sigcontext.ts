// Mirrors torvalds/linux arch/arm64/include/uapi/asm/sigcontext.h, asm/ucontext.h and struct rt_sigframe /
// frame_record of arch/arm64/kernel/signal.c (v6.17): the byte layout of the arm64 signal frame.
// Read: torvalds/linux arch/arm64/include/uapi/asm/ucontext.h @ 30c0923370175a01a806b23d797f1d9f2f3e4f40,
// arch/arm64/include/uapi/asm/sigcontext.h @ 078a5a4faf64fefaf13478a9091782432cad33fa, a recent
// arch/arm64/kernel/signal.c (setup_sigframe_layout, parse_user_sigframe); kernel.md §9.1, §9.2.
//
//   higher addresses
//   sp_top ─────────────── interrupted sp, or sas_ss_sp + sas_ss_size (sigsp)
//   frame_record {fp, lr}  at round_down(sp_top - 16, 16); x29 of the handler points here
//   ┌──────────── rt_sigframe (RT_SIGFRAME_SIZE = 4688 = 0x1250) ───────────────────────────────┐
//   │ 0x0000 siginfo_t info (128)              only written with SA_SIGINFO                      │
//   │ 0x0080 ucontext: uc_flags u64 (0) | 0x0088 uc_link u64 (0)                                 │
//   │ 0x0090 uc_stack: ss_sp u64 | 0x0098 ss_flags i32 (+4 pad) | 0x00a0 ss_size u64             │
//   │ 0x00a8 uc_sigmask u64 | 0x00b0 __unused[120] (glibc's 1024-bit sigset)                     │
//   │ 0x0130 uc_mcontext: fault_address u64                                                      │
//   │ 0x0138 regs[31] | 0x0230 sp | 0x0238 pc | 0x0240 pstate | 0x0248 pad                       │
//   │ 0x0250 __reserved[4096]: records {u32 magic, u32 size, …}, 16-byte aligned:                │
//   │        0x0250 fpsimd_context (528) {head, fpsr u32 @+8, fpcr u32 @+12, vregs[32] @+16}     │
//   │        0x0460 esr_context (16) {head, esr u64 @+8}   only when thread.fault_code != 0      │
//   │        0x0460 or 0x0470: terminator {0, 0} (16 reserved, 8 written)                        │
//   └────────────────────────────────────────────────────────────────────────────────────────────┘
//   frame (= handler sp, 16-byte aligned)
//   lower addresses

export const RT_SIGFRAME_SIZE = 4688;
export const FRAME_RECORD_SIZE = 16;
/** "Sanity limit on the approximate maximum size of signal frame" (SIGFRAME_MAXSZ, SZ_256K) */
export const SIGFRAME_MAXSZ = 256 * 1024;

/* struct ucontext (asm/ucontext.h): offsets inside the ucontext */
export const UCONTEXT_SIZE = 4560;
export const UCONTEXT_MCONTEXT = 0xb0;
/* struct sigcontext (asm/sigcontext.h): offsets inside the sigcontext */
export const SIGCONTEXT_SIZE = 4384;
export const SIGCONTEXT_RESERVED = 0x120;
export const SIGCONTEXT_RESERVED_SIZE = 4096;

/* Offsets inside struct rt_sigframe. */
export const RT_SIGFRAME_INFO = 0x000;
export const RT_SIGFRAME_UC = 0x080;
export const UC_FLAGS = 0x080;
export const UC_LINK = 0x088;
export const UC_STACK = 0x090;
export const UC_STACK_SS_SP = 0x090;
export const UC_STACK_SS_FLAGS = 0x098;
export const UC_STACK_SS_SIZE = 0x0a0;
export const UC_SIGMASK = 0x0a8;
export const UC_MCONTEXT = RT_SIGFRAME_UC + UCONTEXT_MCONTEXT; // 0x130
export const SC_FAULT_ADDRESS = 0x130;
export const SC_REGS = 0x138;
export const SC_SP = 0x230;
export const SC_PC = 0x238;
export const SC_PSTATE = 0x240;
export const SC_RESERVED = UC_MCONTEXT + SIGCONTEXT_RESERVED; // 0x250

/** sizeof(stack_t) on arm64: {void *ss_sp; int ss_flags; size_t ss_size} */
export const STACK_T_SIZE = 24;

/* struct _aarch64_ctx record magics */
export const FPSIMD_MAGIC = 0x46508001;
export const ESR_MAGIC = 0x45535201;
export const EXTRA_MAGIC = 0x45585401;
export const SVE_MAGIC = 0x53564501;
export const TPIDR2_MAGIC = 0x54504902;
export const ZA_MAGIC = 0x54366345;
export const ZT_MAGIC = 0x5a544e01;
export const FPMR_MAGIC = 0x46504d52;
export const POE_MAGIC = 0x504f4530;
export const GCS_MAGIC = 0x47435300;

/* record sizes (sizeof, and the round_up(…, 16) the frame layout uses) */
export const AARCH64_CTX_HEAD_SIZE = 8;
export const FPSIMD_CONTEXT_SIZE = 528;
export const FPSIMD_FPSR = 8;
export const FPSIMD_FPCR = 12;
export const FPSIMD_VREGS = 16;
export const ESR_CONTEXT_SIZE = 16;
export const ESR_CONTEXT_ESR = 8;
export const EXTRA_CONTEXT_SIZE = 32;
export const EXTRA_CONTEXT_DATAP = 8;
export const EXTRA_CONTEXT_DATASIZE = 16;
export const TERMINATOR_SIZE = 16;

/* Where setup_sigframe_layout() puts the records on a CPU with FP/SIMD only (no SVE/SME/GCS/FPMR/POE). */
export const FPSIMD_OFFSET = SC_RESERVED; // 0x250
export const ESR_OFFSET = FPSIMD_OFFSET + FPSIMD_CONTEXT_SIZE; // 0x460

/* PSTATE bits (arch/arm64/include/uapi/asm/ptrace.h) */
export const PSR_MODE_EL0t = 0x0;
export const PSR_MODE_MASK = 0xf;
export const PSR_MODE32_BIT = 0x10;
export const PSR_F_BIT = 0x40;
export const PSR_I_BIT = 0x80;
export const PSR_A_BIT = 0x100;
export const PSR_D_BIT = 0x200;
export const PSR_NZCV_MASK = 0xf0000000n;
/** arch/arm64/kernel/ptrace.c: GENMASK(63,32) | GENMASK(27,26) | GENMASK(23,22) | GENMASK(20,13) | BIT(5) */
export const SPSR_EL1_AARCH64_RES0_BITS =
  (0xffffffffn << 32n) | (0x3n << 26n) | (0x3n << 22n) | (0xffn << 13n) | (1n << 5n);
