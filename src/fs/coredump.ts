// Mirrors fs/coredump.c (Linux v6.17): vfs_coredump, the entry from get_signal, and its decision chain
// (coredump_skip, the suid-safe credentials, coredump_wait, coredump_parse, the checks of coredump_file /
// coredump_pipe / coredump_socket that need no filesystem). format_corename is corename.ts (it is long enough
// to stand alone); creating the file is corefile.ts; running a pipe helper is coredump_pipe.ts; the ELF writer
// is binfmt_elf_core.ts. Source read: ColinIanKing/linux-next fs/coredump.c
// @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 (≈v6.17); spec: kernel.md §10, §11, §14.

import {
  coredumpLogLine,
  coredumpParse,
  RLIM_INFINITY,
  type CoredumpParams,
  type Corename,
} from './corename.ts';

import * as fs from 'node:fs';
import { openCoreFile } from './corefile.ts';
import { coredumpPipe } from './coredump_pipe.ts';
import { elfCoreDump, FileCoreSink, BufferCoreSink, type CoreSnapshot, type CoreVma, type CoreThread } from './binfmt_elf_core.ts';
import type { Task } from '../kernel/task.ts';
import type { Cpu } from '../cpu/cpu.ts';
import { type Mm, SHMEM_NAME } from '../mm/mm.ts';
import { RLIMIT_CORE } from '../kernel/task.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { KernelSiginfo } from '../kernel/siginfo.ts';
import { copySiginfoToUser } from '../kernel/siginfo.ts';
import { coreThreads } from './coredump_threads.ts';

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
      'the process is not dumpable (dumpable 0): prctl(PR_SET_DUMPABLE, 0) was called, or, while ' +
      'fs.suid_dumpable was 0, it exec\'d a set-user-ID/set-group-ID or unreadable program or changed its ' +
      'effective or filesystem uid/gid (setuid and the like); the kernel skips the dump silently — remove the ' +
      'prctl call or run with --suid-dumpable 1');
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

// ---- vfs_coredump -------------------------------------------------------------------------------------------
/** What the dump did: the report's core record, with the decision chain. */
export interface CoredumpResult {
  dumped: boolean;
  path: string | null;
  size: number;
  truncated: boolean;
  reason: string | null;
  steps: DecisionStep[];
}

export interface CoredumpEnv {
  task: Task;
  /** every thread of the process, the dumping one first (coredump_threads.ts); only task's when absent */
  threads?: CoreThread[];
  cpu: Cpu;
  mm: Mm;
  root: string;
  hostname: string;
  time: bigint;
  corePattern: string;
  coreUsesPid: boolean;
  kernelLog: string[];
  trace: Kernel['trace'];
  /** directory for the built-in pipe collector */
  collectDir?: string;
  /** kernel.core_pipe_limit (0: unlimited, the dumper does not wait for the helper) */
  corePipeLimit?: number;
  allowHostPipe?: boolean;
}

/** PF_DUMPCORE | PF_SIGNALED | PF_RANDOMIZE is what a crashing task's flags commonly show */
const PF_FLAGS = 0x400600n;

function snapshot(env: CoredumpEnv, signo: number, siginfo: Buffer): CoreSnapshot {
  const { task, cpu, mm } = env;
  const vmas: CoreVma[] = mm.vmas.map((v) => ({
    start: v.start, end: v.end, flags: v.flags, pgoff: v.pgoff, file: v.file?.path ?? (v.shmem ? SHMEM_NAME : null),
    ...(v.shmem ? { fileUnlinked: true } : {}),
    special: v.name === '[vdso]', anonWritten: isWritten(cpu, v), fileHasExecBit: v.file?.executable,
  }));
  return {
    signo, siginfo, auxv: mm.savedAuxv,
    threads: env.threads ?? [{
      tid: task.tid, regs: Array.from({ length: 31 }, (_, i) => cpu.x(i)), sp: cpu.sp, pc: cpu.pc,
      pstate: cpu.nzcv, vregs: Array.from({ length: 32 }, (_, i) => cpu.v(i)), fpsr: cpu.fpsr, fpcr: cpu.fpcr,
      tpidr: cpu.tpidr, syscallno: -1, pending: task.pending.signal, blocked: task.blocked,
    }],
    psinfo: {
      state: 0, nice: 0, flags: PF_FLAGS, uid: task.uid, gid: task.gid, pid: task.pid, ppid: task.ppid,
      pgrp: task.pgrp, sid: task.sid, comm: task.comm,
      args: cpu.read(mm.argStart, Number(mm.argEnd - mm.argStart)) ?? Buffer.alloc(0),
    },
    vmas,
    readMemory: (addr, len) => cpu.read(addr, len),
    coredumpFilter: task.coredumpFilter,
  };
}

/**
 * anon_vma: a private mapping some page of which was written. DIVERGENCE: Unicorn does not tell us which pages
 * were written, so a mapping counts as written when its contents differ from what was mapped (the file's bytes,
 * or zeros for anonymous memory). The current protection does not matter: anon_vma stays when a written
 * mapping is later mprotect()ed read-only (static glibc's RELRO: IRELATIVE slots in .got.plt are written, then
 * the range becomes r--), and vma_dump_size only asks for anon_vma. Still missed: a split-off part that was
 * never written itself but shares the anon_vma of its written neighbour (__split_vma → anon_vma_clone).
 */
function isWritten(cpu: Cpu, v: Mm['vmas'][number]): boolean {
  // compared 1 MiB at a time, stopping at the first difference: a 1 GiB mapping is never copied whole
  const CHUNK = 1 << 20;
  const buf = Buffer.alloc(CHUNK);
  const zero = Buffer.alloc(CHUNK);
  for (let a = v.start; a < v.end; a += BigInt(CHUNK)) {
    const n = Number(v.end - a < BigInt(CHUNK) ? v.end - a : BigInt(CHUNK));
    const now = buf.subarray(0, n);
    if (!cpu.readInto(a, now)) return false;
    let orig = zero.subarray(0, n);
    if (v.file) {
      orig = Buffer.alloc(n);
      const off = Number(v.pgoff + (a - v.start));
      if (off < v.file.data.length) v.file.data.copy(orig, 0, off, Math.min(v.file.data.length, off + n));
    }
    if (!now.equals(orig)) return true;
  }
  return false;
}

/** openCoreFile options: the host runs as one user, which stands for the guest's fsuid/fsgid. */
function openOptions(env: CoredumpEnv, dumpable: 0 | 1 | 2, fsuid: number) {
  const hostUid = process.getuid?.() ?? 0;
  return {
    dumpable, fsuid, fsgid: env.task.fsgid,
    guestUidOf: (h: number) => (h === hostUid ? fsuid : h),
    guestGidOf: (h: number) => (h === hostUid ? env.task.fsgid : h),
  };
}

export function doCoredump(env: CoredumpEnv, signo: number, siginfo: Buffer): CoredumpResult {
  const { task } = env;
  const params = {
    signo, pid: task.pid, tid: task.tid, uid: task.uid, gid: task.gid, fsuid: task.fsuid, comm: task.comm,
    exePath: task.exePath, hostname: env.hostname, time: env.time, cpu: 0, dumpable: task.dumpable,
    corePattern: env.corePattern, coreUsesPid: env.coreUsesPid, corePipeLimit: env.corePipeLimit ?? 0, pipeDumpsInFlight: 0,
    rlimitCore: task.rlimit(RLIMIT_CORE), cwd: task.cwd,
  };
  const plan = planCoredump(params);
  env.kernelLog.push(...plan.kernelLog);
  const steps = [...plan.steps];
  const record = (dumped: boolean, reason: string | null, extra: Partial<CoredumpResult> = {}): CoredumpResult => {
    for (const st of steps) env.trace('coredump_step', { step: st.step, ok: st.ok, detail: st.detail });
    env.trace('coredump_end', { dumped, reason, ...extra });
    return { dumped, path: null, size: 0, truncated: false, reason, steps, ...extra };
  };
  env.trace('coredump_begin', { signo, pattern: env.corePattern, limit: plan.limit.toString() });
  if (!plan.target) return record(false, plan.reason);
  const snap = snapshot(env, signo, siginfo);
  if (plan.target.kind === 'file') {
    const opened = openCoreFile(env.root, task.cwd, plan.target.path!, openOptions(env, task.dumpable, plan.fsuid));
    if ('error' in opened) {
      steps.push({ step: 'open', ok: false, detail: opened.reason });
      if (opened.kernelMessage) env.kernelLog.push(opened.kernelMessage);
      return record(false, opened.reason);
    }
    steps.push({ step: 'open', ok: true, detail: `created ${plan.target.path} (O_CREAT|O_EXCL|O_NOFOLLOW, 0600)` });
    const sink = new FileCoreSink(opened.fd, plan.limit);
    elfCoreDump(snap, sink);
    const fin = sink.finish();
    fs.closeSync(opened.fd);
    steps.push({ step: 'write', ok: true, detail: `${fin.written} bytes written, file size ${fin.size}${fin.truncated ? ` (truncated at RLIMIT_CORE ${plan.limit})` : ''}` });
    return record(true, null, { path: opened.hostPath, size: fin.size, truncated: fin.truncated });
  }
  if (plan.target.kind === 'pipe') {
    const sink = new BufferCoreSink(plan.limit);
    elfCoreDump(snap, sink);
    const fin = sink.finish();
    const res = coredumpPipe(plan.target, { params, core: sink.buffer(), truncated: fin.truncated },
      { collectDir: env.collectDir, root: env.root, allowHostPipe: env.allowHostPipe });
    env.kernelLog.push(...res.kernelLog);
    steps.push({ step: 'pipe', ok: res.dumped, detail: res.reason ?? `piped ${fin.size} bytes to ${res.handler}` });
    return record(res.dumped, res.reason, { path: res.corePath ?? null, size: fin.size, truncated: fin.truncated });
  }
  return record(false, plan.reason ?? 'core_pattern socket targets cannot be served inside the emulator');
}

/**
 * gcore: dump the running process without killing it, as gdb's `gcore` does: no signal (pr_cursig 0, an empty
 * NT_SIGINFO), written to `core.<pid>` (gdb's default name) in the guest cwd, confined to the root, no limit.
 */
export function gcore(env: CoredumpEnv, seq: number): { path: string; size: number } | { error: string } {
  const name = seq === 0 ? `core.${env.task.pid}` : `core.${env.task.pid}.${seq}`;
  const opened = openCoreFile(env.root, env.task.cwd, name, openOptions(env, 1, env.task.fsuid));
  if ('error' in opened) return { error: opened.reason };
  const sink = new FileCoreSink(opened.fd);
  elfCoreDump(snapshot(env, 0, Buffer.alloc(128)), sink);
  const fin = sink.finish();
  fs.closeSync(opened.fd);
  env.trace('gcore', { path: name, size: fin.size });
  return { path: opened.hostPath, size: fin.size };
}

/** The environment of a dump by the current task of k. */
export function coredumpEnv(k: Kernel, kernelLog: string[], zapped = false): CoredumpEnv {
  const s = k.sysctl;
  return {
    task: k.task, threads: coreThreads(k, zapped), cpu: k.cpu, mm: k.mm, root: k.root, hostname: s.hostname,
    time: k.clock.epoch + k.clock.elapsed() / 1_000_000_000n, corePattern: s.corePattern, coreUsesPid: s.coreUsesPid,
    kernelLog, trace: k.trace.bind(k), collectDir: s.collectDir, allowHostPipe: s.allowHostPipe,
    corePipeLimit: s.corePipeLimit,
  };
}

/** vfs_coredump(siginfo) from get_signal: true when a core was written (coredump_finish's core_dumped). */
export function vfsCoredump(k: Kernel, info: KernelSiginfo): boolean {
  const log: string[] = [];
  const r = doCoredump(coredumpEnv(k, log, true), info.signo, copySiginfoToUser(info));
  k.printk(...log);
  return r.dumped;
}
