import { describe, it, expect, afterEach } from 'vitest';
import { Cpu } from '../cpu/cpu.ts';
import { Mm, VM_READ, VM_WRITE } from '../mm/mm.ts';
import { testKernel } from './testing.ts';
import type { Wait } from './kernel.ts';
import { futexSyscalls, exitRobustList, FUTEX_WAITERS, FUTEX_OWNER_DIED } from './futex.ts';
import { EAGAIN, EDEADLK, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, ETIMEDOUT, ERESTARTSYS, ERESTART_RESTARTBLOCK } from './errno.ts';

const cpus: Cpu[] = [];
afterEach(() => { while (cpus.length) cpus.pop()!.close(); });

const DATA = 0x10000n;
const A = DATA + 0x100n, B = DATA + 0x200n;
const WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, LOCK_PI = 6, WAIT_BITSET = 9, WAKE_BITSET = 10;
const UNLOCK_PI = 7, TRYLOCK_PI = 8, CMP_REQUEUE_PI = 12;
const PRIV = 128;
const neg = (e: number) => BigInt(-e);

function machine() {
  const cpu = new Cpu({ countInsns: false });
  cpus.push(cpu);
  const mm = new Mm(cpu, 8n << 20n);
  mm.insert({ start: DATA, end: DATA + 0x10000n, flags: VM_READ | VM_WRITE, pgoff: 0n, file: null, name: null });
  const k = testKernel(mm, 4242, 'futex');
  const futex = (...a: bigint[]) => futexSyscalls[98][1](k, [...a, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6));
  const put = (addr: bigint, v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); cpu.write(addr, b); };
  const get = (addr: bigint) => cpu.read(addr, 4)!.readUInt32LE(0);
  return { k, cpu, mm, futex, put, get };
}
const asWait = (r: unknown): Wait => { expect(typeof r).toBe('object'); return r as Wait; };

describe('futex wait and wake', () => {
  it('WAIT checks the value first: EAGAIN when it differs, EINVAL misaligned, EFAULT unmapped', () => {
    const { futex, put } = machine();
    put(A, 5);
    expect(futex(A, BigInt(WAIT | PRIV), 4n)).toBe(neg(EAGAIN));
    expect(futex(A + 2n, BigInt(WAIT | PRIV), 5n)).toBe(neg(EINVAL));
    expect(futex(0x1000n, BigInt(WAIT | PRIV), 0n)).toBe(neg(EFAULT));
  });
  it('WAKE wakes waiters in FIFO order and counts them; a private wake never wakes a shared waiter', () => {
    const { futex } = machine();
    const w1 = asWait(futex(A, BigInt(WAIT | PRIV), 0n));
    const w2 = asWait(futex(A, BigInt(WAIT | PRIV), 0n));
    const shared = asWait(futex(A, BigInt(WAIT), 0n));
    expect(futex(A, BigInt(WAKE | PRIV), 1n)).toBe(1n);
    expect([w1.ready(), w2.ready(), shared.ready()]).toEqual([true, false, false]);
    expect(w1.finish('ready')).toBe(0n);
    expect(futex(A, BigInt(WAKE | PRIV), 10n)).toBe(1n);
    expect(shared.ready()).toBe(false);
    expect(futex(A, BigInt(WAKE), 0n)).toBe(1n); // nr 0 still wakes one ("++ret >= nr_wake")
    expect(shared.ready()).toBe(true);
  });
  it('bitsets: 0 is EINVAL, a wake only matches waiters sharing a bit', () => {
    const { futex } = machine();
    expect(futex(A, BigInt(WAIT_BITSET | PRIV), 0n, 0n, 0n, 0n)).toBe(neg(EINVAL));
    const w = asWait(futex(A, BigInt(WAIT_BITSET | PRIV), 0n, 0n, 0n, 0b01n));
    expect(futex(A, BigInt(WAKE_BITSET | PRIV), 1n, 0n, 0n, 0b10n)).toBe(0n);
    expect(futex(A, BigInt(WAKE_BITSET | PRIV), 1n, 0n, 0n, 0b11n)).toBe(1n);
    expect(w.ready()).toBe(true);
  });
  it('a timeout gives ETIMEDOUT; a signal ERESTARTSYS, or ERESTART_RESTARTBLOCK with a timeout', () => {
    const { k, futex, cpu } = machine();
    const ts = Buffer.alloc(16);
    ts.writeBigInt64LE(0n, 0);
    ts.writeBigInt64LE(5000n, 8);
    cpu.write(B, ts);
    const timed = asWait(futex(A, BigInt(WAIT | PRIV), 0n, B));
    expect(timed.deadline).not.toBeNull();
    k.clock.sleep(10_000n);
    expect(timed.finish('timeout')).toBe(neg(ETIMEDOUT));
    expect(asWait(futex(A, BigInt(WAIT | PRIV), 0n)).finish('signal')).toBe(neg(ERESTARTSYS));
    const again = asWait(futex(A, BigInt(WAIT | PRIV), 0n, B));
    expect(again.finish('signal')).toBe(neg(ERESTART_RESTARTBLOCK));
    expect(k.task.restartBlock).not.toBeNull();
    // a waiter that left is no longer there to be woken
    expect(futex(A, BigInt(WAKE | PRIV), 10n)).toBe(0n);
  });
});

describe('requeue and wake_op', () => {
  it('CMP_REQUEUE: EAGAIN on a changed value; else wakes nr_wake and moves the rest', () => {
    const { futex, put } = machine();
    put(A, 3);
    const w1 = asWait(futex(A, BigInt(WAIT | PRIV), 3n));
    const w2 = asWait(futex(A, BigInt(WAIT | PRIV), 3n));
    expect(futex(A, BigInt(CMP_REQUEUE | PRIV), 1n, 10n, B, 4n)).toBe(neg(EAGAIN));
    expect(futex(A, BigInt(CMP_REQUEUE | PRIV), 1n, 10n, B, 3n)).toBe(2n);
    expect([w1.ready(), w2.ready()]).toEqual([true, false]);
    expect(futex(A, BigInt(WAKE | PRIV), 1n)).toBe(0n);
    expect(futex(B, BigInt(WAKE | PRIV), 1n)).toBe(1n);
    expect(w2.ready()).toBe(true);
    expect(futex(A, BigInt(REQUEUE | PRIV), -1n & 0xffffffffn, 0n, B)).toBe(neg(EINVAL));
  });
  it('WAKE_OP: adds to *uaddr2, wakes uaddr1, and uaddr2 when the old value compared true', () => {
    const { futex, put, get } = machine();
    put(B, 0);
    const w1 = asWait(futex(A, BigInt(WAIT | PRIV), 0n));
    const w2 = asWait(futex(B, BigInt(WAIT | PRIV), 0n));
    // op ADD (1) with oparg 1, cmp EQ (0) with cmparg 0
    const op = (1 << 28) | (0 << 24) | (1 << 12) | 0;
    expect(futex(A, BigInt(WAKE_OP | PRIV), 1n, 1n, B, BigInt(op))).toBe(2n);
    expect(get(B)).toBe(1);
    expect([w1.ready(), w2.ready()]).toEqual([true, true]);
    expect(futex(A, BigInt(WAKE_OP | PRIV), 1n, 1n, B, BigInt(7 << 28))).toBe(neg(ENOSYS));
  });
  it('LOCK_PI takes a free word (keeping OWNER_DIED), EDEADLK on its own, ESRCH for a dead owner; UNLOCK_PI owner only', () => {
    const { k, futex, put, get } = machine();
    const tid = k.task.tid;
    put(A, FUTEX_OWNER_DIED);
    expect(futex(A, BigInt(LOCK_PI | PRIV), 0n)).toBe(0n);
    expect(get(A)).toBe((FUTEX_OWNER_DIED | tid) >>> 0);
    expect(futex(A, BigInt(LOCK_PI | PRIV), 0n)).toBe(neg(EDEADLK));
    expect(futex(A, BigInt(UNLOCK_PI | PRIV), 0n)).toBe(0n);
    expect(get(A)).toBe(0);
    put(B, 999); // no thread has tid 999
    expect(futex(B, BigInt(TRYLOCK_PI | PRIV), 0n)).toBe(neg(ESRCH));
    expect(futex(B, BigInt(UNLOCK_PI | PRIV), 0n)).toBe(neg(EPERM));
  });
  it('the requeue-PI ops are not emulated: ENOSYS, noted as unsupported', () => {
    const { k, futex } = machine();
    expect(futex(A, BigInt(CMP_REQUEUE_PI | PRIV), 0n)).toBe(neg(ENOSYS));
    expect(k.notices.some(([n]) => n === 'unsupported')).toBe(true);
  });
});

describe('exit_robust_list', () => {
  it('marks a lock the dead thread owned FUTEX_OWNER_DIED, keeps FUTEX_WAITERS and wakes one shared waiter', () => {
    const { k, cpu, mm, futex, put, get } = machine();
    const head = DATA + 0x400n, entry = DATA + 0x500n, other = DATA + 0x600n;
    const off = 0x10n; // futex word = entry + futex_offset
    const w64 = (a: bigint, v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt.asUintN(64, v)); cpu.write(a, b); };
    w64(head, entry); w64(head + 8n, off); w64(head + 16n, 0n);
    w64(entry, other); w64(other, head); // two entries, then back to the head
    put(entry + off, (FUTEX_WAITERS | k.task.tid) >>> 0);
    put(other + off, 77); // owned by someone else: untouched
    const waiter = asWait(futex(entry + off, 0n /* WAIT, shared */, BigInt((FUTEX_WAITERS | k.task.tid) >>> 0)));
    k.task.robustList = head;
    exitRobustList(mm, k.task);
    expect(get(entry + off)).toBe((FUTEX_WAITERS | FUTEX_OWNER_DIED) >>> 0);
    expect(get(other + off)).toBe(77);
    expect(waiter.ready()).toBe(true);
  });
});
