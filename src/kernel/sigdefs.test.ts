import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import * as d from './sigdefs.ts';
import {
  signalName, signalByName, signalDescription, siCodeName, siginfoLayout, isFaultLayout, sigmask,
  sigKernelOnly, sigKernelCoredump, sigKernelIgnore, sigKernelStop, sigDefaultAction,
  SIG_KERNEL_ONLY_MASK, SIG_KERNEL_COREDUMP_MASK, SIG_KERNEL_IGNORE_MASK, SIG_KERNEL_STOP_MASK, SYNCHRONOUS_MASK,
  SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS, SIGCHLD, SIGPOLL, SIGUSR1, SIGKILL, SIGSTOP, SIGRTMIN, SIGRTMAX,
  SI_USER, SI_KERNEL, SI_QUEUE, SI_TIMER, SI_MESGQ, SI_ASYNCIO, SI_SIGIO, SI_TKILL, SI_DETHREAD, SI_ASYNCNL,
  SEGV_MAPERR, SEGV_BNDERR, SEGV_PKUERR, SEGV_CPERR, BUS_MCEERR_AR, BUS_MCEERR_AO, BUS_ADRALN, TRAP_PERF,
  TRAP_BRKPT, CLD_DUMPED, SYS_SECCOMP, ILL_ILLOPC, FPE_FLTDIV, POLL_IN, POLL_HUP,
} from './sigdefs.ts';

describe('signal numbers and names', () => {
  it('has the generic numbering', () => {
    expect([d.SIGHUP, d.SIGINT, d.SIGQUIT, d.SIGILL, d.SIGTRAP, d.SIGABRT, d.SIGBUS, d.SIGFPE, d.SIGKILL])
      .toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([d.SIGUSR1, d.SIGSEGV, d.SIGUSR2, d.SIGPIPE, d.SIGALRM, d.SIGTERM, d.SIGSTKFLT, d.SIGCHLD])
      .toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect([d.SIGCONT, d.SIGSTOP, d.SIGTSTP, d.SIGTTIN, d.SIGTTOU, d.SIGURG, d.SIGXCPU, d.SIGXFSZ])
      .toEqual([18, 19, 20, 21, 22, 23, 24, 25]);
    expect([d.SIGVTALRM, d.SIGPROF, d.SIGWINCH, d.SIGIO, d.SIGPWR, d.SIGSYS]).toEqual([26, 27, 28, 29, 30, 31]);
    expect([d.SIGIOT, d.SIGPOLL, SIGRTMIN, SIGRTMAX, d._NSIG]).toEqual([6, 29, 32, 64, 64]);
  });
  it('names every signal and round-trips through signalByName', () => {
    expect(signalName(11)).toBe('SIGSEGV');
    expect(signalName(16)).toBe('SIGSTKFLT');
    expect(signalName(32)).toBe('SIGRTMIN');
    expect(signalName(35)).toBe('SIGRTMIN+3');
    expect(signalName(63)).toBe('SIGRTMIN+31');
    expect(signalName(64)).toBe('SIGRTMAX');
    expect(signalName(0)).toBe('SIG0');
    expect(signalName(65)).toBe('SIG65');
    for (let n = 1; n <= 64; n++) expect(signalByName(signalName(n))).toBe(n);
  });
  it('parses the accepted spellings', () => {
    expect(signalByName('SIGSEGV')).toBe(11);
    expect(signalByName('SEGV')).toBe(11);
    expect(signalByName('segv')).toBe(11);
    expect(signalByName('11')).toBe(11);
    expect(signalByName('SIGRTMIN+2')).toBe(34);
    expect(signalByName('RTMAX-1')).toBe(63);
    expect(signalByName('SIGIOT')).toBe(6);
    expect(signalByName('POLL')).toBe(29);
    for (const bad of ['0', '65', 'SIGFOO', 'SIGRTMIN+33', 'SIGRTMAX+1', '', 'SIGRTMIN-1', '1.5']) {
      expect(signalByName(bad)).toBeUndefined();
    }
  });
  it('describes signals as aarch64 glibc strsignal() does (measured)', () => {
    expect(signalDescription(11)).toBe('Segmentation fault');
    expect(signalDescription(7)).toBe('Bus error');
    expect(signalDescription(4)).toBe('Illegal instruction');
    expect(signalDescription(5)).toBe('Trace/breakpoint trap');
    expect(signalDescription(6)).toBe('Aborted');
    expect(signalDescription(8)).toBe('Floating point exception');
    expect(signalDescription(3)).toBe('Quit');
    expect(signalDescription(9)).toBe('Killed');
    expect(signalDescription(15)).toBe('Terminated');
    expect(signalDescription(1)).toBe('Hangup');
    expect(signalDescription(2)).toBe('Interrupt');
    expect(signalDescription(10)).toBe('User defined signal 1');
    expect(signalDescription(19)).toBe('Stopped (signal)');
    expect(signalDescription(31)).toBe('Bad system call');
    expect(signalDescription(32)).toBe('Unknown signal 32');
    expect(signalDescription(33)).toBe('Unknown signal 33');
    expect(signalDescription(34)).toBe('Real-time signal 0');
    expect(signalDescription(64)).toBe('Real-time signal 30');
    expect(signalDescription(65)).toBe('Unknown signal 65');
  });
});

describe('si_code values and names', () => {
  it('has the generic codes', () => {
    expect([SI_USER, SI_KERNEL, SI_QUEUE, SI_TIMER, SI_MESGQ, SI_ASYNCIO, SI_SIGIO, SI_TKILL, SI_DETHREAD,
      SI_ASYNCNL]).toEqual([0, 0x80, -1, -2, -3, -4, -5, -6, -7, -60]);
  });
  it('has the per-signal counts of v6.17', () => {
    expect([d.NSIGILL, d.NSIGFPE, d.NSIGSEGV, d.NSIGBUS, d.NSIGTRAP, d.NSIGCHLD, d.NSIGPOLL, d.NSIGSYS])
      .toEqual([11, 15, 10, 5, 6, 6, 6, 2]);
    expect([SEGV_CPERR, TRAP_PERF, d.SYS_USER_DISPATCH, d.FPE_CONDTRAP, d.ILL_BADIADDR]).toEqual([10, 6, 2, 15, 9]);
  });
  it('names generic codes first, then per-signal codes', () => {
    expect(siCodeName(SIGSEGV, SEGV_MAPERR)).toBe('SEGV_MAPERR');
    expect(siCodeName(SIGSEGV, SEGV_CPERR)).toBe('SEGV_CPERR');
    expect(siCodeName(SIGSEGV, SI_USER)).toBe('SI_USER');
    expect(siCodeName(d.SIGABRT, SI_TKILL)).toBe('SI_TKILL');
    expect(siCodeName(SIGSEGV, SI_KERNEL)).toBe('SI_KERNEL');
    expect(siCodeName(SIGBUS, 1)).toBe('BUS_ADRALN');
    expect(siCodeName(SIGILL, 1)).toBe('ILL_ILLOPC');
    expect(siCodeName(SIGFPE, 3)).toBe('FPE_FLTDIV');
    expect(siCodeName(SIGFPE, 15)).toBe('FPE_CONDTRAP');
    expect(siCodeName(SIGTRAP, 1)).toBe('TRAP_BRKPT');
    expect(siCodeName(SIGTRAP, 6)).toBe('TRAP_PERF');
    expect(siCodeName(SIGCHLD, 3)).toBe('CLD_DUMPED');
    expect(siCodeName(SIGSYS, 1)).toBe('SYS_SECCOMP');
    expect(siCodeName(SIGSYS, 2)).toBe('SYS_USER_DISPATCH');
    expect(siCodeName(SIGPOLL, 6)).toBe('POLL_HUP');
    expect(siCodeName(SIGUSR1, 1)).toBe('POLL_IN');
    expect(siCodeName(40, 2)).toBe('POLL_OUT');
    expect(siCodeName(SIGSEGV, 11)).toBe('11');
    expect(siCodeName(SIGSEGV, -8)).toBe('-8');
  });
});

describe('sa_flags and friends', () => {
  it('has the uapi values', () => {
    expect([d.SA_NOCLDSTOP, d.SA_NOCLDWAIT, d.SA_SIGINFO, d.SA_UNSUPPORTED, d.SA_EXPOSE_TAGBITS, d.SA_IMMUTABLE])
      .toEqual([1, 2, 4, 0x400, 0x800, 0x800000]);
    expect([d.SA_RESTORER, d.SA_ONSTACK, d.SA_RESTART, d.SA_NODEFER, d.SA_RESETHAND])
      .toEqual([0x04000000, 0x08000000, 0x10000000, 0x40000000, 0x80000000]);
    expect([d.SA_NOMASK, d.SA_ONESHOT]).toEqual([0x40000000, 0x80000000]);
    expect(d.UAPI_SA_FLAGS).toBe(0xdc000807);
    expect(d.UAPI_SA_FLAGS & d.SA_UNSUPPORTED).toBe(0);
    expect(d.UAPI_SA_FLAGS & d.SA_IMMUTABLE).toBe(0);
  });
  it('has handler, mask-op, altstack and stack-size values', () => {
    expect([d.SIG_DFL, d.SIG_IGN, d.SIG_ERR]).toEqual([0n, 1n, 0xffffffffffffffffn]);
    expect([d.SIG_BLOCK, d.SIG_UNBLOCK, d.SIG_SETMASK]).toEqual([0, 1, 2]);
    expect([d.SS_ONSTACK, d.SS_DISABLE, d.SS_AUTODISARM]).toEqual([1, 2, 2 ** 31]);
    expect([d.MINSIGSTKSZ, d.SIGSTKSZ]).toEqual([5120, 16384]);
  });
});

describe('masks (include/linux/signal.h)', () => {
  it('sigmask is bit sig-1 of a 64-bit word', () => {
    expect(sigmask(1)).toBe(1n);
    expect(sigmask(SIGSEGV)).toBe(0x400n);
    expect(sigmask(64)).toBe(0x8000000000000000n);
  });
  it('has the exact mask values', () => {
    expect(SIG_KERNEL_ONLY_MASK).toBe(0x40100n);
    expect(SIG_KERNEL_STOP_MASK).toBe(0x3c0000n);
    expect(SIG_KERNEL_COREDUMP_MASK).toBe(
      sigmask(3) | sigmask(4) | sigmask(5) | sigmask(6) | sigmask(7) | sigmask(8) | sigmask(11) |
      sigmask(24) | sigmask(25) | sigmask(31));
    expect(SIG_KERNEL_COREDUMP_MASK).toBe(0x418004fcn);
    expect(SIG_KERNEL_IGNORE_MASK).toBe(0x8430000n);
    expect(SYNCHRONOUS_MASK).toBe(sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGILL) | sigmask(SIGTRAP) |
      sigmask(SIGFPE) | sigmask(SIGSYS));
    expect(SYNCHRONOUS_MASK).toBe(0x400004d8n);
  });
  it('keeps real-time signals and 0 out of every mask', () => {
    for (let sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
      expect([sigKernelOnly(sig), sigKernelCoredump(sig), sigKernelIgnore(sig), sigKernelStop(sig)])
        .toEqual([false, false, false, false]);
      expect(sigDefaultAction(sig)).toBe('terminate');
    }
    expect(sigKernelCoredump(0)).toBe(false);
    expect(sigKernelOnly(SIGKILL) && sigKernelOnly(SIGSTOP)).toBe(true);
  });

  it('agrees with the ASCII default-action table in the sigdefs.ts comment', () => {
    const src = readFileSync(new URL('./sigdefs.ts', import.meta.url), 'utf8');
    const rows = [...src.matchAll(/^ \*\t\|\s+(SIG[A-Z0-9/-]+)\s+\|\s*([a-z]+)(\(\*\))?(\(\+\))?\s*\|$/gm)];
    const table = new Map<number, string>();
    for (const [, names, action, , always] of rows) {
      if (names === 'SIGEMT') continue; // not on arm64
      if (names === 'SIGRTMIN-SIGRTMAX') {
        for (let s = SIGRTMIN; s <= SIGRTMAX; s++) table.set(s, action);
        continue;
      }
      const sig = signalByName(names.split('/')[0]);
      expect(sig, names).toBeDefined();
      table.set(sig!, action);
      expect(sigKernelOnly(sig!), names).toBe(always !== undefined);
    }
    expect(table.size).toBe(64); // 31 POSIX rows + 33 real-time signals
    for (const [sig, action] of table) {
      expect(sigDefaultAction(sig), signalName(sig)).toBe(action);
      expect(sigKernelCoredump(sig)).toBe(action === 'coredump');
      expect(sigKernelIgnore(sig)).toBe(action === 'ignore');
      expect(sigKernelStop(sig)).toBe(action === 'stop');
    }
  });
});

describe('siginfoLayout (kernel/signal.c siginfo_layout)', () => {
  it('maps kernel-generated fault codes to _sigfault variants', () => {
    expect(siginfoLayout(SIGSEGV, SEGV_MAPERR)).toBe('fault');
    expect(siginfoLayout(SIGSEGV, SEGV_CPERR)).toBe('fault');
    expect(siginfoLayout(SIGSEGV, SEGV_BNDERR)).toBe('fault_bnderr');
    expect(siginfoLayout(SIGSEGV, SEGV_PKUERR)).toBe('fault_pkuerr');
    expect(siginfoLayout(SIGBUS, BUS_ADRALN)).toBe('fault');
    expect(siginfoLayout(SIGBUS, BUS_MCEERR_AR)).toBe('fault_mceerr');
    expect(siginfoLayout(SIGBUS, BUS_MCEERR_AO)).toBe('fault_mceerr');
    expect(siginfoLayout(SIGTRAP, TRAP_BRKPT)).toBe('fault');
    expect(siginfoLayout(SIGTRAP, TRAP_PERF)).toBe('fault_perf_event');
    expect(siginfoLayout(SIGILL, ILL_ILLOPC)).toBe('fault');
    expect(siginfoLayout(SIGFPE, FPE_FLTDIV)).toBe('fault');
    expect(isFaultLayout('fault_mceerr')).toBe(true);
    expect(isFaultLayout('kill')).toBe(false);
  });
  it('maps chld, poll and sys', () => {
    expect(siginfoLayout(SIGCHLD, CLD_DUMPED)).toBe('chld');
    expect(siginfoLayout(SIGPOLL, POLL_IN)).toBe('poll');
    expect(siginfoLayout(SIGSYS, SYS_SECCOMP)).toBe('sys');
  });
  it('keeps the kernel quirks', () => {
    expect(siginfoLayout(SIGUSR1, POLL_HUP)).toBe('poll'); // no own codes, code <= NSIGPOLL
    expect(siginfoLayout(40, 1)).toBe('poll'); // RT signal beyond sig_sicodes[]
    expect(siginfoLayout(SIGUSR1, 7)).toBe('kill');
    expect(siginfoLayout(SIGSEGV, 11)).toBe('kill'); // above NSIGSEGV
    expect(siginfoLayout(SIGCHLD, 7)).toBe('kill');
    expect(siginfoLayout(SIGSEGV, SI_KERNEL)).toBe('kill');
    expect(siginfoLayout(SIGSEGV, SI_USER)).toBe('kill');
    expect(siginfoLayout(SIGSEGV, SI_TIMER)).toBe('timer');
    expect(siginfoLayout(SIGSEGV, SI_SIGIO)).toBe('poll');
    expect(siginfoLayout(SIGSEGV, SI_TKILL)).toBe('rt');
    expect(siginfoLayout(SIGUSR1, SI_QUEUE)).toBe('rt');
    expect(siginfoLayout(SIGUSR1, SI_ASYNCNL)).toBe('rt');
    expect(siginfoLayout(SIGSEGV, 0x81)).toBe('kill');
  });
});
