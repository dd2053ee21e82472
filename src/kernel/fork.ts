// Mirrors kernel/fork.c (v6.17): copy_process with the CLONE_* flag checks, dup_mm, and the clone, clone3
// syscalls (fork and vfork are clone on arm64: glibc calls clone(SIGCHLD) and clone(CLONE_VM|CLONE_VFORK|SIGCHLD)).
// A new mm is a second engine with a copy of every mapped byte: the copy-on-write the guest can observe (neither
// side sees the other's later writes) at the cost of one copy per fork, measured in the closing note of #10.
// DIVERGENCE: MAP_SHARED memory is copied too, so a parent and child do not see each other's writes to a shared
// mapping after fork (each engine has its own memory).
import type { Kernel, SysResult, SyscallTable, Syscall } from './kernel.ts';
import { Task, SignalStruct, SighandStruct, FsStruct } from './task.ts';
import { Mm, ucProt } from '../mm/mm.ts';
import { Itimers } from './itimer.ts';
import { saveContext } from './sched.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EINVAL, EPERM, EFAULT, E2BIG, neg } from './errno.ts';

export const CSIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000;
export const CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000, CLONE_NEWCGROUP = 0x2000000;
export const CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000;
const CLONE_NEW_ANY = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

/** struct kernel_clone_args */
export interface CloneArgs {
  flags: number;
  exitSignal: number;
  stack: bigint;
  tls: bigint;
  parentTid: bigint;
  childTid: bigint;
}

/** dup_mm: a new engine with the parent's VMAs and every byte in them. */
export function dupMm(k: Kernel, old: Mm): Mm {
  const mm = new Mm(k.newCpu(), old.rlimitStack, k.sysctl);
  for (const key of ['startCode', 'endCode', 'startData', 'endData', 'startBrk', 'brk', 'startStack', 'argStart', 'argEnd', 'envStart', 'envEnd', 'savedAuxv', 'mmapBase',
    'vdsoBase', 'dumpable', 'coredumpFilter'] as const) (mm as unknown as Record<string, unknown>)[key] = old[key];
  for (const [key, v] of old.pageCache) mm.pageCache.set(key, v);
  // the pool's host buffers copied buffer to buffer (MAP_SHARED ones mapped by both engines); an engine without
  // the pool copies mapping by mapping. DIVERGENCE: then MAP_SHARED memory is copied too, not shared.
  if (mm.cpu.copyMemoryFrom(old.cpu)) {
    for (const v of old.vmas) mm.vmas.push({ ...v });
  } else for (const v of old.vmas) {
    const len = v.end - v.start;
    mm.cpu.map(v.start, len, ucProt(v.flags));
    const bytes = old.cpu.read(v.start, Number(len));
    if (bytes) mm.cpu.write(v.start, bytes);
    mm.vmas.push({ ...v });
    mm.hideBeyondEof(v);
  }
  mm.inheritWatches(old);
  return mm;
}

/** copy_process's flag checks: the errno for a combination Linux refuses, or what we do not emulate. */
function checkCloneFlags(k: Kernel, f: number): number | null {
  if ((f & (CLONE_NEWNS | CLONE_FS)) === (CLONE_NEWNS | CLONE_FS)) return EINVAL;
  if ((f & (CLONE_NEWUSER | CLONE_FS)) === (CLONE_NEWUSER | CLONE_FS)) return EINVAL;
  // thread groups share signals, and shared signal handlers need a shared address space
  if (f & CLONE_THREAD && !(f & CLONE_SIGHAND)) return EINVAL;
  if (f & CLONE_SIGHAND && !(f & CLONE_VM)) return EINVAL;
  // init's siblings would not be reaped by anyone (SIGNAL_UNKILLABLE): our first process plays init
  if (f & CLONE_PARENT && k.task.leader === k.init) return EINVAL;
  if (f & CLONE_PIDFD && f & CLONE_DETACHED) return EINVAL;
  // a thread group cannot span pid or user namespaces: refused before any namespace is looked at
  if (f & CLONE_THREAD && f & (CLONE_NEWUSER | CLONE_NEWPID)) return EINVAL;
  if (f & CLONE_NEW_ANY) {
    // DIVERGENCE: namespaces are not emulated: the guest gets what an unprivileged process gets.
    k.notice('unsupported', { what: `clone with namespace flags 0x${(f & CLONE_NEW_ANY).toString(16)}`, errno: EPERM });
    return EPERM;
  }
  if (f & CLONE_PIDFD) {
    k.notice('unsupported', { what: 'CLONE_PIDFD (pidfds are not emulated)', errno: EINVAL });
    return EINVAL;
  }
  return null;
}

/** kernel_clone: copy_process, then wake_up_new_task; CLONE_VFORK waits for the child to exec or exit. */
export function kernelClone(k: Kernel, args: CloneArgs): SysResult {
  const f = args.flags;
  const bad = checkCloneFlags(k, f);
  if (bad !== null) return neg(bad);
  const cur = k.task;
  const tid = k.allocPid();
  const thread = (f & CLONE_THREAD) !== 0;
  const mm = f & CLONE_VM ? cur.mm : dupMm(k, cur.mm);
  if (f & CLONE_VM) mm.users++;
  const files = f & CLONE_FILES ? cur.files : cur.files.dup();
  if (f & CLONE_FILES) files.users++;
  const sighand = f & CLONE_SIGHAND ? cur.sighand : Object.assign(new SighandStruct(), {
    action: cur.action.map((a) => ({ ...a })),
  });
  const fsStruct = f & CLONE_FS ? cur.fs : Object.assign(new FsStruct(), { cwd: cur.fs.cwd, umask: cur.fs.umask });
  let signal = cur.signal;
  if (!thread) {
    // copy_signal: the limits are copied, the interval timers are not inherited (fork(2))
    const clock = cur.signal.itimers.clocks;
    signal = new SignalStruct(tid, cur.signal.rlim.map((r) => ({ ...r })), new Itimers(clock));
    signal.pgrp = cur.signal.pgrp;
    signal.session = cur.signal.session;
  }
  const t = new Task(mm, files, signal, sighand, fsStruct, {
    pid: thread ? cur.pid : tid, ppid: thread ? cur.ppid : f & CLONE_PARENT ? cur.ppid : cur.pid,
    cred: { uid: cur.uid, euid: cur.euid, suid: cur.suid, fsuid: cur.fsuid, gid: cur.gid, egid: cur.egid, sgid: cur.sgid, fsgid: cur.fsgid },
    comm: cur.comm, exePath: cur.exePath,
  });
  t.tid = tid;
  t.groups = cur.groups;
  t.argv = cur.argv;
  t.blocked = cur.blocked;
  // the alternate stack is inherited, except by a new thread on the same mm (it would share the stack)
  if ((f & (CLONE_VM | CLONE_VFORK)) !== CLONE_VM) t.sas = { ...cur.sas };
  if (thread) {
    t.leader = cur.leader;
    t.parent = cur.parent;
    t.exitSignal = -1;
  } else {
    t.parent = f & CLONE_PARENT ? cur.leader.parent : cur.leader;
    // a CLONE_PARENT sibling tells the common parent what the caller's leader would
    t.exitSignal = f & CLONE_PARENT ? cur.leader.exitSignal : args.exitSignal;
  }
  if (f & CLONE_CHILD_CLEARTID) t.clearChildTid = args.childTid;
  // the child returns 0 from the same svc, on its own stack and thread pointer if given
  const regs = saveContext(cur.mm.cpu);
  regs.x[0] = 0n;
  if (args.stack !== 0n) regs.sp = args.stack;
  if (f & CLONE_SETTLS) regs.tpidr = args.tls;
  const tidBytes = Buffer.alloc(4);
  tidBytes.writeInt32LE(tid);
  // schedule_tail's put_user(set_child_tid) in the child's mm; kernel_clone's put_user(parent_tid) in the parent's
  if (f & CLONE_CHILD_SETTID) copyToUser(mm, args.childTid, tidBytes);
  if (f & CLONE_PARENT_SETTID) copyToUser(cur.mm, args.parentTid, tidBytes);
  k.wakeUpNewTask(t, regs);
  k.trace('task_newtask', { pid: tid, comm: cur.comm, clone_flags: `0x${f.toString(16)}` });
  if (!(f & CLONE_VFORK)) return BigInt(tid);
  const done = (t.vforkDone = { done: false });
  return {
    wait: true, reason: `for child ${tid} to exec or exit (vfork)`, deadline: null, killable: true,
    ready: () => done.done, finish: () => BigInt(tid),
  };
}

const clone: Syscall = (k, [flags, stack, ptid, tls, ctid]) => {
  const f = Number(flags & 0xffffffffn);
  return kernelClone(k, { flags: f & ~CSIGNAL, exitSignal: f & CSIGNAL, stack, tls, parentTid: ptid, childTid: ctid });
};

/** clone3(struct clone_args *, size): version 0 is 64 bytes; larger structs must be zero past what we know. */
const clone3: Syscall = (k, [uargs, size]) => {
  if (size < 64n || size > 4096n) return neg(EINVAL);
  const b = copyFromUser(k.mm, uargs, Number(size));
  if (!b) return neg(EFAULT);
  if (size > 88n && b.subarray(88).some((x) => x !== 0)) return neg(E2BIG);
  const u = (o: number) => (o + 8 <= b.length ? b.readBigUInt64LE(o) : 0n);
  const [flags, pidfd, childTid, parentTid, exitSignal, stack, stackSize, tls] = [0, 8, 16, 24, 32, 40, 48, 56].map(u);
  if (flags >> 32n || exitSignal > 64n || (u(64) !== 0n || u(72) !== 0n)) {
    if (u(64) !== 0n || u(72) !== 0n) k.notice('unsupported', { what: 'clone3 set_tid', errno: EINVAL });
    return neg(EINVAL);
  }
  if (flags & BigInt(CSIGNAL) || (stack === 0n) !== (stackSize === 0n) || (flags & BigInt(CLONE_DETACHED))) return neg(EINVAL);
  // clone3_args_valid: a thread or a CLONE_PARENT sibling has no exit signal of its own
  if (flags & BigInt(CLONE_THREAD | CLONE_PARENT) && exitSignal !== 0n) return neg(EINVAL);
  if (u(80) !== 0n) { // cgroup
    k.notice('unsupported', { what: 'clone3 CLONE_INTO_CGROUP', errno: EINVAL });
    return neg(EINVAL);
  }
  void pidfd;
  return kernelClone(k, {
    flags: Number(flags), exitSignal: Number(exitSignal), stack: stack === 0n ? 0n : stack + stackSize, tls,
    parentTid, childTid,
  });
};

export const forkSyscalls: SyscallTable = { 220: ['clone', clone], 435: ['clone3', clone3] };
