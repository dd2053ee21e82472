// A blocking TCP socket for the gdb stub, straight from libc through koffi. The emulator is synchronous (one
// engine call per stop), so the stub is too: it blocks in accept() and recv() exactly where gdbserver's
// protocol loop blocks, and polls for gdb's interrupt byte between slices of a running guest. Node's net module
// would need the event loop, which a synchronous run never returns to; a worker thread would need a second
// protocol of shared memory between the two. The guest's state never leaves this thread.
import koffi from 'koffi';
import { EmulatorError } from '../errors.ts';

interface Libc {
  socket: (d: number, t: number, p: number) => number;
  setsockopt: (fd: number, level: number, name: number, v: Buffer, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  getsockname: (fd: number, addr: Buffer, len: number[]) => number;
  accept: (fd: number, addr: null, len: null) => number;
  recv: (fd: number, buf: Buffer, len: number, flags: number) => number;
  send: (fd: number, buf: Buffer, len: number, flags: number) => number;
  poll: (fds: Buffer, n: number, timeout: number) => number;
  close: (fd: number) => number;
}
let libc: Libc | null = null;
function load(): Libc {
  if (libc) return libc;
  const so = koffi.load('libc.so.6');
  libc = {
    socket: so.func('int socket(int, int, int)'),
    setsockopt: so.func('int setsockopt(int, int, int, const void *, uint32_t)'),
    bind: so.func('int bind(int, const void *, uint32_t)'),
    listen: so.func('int listen(int, int)'),
    getsockname: so.func('int getsockname(int, _Out_ void *, _Inout_ uint32_t *)'),
    accept: so.func('int accept(int, void *, void *)'),
    recv: so.func('long recv(int, _Out_ void *, size_t, int)'),
    send: so.func('long send(int, const void *, size_t, int)'),
    poll: so.func('int poll(_Inout_ void *, unsigned long, int)'),
    close: so.func('int close(int)'),
  } as unknown as Libc;
  return libc;
}

const AF_INET = 2, SOCK_STREAM = 1, SOL_SOCKET = 1, SO_REUSEADDR = 2, IPPROTO_TCP = 6, TCP_NODELAY = 1;
const MSG_NOSIGNAL = 0x4000, POLLIN = 1, EINTR = 4;

/** Retries a call that a host signal interrupted (EINTR), as a blocking loop must. */
function retry(f: () => number): number {
  for (;;) {
    const r = f();
    if (r >= 0 || koffi.errno() !== EINTR) return r;
  }
}

function sockaddr(host: string, port: number): Buffer {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new EmulatorError(`--gdb: "${host}" is not an IPv4 address`);
  const a = Buffer.alloc(16);
  a.writeUInt16LE(AF_INET, 0);
  a.writeUInt16BE(port, 2);
  m.slice(1).forEach((x, i) => a.writeUInt8(Number(x), 4 + i));
  return a;
}

/** A listening socket on host:port (port 0: the kernel picks one; `port` says which). DIVERGENCE: the command line
 *  defaults to 127.0.0.1, where gdbserver and qemu -g listen on every interface: a debug port gives away the guest. */
export class Listener {
  private readonly fd: number;
  readonly port: number;

  constructor(readonly host: string, port: number) {
    const c = load();
    this.fd = c.socket(AF_INET, SOCK_STREAM, 0);
    if (this.fd < 0) throw new EmulatorError(`--gdb: socket() failed (errno ${koffi.errno()})`);
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    c.setsockopt(this.fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
    if (c.bind(this.fd, sockaddr(host, port), 16) < 0 || c.listen(this.fd, 1) < 0) {
      const errno = koffi.errno();
      c.close(this.fd);
      throw new EmulatorError(`--gdb: cannot listen on ${host}:${port} (errno ${errno}${errno === 98 ? ': address in use' : ''})`);
    }
    const out = Buffer.alloc(16);
    c.getsockname(this.fd, out, [16]);
    this.port = out.readUInt16BE(2);
  }

  /** Waits for gdb to connect (one connection, as gdbserver and qemu -g take). */
  accept(): Connection {
    const fd = retry(() => load().accept(this.fd, null, null));
    if (fd < 0) throw new EmulatorError(`--gdb: accept() failed (errno ${koffi.errno()})`);
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    load().setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, one, 4);
    return new Connection(fd);
  }

  close(): void {
    load().close(this.fd);
  }
}

export class Connection {
  private closed = false;
  /** a send failed: gdb went away */
  private gone = false;
  constructor(private readonly fd: number) {}

  /** Blocks until bytes arrive; an empty buffer when gdb closed the connection. */
  read(): Buffer {
    if (this.closed || this.gone) return Buffer.alloc(0);
    const buf = Buffer.alloc(65536);
    const n = retry(() => load().recv(this.fd, buf, buf.length, 0));
    return n <= 0 ? Buffer.alloc(0) : buf.subarray(0, n);
  }

  /** true when read() would not block (bytes, or the end of the connection), waiting up to ms. */
  readable(ms = 0): boolean {
    if (this.closed || this.gone) return true;
    const p = Buffer.alloc(8);
    p.writeInt32LE(this.fd, 0);
    p.writeInt16LE(POLLIN, 4);
    return retry(() => load().poll(p, 1, ms)) > 0;
  }

  write(data: Buffer): void {
    let off = 0;
    while (!this.closed && !this.gone && off < data.length) {
      const n = retry(() => load().send(this.fd, data.subarray(off), data.length - off, MSG_NOSIGNAL));
      if (n <= 0) this.gone = true; // gdb went away: the session ends at its next read
      else off += n;
    }
  }

  close(): void {
    if (!this.closed) load().close(this.fd);
    this.closed = true;
  }
}
