// fs/exec.c (v6.17): execve and execveat (do_execveat_common → bprm_execve → load_elf_binary, begin_new_exec),
// binfmt_script's `#!`, and the credentials and dumpable flag an exec gives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineOptions } from '../options.ts';
import { deletePosixTimers } from '../kernel/posix_timers.ts';
import type { Kernel, Syscall, SyscallTable, SysResult } from '../kernel/kernel.ts';
import { NO_RETURN } from '../kernel/kernel.ts';
import { type Task, SighandStruct, RLIMIT_STACK } from '../kernel/task.ts';
import { Mm } from '../mm/mm.ts';
import { readU64, strncpyFromUser } from '../mm/uaccess.ts';
import { loadElfBinary } from './binfmt_elf.ts';
import { lookupOverlay, openExecOverlay } from './sysroot.ts';
import { mmRelease, mmput, releaseTask, threadsOf } from '../kernel/exit.ts';
import { groupExiting } from '../kernel/signal.ts';
import { SIGCHLD, SIGKILL, sigmask } from '../kernel/sigdefs.ts';
import { LoaderError, EngineMemoryError } from '../errors.ts';
import { E2BIG, EACCES, EAGAIN, EBADF, EFAULT, EINVAL, ELOOP, ENAMETOOLONG, ENOENT, ENOEXEC, ENOMEM, ENOTDIR, neg } from '../kernel/errno.ts';

/**
 * The credentials and dumpable flag an exec gives (fs/exec.c begin_new_exec, bprm_fill_uid, would_dump;
 * v6.17): a set-user-ID (set-group-ID) file runs with its owner (group) as euid (egid); then, and for a file the
 * user may not read, the mm's dumpable flag becomes fs.suid_dumpable instead of 1. The host user stands for root
 * as owner of the host's files.
 */
export function execCredentials(file: string, o: Pick<MachineOptions, 'uid' | 'gid' | 'suidDumpable'>) {
  const st = fs.statSync(file);
  const hostUid = process.getuid?.() ?? 0;
  const owner = st.uid === hostUid ? 0 : st.uid;
  const group = st.gid === (process.getgid?.() ?? 0) ? 0 : st.gid;
  const euid = st.mode & 0o4000 ? owner : o.uid;
  const egid = st.mode & 0o2000 ? group : o.gid;
  const readable = o.uid === 0 || (owner === o.uid ? st.mode & 0o400 : group === o.gid ? st.mode & 0o040 : st.mode & 0o004);
  const changed = euid !== o.uid || egid !== o.gid;
  const dumpable: 0 | 1 | 2 = changed || !readable ? o.suidDumpable : 1;
  return { euid, egid, secure: changed, dumpable };
}

// ---- execve / execveat (do_execveat_common, bprm_execve, begin_new_exec) ----------------------------------
/** MAX_ARG_STRLEN: one argument or environment string, with its NUL */
const MAX_ARG_STRLEN = 32 * 4096;
/** binfmt_script: the #! line is read from the first BINPRM_BUF_SIZE bytes; interpreters nest 4 deep at most */
const BINPRM_BUF_SIZE = 256;
const MAX_INTERP_DEPTH = 4;
const AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100, AT_FDCWD = -100;

/** copy_strings: a NULL-terminated array of user string pointers, or a negative errno. */
function copyStrings(k: Kernel, arr: bigint): string[] | bigint {
  const out: string[] = [];
  if (arr === 0n) return out;
  for (let i = 0; ; i++) {
    const p = readU64(k.mm, arr + BigInt(i) * 8n);
    if (p === null) return neg(EFAULT);
    if (p === 0n) return out;
    const s = strncpyFromUser(k.mm, p, MAX_ARG_STRLEN);
    if (s === null) return neg(EFAULT);
    if (s === 'toolong') return neg(E2BIG);
    out.push(s);
  }
}

/** The file an exec runs: its bytes, paths and mode, or a negative errno (may_open + do_open_execat). */
function openExec(k: Kernel, dir: string, p: string, follow: boolean): { data: Buffer; guest: string; host: string; st: fs.Stats } | bigint {
  const r = lookupOverlay(k.root, k.sysroot ?? null, dir, p, follow);
  if (typeof r === 'number') return BigInt(r);
  const st = fs.statSync(r.host);
  if (!st.isFile()) return neg(EACCES);
  const t = k.task;
  const hostUid = process.getuid?.() ?? 0;
  const owner = st.uid === hostUid ? 0 : st.uid;
  const group = st.gid === (process.getgid?.() ?? 0) ? 0 : st.gid;
  const x = t.euid === 0 ? st.mode & 0o111 : owner === t.euid ? st.mode & 0o100 : group === t.egid ? st.mode & 0o010 : st.mode & 0o001;
  if (!x) return neg(EACCES);
  return { data: fs.readFileSync(r.host), guest: r.guest, host: r.host, st };
}

/** binfmt_script: `#!interp [arg]` → the interpreter, its optional argument; null when not a script. */
function parseShebang(data: Buffer): { interp: string; arg: string | null } | null | bigint {
  if (data[0] !== 0x23 || data[1] !== 0x21) return null;
  const head = data.subarray(2, BINPRM_BUF_SIZE).toString('latin1');
  const nl = head.indexOf('\n');
  // a line that does not end within the buffer is only acceptable when the interpreter name is complete
  const line = (nl < 0 ? head : head.slice(0, nl)).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  if (!line) return neg(ENOEXEC);
  const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line)!;
  return { interp: m[1], arg: m[2] ?? null };
}

/**
 * do_execveat_common: find and load the program into a new mm (its own engine), and only then, past the point of
 * no return, make it current's (begin_new_exec). Errors before that leave the caller as it was.
 */
export function doExecve(k: Kernel, dir: string, filename: string, argv: string[], envp: string[], follow = true): SysResult {
  const size = [...argv, ...envp].reduce((n, s) => n + Buffer.byteLength(s) + 1 + 8, 0);
  // bprm_stack_limits: the strings and pointers may use a quarter of the stack limit (at most 6 MiB)
  const limit = BigInt(Math.min(Number(k.task.rlimit(RLIMIT_STACK) / 4n), 6 << 20));
  if (BigInt(size) > limit) return neg(E2BIG);
  let file = openExec(k, dir, filename, follow);
  if (typeof file === 'bigint') return file;
  const execfn = filename;
  const comm = path.posix.basename(filename); // bprm->filename: the name given, even for a script or a symlink
  for (let depth = 0; ; depth++) {
    const sh = parseShebang(file.data);
    if (typeof sh === 'bigint') return sh;
    if (sh === null) break;
    if (depth >= MAX_INTERP_DEPTH) return neg(ELOOP);
    argv = [sh.interp, ...(sh.arg !== null ? [sh.arg] : []), filename, ...argv.slice(1)];
    filename = sh.interp;
    const next = openExec(k, '/', sh.interp, true);
    if (typeof next === 'bigint') return next;
    file = next;
  }
  if (file.data.length < 4 || file.data.readUInt32BE(0) !== 0x7f454c46) return neg(ENOEXEC);
  const t = k.task;
  const cred = execCredentials(file.host, { uid: t.uid, gid: t.gid, suidDumpable: k.sysctl.suidDumpable });
  const mm = new Mm(k.newCpu(), t.rlimit(RLIMIT_STACK), k.sysctl);
  let exec;
  try {
    exec = loadElfBinary(mm, {
      file: file.data, guestPath: file.guest, execfn, argv, envp, uid: t.uid, gid: t.gid, euid: cred.euid, egid: cred.egid,
      secure: cred.secure, random: k.randomBytes(16), features: k.features, executable: true,
      openInterp: (p) => openExecOverlay(k.root, k.sysroot ?? null, p),
    });
  } catch (e) {
    mm.cpu.close();
    if (e instanceof LoaderError || e instanceof EngineMemoryError) return neg(e instanceof EngineMemoryError ? ENOMEM : ENOEXEC);
    throw e;
  }
  const guest = file.guest;
  const oldTid = t.tid;
  const commit = (): typeof NO_RETURN => {
    beginNewExec(k, t, mm, comm, guest, cred);
    t.argv = argv;
    mm.cpu.pc = exec.entry;
    mm.cpu.sp = exec.sp;
    k.trace('sched_process_exec', { filename: guest, pid: t.pid, old_pid: oldTid });
    return NO_RETURN;
  };
  if (threadsOf(k, t).length === 1) return commit();
  // de_thread: kill the other threads (zap_other_threads), sleep killable until they are gone, then commit
  if (groupExiting(t) || t.signal.groupExecTask) { // another group action in progress: its signal comes first
    mm.cpu.close();
    return neg(EAGAIN);
  }
  t.signal.groupExecTask = t;
  for (const x of threadsOf(k, t)) {
    if (x === t) continue;
    x.pending.signal |= sigmask(SIGKILL);
    x.sigpendingFlag = true;
  }
  return {
    wait: true, reason: 'execve: de_thread, waiting for the other threads to exit', deadline: null, killable: true,
    ready: () => threadsOf(k, t).length === 1,
    finish: (why) => {
      t.signal.groupExecTask = null;
      if (why === 'signal') { // killed: a fatal signal overtook the exec, which fails; the signal kills us next
        mm.cpu.close();
        return neg(EAGAIN);
      }
      if (t.leader !== t) takeLeadership(k, t);
      return commit();
    },
  };
}

/**
 * de_thread's second half, when a thread other than the leader execs: it waits for the leader to be a zombie
 * (the killed leader stays one while the group lives), takes its pid as tid (exchange_tids), its parent and
 * children, and the leader is released without its parent hearing of it (exit_signal = -1).
 */
function takeLeadership(k: Kernel, t: Task): void {
  const leader = t.leader;
  [t.tid, leader.tid] = [leader.tid, t.tid];
  t.leader = leader.leader = t;
  t.parent = leader.parent;
  t.ppid = leader.ppid;
  t.exitSignal = SIGCHLD;
  leader.exitSignal = -1;
  for (const c of k.tasks) if (c.parent === leader) c.parent = t;
  if (k.init === leader) k.init = t;
  releaseTask(k, leader);
}

/** begin_new_exec after de_thread: the point of no return. */
function beginNewExec(k: Kernel, t: Task, mm: Mm, comm: string, guest: string, cred: ReturnType<typeof execCredentials>): void {
  mmRelease(k, t); // a vfork parent goes on from here
  const old = t.mm;
  t.mm = mm;
  mmput(old);
  mm.coredumpFilter = old.coredumpFilter; // mm->flags' filter bits survive exec (MMF_DUMP_FILTER_MASK)
  mm.dumpable = cred.dumpable;
  t.euid = t.suid = t.fsuid = cred.euid;
  t.egid = t.sgid = t.fsgid = cred.egid;
  t.comm = comm.slice(0, 15);
  t.exePath = guest;
  t.signal.didExec = true;
  deletePosixTimers(k, t.signal.posixTimers); // exit_itimers: the POSIX timers (the interval timers stay)
  if (t.files.users > 1) { // unshare_files
    t.files.users--;
    t.files = t.files.dup();
  }
  t.files.closeOnExecFds();
  if (sharedSighand(k, t)) t.sighand = Object.assign(new SighandStruct(), { action: t.action.map((a) => ({ ...a })) });
  // flush_signal_handlers(force_default = false): caught signals go back to SIG_DFL, ignored ones stay ignored
  for (const a of t.action) {
    if (a.handler !== 1n) a.handler = 0n;
    a.flags = 0;
    a.restorer = 0n;
    a.mask = 0n;
  }
  t.sas = { sp: 0n, size: 0n, flags: 2 /* SS_DISABLE */ };
}

const sharedSighand = (k: Kernel, t: Task): boolean => k.tasks.some((x) => x !== t && x.sighand === t.sighand && x.exitState === null);

const execve: Syscall = (k, [pathp, argvp, envpp]) => execveat(k, [BigInt(AT_FDCWD), pathp, argvp, envpp, 0n]);

function execveat(k: Kernel, [dirfd, pathp, argvp, envpp, flags]: bigint[]): SysResult {
  if (flags & ~BigInt(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return neg(EINVAL);
  const p = strncpyFromUser(k.mm, pathp, 4096);
  if (p === null) return neg(EFAULT);
  if (p === 'toolong') return neg(ENAMETOOLONG);
  const argv = copyStrings(k, argvp);
  if (typeof argv === 'bigint') return argv;
  const envp = copyStrings(k, envpp);
  if (typeof envp === 'bigint') return envp;
  const fd = Number(BigInt.asIntN(32, dirfd));
  let dir = k.task.cwd;
  if (!p.startsWith('/') && fd !== AT_FDCWD) {
    const f = k.task.files.get(fd);
    if (!f) return neg(EBADF);
    if (!p && flags & BigInt(AT_EMPTY_PATH)) return doExecve(k, '/', f.path, argv, envp);
    if (!f.isDir) return neg(ENOTDIR);
    dir = f.path;
  }
  if (!p) return neg(ENOENT);
  return doExecve(k, dir, p, argv, envp, !(flags & BigInt(AT_SYMLINK_NOFOLLOW)));
}

export const execSyscalls: SyscallTable = { 221: ['execve', execve], 281: ['execveat', execveat] };
