// Mirrors fs/eventfd.c (v6.17): eventfd2, a 64-bit counter behind a descriptor. A read takes the count (or 1 with
// EFD_SEMAPHORE) and waits while it is 0; a write adds and waits while the sum would pass 0xfffffffffffffffe;
// poll says readable while the count is non-zero, writable while 1 more fits. O_NONBLOCK: -EAGAIN instead.
import type { Syscall, SyscallTable, SysResult } from '../kernel/kernel.ts';
import { EAGAIN, EFAULT, EINVAL, ERESTARTSYS, neg } from '../kernel/errno.ts';
import { nofile, O_CLOEXEC, O_NONBLOCK, O_RDWR, type OpenFile } from './files.ts';
import { EPOLLIN, EPOLLOUT, EPOLLERR, type CopyIn, type CopyOut } from './pipe.ts';

const EFD_SEMAPHORE = 1;
const ULLONG_MAX = 0xffffffffffffffffn;

/** struct eventfd_ctx: the counter (a waiter's ready() reads it, so every change is seen at once) */
class EventfdCtx {
  /** wake-ups of its wait queue: every read and write */
  wakeups = 0;
  constructor(public count: bigint, readonly semaphore: boolean) {}
}

function eventfdRead(f: OpenFile, ctx: EventfdCtx, len: number, out: CopyOut): SysResult {
  if (len < 8) return neg(EINVAL);
  const attempt = (): SysResult => {
    if (ctx.count === 0n) {
      if (f.flags & O_NONBLOCK) return neg(EAGAIN);
      return { wait: true, reason: 'for an eventfd count', deadline: null, ready: () => ctx.count > 0n,
        finish: (why) => (why === 'signal' ? neg(ERESTARTSYS) : attempt()) };
    }
    const v = ctx.semaphore ? 1n : ctx.count;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    if (!out(0, b)) return neg(EFAULT); // the count stays
    ctx.count -= v;
    ctx.wakeups++;
    return 8n;
  };
  return attempt();
}

function eventfdWrite(f: OpenFile, ctx: EventfdCtx, len: number, src: CopyIn): SysResult {
  if (len < 8) return neg(EINVAL);
  const b = src(0, 8);
  if (!b) return neg(EFAULT);
  const v = b.readBigUInt64LE(0);
  if (v === ULLONG_MAX) return neg(EINVAL);
  const attempt = (): SysResult => {
    if (ULLONG_MAX - ctx.count <= v) {
      if (f.flags & O_NONBLOCK) return neg(EAGAIN);
      return { wait: true, reason: 'for room in an eventfd count', deadline: null, ready: () => ULLONG_MAX - ctx.count > v,
        finish: (why) => (why === 'signal' ? neg(ERESTARTSYS) : attempt()) };
    }
    ctx.count += v;
    ctx.wakeups++;
    return 8n;
  };
  return attempt();
}

/** eventfd_poll: EPOLLERR once the count is at ULLONG_MAX (only a racing kernel user can get it there) */
function eventfdPoll(ctx: EventfdCtx): number {
  return (ctx.count > 0n ? EPOLLIN : 0) | (ctx.count === ULLONG_MAX ? EPOLLERR : 0) | (ULLONG_MAX - 1n > ctx.count ? EPOLLOUT : 0);
}

/** eventfd2(initval, flags): EFD_CLOEXEC, EFD_NONBLOCK (the O_ values) and EFD_SEMAPHORE; an anonymous inode. */
const eventfd2: Syscall = (k, [initval, flagsArg]) => {
  const flags = Number(flagsArg & 0xffffffffn);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE)) return neg(EINVAL);
  const ctx = new EventfdCtx(initval & 0xffffffffn, (flags & EFD_SEMAPHORE) !== 0);
  const f: OpenFile = {
    kind: 'memory', path: 'anon_inode:[eventfd]', flags: O_RDWR | (flags & O_NONBLOCK), pos: 0n, refs: 1,
    data: Buffer.alloc(0),
    readIter: (len, out) => eventfdRead(f, ctx, len, out),
    writeIter: (len, src) => eventfdWrite(f, ctx, len, src),
    poll: () => eventfdPoll(ctx),
    wakeups: () => ctx.wakeups,
  };
  return BigInt(k.task.files.install(f, 0, (flags & O_CLOEXEC) !== 0, nofile(k.task)));
};

export const eventfdSyscalls: SyscallTable = { 19: ['eventfd2', eventfd2] };
