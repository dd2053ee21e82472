// kernel/futex/core.c (v6.17): get_futex_key, and queueing a futex_q on its hash bucket and off it again.
import type { Mm, FutexQ, FutexKey } from '../mm/mm.ts';
import { VM_MAYSHARE } from '../mm/vma-flags.ts';
import { copyFromUser, copyToUser, untaggedAddr } from '../mm/uaccess.ts';
import { EFAULT, EINVAL } from './errno.ts';

/**
 * get_futex_key: a private key is (mm, address); a shared one in a MAP_SHARED mapping is (its file or shmem object,
 * offset), in that object's table, so the processes that share the mapping meet there; any other shared key is
 * (mm, address) with FUT_OFF_MMSHARED, so FUTEX_WAKE_PRIVATE never wakes a shared waiter on the same word. -EINVAL
 * for a misaligned word; a shared key pins the page (-EFAULT when unmapped), a private one only checks access_ok.
 */
export function getFutexKey(mm: Mm, uaddr: bigint, shared: boolean): FutexKey | number {
  const addr = untaggedAddr(uaddr);
  if (addr % 4n !== 0n) return EINVAL;
  if (addr + 4n > 1n << 48n) return EFAULT;
  if (!shared) return { queues: mm.futexQueues, id: `p:${addr.toString(16)}` };
  if (!copyFromUser(mm, addr, 4)) return EFAULT;
  const v = mm.vmaAt(addr);
  const object = v && v.flags & VM_MAYSHARE ? v.file ?? v.shmem : undefined;
  if (!v || !object) return { queues: mm.futexQueues, id: `s:${addr.toString(16)}` };
  object.futexQueues ??= new Map();
  return { queues: object.futexQueues, id: `i:${(v.pgoff + addr - v.start).toString(16)}` };
}

export const getU32 = (mm: Mm, uaddr: bigint): number | null => copyFromUser(mm, untaggedAddr(uaddr), 4)?.readUInt32LE(0) ?? null;

export function queue(q: FutexQ): void {
  const list = q.key.queues.get(q.key.id);
  if (list) list.push(q);
  else q.key.queues.set(q.key.id, [q]);
}

/** futex_unqueue: true when the waiter was still queued (nobody woke it). */
export function unqueue(q: FutexQ): boolean {
  const list = q.key.queues.get(q.key.id);
  const i = list ? list.indexOf(q) : -1;
  if (i < 0) return false;
  list!.splice(i, 1);
  if (list!.length === 0) q.key.queues.delete(q.key.id);
  return true;
}

/** Writes a futex word (the kernel's cmpxchg on it: nothing else runs meanwhile here). */
export function putU32(mm: Mm, uaddr: bigint, v: number): boolean {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return copyToUser(mm, untaggedAddr(uaddr), b);
}
