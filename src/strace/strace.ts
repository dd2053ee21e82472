// `--strace[=FILE]`: the run's syscalls and signals as strace prints them, built from the trace events
// (sys_enter, sys_exit, signal_deliver) and the guest's memory; the last line from the report.
//   openat(AT_FDCWD, "/etc/x", O_RDONLY) = -1 ENOENT (No such file or directory)
//   --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0} ---
//   +++ killed by SIGSEGV (core dumped) +++
import { loadKoffi } from '../cpu/koffi.ts';
import type { TraceEvent, TraceSink } from '../trace.ts';
import type { RunReport } from '../report.ts';
import { siCodeName, siginfoLayout, signalName } from '../kernel/sigdefs.ts';
import * as d from './decode.ts';
import { SYSCALL_NAMES } from '../arch/arm64/unistd.ts';

/** one argument's text; null leaves it out (openat's mode without O_CREAT, as strace does). An `out` argument is
 *  memory the call fills: printed after it returns (as a pointer when it fails or never returns). */
type Arg = ((v: bigint, a: bigint[], mem: d.Mem, ret: bigint | null) => string | null) & { out?: true };
const out = (f: (v: bigint, a: bigint[], mem: d.Mem, ret: bigint) => string | null): Arg =>
  Object.assign((v: bigint, a: bigint[], mem: d.Mem, ret: bigint | null) =>
    (ret === null || BigInt.asIntN(64, ret) < 0n ? d.ptr(v) : f(v, a, mem, ret)), { out: true as const });

const str: Arg = (v, _a, mem) => d.cString(mem, v);
const inBuf = (lenArg: number): Arg => (v, a, mem) => d.buffer(mem, v, a[lenArg]);
/** an output buffer, with as many bytes as the call returned */
const outBuf = out((v, _a, mem, ret) => d.buffer(mem, v, ret));
const sigsetIn: Arg = (v, _a, mem) => d.sigset(mem, v);
const sigsetOut = out((v, _a, mem) => d.sigset(mem, v));
const sigactIn: Arg = (v, _a, mem) => d.sigaction(mem, v);
const sigactOut = out((v, _a, mem) => d.sigaction(mem, v));
const tsIn: Arg = (v, _a, mem) => d.timespec(mem, v);
const tsOut = out((v, _a, mem) => d.timespec(mem, v));
const fd: Arg = (v) => d.int(v);
const P: Arg = (v) => d.ptr(v);
const I: Arg = (v) => d.int(v);
const U: Arg = (v) => d.ulong(v);
const X: Arg = (v) => d.hex(v);
const of = (f: (v: bigint) => string): Arg => (v) => f(v);

/** name → argument printers, for the syscalls glibc's static programs make; unknown ones print 6 raw args */
const SPECS: Record<string, { args: Arg[]; hexRet?: boolean; noReturn?: boolean }> = {
  openat: { args: [of(d.dirfd), str, of(d.openFlags), (v, a) => ((a[2] & 0o20000100n) !== 0n ? d.octal(v) : null)] },
  close: { args: [fd] },
  read: { args: [fd, outBuf, U] },
  write: { args: [fd, inBuf(2), U] },
  pread64: { args: [fd, outBuf, U, I] },
  pwrite64: { args: [fd, inBuf(2), U, I] },
  lseek: { args: [fd, I, of(d.whence)] },
  readlinkat: { args: [of(d.dirfd), str, outBuf, U] },
  newfstatat: { args: [of(d.dirfd), str, P, of(d.atFlags)] },
  fstat: { args: [fd, P] },
  faccessat: { args: [of(d.dirfd), str, I] },
  getcwd: { args: [outBuf, U] },
  chdir: { args: [str] },
  unlinkat: { args: [of(d.dirfd), str, of(d.atFlags)] },
  mkdirat: { args: [of(d.dirfd), str, of(d.octal)] },
  fchmodat: { args: [of(d.dirfd), str, of(d.octal)] },
  ioctl: { args: [fd, X, X] },
  writev: { args: [fd, P, I] },
  brk: { args: [P], hexRet: true },
  mmap: { args: [P, U, of(d.prot), of(d.mapFlags), I, of(d.long)], hexRet: true },
  munmap: { args: [P, U] },
  mprotect: { args: [P, U, of(d.prot)] },
  mremap: { args: [P, U, U, X, P], hexRet: true },
  madvise: { args: [P, U, I] },
  exit: { args: [I], noReturn: true },
  exit_group: { args: [I], noReturn: true },
  set_tid_address: { args: [P] },
  set_robust_list: { args: [P, U] },
  rseq: { args: [P, X, I, X] },
  prlimit64: { args: [I, of(d.rlimit), P, P] },
  getrlimit: { args: [of(d.rlimit), P] },
  setrlimit: { args: [of(d.rlimit), P] },
  uname: { args: [P] },
  getrandom: { args: [P, U, of(d.grnd)] },
  clock_gettime: { args: [of(d.clock), tsOut] },
  clock_getres: { args: [of(d.clock), P] },
  gettimeofday: { args: [P, P] },
  nanosleep: { args: [tsIn, tsOut] },
  clock_nanosleep: { args: [of(d.clock), I, tsIn, tsOut] },
  setitimer: { args: [of(d.itimer), P, P] },
  getitimer: { args: [of(d.itimer), P] },
  kill: { args: [I, of(d.sig)] },
  tkill: { args: [I, of(d.sig)] },
  tgkill: { args: [I, I, of(d.sig)] },
  rt_sigaction: { args: [of(d.sig), sigactIn, sigactOut, U] },
  rt_sigprocmask: { args: [of(d.how), sigsetIn, sigsetOut, U] },
  rt_sigreturn: { args: [] },
  rt_sigsuspend: { args: [sigsetIn, U] },
  rt_sigpending: { args: [sigsetOut, U] },
  rt_sigtimedwait: { args: [P, P, P, U] },
  rt_sigqueueinfo: { args: [I, of(d.sig), P] },
  sigaltstack: { args: [P, P] },
  ppoll: { args: [P, U, P, P, U] },
  prctl: { args: [I, X, X, X, X] },
  sched_yield: { args: [] },
  clone: { args: [X, P, P, P, P] },
  clone3: { args: [P, U] },
  execve: { args: [str, P, P] },
  execveat: { args: [of(d.dirfd), str, P, P, of(d.atFlags)] },
  wait4: { args: [I, P, I, P] },
  waitid: { args: [I, I, P, I, P] },
  setpgid: { args: [I, I] }, getpgid: { args: [I] }, getsid: { args: [I] }, setsid: { args: [] },
  getpid: { args: [] }, gettid: { args: [] }, getppid: { args: [] },
  getuid: { args: [] }, geteuid: { args: [] }, getgid: { args: [] }, getegid: { args: [] },
};

let strerrorFn: ((n: number) => string) | null = null;
/** glibc's strerror, the text strace prints (the C locale: Node never calls setlocale) */
function strerror(n: number): string {
  if (!strerrorFn) {
    try {
      const f = loadKoffi().load('libc.so.6').func('const char *strerror(int errnum)');
      strerrorFn = (e) => f(e) as string;
    } catch {
      strerrorFn = (e) => `errno ${e}`;
    }
  }
  return strerrorFn(n);
}

export interface Strace {
  /** the trace sink to give the Machine */
  sink: TraceSink;
  /** the closing `+++ … +++` line, once the run ended */
  finish(r: RunReport): void;
}

/** `mem` reads guest memory (a function, as the Machine does not exist yet when its sink is made). */
export function strace(write: (line: string) => void, mem: d.Mem): Strace {
  type Call = { name: string; args: bigint[]; spec: (typeof SPECS)[string] | undefined; text: (string | null)[]; tid: number; cut: boolean };
  /** the call in progress of each task; `cut` once another task's line came in between (strace -f's unfinished) */
  const calls = new Map<number, Call>();
  let first: number | null = null;
  let many = false;
  let last: number | null = null;
  /** strace -f: once a second task exists, every line names its task */
  const emit = (tid: number, text: string) => {
    write(many ? `[pid ${String(tid).padStart(5)}] ${text}` : text);
    last = tid;
  };
  /** inputs are read before the call changes memory, outputs (ret given) after it */
  const texts = (c: Call, ret: bigint | null | undefined): (string | null)[] => {
    if (!c.spec) return c.args.map((v) => d.hex(v));
    return c.spec.args.map((f, i) => (ret === undefined ? (f.out ? null : f(c.args[i], c.args, mem, null))
      : f.out ? f(c.args[i], c.args, mem, ret) : c.text[i]));
  };
  const line = (c: Call, ret: bigint | null) => `${c.name}(${texts(c, ret).filter((t) => t !== null).join(', ')})`;
  /** a call that never came back (exit_group, a fatal signal inside it): strace's `= ?` */
  const unfinished = (tid: number) => {
    const c = calls.get(tid);
    if (c) emit(tid, c.cut ? `<... ${c.name} resumed>) = ?` : `${line(c, null)} = ?`);
    calls.delete(tid);
  };
  /** another task's line is coming: calls still in progress are cut, as strace -f prints them */
  const cutOthers = (tid: number) => {
    for (const c of calls.values()) {
      if (c.tid === tid || c.cut) continue;
      emit(c.tid, `${c.name}(${c.text.filter((t) => t !== null).join(', ')} <unfinished ...>`);
      c.cut = true;
    }
  };
  const sink = (e: TraceEvent) => {
    const tid = e.tid ?? 0;
    first ??= tid;
    if (tid !== first) many = true;
    if (e.name === 'sys_enter') {
      cutOthers(tid);
      unfinished(tid);
      const name = (e.syscall as string | null) ?? SYSCALL_NAMES[e.nr as number] ?? `syscall_0x${(e.nr as number).toString(16)}`;
      const spec = SPECS[name];
      const args = (e.args as string[]).map((a) => BigInt(a));
      const call: Call = { name, args, spec, text: [], tid, cut: false };
      call.text = texts(call, undefined);
      calls.set(tid, call);
      if (spec?.noReturn) unfinished(tid);
    } else if (e.name === 'sys_exit' && calls.has(tid)) {
      const c = calls.get(tid)!;
      const ret = BigInt(e.ret as number);
      if (last !== tid) cutOthers(tid);
      const result = d.result(ret, c.spec?.hexRet ?? false, strerror);
      emit(tid, c.cut ? `<... ${c.name} resumed>) = ${result}` : `${line(c, ret)} = ${result}`);
      calls.delete(tid);
    } else if (e.name === 'signal_deliver') {
      cutOthers(tid);
      unfinished(tid);
      emit(tid, `--- ${siginfoText(e)} ---`);
    } else if (e.name === 'sched_process_exit' && tid !== first) {
      cutOthers(tid);
      unfinished(tid);
      const st = e.status as number;
      emit(tid, st & 0x7f ? `+++ killed by ${signalName(st & 0x7f)}${st & 0x80 ? ' (core dumped)' : ''} +++` : `+++ exited with ${(st >> 8) & 0xff} +++`);
    }
  };
  return {
    sink,
    finish(r) {
      for (const tid of [...calls.keys()]) unfinished(tid);
      if (r.exit.kind === 'exited') write(`+++ exited with ${r.exit.code} +++`);
      else if (r.exit.kind === 'signaled') write(`+++ killed by ${r.exit.signal}${r.exit.coreDumped ? ' (core dumped)' : ''} +++`);
    },
  };
}

/** `SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0}` from a signal_deliver event */
function siginfoText(e: TraceEvent): string {
  const signo = e.sig as number;
  const code = e.code as number;
  const name = d.sig(BigInt(signo));
  const fields = [`si_signo=${name}`, `si_code=${siCodeName(signo, code)}`];
  const layout = siginfoLayout(signo, code);
  if (layout.startsWith('fault')) fields.push(`si_addr=${e.addr ?? '0x0'}`);
  else if (layout === 'kill' || layout === 'rt') {
    if (e.pid !== undefined && e.pid !== null && code <= 0) fields.push(`si_pid=${e.pid}`, `si_uid=${e.uid}`);
    if (layout === 'rt' && e.value !== undefined && e.value !== null) {
      const v = BigInt(e.value as string);
      fields.push(`si_int=${Number(BigInt.asIntN(32, v))}`, `si_ptr=${d.ptr(v)}`);
    }
  }
  return `${name} {${fields.join(', ')}}`;
}
