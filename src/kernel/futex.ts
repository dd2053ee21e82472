// Mirrors kernel/futex/ (v6.17: syscalls.c do_futex, waitwake.c futex_wait/futex_wake/futex_wake_op, requeue.c
// futex_requeue without PI, and the robust list walk exit_robust_list/handle_futex_death),
// and arch/arm64/include/asm/futex.h's atomic ops for FUTEX_WAKE_OP.
// A waiter is a Wait (kernel.ts) whose ready() reads the futex_q's "unqueued by a wake" flag, so a wake only
// flips flags and the scheduler picks the woken tasks up in its own deterministic order. The hash bucket of a key
// is a FIFO list: every task here has the same priority, which makes the kernel's plist FIFO too.
// get_futex_key and the hash buckets are in futex_core.ts, the PI ops in futex_pi.ts.
import type { Kernel, Syscall, SyscallTable, SysResult, Wait } from './kernel.ts';
import type { Mm, FutexQ, FutexKey } from '../mm/mm.ts';
import { getFutexKey, getU32, putU32, queue, unqueue } from './futex_core.ts';
import { futexLockPi, futexUnlockPi } from './futex_pi.ts';
import type { Task } from './task.ts';
import { copyFromUser, untaggedAddr } from '../mm/uaccess.ts';
import { getTimespec, CLOCK_MONOTONIC, CLOCK_REALTIME } from './time.ts';
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT, ERESTARTSYS, ERESTART_RESTARTBLOCK, neg } from './errno.ts';

export const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5;
export const FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
export const FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
export const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
const FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;
export const FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
const ROBUST_LIST_LIMIT = 2048;
const PI_NAMES: Record<number, string> = { [FUTEX_WAIT_REQUEUE_PI]: 'FUTEX_WAIT_REQUEUE_PI', [FUTEX_CMP_REQUEUE_PI]: 'FUTEX_CMP_REQUEUE_PI' };

/** The waiters' loop of futex_wake / futex_wake_op: at least one is woken, even for nr 0 ("++ret >= nr_wake"). */
function wakeKey(key: FutexKey, nr: number, bitset: number): number {
  const list = key.queues.get(key.id);
  let ret = 0;
  for (const q of [...(list ?? [])]) {
    if ((q.bitset & bitset) === 0 || q.pi) continue; // a PI waiter waits for unlock_pi's hand-over
    unqueue(q);
    q.woken = true;
    if (++ret >= nr) break;
  }
  return ret;
}

/** futex_wake */
export function futexWake(mm: Mm, uaddr: bigint, shared: boolean, nr: number, bitset: number): bigint {
  if (bitset === 0) return neg(EINVAL);
  const key = getFutexKey(mm, uaddr, shared);
  if (typeof key === 'number') return neg(key);
  return BigInt(wakeKey(key, nr, bitset));
}

/**
 * futex_wait: the value is checked and the waiter queued at once (futex_wait_setup), then the task sleeps until a
 * wake unqueues it (0), its absolute deadline passes (-ETIMEDOUT, which wins over a signal, as the expired timer
 * is checked first) or a signal comes: -ERESTARTSYS without a timeout, else -ERESTART_RESTARTBLOCK with
 * futex_wait_restart in the restart block (the deadline stays absolute across the restart).
 */
function futexWait(k: Kernel, uaddr: bigint, shared: boolean, val: number, deadline: bigint | null, bitset: number): SysResult {
  if (bitset === 0) return neg(EINVAL);
  const mm = k.mm;
  const key = getFutexKey(mm, uaddr, shared);
  if (typeof key === 'number') return neg(key);
  const uval = getU32(mm, uaddr);
  if (uval === null) return neg(EFAULT);
  if (uval !== val) return neg(EAGAIN);
  const q: FutexQ = { key, bitset, woken: false };
  queue(q);
  const task = k.task;
  const wait: Wait = {
    wait: true, reason: `on futex 0x${untaggedAddr(uaddr).toString(16)} (value ${val})`, deadline,
    ready: () => q.woken,
    finish: (why) => {
      if (why === 'ready' || !unqueue(q)) return 0n;
      if (deadline !== null && k.clock.elapsed() >= deadline) return neg(ETIMEDOUT);
      if (deadline === null) return neg(ERESTARTSYS);
      task.restartBlock = (kk) => futexWait(kk, uaddr, shared, val, deadline, bitset);
      return neg(ERESTART_RESTARTBLOCK);
    },
  };
  return wait;
}

/** futex_requeue without PI: wake nr_wake, move up to nr_requeue more to key2 (their wait goes on there). */
function futexRequeue(mm: Mm, uaddr1: bigint, uaddr2: bigint, shared: boolean, nrWake: number, nrRequeue: number,
  cmpval: number | null): bigint {
  if (nrWake < 0 || nrRequeue < 0) return neg(EINVAL);
  const key1 = getFutexKey(mm, uaddr1, shared);
  if (typeof key1 === 'number') return neg(key1);
  const key2 = getFutexKey(mm, uaddr2, shared);
  if (typeof key2 === 'number') return neg(key2);
  if (cmpval !== null) {
    const cur = getU32(mm, uaddr1);
    if (cur === null) return neg(EFAULT);
    if (cur !== cmpval) return neg(EAGAIN);
  }
  let count = 0;
  for (const q of [...(key1.queues.get(key1.id) ?? [])].filter((x) => !x.pi)) {
    if (count - nrWake >= nrRequeue) break;
    unqueue(q);
    if (++count <= nrWake) q.woken = true;
    else {
      q.key = key2; // requeue_futex: to the tail of key2's bucket
      queue(q);
    }
  }
  return BigInt(count);
}

/** futex_atomic_op_inuser with arm64's arch_futex_atomic_op_inuser: the old value, or -errno. */
function futexAtomicOp(mm: Mm, encoded: number, uaddr: bigint): { oldval: number; cmp: boolean } | number {
  const op = (encoded >>> 28) & 7, cmp = (encoded >>> 24) & 15;
  let oparg = ((encoded >>> 12) & 0xfff) << 20 >> 20; // sign_extend32(…, 11)
  const cmparg = (encoded & 0xfff) << 20 >> 20;
  if (encoded & 0x80000000) oparg = 1 << (oparg & 31); // FUTEX_OP_OPARG_SHIFT (out-of-range shifts warn, then & 31)
  const old = getU32(mm, uaddr);
  if (old === null) return -EFAULT;
  let nv: number;
  switch (op) {
    case 0: nv = oparg; break; //           FUTEX_OP_SET
    case 1: nv = old + oparg; break; //     FUTEX_OP_ADD
    case 2: nv = old | oparg; break; //     FUTEX_OP_OR
    case 3: nv = old & ~oparg; break; //    FUTEX_OP_ANDN
    case 4: nv = old ^ oparg; break; //     FUTEX_OP_XOR
    default: return -ENOSYS;
  }
  if (!putU32(mm, uaddr, nv)) return -EFAULT;
  const oldval = old | 0;
  const result = [oldval === cmparg, oldval !== cmparg, oldval < cmparg, oldval >= cmparg, oldval <= cmparg, oldval > cmparg][cmp];
  return result === undefined ? -ENOSYS : { oldval, cmp: result };
}

/** futex_wake_op: change *uaddr2, wake nr_wake on uaddr1, and nr_wake2 on uaddr2 when the comparison held. */
function futexWakeOp(mm: Mm, uaddr1: bigint, uaddr2: bigint, shared: boolean, nrWake: number, nrWake2: number, op: number): bigint {
  const key1 = getFutexKey(mm, uaddr1, shared);
  if (typeof key1 === 'number') return neg(key1);
  const key2 = getFutexKey(mm, uaddr2, shared);
  if (typeof key2 === 'number') return neg(key2);
  const r = futexAtomicOp(mm, op, uaddr2);
  if (typeof r === 'number') return BigInt(r);
  let ret = wakeKey(key1, nrWake, FUTEX_BITSET_MATCH_ANY);
  if (r.cmp) ret += wakeKey(key2, nrWake2, FUTEX_BITSET_MATCH_ANY);
  return BigInt(ret);
}

/** sys_futex → do_futex */
const futex: Syscall = (k, [uaddr, opArg, valArg, utime, uaddr2, val3Arg]) => {
  const op = Number(opArg & 0xffffffffn);
  const cmd = op & FUTEX_CMD_MASK;
  const shared = (op & FUTEX_PRIVATE_FLAG) === 0;
  const clockrt = (op & FUTEX_CLOCK_REALTIME) !== 0;
  const val = Number(valArg & 0xffffffffn), val3 = Number(val3Arg & 0xffffffffn);
  const val2 = Number(BigInt.asIntN(32, utime));
  // futex_cmd_has_timeout + futex_init_timeout: FUTEX_WAIT's timeout is relative, the others' absolute
  // (FUTEX_LOCK_PI's is on CLOCK_REALTIME: do_futex sets FLAGS_CLOCKRT for it)
  let deadline: bigint | null = null;
  if (utime !== 0n && (cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET || cmd === FUTEX_LOCK_PI || cmd === FUTEX_LOCK_PI2)) {
    const ns = getTimespec(k.mm, utime);
    if (ns < 0n) return ns;
    deadline = cmd === FUTEX_WAIT ? k.clock.elapsed() + ns
      : ns - k.clock.offset(clockrt || cmd === FUTEX_LOCK_PI ? CLOCK_REALTIME : CLOCK_MONOTONIC);
  }
  if (clockrt && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_BITSET && cmd !== FUTEX_WAIT_REQUEUE_PI && cmd !== FUTEX_LOCK_PI2) return neg(ENOSYS);
  const signed = (v: number) => v | 0;
  switch (cmd) {
    case FUTEX_WAIT: return futexWait(k, uaddr, shared, val, deadline, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAIT_BITSET: return futexWait(k, uaddr, shared, val, deadline, val3);
    case FUTEX_WAKE: return futexWake(k.mm, uaddr, shared, signed(val), FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET: return futexWake(k.mm, uaddr, shared, signed(val), val3);
    case FUTEX_REQUEUE: return futexRequeue(k.mm, uaddr, uaddr2, shared, signed(val), val2, null);
    case FUTEX_CMP_REQUEUE: return futexRequeue(k.mm, uaddr, uaddr2, shared, signed(val), val2, val3);
    case FUTEX_WAKE_OP: return futexWakeOp(k.mm, uaddr, uaddr2, shared, signed(val), val2, val3);
    case FUTEX_LOCK_PI: case FUTEX_LOCK_PI2: return futexLockPi(k, uaddr, shared, deadline, false);
    case FUTEX_TRYLOCK_PI: return futexLockPi(k, uaddr, shared, null, true);
    case FUTEX_UNLOCK_PI: return futexUnlockPi(k, uaddr, shared);
  }
  if (PI_NAMES[cmd]) k.notice('unsupported', { what: `futex ${PI_NAMES[cmd]} (priority-inheritance futexes)`, errno: ENOSYS });
  else k.notice('unsupported', { what: `futex op ${cmd}${cmd === FUTEX_FD ? ' (FUTEX_FD, removed in 2.6.26)' : ''}`, errno: ENOSYS });
  return neg(ENOSYS);
};

/** set_robust_list: the head is only remembered; the list is walked when the thread exits or execs. */
const setRobustList: Syscall = (k, [head, len]) => {
  if (len !== 24n) return neg(EINVAL); // sizeof(struct robust_list_head)
  k.task.robustList = head;
  return 0n;
};

/**
 * handle_futex_death: a lock word the dying thread still owns gets FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and
 * one waiter is woken, with a shared wake as the kernel does (glibc waits on robust mutexes with shared futexes).
 * A pending op on an unowned non-PI word only wakes (the thread died between unlock and list removal).
 */
function handleFutexDeath(mm: Mm, uaddr: bigint, t: Task, pi: boolean, pendingOp: boolean): void {
  if (uaddr % 4n !== 0n) return;
  const uval = getU32(mm, uaddr);
  if (uval === null) return;
  if (pendingOp && !pi && uval === 0) {
    futexWake(mm, uaddr, true, 1, FUTEX_BITSET_MATCH_ANY);
    return;
  }
  if ((uval & FUTEX_TID_MASK) !== t.tid) return;
  if (!putU32(mm, uaddr, (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED)) return;
  if (!pi && (uval & FUTEX_WAITERS) !== 0) futexWake(mm, uaddr, true, 1, FUTEX_BITSET_MATCH_ANY);
}

/** exit_robust_list: struct robust_list_head { next; long futex_offset; list_op_pending }, bit 0 of a pointer = PI. */
export function exitRobustList(mm: Mm, t: Task): void {
  const headAddr = t.robustList;
  if (headAddr === 0n) return;
  const head = copyFromUser(mm, untaggedAddr(headAddr), 24);
  if (!head) return;
  const fetch = (v: bigint) => ({ entry: v & ~1n, pi: (v & 1n) !== 0n });
  let { entry, pi } = fetch(head.readBigUInt64LE(0));
  const offset = head.readBigInt64LE(8);
  const pending = fetch(head.readBigUInt64LE(16));
  for (let limit = ROBUST_LIST_LIMIT; entry !== headAddr && limit > 0; limit--) {
    const nextRaw = copyFromUser(mm, untaggedAddr(entry), 8);
    if (!nextRaw) return;
    const next = fetch(nextRaw.readBigUInt64LE(0));
    if (entry !== pending.entry) handleFutexDeath(mm, BigInt.asUintN(64, entry + offset), t, pi, false);
    ({ entry, pi } = next);
  }
  if (pending.entry !== 0n) handleFutexDeath(mm, BigInt.asUintN(64, pending.entry + offset), t, pending.pi, true);
}

/** restart_syscall (kernel/signal.c): the restart block an -ERESTART_RESTARTBLOCK left; -EINTR without one. */
const restartSyscall: Syscall = (k) => {
  const fn = k.task.restartBlock;
  k.task.restartBlock = null;
  return fn ? fn(k) : neg(4 /* EINTR: do_no_restart_syscall */);
};

export const futexSyscalls: SyscallTable = {
  98: ['futex', futex], 99: ['set_robust_list', setRobustList], 128: ['restart_syscall', restartSyscall],
};
