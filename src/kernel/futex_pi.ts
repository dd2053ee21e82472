// kernel/futex/pi.c (v6.17): the priority-inheritance futexes, LOCK_PI, LOCK_PI2, TRYLOCK_PI and UNLOCK_PI.
// Every task here has the same priority, so inheritance boosts nobody: what remains is the ownership protocol on
// the lock word (owner tid | FUTEX_WAITERS | FUTEX_OWNER_DIED), which the kernel keeps with its pi_state: unlock
// hands the lock to the first waiter, and an owner that exits hands it on too (exit_pi_state_list).
// DIVERGENCE: WAIT_REQUEUE_PI and CMP_REQUEUE_PI (PI condition variables; glibc has not used them since 2.25)
// still return -ENOSYS.
import type { Kernel, SysResult } from './kernel.ts';
import type { FutexKey, FutexQ } from '../mm/mm.ts';
import type { Task } from './task.ts';
import { getFutexKey, getU32, putU32, queue, unqueue } from './futex_core.ts';
import { untaggedAddr } from '../mm/uaccess.ts';
import { EDEADLK, EFAULT, EPERM, ERESTARTNOINTR, ESRCH, ETIMEDOUT, EWOULDBLOCK, neg } from './errno.ts';

const FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;

const piWaiters = (key: FutexKey): FutexQ[] => (key.queues.get(key.id) ?? []).filter((q) => q.pi);

/** The owner's pi_state_list gets the key while waiters are queued on it. */
function attach(owner: Task, key: FutexKey): void {
  if (!owner.piStateList.some((x) => x.queues === key.queues && x.id === key.id)) owner.piStateList.push(key);
}

function detach(owner: Task, key: FutexKey): void {
  owner.piStateList = owner.piStateList.filter((x) => x.queues !== key.queues || x.id !== key.id);
}

/**
 * The lock goes to the first waiter (wake_futex_pi, fixup_pi_state_owner): its tid with FUTEX_WAITERS, keeping
 * FUTEX_OWNER_DIED when the old owner died; it is woken with the lock held.
 */
function handOver(k: Kernel, key: FutexKey, ownerDied: boolean): boolean {
  const top = piWaiters(key)[0];
  if (!top) return false;
  const uval = getU32(top.pi!.mm, top.pi!.uaddr) ?? 0;
  putU32(top.pi!.mm, top.pi!.uaddr, (ownerDied ? uval & FUTEX_OWNER_DIED : 0) | FUTEX_WAITERS | top.pi!.tid);
  unqueue(top);
  top.woken = true;
  const next = k.tasks.find((t) => t.tid === top.pi!.tid);
  if (next && piWaiters(key).length > 0) attach(next, key);
  return true;
}

/**
 * futex_lock_pi: a free word is taken (FUTEX_OWNER_DIED kept, FUTEX_WAITERS added when others wait); else
 * FUTEX_WAITERS is set on it and the task sleeps until the lock is handed to it. -EDEADLK on its own word, -ESRCH
 * when the owner tid is no live thread, -EWOULDBLOCK for trylock. The deadline is absolute; a signal restarts
 * the call unseen (-ERESTARTNOINTR).
 */
export function futexLockPi(k: Kernel, uaddr: bigint, shared: boolean, deadline: bigint | null, trylock: boolean): SysResult {
  const mm = k.mm, t = k.task;
  const key = getFutexKey(mm, uaddr, shared);
  if (typeof key === 'number') return neg(key);
  const uval = getU32(mm, uaddr);
  if (uval === null) return neg(EFAULT);
  const ownerTid = uval & FUTEX_TID_MASK;
  if (ownerTid === t.tid) return neg(EDEADLK);
  if (ownerTid === 0) {
    const waiters = piWaiters(key).length > 0;
    if (!putU32(mm, uaddr, (uval & FUTEX_OWNER_DIED) | (waiters ? FUTEX_WAITERS : 0) | t.tid)) return neg(EFAULT);
    if (waiters) attach(t, key);
    return 0n;
  }
  const owner = k.tasks.find((x) => x.tid === ownerTid && x.exitState === null);
  if (!owner) return neg(ESRCH);
  if (trylock) return neg(EWOULDBLOCK);
  if (!putU32(mm, uaddr, uval | FUTEX_WAITERS)) return neg(EFAULT);
  const q: FutexQ = { key, bitset: 0xffffffff, woken: false, pi: { tid: t.tid, mm, uaddr } };
  queue(q);
  attach(owner, key);
  return {
    wait: true, reason: `on PI futex 0x${untaggedAddr(uaddr).toString(16)} (owner tid ${ownerTid})`, deadline,
    ready: () => q.woken,
    finish: (why) => {
      if (why === 'ready' || !unqueue(q)) return 0n; // the lock was handed over
      if (piWaiters(key).length === 0) for (const x of k.tasks) detach(x, key);
      return neg(why === 'timeout' ? ETIMEDOUT : ERESTARTNOINTR);
    },
  };
}

/** futex_unlock_pi: only the owner may (-EPERM); the first waiter gets the lock, or the word becomes 0. */
export function futexUnlockPi(k: Kernel, uaddr: bigint, shared: boolean): bigint {
  const mm = k.mm, t = k.task;
  const key = getFutexKey(mm, uaddr, shared);
  if (typeof key === 'number') return neg(key);
  const uval = getU32(mm, uaddr);
  if (uval === null) return neg(EFAULT);
  if ((uval & FUTEX_TID_MASK) !== t.tid) return neg(EPERM);
  detach(t, key);
  if (!handOver(k, key, false) && !putU32(mm, uaddr, 0)) return neg(EFAULT);
  return 0n;
}

/**
 * exit_pi_state_list (after the robust list walk, at exit and exec): each PI lock the thread still holds with
 * waiters goes to its first waiter, with FUTEX_OWNER_DIED when the robust walk set it.
 */
export function exitPiStateList(k: Kernel, t: Task): void {
  const keys = t.piStateList;
  t.piStateList = [];
  for (const key of keys) handOver(k, key, true);
}
