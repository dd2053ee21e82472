// Mirrors kernel/exit.c (v6.17): do_group_exit and do_exit for the current task (exit_mm, exit_files,
// exit_notify with the reparenting of orphans and do_notify_parent's SIGCHLD), release_task, and the wait
// status a parent reads (the encoding of include/uapi/linux/wait.h that WIFEXITED/WIFSIGNALED/WCOREDUMP decode).
import type { Kernel } from './kernel.ts';
import { SIGNAL_GROUP_EXIT, type Task } from './task.ts';
import { sendSignal } from './signal.ts';
import { SIGCHLD, SIGKILL, SIG_IGN, SA_NOCLDWAIT, CLD_EXITED, CLD_KILLED, CLD_DUMPED, SI_KERNEL } from './sigdefs.ts';
import { writebackShared, hasSharedFileMappings } from '../mm/filemap.ts';
import { copyToUser } from '../mm/uaccess.ts';
import type { Mm } from '../mm/mm.ts';
import { exitRobustList, futexWake, FUTEX_BITSET_MATCH_ANY } from './futex.ts';
import { exitPiStateList } from './futex_pi.ts';

/**
 * do_group_exit(exit_code): exit_code is already a wait status ((status & 0xff) << 8, or a signal number with
 * 0x80 when a core was dumped). A group exit already under way keeps its group_exit_code; the other threads
 * get SIGKILL (zap_other_threads). A thread that execve's de_thread killed exits with 0.
 */
export function doGroupExit(k: Kernel, exitCode: number): void {
  const sig = k.task.signal;
  if (sig.flags & SIGNAL_GROUP_EXIT) exitCode = sig.groupExitCode;
  else if (sig.groupExecTask) exitCode = 0; // killed by de_thread: exec goes on without this thread
  else {
    sig.flags = SIGNAL_GROUP_EXIT;
    sig.groupExitCode = exitCode;
    for (const t of k.tasks) if (t.signal === sig && t !== k.task && t.exitState === null) t.pending.signal |= 1n << BigInt(SIGKILL - 1);
  }
  doExit(k, exitCode);
}

/** The live threads of t's process. */
export const threadsOf = (k: Kernel, t: Task): Task[] => k.tasks.filter((x) => x.signal === t.signal && x.exitState === null);

/**
 * do_exit(code) for current: its mm and files are let go, vfork's parent is released, the parent hears of it,
 * and it becomes a zombie (or is released at once when nobody will wait for it).
 */
export function doExit(k: Kernel, code: number): void {
  const t = k.task;
  if (t.exitState !== null) return;
  t.exitCode = code;
  t.wait = null;
  k.trace('sched_process_exit', { comm: t.comm, pid: t.tid, status: code });
  mmRelease(k, t);
  mmput(t.mm); // exit_mm
  exitFiles(t);
  exitNotify(k, t);
}

/**
 * exit_mm_release / exec_mm_release: futex_exit_release's robust-list walk, then mm_release: CLONE_CHILD_CLEARTID's
 * zero and a shared FUTEX_WAKE of one waiter there (pthread_join), and the end of a vfork. Called at exit and at
 * exec, while the old mm is still there.
 */
export function mmRelease(k: Kernel, t: Task): void {
  exitRobustList(t.mm, t);
  t.robustList = 0n;
  exitPiStateList(k, t);
  if (t.clearChildTid !== 0n && t.mm.users > 1) {
    copyToUser(t.mm, t.clearChildTid, Buffer.alloc(4));
    futexWake(t.mm, t.clearChildTid, true, 1, FUTEX_BITSET_MATCH_ANY);
  }
  t.clearChildTid = 0n;
  if (t.vforkDone) {
    t.vforkDone.done = true;
    t.vforkDone = null;
  }
}

/** mmput: the last user of an mm writes back its shared file pages and frees the engine. */
export function mmput(mm: Mm): void {
  if (--mm.users > 0) return;
  if (hasSharedFileMappings(mm)) writebackShared(mm); // exit_mmap: dirty shared pages reach the file
  mm.cpu.close();
}

/** exit_files / put_files_struct */
function exitFiles(t: Task): void {
  if (--t.files.users === 0) t.files.closeAll();
}

/** The process that orphans go to (find_child_reaper): the first process while a thread of it other than t lives. */
function reaperFor(k: Kernel, t: Task): Task | null {
  return threadsOf(k, k.init).some((x) => x !== t) ? k.init : null;
}

/**
 * exit_notify: when the group dies with this thread (group_dead), children are reparented
 * (forget_original_parent); a leader whose group is empty tells its parent (exit_signal). A leader that exits
 * before its threads stays a zombie (delay_group_leader) and the parent hears of it when the last thread is
 * released (release_task). A thread is reaped at once (autoreap). When the first process's group dies — it
 * plays the pid namespace's init — every other process is killed (zap_pid_ns_processes).
 */
function exitNotify(k: Kernel, t: Task): void {
  const groupDead = threadsOf(k, t).every((x) => x === t);
  if (groupDead && t.signal === k.init.signal) {
    for (const p of k.tasks) if (p.leader === p && p.signal !== t.signal && p.exitState === null) killProcess(k, p);
  }
  const reaper = reaperFor(k, t);
  for (const c of k.tasks) {
    if (c.parent !== t.leader || !groupDead) continue;
    c.parent = reaper;
    c.ppid = reaper?.pid ?? 0;
    // reparent_leader: a zombie the new parent has not been told about
    if (c.exitState === 'zombie' && (!reaper || doNotifyParent(k, c, c.exitSignal))) releaseTask(k, c);
  }
  let autoreap = true;
  if (t.leader === t) {
    if (t.parent === null) autoreap = false; // the first process: the emulator reads its status
    else autoreap = groupDead && t.exitSignal >= 0 && doNotifyParent(k, t, t.exitSignal);
  }
  t.exitState = 'zombie';
  if (autoreap) releaseTask(k, t);
}

/** SIGKILL to every thread of p (zap_pid_ns_processes, kill(-1, SIGKILL)). */
function killProcess(k: Kernel, p: Task): void {
  sendSignal(k, { signo: SIGKILL, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 }, 'tgid', 'kernel', p);
}

/**
 * do_notify_parent: SIGCHLD (or the clone's exit signal) with CLD_EXITED/KILLED/DUMPED to the parent. true
 * when the child is to be reaped at once: the parent ignores SIGCHLD or set SA_NOCLDWAIT.
 */
export function doNotifyParent(k: Kernel, t: Task, sig: number): boolean {
  const parent = t.parent;
  if (!parent) return false;
  const code = t.signal.flags & SIGNAL_GROUP_EXIT ? t.signal.groupExitCode : t.exitCode;
  const info = {
    signo: sig, errno: 0, pid: t.pid, uid: t.uid, utime: 0n, stime: 0n,
    ...(code & 0x80 ? { code: CLD_DUMPED, status: code & 0x7f } : code & 0x7f ? { code: CLD_KILLED, status: code & 0x7f }
      : { code: CLD_EXITED, status: code >> 8 }),
  };
  let autoreap = false;
  const ka = parent.action[SIGCHLD];
  if (sig === SIGCHLD && (ka.handler === SIG_IGN || ka.flags & SA_NOCLDWAIT)) {
    autoreap = true;
    if (ka.handler === SIG_IGN) sig = 0;
  }
  if (sig > 0 && sig <= 64) sendSignal(k, { ...info, signo: sig }, 'tgid', 'kernel', parent);
  return autoreap;
}

/**
 * release_task: the task leaves the task list; its pid is free. The last thread of a group whose leader is
 * already a zombie tells the leader's parent now, and the leader goes too when the parent does not wait.
 */
export function releaseTask(k: Kernel, t: Task): void {
  t.exitState = 'dead';
  k.releaseTask(t);
  const leader = t.leader;
  if (leader === t || leader.exitState !== 'zombie' || threadsOf(k, leader).length > 0) return;
  if (leader.parent !== null && leader.exitSignal >= 0 && doNotifyParent(k, leader, leader.exitSignal)) releaseTask(k, leader);
}

/** What a parent's wait4() would see of a dead task: exited with a code, or killed by a signal. */
export type WaitStatus =
  | { kind: 'exited'; code: number; status: number }
  | { kind: 'signaled'; signo: number; coreDumped: boolean; status: number };

/** The one place the wait status is decoded (WIFEXITED / WEXITSTATUS / WTERMSIG / WCOREDUMP). */
export function waitStatus(status: number): WaitStatus {
  if ((status & 0x7f) === 0) return { kind: 'exited', code: (status >> 8) & 0xff, status };
  return { kind: 'signaled', signo: status & 0x7f, coreDumped: (status & 0x80) !== 0, status };
}
