// The file table (files_struct) and the open files behind it. Regular files live under the host root
// directory; stdin/stdout/stderr are emulator streams so reports can capture them.
import * as fs from 'node:fs';
import type { SysResult } from '../kernel/kernel.ts';
import type { CopyIn, CopyOut } from './pipe.ts';
import { EBADF, EMFILE, ESPIPE, EINVAL, EISDIR, errnoFromNode } from '../kernel/errno.ts';
import { RLIMIT_NOFILE } from '../kernel/task.ts';

/** rlimit(RLIMIT_NOFILE) as a bound for new descriptors (at most 2^30: sysctl_nr_open's ceiling) */
export function nofile(t: { rlimit(resource: number): bigint }): number {
  const n = t.rlimit(RLIMIT_NOFILE);
  return Number(n > 1n << 30n ? 1n << 30n : n);
}

export interface OpenFile {
  kind: 'stdio' | 'host' | 'memory' | 'pipe';
  /** guest path (readlink /proc/self/fd/N) */
  path: string;
  flags: number;
  pos: bigint;
  /** host fd for 'host' */
  fd?: number;
  /** contents for 'memory' files (e.g. /proc/self/maps); 'stdio' 0 reads from here too */
  data?: Buffer;
  /** stdio index 0/1/2 */
  stream?: number;
  isDir?: boolean;
  /** host path of a directory (getdents64 lists it) */
  host?: string;
  /** the pipe behind a 'pipe' end (file->private_data); its release runs when the last reference goes */
  pipe?: PipeEnd;
  refs: number;
  /** a file whose contents the kernel makes up at each read (/proc): bytes at `pos` (at most len), or -errno */
  read?: (pos: bigint, len: number) => Buffer | number;
  /** a writable made-up file (/proc/sys, /proc/PID/comm): bytes consumed (the position advances by them) or -errno */
  write?: (data: Buffer, pos: bigint) => number;
  /** f_op->read_iter / write_iter of an anonymous-inode file (eventfd): its own read and write, which may wait */
  readIter?: (len: number, out: CopyOut) => SysResult;
  writeIter?: (len: number, src: CopyIn) => SysResult;
  /** f_op->poll of an anonymous-inode file (eventfd, epoll), and the wake-ups of its wait queue so far */
  poll?: () => number;
  wakeups?: () => number;
  /** file->private_data of an anonymous-inode file (an epoll instance) */
  privateData?: object;
}

/** What the file table needs of a pipe: f_op->release, run by __fput when the open file's last reference goes. */
export interface PipeEnd {
  release(f: OpenFile): void;
}

export interface StdioSink {
  write(stream: 1 | 2, data: Buffer): void;
  isatty(stream: number): boolean;
}

export const O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200;
export const O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o40000, O_NOFOLLOW = 0o100000, O_DIRECT = 0o200000, O_LARGEFILE = 0o400000;
export const O_NOATIME = 0o1000000, O_CLOEXEC = 0o2000000;

/** NR_OPEN_DEFAULT: the fdtable's first size (BITS_PER_LONG descriptors) */
const NR_OPEN_DEFAULT = 64;

export class FileTable {
  fds: (OpenFile | undefined)[] = [];
  /** files_struct's count: the tasks sharing this table (CLONE_FILES) */
  users = 1;
  /** fdtable's close_on_exec bits */
  closeOnExec = new Set<number>();
  /** fdtable->max_fds: the table only grows (expand_fdtable), select() looks at no descriptor beyond it */
  maxFdsTable = NR_OPEN_DEFAULT;
  constructor(readonly stdio: StdioSink, stdin: Buffer, readonly maxFds = 1024) {
    this.fds[0] = { kind: 'stdio', path: '/dev/stdin', flags: O_RDONLY, pos: 0n, stream: 0, data: stdin, refs: 1 };
    this.fds[1] = { kind: 'stdio', path: '/dev/stdout', flags: O_WRONLY, pos: 0n, stream: 1, refs: 1 };
    this.fds[2] = { kind: 'stdio', path: '/dev/stderr', flags: O_WRONLY, pos: 0n, stream: 2, refs: 1 };
  }

  /** dup_fd: a copy of the table for a fork child; the open files are shared (their refs count both). */
  dup(): FileTable {
    const t = new FileTable(this.stdio, Buffer.alloc(0), this.maxFds);
    t.fds = this.fds.map((f) => {
      if (f) f.refs++;
      return f;
    });
    t.closeOnExec = new Set(this.closeOnExec);
    t.maxFdsTable = this.maxFdsTable;
    return t;
  }

  /** do_close_on_exec: the descriptors marked FD_CLOEXEC go at exec. */
  closeOnExecFds(): void {
    for (const fd of this.closeOnExec) this.close(fd);
  }

  get(fd: number): OpenFile | undefined {
    return fd >= 0 ? this.fds[fd] : undefined;
  }

  /**
   * alloc_fd(min, end) + fd_install: the lowest free descriptor ≥ min and < end (RLIMIT_NOFILE), or -EMFILE.
   * The caller holds the reference the table takes (a new file's refs: 1, or get_file's refs++).
   */
  install(f: OpenFile, min = 0, cloexec = (f.flags & O_CLOEXEC) !== 0, end = this.maxFds): number {
    f.flags &= ~O_CLOEXEC; // close-on-exec belongs to the descriptor, not the open file
    for (let i = min; i < end; i++) {
      if (!this.fds[i]) {
        this.installAt(i, f, cloexec);
        return i;
      }
    }
    return -EMFILE;
  }

  /** fd_install at a descriptor known to be free (do_dup2 closed what was there), with its close-on-exec bit. */
  installAt(fd: number, f: OpenFile, cloexec: boolean): void {
    this.fds[fd] = f;
    if (cloexec) this.closeOnExec.add(fd);
    else this.closeOnExec.delete(fd);
    // expand_fdtable: 64, then 128 × a power of two (1024 / sizeof(struct file *) per step)
    if (fd >= this.maxFdsTable) this.maxFdsTable = 128 * 2 ** Math.ceil(Math.log2(Math.floor(fd / 128) + 1));
  }

  close(fd: number): number {
    const f = this.get(fd);
    if (!f) return -EBADF;
    this.fds[fd] = undefined;
    this.closeOnExec.delete(fd);
    fput(f);
    return 0;
  }

  closeAll(): void {
    this.fds.forEach((_, i) => this.close(i));
  }

  read(f: OpenFile, len: number, at?: bigint): Buffer | number {
    if (f.isDir) return -EISDIR;
    if (f.kind === 'stdio' && f.stream !== 0) return -EBADF;
    if (f.read) {
      const r = f.read(at ?? f.pos, len);
      if (typeof r !== 'number' && at === undefined) f.pos += BigInt(r.length);
      return r;
    }
    if (f.kind === 'host') {
      const buf = Buffer.alloc(len);
      try {
        const n = fs.readSync(f.fd!, buf, 0, len, at ?? f.pos);
        if (at === undefined) f.pos += BigInt(n);
        return buf.subarray(0, n);
      } catch (e) {
        return -errnoFromNode(e as NodeJS.ErrnoException);
      }
    }
    const data = f.data ?? Buffer.alloc(0);
    const off = Number(at ?? f.pos);
    const out = data.subarray(Math.min(off, data.length), Math.min(off + len, data.length));
    if (at === undefined) f.pos += BigInt(out.length);
    return out;
  }

  write(f: OpenFile, data: Buffer, at?: bigint): number {
    if ((f.flags & O_ACCMODE) === O_RDONLY) return -EBADF;
    if (f.kind === 'stdio') {
      this.stdio.write(f.stream as 1 | 2, data);
      return data.length;
    }
    if (f.write) {
      const n = f.write(data, at ?? f.pos);
      if (n > 0 && at === undefined) f.pos += BigInt(n);
      return n;
    }
    if (f.kind === 'host') {
      try {
        const pos = f.flags & O_APPEND ? fs.fstatSync(f.fd!).size : Number(at ?? f.pos);
        const n = fs.writeSync(f.fd!, data, 0, data.length, pos);
        if (at === undefined) f.pos = BigInt(pos + n);
        return n;
      } catch (e) {
        return -errnoFromNode(e as NodeJS.ErrnoException);
      }
    }
    return -EBADF;
  }

  lseek(f: OpenFile, off: bigint, whence: number): bigint | number {
    if (f.kind === 'stdio') return -ESPIPE;
    const size = f.kind === 'host' ? BigInt(fs.fstatSync(f.fd!).size) : BigInt(f.data?.length ?? 0);
    const base = whence === 0 ? 0n : whence === 1 ? f.pos : whence === 2 ? size : -1n;
    if (base < 0n || base + off < 0n) return -EINVAL;
    f.pos = base + off;
    return f.pos;
  }
}

/** fput → __fput: the open file's last reference went: f_op->release (a pipe end), the host descriptor closes. */
export function fput(f: OpenFile): void {
  if (--f.refs > 0) return;
  if (f.kind === 'host' && f.fd !== undefined) fs.closeSync(f.fd);
  f.pipe?.release(f);
}
