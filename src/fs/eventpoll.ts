// Mirrors fs/eventpoll.c (v6.17): epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2. An epoll instance keeps
// its interest list of (descriptor, open file) entries; a wait reports the entries whose file's poll mask meets
// their events (EPOLLERR and EPOLLHUP always), up to maxevents, or sleeps until one does, the timeout passes on the
// virtual clock or a signal comes (-EINTR). The sigmask is swapped in for the call as ppoll's is.
// An entry goes when its open file's last reference does (eventpoll_release), as on Linux.
// Readiness is polled; an EPOLLET entry reports when its file is ready and its wait queue was woken since the last
// report (a pipe at every read, write and release, an eventfd at every read and write), as ep_poll_callback queues
// it at each wake-up. DIVERGENCE: events come in interest-list order (Linux: the order they became ready).
import type { Kernel, Syscall, SyscallTable, SysResult } from '../kernel/kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EEXIST, EFAULT, EINTR, EINVAL, ENOENT, EPERM, neg } from '../kernel/errno.ts';
import { restoreSavedSigmask } from '../kernel/signal.ts';
import { nofile, O_CLOEXEC, O_RDWR, type OpenFile } from './files.ts';
import { fileOf } from './read_write.ts';
import { fileWakeups, readTimeout, setUserSigmask, vfsPoll } from './select.ts';
import { EPOLLIN, EPOLLERR, EPOLLHUP } from './pipe.ts';

/** a timeout as readTimeout gives it: its end on the virtual clock (null: forever), and whether it was 0 */
type Timeout = Exclude<ReturnType<typeof readTimeout>, bigint>;

const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
const EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = -0x80000000;
/** EP_PRIVATE_BITS: what only the kernel looks at, never reported */
const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** EPOLLEXCLUSIVE_OK_BITS */
const EXCLUSIVE_OK = 0x1 | 0x4 | 0x8 | 0x10 | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
/** EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event) (16 bytes on arm64: not packed) */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / 16);

/** struct epitem */
interface Epitem {
  fd: number;
  file: OpenFile;
  events: number;
  data: bigint;
  /** EPOLLET: the file's wake-ups at the last report (a report needs a new one) */
  lastWake: number;
}

/** struct eventpoll: the interest list */
class Eventpoll {
  items: Epitem[] = [];
}

const epollOf = (f: OpenFile): Eventpoll | undefined => (f.privateData instanceof Eventpoll ? f.privateData : undefined);

/** ep_item_poll: the events the entry would report now (0 when none, or when disarmed by EPOLLONESHOT). */
function itemPoll(it: Epitem): number {
  const want = (it.events & ~EP_PRIVATE_BITS) | EPOLLERR | EPOLLHUP;
  if ((it.events & ~EP_PRIVATE_BITS) === 0) return 0; // disarmed (EPOLLONESHOT) or nothing asked
  const mask = vfsPoll(it.file) & want;
  return it.events & EPOLLET && fileWakeups(it.file) === it.lastWake ? 0 : mask;
}

/** epoll_create1(flags): EPOLL_CLOEXEC only. */
const epollCreate1: Syscall = (k, [flagsArg]) => {
  const flags = Number(flagsArg & 0xffffffffn);
  if (flags & ~O_CLOEXEC) return neg(EINVAL);
  const ep = new Eventpoll();
  const f: OpenFile = {
    kind: 'memory', path: 'anon_inode:[eventpoll]', flags: O_RDWR, pos: 0n, refs: 1, data: Buffer.alloc(0), privateData: ep,
    // an epoll descriptor is readable while one of its entries is ready (ep_eventpoll_poll)
    poll: () => (live(ep).some((it) => itemPoll(it) !== 0) ? EPOLLIN : 0),
    readIter: () => neg(EINVAL), writeIter: () => neg(EINVAL),
  };
  return BigInt(k.task.files.install(f, 0, (flags & O_CLOEXEC) !== 0, nofile(k.task)));
};

/** The entries whose file is still open somewhere: eventpoll_release removed the others. */
function live(ep: Eventpoll): Epitem[] {
  if (ep.items.some((it) => it.file.refs <= 0)) ep.items = ep.items.filter((it) => it.file.refs > 0);
  return ep.items;
}

/** A file that has no ->poll: a regular file or directory of the root, a /proc file. */
const noPoll = (f: OpenFile): boolean => f.kind === 'host' || (f.kind === 'memory' && !f.poll);

/** epoll_ctl(epfd, op, fd, event) */
const epollCtl: Syscall = (k, [epfdArg, opArg, fdArg, eventp]) => {
  const op = Number(opArg & 0xffffffffn);
  let events = 0, data = 0n;
  if (op !== EPOLL_CTL_DEL) {
    const b = copyFromUser(k.mm, eventp, 16);
    if (!b) return neg(EFAULT);
    events = b.readInt32LE(0);
    data = b.readBigUInt64LE(8);
  }
  const epf = fileOf(k, epfdArg);
  if (typeof epf === 'bigint') return epf;
  const tf = fileOf(k, fdArg);
  if (typeof tf === 'bigint') return tf;
  if (noPoll(tf)) return neg(EPERM);
  const ep = epollOf(epf);
  if (!ep || tf === epf) return neg(EINVAL);
  if (events & EPOLLEXCLUSIVE) {
    if (op === EPOLL_CTL_MOD || (op === EPOLL_CTL_ADD && (epollOf(tf) || events & ~EXCLUSIVE_OK))) return neg(EINVAL);
  }
  const fd = Number(BigInt.asIntN(32, fdArg));
  const i = live(ep).findIndex((it) => it.fd === fd && it.file === tf);
  switch (op) {
    case EPOLL_CTL_ADD:
      if (i >= 0) return neg(EEXIST);
      ep.items.push({ fd, file: tf, events, data, lastWake: -1 });
      return 0n;
    case EPOLL_CTL_MOD: {
      if (i < 0) return neg(ENOENT);
      const it = ep.items[i];
      if (it.events & EPOLLEXCLUSIVE) return neg(EINVAL);
      Object.assign(it, { events, data, lastWake: -1 });
      return 0n;
    }
    case EPOLL_CTL_DEL:
      if (i < 0) return neg(ENOENT);
      ep.items.splice(i, 1);
      return 0n;
    default:
      return neg(EINVAL);
  }
};

/** ep_send_events: up to max ready entries into the user's array; EPOLLONESHOT disarms, EPOLLET remembers. */
function sendEvents(k: Kernel, ep: Eventpoll, eventsp: bigint, max: number): bigint {
  const out: Buffer[] = [];
  for (const it of live(ep)) {
    if (out.length >= max) break;
    const mask = itemPoll(it);
    if (!mask) continue;
    const b = Buffer.alloc(16);
    b.writeUInt32LE(mask >>> 0, 0);
    b.writeBigUInt64LE(it.data, 8);
    out.push(b);
    if (it.events & EPOLLONESHOT) it.events &= EP_PRIVATE_BITS;
    else if (it.events & EPOLLET) it.lastWake = fileWakeups(it.file);
  }
  if (out.length && !copyToUser(k.mm, eventsp, Buffer.concat(out))) return neg(EFAULT);
  return BigInt(out.length);
}

/** do_epoll_wait with set_user_sigmask: `to` is the timeout as readTimeout gives it (end null: forever). */
function epollWait(k: Kernel, epfdArg: bigint, eventsp: bigint, maxArg: bigint, to: Timeout, sigmask: bigint, size: bigint): SysResult {
  const max = Number(BigInt.asIntN(32, maxArg));
  if (max <= 0 || max > EP_MAX_EVENTS) return neg(EINVAL);
  const f = fileOf(k, epfdArg);
  if (typeof f === 'bigint') return f;
  const ep = epollOf(f);
  if (!ep) return neg(EINVAL);
  const bad = setUserSigmask(k, sigmask, size);
  if (bad !== null) return bad;
  // restore_saved_sigmask_unless(-EINTR): an interrupting signal's delivery restores the mask instead
  const done = (r: bigint): bigint => {
    if (r !== neg(EINTR)) restoreSavedSigmask(k.task);
    return r;
  };
  const ready = (): boolean => live(ep).some((it) => itemPoll(it) !== 0);
  if (ready() || to.zero) return done(sendEvents(k, ep, eventsp, max));
  return {
    wait: true, reason: `in epoll_wait on ${live(ep).length} descriptors`, deadline: to.end,
    ready,
    finish: (why) => done(why === 'signal' && !ready() ? neg(EINTR) : sendEvents(k, ep, eventsp, max)),
  };
}

/** epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize): a negative timeout waits forever. */
const epollPwait: Syscall = (k, [epfd, eventsp, max, timeout, sigmask, size]) => {
  const ms = BigInt.asIntN(32, timeout);
  const to = ms < 0n ? { end: null, zero: false } : { end: k.clock.elapsed() + ms * 1_000_000n, zero: ms === 0n };
  return epollWait(k, epfd, eventsp, max, to, sigmask, size);
};

/** epoll_pwait2(epfd, events, maxevents, timeout timespec, sigmask, sigsetsize): NULL waits forever. */
const epollPwait2: Syscall = (k, [epfd, eventsp, max, tsp, sigmask, size]) => {
  const to = readTimeout(k, tsp);
  return typeof to === 'bigint' ? to : epollWait(k, epfd, eventsp, max, to, sigmask, size);
};

export const eventpollSyscalls: SyscallTable = {
  20: ['epoll_create1', epollCreate1], 21: ['epoll_ctl', epollCtl], 22: ['epoll_pwait', epollPwait],
  441: ['epoll_pwait2', epollPwait2],
};
