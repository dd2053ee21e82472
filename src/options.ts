// MachineOptions: every host-dependent value comes from here, so the same program and options give
// byte-identical reports, traces and cores. Validation is strict and names the option.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OptionError } from './errors.ts';
import { RLIM_INFINITY } from './kernel/task.ts';
import { checkInject, type InjectSpec } from './arch/arm64/inject.ts';

export interface MachineOptions {
  /** guest argv (argv[0] included) */
  argv: string[];
  /** guest environment, "KEY=value" strings [empty: a fixed environment keeps runs reproducible] */
  env: string[];
  /** host directory that is the guest's `/` [current directory] */
  root: string;
  /** guest working directory [/] */
  cwd: string;
  /** read-only directory looked up before the root for absolute guest paths, like qemu's -L [none] */
  sysroot: string | null;
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  /** CLOCK_REALTIME at start, seconds since the Epoch */
  time: bigint;
  /** seed for AT_RANDOM and getrandom */
  seed: bigint;
  hostname: string;
  /** stop with outcome `limit` after this many instructions */
  maxInsns: bigint | null;
  /** signals sent by another process (kill(2): SI_USER, the parent's pid and our uid) at instruction counts */
  signals: { signo: number; insns: bigint }[];
  /** exact instruction counting (icount in the report and events); off = faster, icount null */
  countInsns: boolean;
  rlimitCore: bigint;
  rlimitStack: bigint;
  corePattern: string;
  coreUsesPid: boolean;
  /** kernel.core_pipe_limit */
  corePipeLimit: number;
  coredumpFilter: number;
  suidDumpable: 0 | 1 | 2;
  /** the process's dumpable flag at start, as if it had called prctl(PR_SET_DUMPABLE) [null: the exec rule:
   *  1, or fs.suid_dumpable for a set-id or unreadable program] */
  dumpable: 0 | 1 | 2 | null;
  exceptionTrace: boolean;
  /** gcore at these instruction counts (the process keeps running) */
  gcore: bigint[];
  /** signals sent by another process at these virtual times (ns since the start), also while the process sleeps */
  timedSignals: { signo: number; ns: bigint }[];
  /** gcore at these virtual times (ns) */
  gcoreTimes: bigint[];
  /** end the run with outcome `timeout` at this virtual time (ns) */
  timeout: bigint | null;
  /** with `timeout`: send this signal (as kill from another process) first */
  onTimeout: number | null;
  /** when the process waits for something that can never happen: send this signal, or write a gcore */
  onStuck: number | 'gcore' | null;
  /** where the built-in pipe collector (core_pattern `|arm64-fault-collect …`) stores cores [<root>/var/lib/arm64-fault/coredumps] */
  collectDir: string | null;
  /** let a core_pattern pipe run a real host program */
  allowHostPipe: boolean;
  /** experiment: the kernel side of this syscall dereferences x0 without uaccess, so a bad pointer Oopses */
  oopsOnSyscall: number | null;
  /** bytes the guest reads from stdin */
  stdin: Buffer;
  /** echo guest stdout/stderr to the host's as they are written */
  passthrough: boolean;
  /** SIGINT/SIGTERM to this host process stop the run at an instruction boundary with outcome `interrupted` */
  interruptible: boolean;
  /** instructions a task runs before another runnable task gets the CPU (the time slice) */
  quantum: bigint;
  /** permute the scheduler's choices reproducibly (null: round robin in creation order) */
  schedSeed: number | null;
  /** fault injection: from each count on, the next memory access (or fetch) takes this abort (README "Fault injection") */
  inject: InjectSpec[];
}

export const defaultOptions = (): MachineOptions => ({
  argv: [], env: [], root: process.cwd(), cwd: '/', sysroot: null, pid: 1000, ppid: 999, uid: 1000, gid: 1000,
  time: 1_700_000_000n, seed: 0n, hostname: 'arm64-fault', maxInsns: null, signals: [], countInsns: true,
  rlimitCore: RLIM_INFINITY, rlimitStack: 8n * 1024n * 1024n, corePattern: 'core', coreUsesPid: false, corePipeLimit: 0,
  coredumpFilter: 0x33, suidDumpable: 0, dumpable: null, exceptionTrace: false, oopsOnSyscall: null, gcore: [], timedSignals: [], gcoreTimes: [], timeout: null, onTimeout: null, onStuck: null, collectDir: null, allowHostPipe: false, stdin: Buffer.alloc(0), passthrough: false, interruptible: false,
  quantum: 1_000_000n, schedSeed: null, inject: [],
});

const KEYS = new Set(Object.keys(defaultOptions()));

/** Fills defaults and rejects unknown keys and out-of-range values with an OptionError naming the key. */
export function resolveOptions(partial: Partial<MachineOptions>): MachineOptions {
  for (const k of Object.keys(partial)) {
    if (!KEYS.has(k)) throw new OptionError(`unknown option "${k}"`);
  }
  const o = { ...defaultOptions(), ...partial };
  o.root = path.resolve(o.root);
  const st = fs.statSync(o.root, { throwIfNoEntry: false });
  if (!st) throw new OptionError(`root ${o.root} does not exist: create it or name another directory`);
  if (!st.isDirectory()) throw new OptionError(`root ${o.root} is not a directory`);
  if (o.oopsOnSyscall !== null && (!Number.isInteger(o.oopsOnSyscall) || o.oopsOnSyscall < 0 || o.oopsOnSyscall > 462)) {
    throw new OptionError(`oopsOnSyscall must be a syscall number in 0..462 (arm64's last is 462), got ${o.oopsOnSyscall}`);
  }
  if (o.sysroot !== null) {
    o.sysroot = path.resolve(o.sysroot);
    const ss = fs.statSync(o.sysroot, { throwIfNoEntry: false });
    if (!ss?.isDirectory()) throw new OptionError(`sysroot ${o.sysroot} is not an existing directory`);
  }
  if (typeof o.quantum !== 'bigint' || o.quantum < 1n) throw new OptionError('quantum must be a positive instruction count');
  if (o.schedSeed !== null && !Number.isSafeInteger(o.schedSeed)) throw new OptionError('schedSeed must be an integer');
  if (!o.cwd.startsWith('/')) throw new OptionError(`cwd must be an absolute guest path, got "${o.cwd}"`);
  for (const [k, v] of [['pid', o.pid], ['ppid', o.ppid]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4194304) throw new OptionError(`${k} must be an integer in 1..4194304, got ${v}`);
  }
  for (const [k, v] of [['uid', o.uid], ['gid', o.gid]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xfffffffe) throw new OptionError(`${k} must be an integer in 0..4294967294, got ${v}`);
  }
  if (o.maxInsns !== null && o.maxInsns < 0n) throw new OptionError('maxInsns must not be negative');
  if (o.maxInsns !== null && !o.countInsns) throw new OptionError('maxInsns needs instruction counting (drop --fast)');
  for (const s of o.signals) {
    if (!Number.isInteger(s.signo) || s.signo < 1 || s.signo > 64) throw new OptionError(`signal number ${s.signo} is not in 1..64`);
    if (s.insns < 0n) throw new OptionError('a signal instruction count must not be negative');
  }
  if (o.gcore.length > 0 && !o.countInsns) throw new OptionError('--gcore insns=N needs instruction counting (drop --fast)');
  o.gcore = [...o.gcore].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (o.signals.length > 0 && !o.countInsns) throw new OptionError('--signal SIG@insns=N needs instruction counting (drop --fast)');
  if (!Array.isArray(o.inject)) throw new OptionError('inject must be a list of {kind, insns, addr?, fetch?, fnv?}');
  if (o.inject.length > 0 && !o.countInsns) throw new OptionError('--inject KIND@insns=N needs instruction counting (drop --fast)');
  o.inject = o.inject.map(checkInject).sort((a, b) => (a.insns < b.insns ? -1 : a.insns > b.insns ? 1 : 0));
  o.signals = [...o.signals].sort((a, b) => (a.insns < b.insns ? -1 : a.insns > b.insns ? 1 : 0));
  for (const s of [...o.timedSignals.map((t) => t.signo), ...(o.onTimeout !== null ? [o.onTimeout] : []),
    ...(typeof o.onStuck === 'number' ? [o.onStuck] : [])]) {
    if (!Number.isInteger(s) || s < 1 || s > 64) throw new OptionError(`signal number ${s} is not in 1..64`);
  }
  if ([...o.timedSignals.map((t) => t.ns), ...o.gcoreTimes, o.timeout ?? 0n].some((t) => t < 0n)) {
    throw new OptionError('a virtual time must not be negative');
  }
  if (o.onTimeout !== null && o.timeout === null) throw new OptionError('onTimeout needs a timeout');
  if ((o.timedSignals.length > 0 || o.gcoreTimes.length > 0 || o.timeout !== null) && !o.countInsns) {
    throw new OptionError('events at a virtual time (--signal SIG@time, --gcore time, --timeout) need instruction counting (drop --fast)');
  }
  if (o.dumpable !== null && ![0, 1, 2].includes(o.dumpable)) throw new OptionError(`dumpable must be 0, 1 or 2, got ${o.dumpable}`);
  if (![0, 1, 2].includes(o.suidDumpable)) throw new OptionError(`suidDumpable must be 0, 1 or 2, got ${o.suidDumpable}`);
  if (!Number.isInteger(o.corePipeLimit) || o.corePipeLimit < 0 || o.corePipeLimit > 0x7fffffff) {
    throw new OptionError(`corePipeLimit must be an integer in 0..2147483647, got ${o.corePipeLimit}`);
  }
  if (!Number.isInteger(o.coredumpFilter) || o.coredumpFilter < 0 || o.coredumpFilter > 0x1ff) {
    throw new OptionError(`coredumpFilter must be in 0..0x1ff, got ${o.coredumpFilter}`);
  }
  if (Buffer.byteLength(o.corePattern) > 127) throw new OptionError('corePattern is longer than 127 bytes (the kernel rejects it with EINVAL)');
  for (const e of o.env) if (!e.includes('=')) throw new OptionError(`env entry "${e}" is not KEY=value`);
  return o;
}
