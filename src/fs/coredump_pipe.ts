// The usermode-helper side of coredump_pipe (Linux v6.17 fs/coredump.c, kernel.md §10 steps 8c–8e, 13):
// what happens to a "|program args" core_pattern. The emulator does not start host programs unless
// asked to: a helper whose basename is `arm64-fault-collect` is built in (a small coredumpctl-like store),
// anything else runs on the host only with `allowHostPipe`. Source read: ColinIanKing/linux-next
// fs/coredump.c @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 (≈v6.17) and kernel/umh.c
// (call_usermodehelper_exec: an empty path is a successful no-op).

import { signalName } from '../kernel/sigdefs.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childProcess } from '../builtin.ts';
import { cnEscape, coredumpLogLine, type CoredumpParams, type Corename } from './corename.ts';
import { createBeneath, hostToGuest, mkdirBeneath } from './namei.ts';
import { errnoName } from '../kernel/errno.ts';

export const COLLECTOR_NAME = 'arm64-fault-collect';
/** Timeout for a host helper; the kernel has none, but an emulator run must end. */
export const HOST_PIPE_TIMEOUT_MS = 10_000;


export interface PipeDumpOptions {
  /** Where the built-in collector stores cores (required to use it). */
  collectDir?: string;
  /** The guest's root: a collection directory inside it is resolved as a guest path, confined to it. */
  root?: string;
  /** Run a non-built-in helper on the host (argv[0] is a HOST path). Off by default. */
  allowHostPipe?: boolean;
  timeoutMs?: number;
}

export interface PipeDumpInput {
  params: CoredumpParams;
  /** The complete ELF core the kernel would write into the pipe. */
  core: Uint8Array;
  /** The core generation stopped early (limit reached or interrupted). */
  truncated: boolean;
}

export interface PipeDumpResult {
  /** The helper took the whole core (the kernel's core_dumped). */
  dumped: boolean;
  handler: 'collector' | 'host' | null;
  kernelLog: string[];
  reason: string | null;
  corePath?: string;
  metaPath?: string;
  exitStatus?: number | null;
  exitSignal?: string | null;
  timedOut?: boolean;
  stderr?: string;
}

/** The metadata file the collector writes beside each core. */
export interface CollectedMeta {
  pid: number; uid: number; gid: number; signal: number; signalName: string; time: number;
  exe: string | null; comm: string; argv: string[]; size: number; truncated: boolean;
}

export interface CollectedCore extends CollectedMeta {
  file: string;
  corePath: string;
  metaPath: string;
  /** The core file itself is still there. */
  present: boolean;
}

/**
 * Spawn the helper and hand it the core (coredump_pipe from call_usermodehelper_exec on, then the
 * write through the pipe). Call only with a target planCoredump accepted.
 */
export function coredumpPipe(target: Corename, input: PipeDumpInput, opts: PipeDumpOptions = {}): PipeDumpResult {
  const p = input.params;
  const argv = target.argv ?? [''];
  const program = argv[0];
  const log = (m: string): string => coredumpLogLine(p.pid, p.comm, m);
  // "|%s pipe failed" prints cn->corename, whose first NUL ends argv[0]: only the program shows.
  const pipeFailed = (reason: string): PipeDumpResult =>
    ({ dumped: false, handler: null, kernelLog: [log(`|${program} pipe failed`)], reason });

  if (program === '') {
    // call_usermodehelper_exec returns 0 for an empty path without creating the pipe.
    return { dumped: false, handler: null, kernelLog: [log(`Core dump to |${program} disabled`)],
      reason: 'the |pipe core_pattern has an empty program name (only spaces or specifiers that expand to nothing ' +
        'after "|"), which the kernel treats as a disabled usermode helper; put a program path after "|"' };
  }
  if (path.posix.basename(program) === COLLECTOR_NAME) return collect(argv, input, opts, pipeFailed);
  if (!opts.allowHostPipe) {
    // DIVERGENCE: the kernel would exec the program; the emulator refuses to run host programs by default
    // and reports it the way the kernel reports a helper that cannot be executed.
    return pipeFailed(`core_pattern pipes the core to ${program}, and the emulator does not run host programs ` +
      `unless allowed; use "|${COLLECTOR_NAME} %P %s %t %e" or enable host pipes (allowHostPipe)`);
  }
  return runHost(argv, input, opts, pipeFailed);
}

function collect(argv: string[], input: PipeDumpInput, opts: PipeDumpOptions,
  pipeFailed: (r: string) => PipeDumpResult): PipeDumpResult {
  const dir = opts.collectDir;
  if (dir === undefined) {
    return pipeFailed(`the built-in ${COLLECTOR_NAME} has no collection directory; set one (collectDir)`);
  }
  const p = input.params;
  const name = `core.${cnEscape(p.comm)}.${p.pid}.${p.time}`;
  const meta: CollectedMeta = {
    pid: p.pid, uid: p.uid, gid: p.gid, signal: p.signo, signalName: signalName(p.signo), time: Number(p.time),
    exe: p.exePath, comm: p.comm, argv, size: input.core.length, truncated: input.truncated,
  };
  // Everything the collector writes is confined: a collection directory inside the guest root is a guest path
  // (a symlink planted by the guest is followed inside the root only); one outside it is the user's own choice,
  // and the files in it are created without following symlinks.
  const inRoot = opts.root !== undefined ? hostToGuest(opts.root, path.resolve(dir)) : null;
  const [base, rel] = inRoot !== null ? [opts.root!, inRoot] : [path.resolve(dir), '/'];
  const stored = inRoot === null && !mkdirUsers(base) ? 'cannot create the directory' : storeBeneath(base, rel, [[name, input.core], [`${name}.json`, Buffer.from(JSON.stringify(meta, null, 2) + '\n')]]);
  if (typeof stored === 'string') {
    // The helper ran but could not store the core: the kernel's writes still succeeded, so it was "dumped".
    return { dumped: true, handler: 'collector', kernelLog: [],
      reason: `${COLLECTOR_NAME} could not store the core in ${dir}: ${stored}` };
  }
  const [corePath, metaPath] = stored;
  return { dumped: true, handler: 'collector', kernelLog: [], reason: null, corePath, metaPath };
}

/** mkdir -p of a collection directory the user named outside the root: theirs to create as named. */
function mkdirUsers(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/** mkdir -p the directory `rel` beneath base, then create each named file in it; the host paths, or why not. */
function storeBeneath(base: string, rel: string, files: [string, Uint8Array][]): string[] | string {
  const dir = mkdirBeneath(base, rel);
  if (typeof dir === 'number') return `${errnoName(-dir)} while creating the directory`;
  const written: string[] = [];
  for (const [name, data] of files) {
    const f = createBeneath(base, path.posix.join(rel, name));
    if (typeof f === 'number') return `${errnoName(-f)} while creating ${name}`;
    try {
      fs.writeSync(f.fd, data);
    } finally {
      fs.closeSync(f.fd);
    }
    written.push(f.host);
  }
  return written;
}

function runHost(argv: string[], input: PipeDumpInput, opts: PipeDumpOptions,
  pipeFailed: (r: string) => PipeDumpResult): PipeDumpResult {
  // Usermode helpers start with cwd "/" and umh's fixed environment; a relative path is relative to "/".
  const program = argv[0].startsWith('/') ? argv[0] : `/${argv[0]}`;
  // DIVERGENCE: the helper runs as the host user, not as root in the init namespaces; it gets no pidfd
  // on fd 3 for %F and its RLIMIT_CORE is not set to 1.
  const r = childProcess().spawnSync(program, argv.slice(1), {
    input: input.core,
    cwd: '/',
    env: { HOME: '/', TERM: 'linux', PATH: '/sbin:/bin:/usr/sbin:/usr/bin' },
    stdio: ['pipe', 'ignore', 'pipe'],
    timeout: opts.timeoutMs ?? HOST_PIPE_TIMEOUT_MS,
    argv0: argv[0],
  });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOEXEC' || code === 'ENOTDIR') {
    return pipeFailed(`the pipe helper ${argv[0]} cannot be executed (${code}); fix the program path in --core-pattern`);
  }
  const timedOut = code === 'ETIMEDOUT';
  const stderr = r.stderr?.toString('utf8') ?? '';
  const base = { handler: 'host' as const, kernelLog: [], exitStatus: r.status, exitSignal: r.signal, timedOut, stderr };
  if (code === 'EPIPE') {
    // The helper closed its stdin early: dump_emit fails, binfmt core_dump returns 0, not "dumped".
    return { ...base, dumped: false, reason: `the pipe helper ${argv[0]} exited before reading the whole core` };
  }
  if (timedOut) {
    return { ...base, dumped: true, reason: `the pipe helper ${argv[0]} was killed after ${opts.timeoutMs ?? HOST_PIPE_TIMEOUT_MS} ms` };
  }
  return { ...base, dumped: true, reason: null };
}
