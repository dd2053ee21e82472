// Mirrors fs/pipe.c (v6.17): pipe2, the pipe_inode_info ring of page-sized buffers, pipe_read / pipe_write with
// their waits (a Wait: the task sleeps, others run), pipe_poll, pipe_release, F_GETPIPE_SZ / F_SETPIPE_SZ and
// FIONREAD. The ring is the kernel's: PIPE_DEF_BUFFERS slots of PAGE_SIZE bytes, small writes merge into the last
// slot, a write of at most PIPE_BUF bytes lands in one slot (atomic), and "full" counts slots, not bytes.
import type { Kernel, Syscall, SyscallTable, SysResult, Wait } from '../kernel/kernel.ts';
import { copyToUser } from '../mm/uaccess.ts';
import { sendSignal, signalPending } from '../kernel/signal.ts';
import { SIGPIPE, SI_USER } from '../kernel/sigdefs.ts';
import { CLOCK_REALTIME } from '../kernel/time.ts';
import {
  EAGAIN, EBADF, EBUSY, EFAULT, EINVAL, ENOPKG, EPERM, EPIPE, ERESTARTSYS, neg,
} from '../kernel/errno.ts';
import {
  type OpenFile, type PipeEnd, fput, nofile, O_ACCMODE, O_CLOEXEC, O_DIRECT, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY,
} from './files.ts';

export const PAGE_SIZE = 4096;
/** PIPE_DEF_BUFFERS: 16 slots, 65536 bytes */
export const PIPE_DEF_BUFFERS = 16;
/** PIPE_BUF: writes of at most this many bytes are atomic */
export const PIPE_BUF = 4096;
/** /proc/sys/fs/pipe-max-size's default */
const PIPE_MAX_SIZE = 1048576;
/** O_NOTIFICATION_PIPE (= O_EXCL): a watch_queue pipe */
const O_NOTIFICATION_PIPE = O_EXCL;
const PIPE_BUF_FLAG_PACKET = 0x08, PIPE_BUF_FLAG_CAN_MERGE = 0x10;
/** pipefs's anonymous device (st_dev); a booted kernel's number depends on mount order: 0:14 is common */
export const PIPEFS_DEV = 14;

export const EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDNORM = 0x40, EPOLLWRNORM = 0x100;

/** struct pipe_buffer */
interface PipeBuffer {
  page: Buffer;
  offset: number;
  len: number;
  flags: number;
}

/** Copies one chunk of a read out to the user buffer at byte `off` of the request; false on a fault. */
export type CopyOut = (off: number, chunk: Buffer) => boolean;
/** Copies `len` bytes of a write in from byte `off` of the request; null on a fault. */
export type CopyIn = (off: number, len: number) => Buffer | null;

/** struct pipe_inode_info (with the pipefs inode's number, owner and times) */
export class PipeInodeInfo implements PipeEnd {
  /** the occupied slots, tail first */
  bufs: PipeBuffer[] = [];
  /** pipe->max_usage: slots a writer may fill */
  maxUsage = PIPE_DEF_BUFFERS;
  readers = 1;
  writers = 1;
  /** wake-ups of the pipe's wait queue (every read or write that moved data, every release): what an
   *  edge-triggered epoll entry counts as an event */
  wakeups = 0;
  /** timestamps of the inode (ns since the epoch): simple_inode_init_ts, file_update_time on write */
  mtime: bigint;
  ctime: bigint;
  readonly atime: bigint;

  constructor(readonly ino: number, readonly uid: number, readonly gid: number, now: bigint) {
    this.atime = this.mtime = this.ctime = now;
  }

  get empty(): boolean {
    return this.bufs.length === 0;
  }

  get full(): boolean {
    return this.bufs.length >= this.maxUsage;
  }

  /** pipe_readable: data, or no writer left (EOF) */
  readable(): boolean {
    return !this.empty || this.writers === 0;
  }

  /** pipe_writable: a free slot, or no reader left (EPIPE) */
  writable(): boolean {
    return !this.full || this.readers === 0;
  }

  /** pipe_release: one end's open file went away (its last descriptor closed, in every process). */
  release(f: OpenFile): void {
    if (isReader(f)) this.readers--;
    if (isWriter(f)) this.writers--;
    this.wakeups++;
  }

  /** FIONREAD: the bytes in the pipe */
  get nread(): number {
    return this.bufs.reduce((n, b) => n + b.len, 0);
  }
}

const isReader = (f: OpenFile): boolean => (f.flags & O_ACCMODE) === O_RDONLY || (f.flags & O_ACCMODE) === O_RDWR;
const isWriter = (f: OpenFile): boolean => (f.flags & O_ACCMODE) === O_WRONLY || (f.flags & O_ACCMODE) === O_RDWR;

/** d_path of a pipe end: pipefs_dname */
export const pipeDname = (p: PipeInodeInfo): string => `pipe:[${p.ino}]`;

/**
 * pipe_read: up to `total` bytes, across slots. Waits (a Wait) while the pipe is empty and a writer is left;
 * EOF (0) when none is; -EAGAIN with O_NONBLOCK; -ERESTARTSYS when a signal ends the wait before any byte came.
 */
export function pipeRead(f: OpenFile, total: number, copyOut: CopyOut): SysResult {
  if (total === 0) return 0n;
  const pipe = f.pipe as PipeInodeInfo;
  const attempt = (): SysResult => {
    let ret = 0;
    let left = total;
    for (;;) {
      if (!pipe.empty) {
        const buf = pipe.bufs[0];
        const chars = Math.min(buf.len, left);
        if (!copyOut(ret, buf.page.subarray(buf.offset, buf.offset + chars))) {
          if (!ret) ret = -EFAULT;
          break;
        }
        ret += chars;
        pipe.wakeups++;
        buf.offset += chars;
        buf.len -= chars;
        if (buf.flags & PIPE_BUF_FLAG_PACKET) { // a packet is read whole; what did not fit is dropped
          left = chars;
          buf.len = 0;
        }
        if (!buf.len) pipe.bufs.shift();
        left -= chars;
        if (!left) break;
        if (!pipe.empty) continue;
      }
      if (!pipe.writers) break;
      if (ret) break;
      if (f.flags & O_NONBLOCK) return neg(EAGAIN);
      return {
        wait: true, reason: `for data in ${pipeDname(pipe)}`, deadline: null, ready: () => pipe.readable(),
        // wait_event_interruptible_exclusive: interrupted before anything was read
        finish: (why) => (why === 'signal' ? neg(ERESTARTSYS) : attempt()),
      };
    }
    return BigInt(ret);
  };
  return attempt();
}

/** send_sig(SIGPIPE, current, 0): SEND_SIG_NOINFO, so SI_USER from current's tgid and uid, to the thread. */
function sendSigpipe(k: Kernel): void {
  sendSignal(k, { signo: SIGPIPE, errno: 0, code: SI_USER, pid: k.task.pid, uid: k.task.uid }, 'pid', 'kernel');
}

/**
 * pipe_write: merges a write's sub-page tail into the last slot when it fits, then fills fresh slots page by
 * page, waiting (a Wait that goes on waiting) whenever the ring is full. No reader: SIGPIPE and -EPIPE (or the
 * bytes written so far). O_NONBLOCK: -EAGAIN or a partial count. A signal while waiting: the partial count, or
 * -ERESTARTSYS.
 */
export function pipeWrite(k: Kernel, f: OpenFile, total: number, copyIn: CopyIn): SysResult {
  if (total === 0) return 0n;
  const pipe = f.pipe as PipeInodeInfo;
  if (!pipe.readers) {
    sendSigpipe(k);
    return neg(EPIPE);
  }
  let ret = 0;
  const done = (): bigint => {
    if (ret > 0) {
      pipe.mtime = pipe.ctime = k.clock.read(CLOCK_REALTIME) ?? pipe.mtime; // file_update_time
      pipe.wakeups++; // "pipe: make pipe writes always wake up readers" (v5.16)
    }
    return BigInt(ret);
  };
  const chars = total & (PAGE_SIZE - 1);
  if (chars && !pipe.empty) {
    const buf = pipe.bufs[pipe.bufs.length - 1];
    const offset = buf.offset + buf.len;
    if (buf.flags & PIPE_BUF_FLAG_CAN_MERGE && offset + chars <= PAGE_SIZE) {
      const data = copyIn(0, chars);
      if (!data) return neg(EFAULT);
      data.copy(buf.page, offset);
      buf.len += chars;
      ret = chars;
      if (ret === total) return done();
    }
  }
  const loop = (): SysResult => {
    for (;;) {
      if (!pipe.readers) {
        sendSigpipe(k);
        if (!ret) ret = -EPIPE;
        break;
      }
      if (!pipe.full) {
        // the slot is taken first: a fault leaves it empty for the reader to drop
        const buf: PipeBuffer = {
          page: Buffer.alloc(PAGE_SIZE), offset: 0, len: 0,
          flags: f.flags & O_DIRECT ? PIPE_BUF_FLAG_PACKET : PIPE_BUF_FLAG_CAN_MERGE,
        };
        pipe.bufs.push(buf);
        const n = Math.min(PAGE_SIZE, total - ret);
        const data = copyIn(ret, n);
        if (!data) {
          if (!ret) ret = -EFAULT;
          break;
        }
        data.copy(buf.page);
        buf.len = n;
        ret += n;
        if (ret === total) break;
      }
      if (!pipe.full) continue;
      if (f.flags & O_NONBLOCK) {
        if (!ret) ret = -EAGAIN;
        break;
      }
      if (signalPending(k.task)) {
        if (!ret) ret = -ERESTARTSYS;
        break;
      }
      const w: Wait = {
        wait: true, reason: `for room in ${pipeDname(pipe)}`, deadline: null, ready: () => pipe.writable(),
        finish: () => loop(), // the loop checks for readers, room and signals again
      };
      return w;
    }
    return done();
  };
  return loop();
}

/** pipe_poll: EPOLLIN with data, EPOLLHUP with no writer (read end); EPOLLOUT with a free slot, EPOLLERR with no reader (write end). */
export function pipePoll(f: OpenFile): number {
  const pipe = f.pipe as PipeInodeInfo;
  let mask = 0;
  if (isReader(f)) {
    if (!pipe.empty) mask |= EPOLLIN | EPOLLRDNORM;
    if (!pipe.writers) mask |= EPOLLHUP; // f_pipe (0) differs from w_counter (1) for an anonymous pipe
  }
  if (isWriter(f)) {
    if (!pipe.full) mask |= EPOLLOUT | EPOLLWRNORM;
    if (!pipe.readers) mask |= EPOLLERR;
  }
  return mask;
}

const F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

/** round_pipe_size: at least a page, a power of two; 0 when too big */
function roundPipeSize(size: bigint): number {
  if (size > 1n << 31n) return 0;
  if (size < BigInt(PAGE_SIZE)) return PAGE_SIZE;
  return 2 ** Math.ceil(Math.log2(Number(size)));
}

/** pipe_fcntl: F_GETPIPE_SZ / F_SETPIPE_SZ (pipe_set_size), -EBADF on a file that is not a pipe; null for other commands. */
export function pipeFcntl(k: Kernel, f: OpenFile, cmd: number, arg: bigint): bigint | null {
  if (cmd !== F_SETPIPE_SZ && cmd !== F_GETPIPE_SZ) return null;
  const pipe = f.kind === 'pipe' ? (f.pipe as PipeInodeInfo) : null;
  if (!pipe) return neg(EBADF);
  if (cmd === F_GETPIPE_SZ) return BigInt(pipe.maxUsage * PAGE_SIZE);
  const size = roundPipeSize(BigInt.asUintN(32, arg));
  if (size === 0) return neg(EINVAL);
  const slots = size / PAGE_SIZE;
  // pipe_set_size: an unprivileged user may not go past pipe-max-size (DIVERGENCE: the per-user pipe page
  // accounting, pipe-user-pages-soft/hard, is not kept)
  if (size > pipe.maxUsage * PAGE_SIZE && size > PIPE_MAX_SIZE && k.task.euid !== 0) return neg(EPERM);
  // pipe_resize_ring: not below what the pipe holds
  if (pipe.bufs.length > slots) return neg(EBUSY);
  pipe.maxUsage = slots;
  return BigInt(size);
}

/** FIONREAD on a pipe (pipe_ioctl): the bytes it holds, as an int. */
export function pipeIoctlFionread(k: Kernel, f: OpenFile, arg: bigint): bigint {
  const b = Buffer.alloc(4);
  b.writeInt32LE((f.pipe as PipeInodeInfo).nread);
  return copyToUser(k.mm, arg, b) ? 0n : neg(EFAULT);
}

/** struct stat of a pipe end (pipefs inode: S_IFIFO | 0600, owned by the creator's fsuid/fsgid). */
export function pipeStat(f: OpenFile): Buffer {
  const p = f.pipe as PipeInodeInfo;
  const b = Buffer.alloc(128);
  b.writeBigUInt64LE(BigInt(PIPEFS_DEV), 0);
  b.writeBigUInt64LE(BigInt(p.ino), 8);
  b.writeUInt32LE(0o010600, 16);
  b.writeUInt32LE(1, 20);
  b.writeUInt32LE(p.uid, 24);
  b.writeUInt32LE(p.gid, 28);
  b.writeInt32LE(PAGE_SIZE, 56);
  const ts = (ns: bigint, at: number) => {
    b.writeBigInt64LE(ns / 1_000_000_000n, at);
    b.writeBigUInt64LE(ns % 1_000_000_000n, at + 8);
  };
  ts(p.atime, 72);
  ts(p.mtime, 88);
  ts(p.ctime, 104);
  return b;
}

/** pipe2(fildes, flags): create_pipe_files, two descriptors (read end first), copy_to_user of both. */
const pipe2: Syscall = (k, [fildes, flagsArg]) => {
  const flags = Number(BigInt.asUintN(32, flagsArg));
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE)) return neg(EINVAL);
  if (flags & O_NOTIFICATION_PIPE) {
    // DIVERGENCE: watch-queue (notification) pipes are not emulated: as a kernel without CONFIG_WATCH_QUEUE.
    k.notice('unsupported', { what: 'pipe2 O_NOTIFICATION_PIPE (watch queues)', errno: ENOPKG });
    return neg(ENOPKG);
  }
  const t = k.task;
  const pipe = new PipeInodeInfo(k.getNextIno(), t.fsuid, t.fsgid, k.clock.read(CLOCK_REALTIME) ?? 0n);
  const rd: OpenFile = { kind: 'pipe', path: pipeDname(pipe), flags: O_RDONLY | (flags & O_NONBLOCK), pos: 0n, pipe, refs: 1 };
  const wr: OpenFile = {
    kind: 'pipe', path: pipeDname(pipe), flags: O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)), pos: 0n, pipe, refs: 1,
  };
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const limit = nofile(t);
  const fdr = t.files.install(rd, 0, cloexec, limit);
  if (fdr < 0) {
    fput(rd);
    fput(wr);
    return BigInt(fdr);
  }
  const fdw = t.files.install(wr, 0, cloexec, limit);
  const undo = (): void => {
    // put_unused_fd: the descriptors were never visible; the files go
    t.files.fds[fdr] = undefined;
    t.files.closeOnExec.delete(fdr);
    if (fdw >= 0) {
      t.files.fds[fdw] = undefined;
      t.files.closeOnExec.delete(fdw);
    }
    fput(rd);
    fput(wr);
  };
  if (fdw < 0) {
    undo();
    return BigInt(fdw);
  }
  const b = Buffer.alloc(8);
  b.writeInt32LE(fdr, 0);
  b.writeInt32LE(fdw, 4);
  if (!copyToUser(k.mm, fildes, b)) {
    undo();
    return neg(EFAULT);
  }
  return 0n;
};

export const pipeSyscalls: SyscallTable = { 59: ['pipe2', pipe2] };
