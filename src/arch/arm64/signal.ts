// Mirrors arch/arm64/kernel/signal.c (Linux v6.17): the rt_sigframe (get_sigframe, setup_sigframe,
// setup_return), rt_sigreturn (restore_sigframe, parse_user_sigframe) and arch_do_signal_or_restart.
// Simplified: a CPU with FP/SIMD only (no SVE/SME/GCS/FPMR/POE/BTI/MTE records or PSTATE bits), no compat.
// Read: a recent arch/arm64/kernel/signal.c (setup_sigframe_layout … arch_do_signal_or_restart),
// torvalds/linux arch/arm64/kernel/ptrace.c (valid_native_regs, SPSR_EL1_AARCH64_RES0_BITS),
// arch/arm64/kernel/traps.c (arm64_notify_segfault, arm64_notify_die); kernel.md §9.
import { getSignal } from '../../kernel/signal_deliver.ts';
import { untaggedAddr } from '../../mm/uaccess.ts';
import type { Kernel, SysResult } from '../../kernel/kernel.ts';
import type { KSigaction } from '../../kernel/task.ts';
import type { KernelSiginfo } from '../../kernel/siginfo.ts';
import { copySiginfoToUser, SI_MAX_SIZE } from '../../kernel/siginfo.ts';
import { copyFromUser, copyToUser } from '../../mm/uaccess.ts';
import { TASK_SIZE, VM_GROWSDOWN, VM_WRITE, type Mm } from '../../mm/mm.ts';
import { ERESTARTNOHAND, ERESTARTSYS, ERESTARTNOINTR, ERESTART_RESTARTBLOCK, EINTR } from '../../kernel/errno.ts';
import { SA_SIGINFO, SA_RESTORER, SA_RESTART, SIGSEGV, SEGV_MAPERR, SEGV_ACCERR, MINSIGSTKSZ } from '../../kernel/sigdefs.ts';
import {
  signalPending, signalDelivered, forceSigsegv, forceSigFault, sigmaskToSave, sigsp,
  setCurrentBlocked, restoreSavedSigmask, doSigaltstack, decodeStackT,
} from '../../kernel/signal.ts';
import { VDSO_SIGRETURN_OFFSET } from './vdso.ts';
import * as S from './sigcontext.ts';

/**
 * __put_user from the kernel: a write below a VM_GROWSDOWN vma faults, and do_page_fault grows the stack
 * (expand_stack) before retrying, exactly as for a user access. false where the write would fault for good.
 */
function putUser(mm: Mm, addr: bigint, data: Buffer): boolean {
  const v = mm.findVma(addr);
  if (v && addr < v.start && (v.flags & VM_GROWSDOWN) && !mm.expandStack(v, addr)) return false;
  return copyToUser(mm, addr, data);
}

/** The frame as setup_rt_frame writes it, built in one reused image: offsets from `frame`, the frame record
 *  at RT_SIGFRAME_SIZE (a fault round trip allocates no buffer for it). Every offset is 8-byte aligned. */
const FRAME_IMAGE = S.RT_SIGFRAME_SIZE + S.FRAME_RECORD_SIZE;
const img = Buffer.alloc(FRAME_IMAGE);
const img64 = new BigUint64Array(img.buffer, img.byteOffset, FRAME_IMAGE / 8);

/** The frame's layout depends on two things only: an esr record (bit 0) and a siginfo (bit 1, SA_SIGINFO). */
interface FramePuts {
  /** setup_rt_frame's put_user writes in the kernel's order: [offset, length] of img at frame + offset */
  puts: number[][];
  /** the same bytes as spans {offset, length} sorted, touching ones joined (Cpu.writeSpans), and their extent */
  spans: Uint32Array;
  start: number;
  end: number;
}
const putsMemo = new Map<number, FramePuts>();
function framePuts(layout: number): FramePuts {
  const hit = putsMemo.get(layout);
  if (hit) return hit;
  const esr = (layout & 1) !== 0;
  const puts = [
    [S.UC_FLAGS, 8], [S.UC_LINK, 8],
    // __save_altstack: the raw sas_ss_* values (the 4 pad bytes after ss_flags are not written)
    [S.UC_STACK_SS_SP, 8], [S.UC_STACK_SS_FLAGS, 4], [S.UC_STACK_SS_SIZE, 8],
    // setup_sigframe
    [S.RT_SIGFRAME_SIZE, S.FRAME_RECORD_SIZE], [S.SC_REGS, S.SC_PSTATE + 8 - S.SC_REGS], [S.SC_FAULT_ADDRESS, 8],
    [S.UC_SIGMASK, 8], [S.FPSIMD_OFFSET, S.FPSIMD_CONTEXT_SIZE],
    ...(esr ? [[S.ESR_OFFSET, S.ESR_CONTEXT_SIZE]] : []),
    [esr ? S.ESR_OFFSET + S.ESR_CONTEXT_SIZE : S.ESR_OFFSET, 8], // the terminator's {magic, size}
    ...(layout & 2 ? [[S.RT_SIGFRAME_INFO, SI_MAX_SIZE]] : []),
  ];
  const joined: number[][] = [];
  for (const [o, n] of puts.slice().sort((a, b) => a[0] - b[0])) {
    const last = joined[joined.length - 1];
    if (last && o <= last[0] + last[1]) last[1] = Math.max(last[1], o + n - last[0]);
    else joined.push([o, n]);
  }
  const end = joined[joined.length - 1];
  const fp = { puts, spans: Uint32Array.from(joined.flat()), start: joined[0][0], end: end[0] + end[1] };
  putsMemo.set(layout, fp);
  return fp;
}

/**
 * The frame's put_user writes: when one writable VMA holds them all, one engine call writes them (the bytes
 * between keep their old values); otherwise one by one in the kernel's order, failing at the first that would
 * fault.
 */
function putUserAll(mm: Mm, frame: bigint, layout: number): boolean {
  const { puts, spans, start, end } = framePuts(layout);
  const v = mm.vmaAt(frame + BigInt(start));
  if (!v || frame + BigInt(end) > v.end || !(v.flags & VM_WRITE)) {
    for (const [o, n] of puts) if (!putUser(mm, frame + BigInt(o), img.subarray(o, o + n))) return false;
    return true;
  }
  return mm.cpu.writeSpans(frame, img, spans);
}

/** The EL0 PSTATE that pt_regs would hold: NZCV, EL0t (the only bits the emulated CPU shows EL0). */
const userPstate = (k: Kernel): bigint => k.cpu.nzcv & S.PSR_NZCV_MASK;

/** fpsimd_context: {FPSIMD_MAGIC, 528, fpsr, fpcr, vregs[32]}, into img at off */
function fpsimdContext(k: Kernel, off: number): void {
  img.writeUInt32LE(S.FPSIMD_MAGIC, off);
  img.writeUInt32LE(S.FPSIMD_CONTEXT_SIZE, off + 4);
  img.writeUInt32LE(k.cpu.fpsr >>> 0, off + S.FPSIMD_FPSR);
  img.writeUInt32LE(k.cpu.fpcr >>> 0, off + S.FPSIMD_FPCR);
  k.cpu.vregsInto(img, off + S.FPSIMD_VREGS); // vregs[32], 16 bytes each, little-endian
}

/**
 * setup_rt_frame: builds the frame for `signo` and points the registers at the handler. Only the fields the
 * kernel writes are written (the rest keeps the old stack bytes, as on Linux). false (and no register changed)
 * when get_sigframe or any write fails; the caller then runs force_sigsegv.
 */
export function setupRtFrame(k: Kernel, signo: number, info: KernelSiginfo, ka: KSigaction,
  vdsoBase: bigint): boolean {
  const { cpu, mm, task } = k;
  const sp = cpu.sp;
  // get_sigframe (layout: fpsimd, esr iff fault_code != 0, terminator: always fits in 4688 bytes)
  const spTop = sigsp(task, sp, ka);
  const nextFrame = (spTop - BigInt(S.FRAME_RECORD_SIZE)) & ~15n;
  const frame = nextFrame - BigInt(S.RT_SIGFRAME_SIZE);
  if (frame < 0n || spTop > TASK_SIZE) return false; // access_ok(frame, sp_top - frame)

  const put64 = (off: number, v: bigint): void => {
    img64[off >> 3] = v; // wraps to u64
  };
  cpu.userRegsInto(img, S.SC_REGS); // regs[31], sp, pc
  img64[S.SC_PSTATE >> 3] = userPstate(k);
  img64[S.RT_SIGFRAME_SIZE >> 3] = cpu.x(29);
  img64[(S.RT_SIGFRAME_SIZE >> 3) + 1] = cpu.x(30);
  img.writeInt32LE(task.sas.flags | 0, S.UC_STACK_SS_FLAGS);
  fpsimdContext(k, S.FPSIMD_OFFSET);
  const esr = task.thread.faultCode !== 0n;
  const term = esr ? S.ESR_OFFSET + S.ESR_CONTEXT_SIZE : S.ESR_OFFSET;
  if (esr) {
    img.writeUInt32LE(S.ESR_MAGIC, S.ESR_OFFSET);
    img.writeUInt32LE(S.ESR_CONTEXT_SIZE, S.ESR_OFFSET + 4);
    img64[(S.ESR_OFFSET + S.ESR_CONTEXT_ESR) >> 3] = task.thread.faultCode;
  }
  // the values of the puts (framePuts lists them): ucontext, uc_stack (__save_altstack), setup_sigframe
  put64(S.UC_FLAGS, 0n);
  put64(S.UC_LINK, 0n);
  put64(S.UC_STACK_SS_SP, task.sas.sp);
  put64(S.UC_STACK_SS_SIZE, task.sas.size);
  put64(S.SC_FAULT_ADDRESS, task.thread.faultAddress);
  put64(S.UC_SIGMASK, sigmaskToSave(task));
  put64(term, 0n); // the terminator's {magic, size}
  if (ka.flags & SA_SIGINFO) copySiginfoToUser(info).copy(img, S.RT_SIGFRAME_INFO);
  if (!putUserAll(mm, frame, (esr ? 1 : 0) | (ka.flags & SA_SIGINFO ? 2 : 0))) return false;
  const at = (off: number): bigint => frame + BigInt(off);
  // the frame as written, for an observer that draws it (read only when asked: a handler loop delivers often)
  k.notice('rt_sigframe', { signo, frame, flags: ka.flags, esr, read: () => copyFromUser(mm, frame, S.RT_SIGFRAME_SIZE + S.FRAME_RECORD_SIZE) });

  // setup_return: the point of no return
  const sigtramp = ka.flags & SA_RESTORER ? ka.restorer : vdsoBase + BigInt(VDSO_SIGRETURN_OFFSET);
  cpu.setX(0, BigInt(signo));
  if (ka.flags & SA_SIGINFO) {
    cpu.setX(1, at(S.RT_SIGFRAME_INFO));
    cpu.setX(2, at(S.RT_SIGFRAME_UC));
  }
  cpu.sp = frame;
  cpu.setX(29, nextFrame);
  cpu.setX(30, sigtramp);
  cpu.pc = ka.handler;
  return true;
}

/**
 * valid_native_regs (arch/arm64/kernel/ptrace.c): RES0 bits are dropped silently; the result must be EL0t,
 * AArch64, with D/A/I/F clear. On failure the kernel forces the PSTATE to NZCV only.
 */
export function validNativeRegs(pstate: bigint): { ok: boolean; pstate: bigint } {
  const p = pstate & ~S.SPSR_EL1_AARCH64_RES0_BITS;
  const bad = BigInt(S.PSR_MODE_MASK | S.PSR_MODE32_BIT | S.PSR_D_BIT | S.PSR_A_BIT | S.PSR_I_BIT | S.PSR_F_BIT);
  if ((p & bad) === 0n) return { ok: true, pstate: p };
  return { ok: false, pstate: p & S.PSR_NZCV_MASK };
}

const rd32 = (mm: Mm, a: bigint): number | null => copyFromUser(mm, a, 4)?.readUInt32LE() ?? null;

/** parse_user_sigframe: the fpsimd record's address and size, or null for an invalid (or unreadable) list. */
export function parseUserSigframe(mm: Mm, sf: bigint): { fpsimd: bigint; size: number } | null {
  let base = sf + BigInt(S.SC_RESERVED);
  let offset = 0n;
  let limit = BigInt(S.SIGCONTEXT_RESERVED_SIZE);
  let haveExtra = false;
  let fpsimd: { fpsimd: bigint; size: number } | null = null;
  if (base & 15n) return null;
  for (;;) {
    if (limit - offset < 8n || (offset & 15n)) return null;
    const head = base + offset;
    const magic = rd32(mm, head);
    const size = rd32(mm, head + 4n);
    if (magic === null || size === null) return null; // -EFAULT: a bad frame all the same
    if (limit - offset < BigInt(size)) return null;
    switch (magic) {
      case 0:
        return size === 0 ? fpsimd : null; // done (restore_sigframe then insists on the fpsimd record)
      case S.FPSIMD_MAGIC:
        if (fpsimd) return null;
        fpsimd = { fpsimd: head, size };
        break;
      case S.ESR_MAGIC:
        break; // ignored: user space cannot feed an ESR back
      case S.EXTRA_MAGIC: {
        if (haveExtra || size < S.EXTRA_CONTEXT_SIZE) return null;
        let userp = head + BigInt(size);
        const datap = copyFromUser(mm, head + BigInt(S.EXTRA_CONTEXT_DATAP), 8)?.readBigUInt64LE() ?? null;
        const extraSize = rd32(mm, head + BigInt(S.EXTRA_CONTEXT_DATASIZE));
        if (datap === null || extraSize === null) return null;
        if (limit - offset - BigInt(size) < BigInt(S.TERMINATOR_SIZE)) return null;
        const endMagic = rd32(mm, userp);
        const endSize = rd32(mm, userp + 4n);
        if (endMagic === null || endSize === null || endMagic !== 0 || endSize !== 0) return null;
        userp += BigInt(S.TERMINATOR_SIZE);
        haveExtra = true;
        base = datap;
        if ((base & 15n) || (extraSize & 15) || base !== userp) return null;
        if (BigInt(extraSize) > sf + BigInt(S.SIGFRAME_MAXSZ) - userp) return null; // "unreasonably large"
        offset = 0n;
        limit = BigInt(extraSize);
        if (base + limit > TASK_SIZE) return null; // access_ok
        continue;
      }
      // SVE, TPIDR2, ZA, ZT, FPMR, GCS, POE: the feature does not exist on this CPU → invalid, like any
      // unknown magic.
      default:
        return null;
    }
    if (size < S.AARCH64_CTX_HEAD_SIZE || limit - offset < BigInt(size)) return null;
    offset += BigInt(size);
  }
}

/** arm64_notify_segfault(sp): forced SIGSEGV at sp; MAPERR unless some VMA lies at or above it. */
function arm64NotifySegfault(k: Kernel, addr: bigint): void {
  const code = k.mm.findVma(untaggedAddr(addr)) ? SEGV_ACCERR : SEGV_MAPERR;
  // arm64_notify_die(…, err = 0): no fault address, no esr_context for this SIGSEGV
  k.task.thread.faultAddress = 0n;
  k.task.thread.faultCode = 0n;
  // DIVERGENCE: arm64_show_signal's exception-trace line ("unhandled exception") is not printed here.
  k.trace('sigreturn_badframe', { pc: `0x${k.cpu.pc.toString(16)}`, sp: `0x${addr.toString(16)}`, code });
  forceSigFault(k, SIGSEGV, code, addr);
}

/**
 * rt_sigreturn (139). Returns the restored x0 so the syscall return leaves it in place. A bad frame
 * raises SIGSEGV (si_addr = sp at that point, possibly already restored) and returns 0, as Linux does:
 * blocked set and integer registers may already have been restored when a later check fails.
 */
export function sysRtSigreturn(k: Kernel): SysResult {
  const { cpu, mm, task } = k;
  task.syscallForgotten = true; // forget_syscall
  const sf = cpu.sp;
  if ((sf & 15n) || sf + BigInt(S.RT_SIGFRAME_SIZE) > TASK_SIZE) return badframe(k);
  // restore_sigframe
  const mask = copyFromUser(mm, sf + BigInt(S.UC_SIGMASK), 8);
  if (mask) setCurrentBlocked(task, mask.readBigUInt64LE());
  const regs = copyFromUser(mm, sf + BigInt(S.SC_REGS), S.SC_PSTATE + 8 - S.SC_REGS);
  // DIVERGENCE: an unreadable register block leaves the registers alone (__get_user_error would load zeros).
  if (!mask || !regs) return badframe(k);
  for (let i = 0; i < 31; i++) cpu.setX(i, regs.readBigUInt64LE(8 * i));
  cpu.sp = regs.readBigUInt64LE(S.SC_SP - S.SC_REGS);
  cpu.pc = regs.readBigUInt64LE(S.SC_PC - S.SC_REGS);
  const valid = validNativeRegs(regs.readBigUInt64LE(S.SC_PSTATE - S.SC_REGS));
  // DIVERGENCE: of PSTATE only NZCV exists in the emulated EL0 state; other accepted bits (SSBS, DIT, …) drop.
  cpu.nzcv = valid.pstate & S.PSR_NZCV_MASK;
  if (!valid.ok) return badframe(k);
  const rec = parseUserSigframe(mm, sf);
  if (!rec || rec.size !== S.FPSIMD_CONTEXT_SIZE) return badframe(k);
  const fp = copyFromUser(mm, rec.fpsimd, S.FPSIMD_CONTEXT_SIZE);
  if (!fp) return badframe(k);
  cpu.setVregsFrom(fp.subarray(S.FPSIMD_VREGS, S.FPSIMD_VREGS + 32 * 16));
  cpu.fpsr = fp.readUInt32LE(S.FPSIMD_FPSR);
  cpu.fpcr = fp.readUInt32LE(S.FPSIMD_FPCR);
  // restore_altstack: errors other than -EFAULT are squashed
  const st = copyFromUser(mm, sf + BigInt(S.UC_STACK), S.STACK_T_SIZE);
  if (!st) return badframe(k);
  doSigaltstack(task, decodeStackT(st), cpu.sp, MINSIGSTKSZ);
  return cpu.x(0);
}

function badframe(k: Kernel): SysResult {
  arm64NotifySegfault(k, k.cpu.sp);
  return 0n;
}

/** What the run loop must do after doSignal. */
export type DoSignalResult =
  | { kind: 'none' }
  | { kind: 'handler'; signo: number; delivered: number[] }
  | { kind: 'fatal'; signo: number; info: KernelSiginfo; coredump: boolean; delivered: number[] };

/** The syscall that just returned (in_syscall): x0 holds its result, pc is past the svc. */
export interface SyscallReturn { origX0: bigint }

const RESTART = [ERESTARTNOHAND, ERESTARTSYS, ERESTARTNOINTR, ERESTART_RESTARTBLOCK].map((e) => BigInt(-e));
const __NR_restart_syscall = 128n;

/** One arch_do_signal_or_restart pass. */
function doSignalOnce(k: Kernel, vdsoBase: bigint, sc: SyscallReturn | undefined):
  { kind: 'none' } | { kind: 'handler'; signo: number; ok: boolean } | { kind: 'fatal'; signo: number; info: KernelSiginfo; coredump: boolean } {
  const cpu = k.cpu;
  let continueAddr = 0n;
  let restartAddr = -1n;
  let retval = 0n;
  if (sc) {
    continueAddr = cpu.pc;
    restartAddr = continueAddr - 4n;
    retval = BigInt.asIntN(64, cpu.x(0));
    if (RESTART.includes(retval)) {
      cpu.setX(0, sc.origX0);
      cpu.pc = restartAddr;
    }
  }
  const r = getSignal(k);
  if (r && 'fatal' in r) return { kind: 'fatal', signo: r.fatal, info: r.info, coredump: r.coredump };
  if (r) {
    if (cpu.pc === restartAddr && (retval === BigInt(-ERESTARTNOHAND) || retval === BigInt(-ERESTART_RESTARTBLOCK) ||
      (retval === BigInt(-ERESTARTSYS) && !(r.ka.flags & SA_RESTART)))) {
      cpu.setX(0, BigInt(-EINTR));
      cpu.pc = continueAddr;
    }
    // handle_signal: the new registers are EL0t by construction, so valid_user_regs cannot fail here
    const ok = setupRtFrame(k, r.signo, r.info, r.ka, vdsoBase);
    if (ok) signalDelivered(k, r.signo, r.ka);
    else forceSigsegv(k, r.signo);
    return { kind: 'handler', signo: r.signo, ok };
  }
  if (sc && cpu.pc === restartAddr && retval === BigInt(-ERESTART_RESTARTBLOCK)) cpu.setX(8, __NR_restart_syscall);
  restoreSavedSigmask(k.task);
  return { kind: 'none' };
}

/**
 * The signal part of exit_to_user_mode_loop: runs arch_do_signal_or_restart while a signal is pending
 * (so several handlers can stack, the last one set up runs first), or once for a syscall that returned an
 * -ERESTART* code. `syscall` is given when returning from an svc (ignored after rt_sigreturn, which
 * forgets the syscall). A failed frame queues SIGSEGV (force_sigsegv) and the loop delivers that next.
 * 'fatal': get_signal has done the core dump (when coredump) and do_group_exit: the task is a zombie.
 */
export function doSignal(k: Kernel, vdsoBase: bigint, syscall?: SyscallReturn): DoSignalResult {
  const task = k.task;
  let sc = task.syscallForgotten ? undefined : syscall;
  task.syscallForgotten = false;
  const delivered: number[] = [];
  let run = signalPending(task) || (sc !== undefined && RESTART.includes(BigInt.asIntN(64, k.cpu.x(0))));
  while (run) {
    const r = doSignalOnce(k, vdsoBase, sc);
    sc = undefined; // forget_syscall: a second pass never restarts
    if (r.kind === 'fatal') return { ...r, delivered };
    if (r.kind === 'handler' && r.ok) delivered.push(r.signo);
    run = signalPending(task);
  }
  return delivered.length ? { kind: 'handler', signo: delivered[delivered.length - 1], delivered } : { kind: 'none' };
}
