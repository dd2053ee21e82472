// Mirrors the decision chain of vfs_coredump (fs/coredump.c, Linux v6.17): coredump_skip, the suid-safe
// credentials, coredump_wait, coredump_parse, and the checks of coredump_file / coredump_pipe /
// coredump_socket that need no filesystem. Creating the file is corefile.ts; running a pipe helper is
// coredump_pipe.ts. Source read: ColinIanKing/linux-next fs/coredump.c
// @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 (≈v6.17); spec: kernel.md §10, §11, §14.

import {
  coredumpLogLine,
  coredumpParse,
  RLIM_INFINITY,
  type CoredumpParams,
  type Corename,
} from './corename.ts';

export {
  CORENAME_MAX_SIZE,
  RLIM_INFINITY,
  coredumpLogLine,
  formatCorename,
  validateCorePattern,
  type CoredumpParams,
  type Corename,
  type CorePatternWrite,
} from './corename.ts';

/** ELF's binfmt->min_coredump = ELF_EXEC_PAGESIZE = PAGE_SIZE (4 KiB pages). */
export const ELF_MIN_COREDUMP = 4096n;
/** include/linux/sched/coredump.h */
export const SUID_DUMP_DISABLE = 0;
export const SUID_DUMP_USER = 1;
export const SUID_DUMP_ROOT = 2;

export type DecisionStep = { step: string; ok: boolean; detail: string };

export interface CoredumpPlan {
  steps: DecisionStep[];
  target: Corename | null;
  /** Why no core: a sentence naming the rule, the deciding values and the fix; null when a dump proceeds. */
  reason: string | null;
  /** The exact "coredump: <tgid>(<comm>): <message>" lines the kernel would log. */
  kernelLog: string[];
  /** Bytes the dump may write (cprm->limit): RLIMIT_CORE for files, RLIM_INFINITY for pipes/sockets, 0 when no dump. */
  limit: bigint;
  /** The fsuid the dump runs with: root (0) for dumpable 2 (SUID_DUMP_ROOT), else the task's fsuid. */
  fsuid: number;
}

function rlimitText(v: bigint): string {
  return v === RLIM_INFINITY ? 'unlimited' : `${v}`;
}

/** How a shell user would have set this limit, for reason sentences. */
function ulimitHint(v: bigint): string {
  if (v === RLIM_INFINITY) return 'ulimit -c unlimited';
  // ulimit -c counts 1024-byte blocks; a byte value that is not a multiple cannot come from it.
  return v % 1024n === 0n ? `ulimit -c ${v / 1024n}` : 'setrlimit(RLIMIT_CORE)';
}

/**
 * The steps of vfs_coredump that need no filesystem (kernel.md §10 steps 2–8, plus the socket parse
 * of step 9). A plan with `target !== null` must continue with openCoreFile (file), the pipe helper
 * (pipe) or the socket (socket).
 */
export function planCoredump(p: CoredumpParams): CoredumpPlan {
  const steps: DecisionStep[] = [];
  const kernelLog: string[] = [];
  const log = (msg: string): void => { kernelLog.push(coredumpLogLine(p.pid, p.comm, msg)); };
  const fsuid = p.dumpable === SUID_DUMP_ROOT ? 0 : p.fsuid;
  const fail = (step: string, detail: string, reason: string): CoredumpPlan => {
    steps.push({ step, ok: false, detail });
    return { steps, target: null, reason, kernelLog, limit: 0n, fsuid };
  };

  // Step 2: coredump_skip — mm->binfmt and binfmt->core_dump. Every guest here is ELF.
  steps.push({ step: 'binfmt', ok: true, detail: `ELF: core_dump present, min_coredump ${ELF_MIN_COREDUMP}` });

  // Step 3: __get_dumpable(mm_flags) == 0 → silent.
  if (p.dumpable === SUID_DUMP_DISABLE) {
    return fail('dumpable', 'dumpable 0 (SUID_DUMP_DISABLE): coredump_skip returns without a message',
      'the process is not dumpable (dumpable 0): prctl(PR_SET_DUMPABLE, 0) was called, or it exec\'d a ' +
      'set-user-ID/set-group-ID or unreadable program while fs.suid_dumpable was 0; the kernel skips the ' +
      'dump silently — remove the prctl call or run with --suid-dumpable 1');
  }
  // Step 4: SUID_DUMP_ROOT dumps as root, and only to a controlled place.
  steps.push({
    step: 'dumpable', ok: true,
    detail: p.dumpable === SUID_DUMP_ROOT
      ? `dumpable 2 (SUID_DUMP_ROOT): fsuid ${p.fsuid} → 0, only an absolute path, a pipe or a socket`
      : `dumpable 1 (SUID_DUMP_USER): dumping with fsuid ${p.fsuid}`,
  });

  // Step 5: coredump_wait → zap_threads fails with -EAGAIN if the group is already exiting.
  if (p.groupExiting) {
    return fail('coredump_wait', 'SIGNAL_GROUP_EXIT already set: zap_threads returns -EAGAIN, no message',
      'the thread group was already exiting (exit_group() or another fatal signal came first), so ' +
      'coredump_wait gave up and no core was written; the first exit, not this signal, ended the process');
  }
  steps.push({ step: 'coredump_wait', ok: true, detail: 'other threads killed and parked' });

  // Step 6: coredump_parse.
  const parsed = coredumpParse(p);
  if (!parsed.ok) {
    for (const m of parsed.messages) log(m);
    log('format_corename failed, aborting core');
    return fail('core_pattern', `core_pattern ${JSON.stringify(p.corePattern)}: ${parsed.why}`,
      `kernel.core_pattern ${JSON.stringify(p.corePattern)} cannot be used: ${parsed.why}; ` +
      'the kernel logs "format_corename failed, aborting core" — fix --core-pattern');
  }
  const cn = parsed.cn;
  steps.push({ step: 'core_pattern', ok: true, detail: describeTarget(p, cn) });

  if (cn.kind === 'file') return planFile(p, cn, steps, log, fail, kernelLog, fsuid);
  if (cn.kind === 'pipe') return planPipe(p, cn, steps, log, fail, kernelLog, fsuid);
  return planSocket(p, cn, log, fail);
}

function describeTarget(p: CoredumpParams, cn: Corename): string {
  const pat = JSON.stringify(p.corePattern);
  if (cn.kind === 'file') {
    return `core_pattern ${pat}, core_uses_pid ${p.coreUsesPid ? 1 : 0} → file ${JSON.stringify(cn.path)}`;
  }
  if (cn.kind === 'pipe') return `core_pattern ${pat} → pipe argv ${JSON.stringify(cn.argv)}`;
  return `core_pattern ${pat} → socket ${JSON.stringify(cn.path)}${cn.requestAck ? ' (request/ack protocol)' : ''}`;
}

type Fail = (step: string, detail: string, reason: string) => CoredumpPlan;

/** coredump_file, the part before filp_open (§10 steps 7a–7b). */
function planFile(p: CoredumpParams, cn: Corename, steps: DecisionStep[], log: (m: string) => void,
  fail: Fail, kernelLog: string[], fsuid: number): CoredumpPlan {
  const limit = p.rlimitCore;
  if (limit < ELF_MIN_COREDUMP) {
    return fail('rlimit_core', `RLIMIT_CORE ${limit} < min_coredump ${ELF_MIN_COREDUMP}: no message`,
      `RLIMIT_CORE is ${limit}${limit === 0n ? ' (ulimit -c 0)' : ` bytes (${ulimitHint(limit)})`}: a core file ` +
      `needs at least ${ELF_MIN_COREDUMP} bytes (one page, the ELF min_coredump), so the kernel skips it ` +
      'silently; run with --rlimit-core unlimited');
  }
  steps.push({ step: 'rlimit_core', ok: true, detail: `RLIMIT_CORE ${rlimitText(limit)} ≥ min_coredump ${ELF_MIN_COREDUMP}` });

  const path = cn.path ?? '';
  if (p.dumpable === SUID_DUMP_ROOT && !path.startsWith('/')) {
    log('this process can only dump core to a fully qualified path, skipping core dump');
    return fail('suid_safe_path', `dumpable 2 and corename ${JSON.stringify(path)} is not absolute`,
      `the process is dumpable 2 (fs.suid_dumpable=2, "suidsafe") and the core name ${JSON.stringify(path)} is ` +
      'relative; such a process may only dump to a fully qualified path, a pipe or a socket — use an ' +
      'absolute --core-pattern (e.g. /tmp/core.%e.%p) or a |pipe');
  }
  if (p.dumpable === SUID_DUMP_ROOT) steps.push({ step: 'suid_safe_path', ok: true, detail: `corename ${JSON.stringify(path)} is absolute` });

  // filp_open("") fails with ENOENT: known without touching the filesystem.
  if (path === '') {
    return fail('open', 'filp_open("") → -ENOENT: no message',
      'kernel.core_pattern is empty and core_uses_pid is 0, so the core file name is empty and opening it ' +
      'fails (ENOENT); set --core-pattern core (or --core-uses-pid 1)');
  }
  return { steps, target: cn, reason: null, kernelLog, limit, fsuid };
}

/** coredump_pipe before the helper is spawned (§10 steps 8–8b). */
function planPipe(p: CoredumpParams, cn: Corename, steps: DecisionStep[], log: (m: string) => void,
  fail: Fail, kernelLog: string[], fsuid: number): CoredumpPlan {
  // umh_coredump_setup gives every helper RLIMIT_CORE = 1, so 1 marks a crashing helper: no recursion.
  if (p.rlimitCore === 1n) {
    log('RLIMIT_CORE is set to 1, aborting core');
    return fail('rlimit_core', 'RLIMIT_CORE is 1 (the mark of a core_pattern helper)',
      'RLIMIT_CORE is 1: for a |pipe core_pattern the kernel treats 1 as "this process is a crashing core ' +
      'helper" and refuses to recurse ("RLIMIT_CORE is set to 1, aborting core"); use any other value, e.g. ' +
      '--rlimit-core unlimited (pipes ignore the size)');
  }
  steps.push({ step: 'rlimit_core', ok: true, detail: `RLIMIT_CORE ${rlimitText(p.rlimitCore)} is ignored for pipes (only 1 aborts); limit := unlimited` });

  // atomic_inc_return(&core_pipe_count) counts this dump too.
  const count = p.pipeDumpsInFlight + 1;
  if (p.corePipeLimit !== 0 && p.corePipeLimit < count) {
    log('over core_pipe_limit, skipping core dump');
    return fail('core_pipe_limit', `core_pipe_limit ${p.corePipeLimit} < ${count} concurrent pipe dumps`,
      `kernel.core_pipe_limit is ${p.corePipeLimit} and this would be pipe dump number ${count} in flight ` +
      `(${p.pipeDumpsInFlight} already running), so the kernel skips it; raise the limit or set it to 0 (unlimited)`);
  }
  steps.push({
    step: 'core_pipe_limit', ok: true,
    detail: p.corePipeLimit === 0
      ? `core_pipe_limit 0: unlimited, the dumper does not wait for the helper (${count} in flight)`
      : `${count} ≤ core_pipe_limit ${p.corePipeLimit}; the dumper waits for the helper to exit`,
  });
  return { steps, target: cn, reason: null, kernelLog, limit: RLIM_INFINITY, fsuid };
}

/**
 * coredump_socket. DIVERGENCE: no process can listen on an AF_UNIX coredump socket inside the emulator,
 * so connect behaves as if nothing were bound at the path (kernel_connect → -ECONNREFUSED, -111).
 */
function planSocket(p: CoredumpParams, cn: Corename, log: (m: string) => void, fail: Fail): CoredumpPlan {
  const path = cn.path ?? '';
  log(`Coredump socket connection ${path} failed -111`);
  return fail('socket', `connect(${path}) → -ECONNREFUSED (no coredump server in the emulator)`,
    `kernel.core_pattern ${JSON.stringify(p.corePattern)} sends the core to the AF_UNIX socket ${path}, and no ` +
    'coredump server can listen there in the emulator; use a file pattern or "|arm64-fault-collect %P %s %t %e"');
}
