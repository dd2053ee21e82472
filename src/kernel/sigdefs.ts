// Mirrors torvalds/linux include/uapi/asm-generic/signal.h, signal-defs.h, siginfo.h, arch/arm64/include/uapi/asm/signal.h,
// include/linux/signal.h, include/linux/signal_types.h and siginfo_layout() of kernel/signal.c (v6.17).
// Simplified: only the 64-bit arm64 view (one-word sigset_t, no SIGEMT, no SIL_FAULT_TRAPNO).
//
// Read: torvalds/linux include/uapi/asm-generic/siginfo.h @ 018303a931a89b91dacd76140b8ebe51893dc5fe (v5.x) plus
// the later additions (SEGV_MTEAERR/MTESERR/CPERR, TRAP_PERF, SYS_USER_DISPATCH; NSIG* counts as asserted in
// arm64 signal.c, kernel.md §8.2); a recent include/linux/signal.h (masks, ASCII table, enum siginfo_layout);
// a recent include/linux/signal_types.h (SA_IMMUTABLE, UAPI_SA_FLAGS);
// ColinIanKing/linux-next kernel/signal.c @ 1ab815f203c2a88e66700850fe6e44ef8e7c3526 (sig_sicodes[],
// siginfo_layout(), SYNCHRONOUS_MASK). kernel.md §7.4, §8.

/* Signal numbers (asm-generic/signal.h; arm64 uses the generic numbering). */
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGIOT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGVTALRM = 26;
export const SIGPROF = 27;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGPOLL = SIGIO;
export const SIGPWR = 30;
export const SIGSYS = 31;
// SIGUNUSED (= 31) was dropped from the generic uapi header; not exported.

/** The kernel's real-time range. glibc reserves 32 and 33 for NPTL, so its SIGRTMIN() is 34. */
export const SIGRTMIN = 32;
export const SIGRTMAX = 64;
export const _NSIG = 64;

const NAMES: readonly string[] = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR',
  'SIGSYS',
];
const ALIASES: Readonly<Record<string, number>> = { SIGIOT: SIGIOT, SIGPOLL: SIGPOLL };

/**
 * The name of signal `n`: 'SIGSEGV'; real-time signals as 'SIGRTMIN', 'SIGRTMIN+3' (= 35), …, 'SIGRTMAX'.
 * The kernel has no names for real-time signals; the "SIGRTMIN+n" spelling is glibc's, but counted from the
 * kernel's SIGRTMIN (32), not glibc's run-time SIGRTMIN (34). Out-of-range numbers give 'SIG<n>'.
 */
export function signalName(n: number): string {
  if (n >= 1 && n < SIGRTMIN) return NAMES[n];
  if (n === SIGRTMAX) return 'SIGRTMAX';
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n > SIGRTMIN && n < SIGRTMAX) return `SIGRTMIN+${n - SIGRTMIN}`;
  return `SIG${n}`;
}

/**
 * Parses 'SIGSEGV', 'SEGV', 'segv', '11', 'SIGRTMIN+2', 'RTMAX-1', 'SIGIOT', 'SIGPOLL'.
 * Returns undefined for anything that is not a signal 1..64.
 */
export function signalByName(name: string): number | undefined {
  const s = name.trim().toUpperCase();
  const valid = (n: number) => (Number.isInteger(n) && n >= 1 && n <= _NSIG ? n : undefined);
  if (/^\d+$/.test(s)) return valid(Number(s));
  const full = s.startsWith('SIG') ? s : `SIG${s}`;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(full);
  if (rt) {
    const base = rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX;
    const off = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === '+' ? 1 : -1);
    const n = base + off;
    return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
  }
  const i = NAMES.indexOf(full);
  if (i > 0) return i;
  return ALIASES[full];
}

const DESCRIPTIONS: readonly string[] = [
  '', 'Hangup', 'Interrupt', 'Quit', 'Illegal instruction', 'Trace/breakpoint trap', 'Aborted', 'Bus error',
  'Floating point exception', 'Killed', 'User defined signal 1', 'Segmentation fault', 'User defined signal 2',
  'Broken pipe', 'Alarm clock', 'Terminated', 'Stack fault', 'Child exited', 'Continued', 'Stopped (signal)',
  'Stopped', 'Stopped (tty input)', 'Stopped (tty output)', 'Urgent I/O condition', 'CPU time limit exceeded',
  'File size limit exceeded', 'Virtual timer expired', 'Profiling timer expired', 'Window changed',
  'I/O possible', 'Power failure', 'Bad system call',
];
/** glibc's run-time SIGRTMIN: NPTL keeps 32 and 33 for itself. */
const GLIBC_SIGRTMIN = 34;

/**
 * What bash prints for a signal death (`strsignal()`, then " (core dumped)" if WCOREDUMP).
 * Matches aarch64 glibc exactly (measured under qemu-aarch64): 32 and 33 are "Unknown signal 32/33",
 * 34..64 are "Real-time signal 0..30" (counted from glibc's SIGRTMIN 34, not the kernel's 32).
 */
export function signalDescription(n: number): string {
  if (n >= 1 && n < SIGRTMIN) return DESCRIPTIONS[n];
  if (n >= GLIBC_SIGRTMIN && n <= SIGRTMAX) return `Real-time signal ${n - GLIBC_SIGRTMIN}`;
  return `Unknown signal ${n}`;
}

/* si_code values (asm-generic/siginfo.h). "Digital reserves positive values for kernel-generated signals." */
export const SI_USER = 0; // sent by kill, sigsend, raise
export const SI_KERNEL = 0x80; // sent by the kernel from somewhere
export const SI_QUEUE = -1; // sent by sigqueue
export const SI_TIMER = -2; // sent by timer expiration
export const SI_MESGQ = -3; // sent by real time mesq state change
export const SI_ASYNCIO = -4; // sent by AIO completion
export const SI_SIGIO = -5; // sent by queued SIGIO
export const SI_TKILL = -6; // sent by tkill system call
export const SI_DETHREAD = -7; // sent by execve() killing subsidiary threads
export const SI_ASYNCNL = -60; // sent by glibc async name lookup completion

/* SIGILL si_codes */
export const ILL_ILLOPC = 1; // illegal opcode
export const ILL_ILLOPN = 2; // illegal operand
export const ILL_ILLADR = 3; // illegal addressing mode
export const ILL_ILLTRP = 4; // illegal trap
export const ILL_PRVOPC = 5; // privileged opcode
export const ILL_PRVREG = 6; // privileged register
export const ILL_COPROC = 7; // coprocessor error
export const ILL_BADSTK = 8; // internal stack error
export const ILL_BADIADDR = 9; // unimplemented instruction address
export const __ILL_BREAK = 10; // illegal break (ia64)
export const __ILL_BNDMOD = 11; // bundle-update (modification) in progress (ia64)
export const NSIGILL = 11;

/* SIGFPE si_codes */
export const FPE_INTDIV = 1; // integer divide by zero
export const FPE_INTOVF = 2; // integer overflow
export const FPE_FLTDIV = 3; // floating point divide by zero
export const FPE_FLTOVF = 4; // floating point overflow
export const FPE_FLTUND = 5; // floating point underflow
export const FPE_FLTRES = 6; // floating point inexact result
export const FPE_FLTINV = 7; // floating point invalid operation
export const FPE_FLTSUB = 8; // subscript out of range
export const __FPE_DECOVF = 9; // decimal overflow (ia64)
export const __FPE_DECDIV = 10; // decimal division by zero (ia64)
export const __FPE_DECERR = 11; // packed decimal error (ia64)
export const __FPE_INVASC = 12; // invalid ASCII digit (ia64)
export const __FPE_INVDEC = 13; // invalid decimal digit (ia64)
export const FPE_FLTUNK = 14; // undiagnosed floating-point exception
export const FPE_CONDTRAP = 15; // trap on condition
export const NSIGFPE = 15;

/* SIGSEGV si_codes */
export const SEGV_MAPERR = 1; // address not mapped to object
export const SEGV_ACCERR = 2; // invalid permissions for mapped object
export const SEGV_BNDERR = 3; // failed address bound checks
export const SEGV_PKUERR = 4; // failed protection key checks
export const SEGV_ACCADI = 5; // ADI not enabled for mapped object
export const SEGV_ADIDERR = 6; // Disrupting MCD error
export const SEGV_ADIPERR = 7; // Precise MCD exception
export const SEGV_MTEAERR = 8; // Asynchronous ARM MTE error
export const SEGV_MTESERR = 9; // Synchronous ARM MTE exception
export const SEGV_CPERR = 10; // Control protection fault (GCS)
export const NSIGSEGV = 10;

/* SIGBUS si_codes */
export const BUS_ADRALN = 1; // invalid address alignment
export const BUS_ADRERR = 2; // non-existent physical address
export const BUS_OBJERR = 3; // object specific hardware error
export const BUS_MCEERR_AR = 4; // hardware memory error consumed on a machine check: action required
export const BUS_MCEERR_AO = 5; // hardware memory error detected in process but not consumed: action optional
export const NSIGBUS = 5;

/* SIGTRAP si_codes; ptrace also uses ((PTRACE_EVENT_XXX << 8) | SIGTRAP), not named here. */
export const TRAP_BRKPT = 1; // process breakpoint
export const TRAP_TRACE = 2; // process trace trap
export const TRAP_BRANCH = 3; // process taken branch trap
export const TRAP_HWBKPT = 4; // hardware breakpoint/watchpoint
export const TRAP_UNK = 5; // undiagnosed trap
export const TRAP_PERF = 6; // perf event with sigtrap=1
export const NSIGTRAP = 6;

/* SIGCHLD si_codes */
export const CLD_EXITED = 1; // child has exited
export const CLD_KILLED = 2; // child was killed
export const CLD_DUMPED = 3; // child terminated abnormally
export const CLD_TRAPPED = 4; // traced child has trapped
export const CLD_STOPPED = 5; // child has stopped
export const CLD_CONTINUED = 6; // stopped child has continued
export const NSIGCHLD = 6;

/* SIGPOLL (or any other signal without signal specific si_codes) si_codes */
export const POLL_IN = 1; // data input available
export const POLL_OUT = 2; // output buffers available
export const POLL_MSG = 3; // input message available
export const POLL_ERR = 4; // i/o error
export const POLL_PRI = 5; // high priority input available
export const POLL_HUP = 6; // device disconnected
export const NSIGPOLL = 6;

/* SIGSYS si_codes */
export const SYS_SECCOMP = 1; // seccomp triggered
export const SYS_USER_DISPATCH = 2; // syscall user dispatch triggered
export const NSIGSYS = 2;

const GENERIC_CODE_NAMES: Readonly<Record<number, string>> = {
  [SI_USER]: 'SI_USER', [SI_KERNEL]: 'SI_KERNEL', [SI_QUEUE]: 'SI_QUEUE', [SI_TIMER]: 'SI_TIMER',
  [SI_MESGQ]: 'SI_MESGQ', [SI_ASYNCIO]: 'SI_ASYNCIO', [SI_SIGIO]: 'SI_SIGIO', [SI_TKILL]: 'SI_TKILL',
  [SI_DETHREAD]: 'SI_DETHREAD', [SI_ASYNCNL]: 'SI_ASYNCNL',
};
/** Per-signal code names, index = si_code (index 0 unused). */
const SIGNAL_CODE_NAMES: Readonly<Record<number, readonly string[]>> = {
  [SIGILL]: ['', 'ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC',
    'ILL_BADSTK', 'ILL_BADIADDR', '__ILL_BREAK', '__ILL_BNDMOD'],
  [SIGFPE]: ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV',
    'FPE_FLTSUB', '__FPE_DECOVF', '__FPE_DECDIV', '__FPE_DECERR', '__FPE_INVASC', '__FPE_INVDEC', 'FPE_FLTUNK',
    'FPE_CONDTRAP'],
  [SIGSEGV]: ['', 'SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR', 'SEGV_ACCADI', 'SEGV_ADIDERR',
    'SEGV_ADIPERR', 'SEGV_MTEAERR', 'SEGV_MTESERR', 'SEGV_CPERR'],
  [SIGBUS]: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  [SIGTRAP]: ['', 'TRAP_BRKPT', 'TRAP_TRACE', 'TRAP_BRANCH', 'TRAP_HWBKPT', 'TRAP_UNK', 'TRAP_PERF'],
  [SIGCHLD]: ['', 'CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'],
  [SIGSYS]: ['', 'SYS_SECCOMP', 'SYS_USER_DISPATCH'],
};
const POLL_CODE_NAMES: readonly string[] = ['', 'POLL_IN', 'POLL_OUT', 'POLL_MSG', 'POLL_ERR', 'POLL_PRI', 'POLL_HUP'];

/**
 * The macro name of si_code `code` for signal `signo`: generic codes (≤ 0, and SI_KERNEL) first, then the
 * signal's own codes; signals without specific codes use the POLL_* names, as siginfo.h says.
 * Unknown codes come back as the decimal number ('42') so reports never lose the value.
 */
export function siCodeName(signo: number, code: number): string {
  const generic = GENERIC_CODE_NAMES[code];
  if (generic !== undefined) return generic;
  if (code > 0) {
    const own = sigSpecificSicodes(signo) ? SIGNAL_CODE_NAMES[signo] ?? POLL_CODE_NAMES : POLL_CODE_NAMES;
    if (code < own.length) return own[code];
  }
  return String(code);
}

/* sa_flags (signal-defs.h, arm64 uapi signal.h, linux/signal_types.h) */
export const SA_NOCLDSTOP = 0x00000001;
export const SA_NOCLDWAIT = 0x00000002;
export const SA_SIGINFO = 0x00000004;
/** "A flag bit that will never be supported"; sigaction() always clears it so userspace can probe. */
export const SA_UNSUPPORTED = 0x00000400;
export const SA_EXPOSE_TAGBITS = 0x00000800;
/** Kernel-internal: "Used to kill the race between sigaction and forced signals" (signal_types.h). */
export const SA_IMMUTABLE = 0x00800000;
/** arm64 defines it "for AArch32 compatibility"; 64-bit tasks may use it too. */
export const SA_RESTORER = 0x04000000;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;
export const SA_NOMASK = SA_NODEFER;
export const SA_ONESHOT = SA_RESETHAND;
/** UAPI_SA_FLAGS (signal_types.h): do_sigaction() masks sa_flags with this; unknown bits read back as 0. */
export const UAPI_SA_FLAGS = (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART |
  SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER) >>> 0;

/* sa_handler special values (64-bit pointers) */
export const SIG_DFL = 0n;
export const SIG_IGN = 1n;
export const SIG_ERR = 0xffffffffffffffffn; // (void *)-1

/* rt_sigprocmask `how` */
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

/* sigaltstack ss_flags (include/uapi/linux/signal.h) */
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SS_AUTODISARM = 0x80000000; // (1U << 31)
export const SS_FLAG_BITS = SS_AUTODISARM;

/* arm64 uapi signal.h; the real minimum is reported in AT_MINSIGSTKSZ (kernel.md §9.4). */
export const MINSIGSTKSZ = 5120;
export const SIGSTKSZ = 16384;

/** sigmask(sig): the bit of signal `sig` in the one-word arm64 sigset_t. */
/** sigmask of 1.._NSIG, made once: the signal paths ask for it many times per signal */
const SIGMASKS = Array.from({ length: 65 }, (_, sig) => (sig === 0 ? 0n : 1n << BigInt(sig - 1)));
export function sigmask(sig: number): bigint {
  return SIGMASKS[sig] ?? 1n << BigInt(sig - 1);
}

/** siginmask(): real-time signals are never members of the fixed masks below. */
function siginmask(sig: number, mask: bigint): boolean {
  return sig > 0 && sig < SIGRTMIN && (sigmask(sig) & mask) !== 0n;
}

/*
 * Default actions, verbatim from include/linux/signal.h:
 *
 *	+--------------------+------------------+
 *	|  POSIX signal      |  default action  |
 *	+--------------------+------------------+
 *	|  SIGHUP            |  terminate	|
 *	|  SIGINT            |	terminate	|
 *	|  SIGQUIT           |	coredump 	|
 *	|  SIGILL            |	coredump 	|
 *	|  SIGTRAP           |	coredump 	|
 *	|  SIGABRT/SIGIOT    |	coredump 	|
 *	|  SIGBUS            |	coredump 	|
 *	|  SIGFPE            |	coredump 	|
 *	|  SIGKILL           |	terminate(+)	|
 *	|  SIGUSR1           |	terminate	|
 *	|  SIGSEGV           |	coredump 	|
 *	|  SIGUSR2           |	terminate	|
 *	|  SIGPIPE           |	terminate	|
 *	|  SIGALRM           |	terminate	|
 *	|  SIGTERM           |	terminate	|
 *	|  SIGCHLD           |	ignore   	|
 *	|  SIGCONT           |	ignore(*)	|
 *	|  SIGSTOP           |	stop(*)(+)  	|
 *	|  SIGTSTP           |	stop(*)  	|
 *	|  SIGTTIN           |	stop(*)  	|
 *	|  SIGTTOU           |	stop(*)  	|
 *	|  SIGURG            |	ignore   	|
 *	|  SIGXCPU           |	coredump 	|
 *	|  SIGXFSZ           |	coredump 	|
 *	|  SIGVTALRM         |	terminate	|
 *	|  SIGPROF           |	terminate	|
 *	|  SIGPOLL/SIGIO     |	terminate	|
 *	|  SIGSYS/SIGUNUSED  |	coredump 	|
 *	|  SIGSTKFLT         |	terminate	|
 *	|  SIGWINCH          |	ignore   	|
 *	|  SIGPWR            |	terminate	|
 *	|  SIGRTMIN-SIGRTMAX |	terminate       |
 *	+--------------------+------------------+
 *	|  non-POSIX signal  |  default action  |
 *	+--------------------+------------------+
 *	|  SIGEMT            |  coredump	|
 *	+--------------------+------------------+
 *
 * (+) For SIGKILL and SIGSTOP the action is "always", not just "default".
 * (*) Special job control effects: SIGCONT resumes a stopped group and flushes pending stop signals;
 *     a stop signal flushes pending SIGCONT. (SIGEMT does not exist on arm64.)
 */
export const SIG_KERNEL_ONLY_MASK = sigmask(SIGKILL) | sigmask(SIGSTOP);
export const SIG_KERNEL_STOP_MASK = sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU);
export const SIG_KERNEL_COREDUMP_MASK =
  sigmask(SIGQUIT) | sigmask(SIGILL) | sigmask(SIGTRAP) | sigmask(SIGABRT) | sigmask(SIGFPE) |
  sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGSYS) | sigmask(SIGXCPU) | sigmask(SIGXFSZ);
export const SIG_KERNEL_IGNORE_MASK = sigmask(SIGCONT) | sigmask(SIGCHLD) | sigmask(SIGWINCH) | sigmask(SIGURG);
export const SIG_SPECIFIC_SICODES_MASK =
  sigmask(SIGILL) | sigmask(SIGFPE) | sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGTRAP) |
  sigmask(SIGCHLD) | sigmask(SIGPOLL) | sigmask(SIGSYS);
/** kernel/signal.c: fault signals dequeued before all others (only with si_code > 0, SI_FROMKERNEL). */
export const SYNCHRONOUS_MASK =
  sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGILL) | sigmask(SIGTRAP) | sigmask(SIGFPE) | sigmask(SIGSYS);

export const sigKernelOnly = (sig: number): boolean => siginmask(sig, SIG_KERNEL_ONLY_MASK);
export const sigKernelCoredump = (sig: number): boolean => siginmask(sig, SIG_KERNEL_COREDUMP_MASK);
export const sigKernelIgnore = (sig: number): boolean => siginmask(sig, SIG_KERNEL_IGNORE_MASK);
export const sigKernelStop = (sig: number): boolean => siginmask(sig, SIG_KERNEL_STOP_MASK);
export const sigSpecificSicodes = (sig: number): boolean => siginmask(sig, SIG_SPECIFIC_SICODES_MASK);

export type SigDefaultAction = 'terminate' | 'coredump' | 'ignore' | 'stop';

/** The SIG_DFL action of `sig`, derived from the masks (the ASCII table above in one word). */
export function sigDefaultAction(sig: number): SigDefaultAction {
  if (sigKernelCoredump(sig)) return 'coredump';
  if (sigKernelIgnore(sig)) return 'ignore';
  if (sigKernelStop(sig)) return 'stop';
  return 'terminate';
}

/** enum siginfo_layout (include/linux/signal.h), minus SIL_FAULT_TRAPNO (alpha/sparc only). */
export type SiginfoLayout =
  | 'kill' | 'timer' | 'poll' | 'fault' | 'fault_mceerr' | 'fault_bnderr' | 'fault_pkuerr'
  | 'fault_perf_event' | 'chld' | 'rt' | 'sys';

/** True for every layout whose union member is _sigfault (si_addr at 0x10). */
export function isFaultLayout(layout: SiginfoLayout): boolean {
  return layout.startsWith('fault');
}

/** sig_sicodes[] (kernel/signal.c): per-signal si_code limit and layout; ARRAY_SIZE is SIGSYS + 1. */
const sigSicodes: Readonly<Record<number, { limit: number; layout: SiginfoLayout }>> = {
  [SIGILL]: { limit: NSIGILL, layout: 'fault' },
  [SIGFPE]: { limit: NSIGFPE, layout: 'fault' },
  [SIGSEGV]: { limit: NSIGSEGV, layout: 'fault' },
  [SIGBUS]: { limit: NSIGBUS, layout: 'fault' },
  [SIGTRAP]: { limit: NSIGTRAP, layout: 'fault' },
  [SIGCHLD]: { limit: NSIGCHLD, layout: 'chld' },
  [SIGPOLL]: { limit: NSIGPOLL, layout: 'poll' },
  [SIGSYS]: { limit: NSIGSYS, layout: 'sys' },
};
const SIG_SICODES_SIZE = SIGSYS + 1;

/**
 * siginfo_layout(sig, si_code): which union member of siginfo_t is live, exactly as kernel/signal.c decides.
 * Note the quirks it keeps: a positive code ≤ NSIGPOLL on a signal without its own codes (SIGUSR1, RT
 * signals) is SIL_POLL; SI_USER, SI_KERNEL and codes above a signal's limit are SIL_KILL; SI_SIGIO is
 * SIL_POLL; SI_TIMER is SIL_TIMER; every other negative code is SIL_RT.
 */
export function siginfoLayout(signo: number, code: number): SiginfoLayout {
  let layout: SiginfoLayout = 'kill';
  if (code > SI_USER && code < SI_KERNEL) {
    const entry = signo >= 0 && signo < SIG_SICODES_SIZE ? sigSicodes[signo] : undefined;
    if (entry !== undefined && code <= entry.limit) {
      layout = entry.layout;
      /* Handle the exceptions */
      if (signo === SIGBUS && code >= BUS_MCEERR_AR && code <= BUS_MCEERR_AO) layout = 'fault_mceerr';
      else if (signo === SIGSEGV && code === SEGV_BNDERR) layout = 'fault_bnderr';
      else if (signo === SIGSEGV && code === SEGV_PKUERR) layout = 'fault_pkuerr';
      else if (signo === SIGTRAP && code === TRAP_PERF) layout = 'fault_perf_event';
    } else if (code <= NSIGPOLL) {
      layout = 'poll';
    }
  } else if (code === SI_TIMER) {
    layout = 'timer';
  } else if (code === SI_SIGIO) {
    layout = 'poll';
  } else if (code < 0) {
    layout = 'rt';
  }
  return layout;
}
