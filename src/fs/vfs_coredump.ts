// vfs_coredump (fs/coredump.c, v6.17): plan the dump (coredump.ts), create the target confined to --root
// (corefile.ts) or run the pipe handler (coredump_pipe.ts), snapshot the process and write the ELF core
// (binfmt_elf_core.ts). Returns the report's core record with the decision chain.
import * as fs from 'node:fs';
import { planCoredump } from './coredump.ts';
import { openCoreFile } from './corefile.ts';
import { coredumpPipe } from './coredump_pipe.ts';
import { elfCoreDump, FileCoreSink, BufferCoreSink, type CoreSnapshot, type CoreVma } from './binfmt_elf_core.ts';
import type { CoreRecord } from '../report.ts';
import type { Task } from '../kernel/task.ts';
import type { Cpu } from '../cpu/cpu.ts';
import type { Mm } from '../mm/mm.ts';
import { RLIMIT_CORE } from '../kernel/task.ts';

export interface CoredumpEnv {
  task: Task;
  cpu: Cpu;
  mm: Mm;
  root: string;
  hostname: string;
  time: bigint;
  corePattern: string;
  coreUsesPid: boolean;
  kernelLog: string[];
  trace(name: string, data: Record<string, unknown>): void;
  /** directory for the built-in pipe collector */
  collectDir?: string;
  /** kernel.core_pipe_limit (0: unlimited, the dumper does not wait for the helper) */
  corePipeLimit?: number;
  allowHostPipe?: boolean;
}

/** PF_DUMPCORE | PF_SIGNALED | PF_RANDOMIZE is what a crashing task's flags commonly show */
const PF_FLAGS = 0x400600n;

export function snapshot(env: CoredumpEnv, signo: number, siginfo: Buffer): CoreSnapshot {
  const { task, cpu, mm } = env;
  const vmas: CoreVma[] = mm.vmas.map((v) => ({
    start: v.start, end: v.end, flags: v.flags, pgoff: v.pgoff, file: v.file?.path ?? null,
    special: v.name === '[vdso]', anonWritten: isWritten(cpu, v), fileHasExecBit: v.file?.executable,
  }));
  return {
    signo, siginfo, auxv: mm.savedAuxv,
    threads: [{
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

export function doCoredump(env: CoredumpEnv, signo: number, siginfo: Buffer): CoreRecord {
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
  const record = (dumped: boolean, reason: string | null, extra: Partial<CoreRecord> = {}): CoreRecord => {
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
      { collectDir: env.collectDir, allowHostPipe: env.allowHostPipe });
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
