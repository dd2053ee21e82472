import { describe, it, expect } from 'vitest';
import {
  copySiginfoToUser, siginfoFromUser, knownSiginfoLayout, postCopySiginfoFromUser, SI_MAX_SIZE, SI_OFF,
  KERNEL_SIGINFO_SIZE, type KernelSiginfo,
} from './siginfo.ts';
import {
  SIGSEGV, SIGBUS, SIGCHLD, SIGUSR1, SIGPOLL, SIGSYS, SIGTRAP, SIGABRT, SIGRTMIN, SEGV_MAPERR, SEGV_PKUERR,
  SEGV_BNDERR, BUS_MCEERR_AR, CLD_DUMPED, SI_USER, SI_QUEUE, SI_TKILL, SI_TIMER, SI_KERNEL, POLL_IN, SYS_SECCOMP,
  TRAP_PERF,
} from './sigdefs.ts';
import { E2BIG } from './errno.ts';

/** The nonzero byte offsets of a buffer, to prove that nothing outside the written fields is set. */
const nonzero = (b: Buffer) => [...b.keys()].filter((i) => b[i] !== 0);

describe('siginfo_t offsets (arm64 static_asserts, kernel.md §8.4)', () => {
  it('has the asserted offsets and sizes', () => {
    expect(SI_MAX_SIZE).toBe(128);
    expect(KERNEL_SIGINFO_SIZE).toBe(48);
    expect(SI_OFF).toMatchObject({
      signo: 0x00, errno: 0x04, code: 0x08, pid: 0x10, uid: 0x14, tid: 0x10, overrun: 0x14, value: 0x18,
      status: 0x18, utime: 0x20, stime: 0x28, addr: 0x10, addrLsb: 0x18, lower: 0x20, upper: 0x28, pkey: 0x20,
      perfData: 0x18, perfType: 0x20, perfFlags: 0x24, band: 0x10, fd: 0x18, callAddr: 0x10, syscall: 0x18,
      arch: 0x1c,
    });
  });
});

describe('copySiginfoToUser', () => {
  it('writes a fault signal as signo, errno 0, code, pad, si_addr, zeros', () => {
    const b = copySiginfoToUser({ signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: 0xdead0000beefn, pid: 77 });
    expect(b.length).toBe(128);
    expect(b.readInt32LE(0x00)).toBe(11);
    expect(b.readInt32LE(0x08)).toBe(1);
    expect(b.readBigUInt64LE(0x10)).toBe(0xdead0000beefn);
    expect(b.subarray(0, 0x18).toString('hex')).toBe('0b000000' + '00000000' + '01000000' + '00000000' + 'efbe0000adde0000');
    expect(nonzero(b).every((i) => i < 0x18)).toBe(true); // pid is not part of the fault layout
  });
  it('keeps a tagged / kernel-range address as 64-bit unsigned', () => {
    const b = copySiginfoToUser({ signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: -1n });
    expect(b.readBigUInt64LE(0x10)).toBe(0xffffffffffffffffn);
  });
  it('writes kill (SI_USER) and tkill (SI_TKILL → rt layout) senders', () => {
    const kill = copySiginfoToUser({ signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1234, uid: 1000 });
    expect([kill.readInt32LE(0x10), kill.readUInt32LE(0x14)]).toEqual([1234, 1000]);
    expect(nonzero(kill).every((i) => i < 0x18)).toBe(true);
    const tkill = copySiginfoToUser({ signo: SIGABRT, errno: 0, code: SI_TKILL, pid: 42, uid: 0xfffffffe });
    expect(tkill.readInt32LE(0x08)).toBe(-6);
    expect([tkill.readInt32LE(0x10), tkill.readUInt32LE(0x14), tkill.readBigUInt64LE(0x18)]).toEqual([42, 0xfffffffe, 0n]);
  });
  it('writes sigqueue values at 0x18', () => {
    const b = copySiginfoToUser({ signo: SIGRTMIN + 1, errno: 0, code: SI_QUEUE, pid: 5, uid: 6, value: 0x1122334455667788n });
    expect(b.readBigUInt64LE(0x18)).toBe(0x1122334455667788n);
    expect(b.readInt32LE(0x10)).toBe(5);
  });
  it('writes timer, chld, poll, sys and the fault variants', () => {
    const t = copySiginfoToUser({ signo: SIGUSR1, errno: 0, code: SI_TIMER, tid: 3, overrun: 4, value: 9n });
    expect([t.readInt32LE(0x10), t.readInt32LE(0x14), t.readBigUInt64LE(0x18)]).toEqual([3, 4, 9n]);
    const c = copySiginfoToUser({ signo: SIGCHLD, errno: 0, code: CLD_DUMPED, pid: 10, uid: 11, status: 11,
      utime: 7n, stime: -1n });
    expect([c.readInt32LE(0x10), c.readUInt32LE(0x14), c.readInt32LE(0x18)]).toEqual([10, 11, 11]);
    expect([c.readBigInt64LE(0x20), c.readBigInt64LE(0x28)]).toEqual([7n, -1n]);
    const p = copySiginfoToUser({ signo: SIGPOLL, errno: 0, code: POLL_IN, band: 0x41n, fd: 3 });
    expect([p.readBigInt64LE(0x10), p.readInt32LE(0x18)]).toEqual([0x41n, 3]);
    const s = copySiginfoToUser({ signo: SIGSYS, errno: 0, code: SYS_SECCOMP, callAddr: 0x400100n, syscall: 221,
      arch: 0xc00000b7 });
    expect([s.readBigUInt64LE(0x10), s.readInt32LE(0x18), s.readUInt32LE(0x1c)]).toEqual([0x400100n, 221, 0xc00000b7]);
    const m = copySiginfoToUser({ signo: SIGBUS, errno: 0, code: BUS_MCEERR_AR, addr: 0x1000n, addrLsb: 12 });
    expect([m.readBigUInt64LE(0x10), m.readInt16LE(0x18)]).toEqual([0x1000n, 12]);
    const k = copySiginfoToUser({ signo: SIGSEGV, errno: 0, code: SEGV_PKUERR, addr: 0x2000n, pkey: 5 });
    expect(k.readUInt32LE(0x20)).toBe(5);
    const bnd = copySiginfoToUser({ signo: SIGSEGV, errno: 0, code: SEGV_BNDERR, addr: 1n, lower: 2n, upper: 3n });
    expect([bnd.readBigUInt64LE(0x20), bnd.readBigUInt64LE(0x28)]).toEqual([2n, 3n]);
    const perf = copySiginfoToUser({ signo: SIGTRAP, errno: 0, code: TRAP_PERF, addr: 4n, perfData: 5n,
      perfType: 6, perfFlags: 7 });
    expect([perf.readBigUInt64LE(0x18), perf.readUInt32LE(0x20), perf.readUInt32LE(0x24)]).toEqual([5n, 6, 7]);
  });
  it('never writes beyond kernel_siginfo (bytes 0x30..0x7f stay zero)', () => {
    const all: KernelSiginfo = { signo: SIGCHLD, errno: -1, code: CLD_DUMPED, pid: -1, uid: -1, status: -1,
      utime: -1n, stime: -1n };
    expect(nonzero(copySiginfoToUser(all)).every((i) => i < 0x30)).toBe(true);
  });
});

describe('siginfoFromUser', () => {
  it('round-trips every layout', () => {
    const cases: KernelSiginfo[] = [
      { signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: 0x1234n },
      { signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1, uid: 2 },
      { signo: SIGRTMIN, errno: 3, code: SI_QUEUE, pid: 1, uid: 2, value: 0xabcdefn },
      { signo: SIGUSR1, errno: 0, code: SI_TIMER, tid: 1, overrun: 2, value: 3n },
      { signo: SIGCHLD, errno: 0, code: CLD_DUMPED, pid: 1, uid: 2, status: 11, utime: 4n, stime: 5n },
      { signo: SIGPOLL, errno: 0, code: POLL_IN, band: 1n, fd: 2 },
      { signo: SIGSYS, errno: 0, code: SYS_SECCOMP, callAddr: 8n, syscall: 9, arch: 10 },
      { signo: SIGBUS, errno: 0, code: BUS_MCEERR_AR, addr: 8n, addrLsb: 12 },
      { signo: SIGSEGV, errno: 0, code: SEGV_PKUERR, addr: 8n, pkey: 3 },
      { signo: SIGSEGV, errno: 0, code: SEGV_BNDERR, addr: 8n, lower: 1n, upper: 2n },
      { signo: SIGTRAP, errno: 0, code: TRAP_PERF, addr: 8n, perfData: 1n, perfType: 2, perfFlags: 3 },
    ];
    for (const c of cases) expect(siginfoFromUser(copySiginfoToUser(c))).toEqual(c);
  });
  it('lets the syscall argument override si_signo (__copy_siginfo_from_user)', () => {
    const b = copySiginfoToUser({ signo: SIGUSR1, errno: 0, code: SI_QUEUE, pid: 9, uid: 8, value: 7n });
    expect(siginfoFromUser(b, SIGRTMIN + 2)).toEqual({ signo: 34, errno: 0, code: -1, pid: 9, uid: 8, value: 7n });
  });
});

describe('known_siginfo_layout / post_copy_siginfo_from_user', () => {
  it('knows the kernel codes', () => {
    expect(knownSiginfoLayout(SIGSEGV, SI_KERNEL)).toBe(true);
    expect(knownSiginfoLayout(SIGSEGV, 10)).toBe(true);
    expect(knownSiginfoLayout(SIGSEGV, 11)).toBe(false);
    expect(knownSiginfoLayout(SIGUSR1, 6)).toBe(true);
    expect(knownSiginfoLayout(SIGUSR1, 7)).toBe(false);
    expect(knownSiginfoLayout(SIGUSR1, -7)).toBe(true);
    expect(knownSiginfoLayout(SIGUSR1, -8)).toBe(false);
    expect(knownSiginfoLayout(SIGUSR1, -60)).toBe(true);
  });
  it('rejects an unknown code with nonzero expansion bytes with -E2BIG', () => {
    const b = Buffer.alloc(128);
    const info = { signo: SIGUSR1, errno: 0, code: -8 };
    expect(postCopySiginfoFromUser(info, b)).toBe(0);
    b[0x30] = 1;
    expect(postCopySiginfoFromUser(info, b)).toBe(-E2BIG);
    expect(postCopySiginfoFromUser({ signo: SIGUSR1, errno: 0, code: SI_QUEUE }, b)).toBe(0);
  });
});
