// Mirrors torvalds/linux include/uapi/asm-generic/siginfo.h (struct siginfo, 64-bit) and the siginfo copy helpers of
// kernel/signal.c (copy_siginfo_to_user, copy_siginfo_from_user, known_siginfo_layout) (v6.17).
// Simplified: native arm64 (LP64) only; no compat siginfo; the kernel_siginfo union is decoded per layout.
//
// Read: ColinIanKing/linux-next kernel/signal.c @ 1ab815f203c2a88e66700850fe6e44ef8e7c3526; offsets from the
// static_asserts at the end of arch/arm64/kernel/signal.c (kernel.md §8.4).
//
//   arm64 siginfo_t, 128 bytes, alignment 8 (kernel_siginfo is the first 48; the rest is always zero)
//   0x00 si_signo  i32 | 0x04 si_errno i32 | 0x08 si_code i32 | 0x0c pad (zero)
//   0x10 ┬ kill/rt/chld: si_pid i32   0x14 si_uid u32
//        ├ timer:        si_tid i32   0x14 si_overrun i32
//        ├ fault*:       si_addr u64
//        ├ poll:         si_band i64
//        └ sys:          si_call_addr u64
//   0x18 ┬ rt/timer: si_value (sigval, 8) | chld: si_status i32 | poll: si_fd i32
//        ├ fault_mceerr: si_addr_lsb i16  | fault_perf_event: si_perf_data u64
//        └ sys: si_syscall i32, 0x1c si_arch u32
//   0x20 ┬ chld: si_utime i64 | fault_bnderr: si_lower u64 | fault_pkuerr: si_pkey u32
//        └ fault_perf_event: si_perf_type u32, 0x24 si_perf_flags u32
//   0x28   chld: si_stime i64 | fault_bnderr: si_upper u64
//   0x30 … 0x7f zero (SI_EXPANSION_SIZE)
import { E2BIG } from './errno.ts';
import {
  siginfoLayout, sigSpecificSicodes, isFaultLayout, SI_USER, SI_KERNEL, SI_DETHREAD, SI_ASYNCNL, NSIGPOLL,
  NSIGILL, NSIGFPE, NSIGSEGV, NSIGBUS, NSIGTRAP, NSIGCHLD, NSIGSYS,
  SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP, SIGCHLD, SIGPOLL, SIGSYS,
} from './sigdefs.ts';

/** struct kernel_siginfo. Which optional fields are meaningful is decided by siginfoLayout(signo, code). */
export type KernelSiginfo = {
  signo: number;
  errno: number;
  code: number;
  /** fault*: si_addr */
  addr?: bigint;
  /** kill, rt, chld */
  pid?: number;
  uid?: number;
  /** rt, timer: union sigval (si_int / si_ptr), 8 bytes */
  value?: bigint;
  /** chld */
  status?: number;
  utime?: bigint;
  stime?: bigint;
  /** poll */
  band?: bigint;
  fd?: number;
  /** fault_mceerr (BUS_MCEERR_AR/AO) */
  addrLsb?: number;
  /** fault_bnderr (SEGV_BNDERR) */
  lower?: bigint;
  upper?: bigint;
  /** fault_pkuerr (SEGV_PKUERR) */
  pkey?: number;
  /** fault_perf_event (TRAP_PERF) */
  perfData?: bigint;
  perfType?: number;
  perfFlags?: number;
  /** timer */
  tid?: number;
  overrun?: number;
  /** si_sys_private, never copied to the user: a POSIX timer's signal sequence when it was queued */
  sysPrivate?: number;
  /** sys (SIGSYS) */
  callAddr?: bigint;
  syscall?: number;
  arch?: number;
};

/** sizeof(siginfo_t) on arm64 (SI_MAX_SIZE). */
export const SI_MAX_SIZE = 128;
/** sizeof(struct kernel_siginfo) on LP64: 16-byte preamble + 32-byte union. */
export const KERNEL_SIGINFO_SIZE = 48;

/* Named offsets (asserted in arch/arm64/kernel/signal.c). */
export const SI_OFF = {
  signo: 0x00, errno: 0x04, code: 0x08,
  pid: 0x10, uid: 0x14, tid: 0x10, overrun: 0x14, value: 0x18,
  status: 0x18, utime: 0x20, stime: 0x28,
  addr: 0x10, addrLsb: 0x18, lower: 0x20, upper: 0x28, pkey: 0x20,
  perfData: 0x18, perfType: 0x20, perfFlags: 0x24,
  band: 0x10, fd: 0x18,
  callAddr: 0x10, syscall: 0x18, arch: 0x1c,
} as const;

const u64 = (v: bigint | undefined) => BigInt.asUintN(64, v ?? 0n);
const s64 = (v: bigint | undefined) => BigInt.asIntN(64, v ?? 0n);

/**
 * copy_siginfo_to_user(): the 128-byte user siginfo_t for `info`.
 * The kernel copies the raw kernel_siginfo (built on a clear_siginfo()'d struct) and clears the expansion;
 * writing only the fields of the live layout onto zeroed bytes gives the same bytes.
 */
export function copySiginfoToUser(info: KernelSiginfo): Buffer {
  const b = Buffer.alloc(SI_MAX_SIZE);
  b.writeInt32LE(info.signo | 0, SI_OFF.signo);
  b.writeInt32LE(info.errno | 0, SI_OFF.errno);
  b.writeInt32LE(info.code | 0, SI_OFF.code);
  const layout = siginfoLayout(info.signo, info.code);
  if (isFaultLayout(layout)) b.writeBigUInt64LE(u64(info.addr), SI_OFF.addr);
  switch (layout) {
    case 'kill':
      writePidUid(b, info);
      break;
    case 'rt':
      writePidUid(b, info);
      b.writeBigUInt64LE(u64(info.value), SI_OFF.value);
      break;
    case 'timer':
      b.writeInt32LE((info.tid ?? 0) | 0, SI_OFF.tid);
      b.writeInt32LE((info.overrun ?? 0) | 0, SI_OFF.overrun);
      b.writeBigUInt64LE(u64(info.value), SI_OFF.value);
      break;
    case 'chld':
      writePidUid(b, info);
      b.writeInt32LE((info.status ?? 0) | 0, SI_OFF.status);
      b.writeBigInt64LE(s64(info.utime), SI_OFF.utime);
      b.writeBigInt64LE(s64(info.stime), SI_OFF.stime);
      break;
    case 'poll':
      b.writeBigInt64LE(s64(info.band), SI_OFF.band);
      b.writeInt32LE((info.fd ?? 0) | 0, SI_OFF.fd);
      break;
    case 'sys':
      b.writeBigUInt64LE(u64(info.callAddr), SI_OFF.callAddr);
      b.writeInt32LE((info.syscall ?? 0) | 0, SI_OFF.syscall);
      b.writeUInt32LE((info.arch ?? 0) >>> 0, SI_OFF.arch);
      break;
    case 'fault_mceerr':
      b.writeInt16LE(((info.addrLsb ?? 0) << 16) >> 16, SI_OFF.addrLsb);
      break;
    case 'fault_bnderr':
      b.writeBigUInt64LE(u64(info.lower), SI_OFF.lower);
      b.writeBigUInt64LE(u64(info.upper), SI_OFF.upper);
      break;
    case 'fault_pkuerr':
      b.writeUInt32LE((info.pkey ?? 0) >>> 0, SI_OFF.pkey);
      break;
    case 'fault_perf_event':
      b.writeBigUInt64LE(u64(info.perfData), SI_OFF.perfData);
      b.writeUInt32LE((info.perfType ?? 0) >>> 0, SI_OFF.perfType);
      b.writeUInt32LE((info.perfFlags ?? 0) >>> 0, SI_OFF.perfFlags);
      break;
    case 'fault':
      break;
  }
  return b;
}

function writePidUid(b: Buffer, info: KernelSiginfo): void {
  b.writeInt32LE((info.pid ?? 0) | 0, SI_OFF.pid);
  b.writeUInt32LE((info.uid ?? 0) >>> 0, SI_OFF.uid);
}

/**
 * copy_siginfo_from_user(): decodes a user siginfo_t (at least 48 bytes; 128 for the expansion check).
 * `signo`, when given, overrides si_signo as __copy_siginfo_from_user() does for rt_sigqueueinfo and
 * rt_tgsigqueueinfo (the syscall's sig argument wins over the buffer).
 * DIVERGENCE: the kernel keeps the 32 union bytes verbatim and hands them back unchanged; we keep only the
 * fields of the live layout, so bytes a caller stored in other union members are lost.
 */
export function siginfoFromUser(buf: Buffer, signo?: number): KernelSiginfo {
  const info: KernelSiginfo = {
    signo: signo ?? buf.readInt32LE(SI_OFF.signo),
    errno: buf.readInt32LE(SI_OFF.errno),
    code: buf.readInt32LE(SI_OFF.code),
  };
  const layout = siginfoLayout(info.signo, info.code);
  if (isFaultLayout(layout)) info.addr = buf.readBigUInt64LE(SI_OFF.addr);
  if (layout === 'kill' || layout === 'rt' || layout === 'chld') {
    info.pid = buf.readInt32LE(SI_OFF.pid);
    info.uid = buf.readUInt32LE(SI_OFF.uid);
  }
  if (layout === 'rt' || layout === 'timer') info.value = buf.readBigUInt64LE(SI_OFF.value);
  switch (layout) {
    case 'timer':
      info.tid = buf.readInt32LE(SI_OFF.tid);
      info.overrun = buf.readInt32LE(SI_OFF.overrun);
      break;
    case 'chld':
      info.status = buf.readInt32LE(SI_OFF.status);
      info.utime = buf.readBigInt64LE(SI_OFF.utime);
      info.stime = buf.readBigInt64LE(SI_OFF.stime);
      break;
    case 'poll':
      info.band = buf.readBigInt64LE(SI_OFF.band);
      info.fd = buf.readInt32LE(SI_OFF.fd);
      break;
    case 'sys':
      info.callAddr = buf.readBigUInt64LE(SI_OFF.callAddr);
      info.syscall = buf.readInt32LE(SI_OFF.syscall);
      info.arch = buf.readUInt32LE(SI_OFF.arch);
      break;
    case 'fault_mceerr':
      info.addrLsb = buf.readInt16LE(SI_OFF.addrLsb);
      break;
    case 'fault_bnderr':
      info.lower = buf.readBigUInt64LE(SI_OFF.lower);
      info.upper = buf.readBigUInt64LE(SI_OFF.upper);
      break;
    case 'fault_pkuerr':
      info.pkey = buf.readUInt32LE(SI_OFF.pkey);
      break;
    case 'fault_perf_event':
      info.perfData = buf.readBigUInt64LE(SI_OFF.perfData);
      info.perfType = buf.readUInt32LE(SI_OFF.perfType);
      info.perfFlags = buf.readUInt32LE(SI_OFF.perfFlags);
      break;
    default:
      break;
  }
  return info;
}

/** Per-signal si_code limits of sig_sicodes[] (kernel/signal.c), for known_siginfo_layout(). */
const SICODE_LIMIT: Readonly<Record<number, number>> = {
  [SIGILL]: NSIGILL, [SIGFPE]: NSIGFPE, [SIGSEGV]: NSIGSEGV, [SIGBUS]: NSIGBUS, [SIGTRAP]: NSIGTRAP,
  [SIGCHLD]: NSIGCHLD, [SIGPOLL]: NSIGPOLL, [SIGSYS]: NSIGSYS,
};

/** known_siginfo_layout(sig, si_code): whether the kernel understands this (signo, code) pair. */
export function knownSiginfoLayout(sig: number, code: number): boolean {
  if (code === SI_KERNEL) return true;
  if (code > SI_USER) {
    if (sigSpecificSicodes(sig)) return code <= SICODE_LIMIT[sig];
    return code <= NSIGPOLL;
  }
  return code >= SI_DETHREAD || code === SI_ASYNCNL;
}

/**
 * post_copy_siginfo_from_user(): for an unknown (signo, code), "Verify all of the extra bytes are 0. This
 * guarantees copy_siginfo_to_user will return this data to userspace exactly." Returns 0 or -E2BIG.
 * `buf` must hold the full 128-byte user siginfo_t.
 */
export function postCopySiginfoFromUser(info: KernelSiginfo, buf: Buffer): number {
  if (knownSiginfoLayout(info.signo, info.code)) return 0;
  for (let i = KERNEL_SIGINFO_SIZE; i < SI_MAX_SIZE; i++) if (buf[i] !== 0) return -E2BIG;
  return 0;
}
