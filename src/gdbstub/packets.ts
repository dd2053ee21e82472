// GDB Remote Serial Protocol framing: `$data#cc` packets with a modulo-256 checksum, `+`/`-` acknowledgements
// (until QStartNoAckMode), `}` escapes for binary data, and the out-of-band interrupt byte 0x03.
import type { Connection } from './socket.ts';

/** What arrives from gdb: a packet (its data, unescaped only for X), an interrupt, or the end of the connection. */
export type Incoming = { kind: 'packet'; data: Buffer } | { kind: 'interrupt' } | { kind: 'eof' };

export const checksum = (b: Buffer): number => b.reduce((s, x) => (s + x) & 0xff, 0);

/** Escapes the bytes the protocol reserves ($ # } and *, which would start run-length encoding). */
export function escape(b: Buffer): Buffer {
  const out: number[] = [];
  for (const x of b) {
    if (x === 0x23 || x === 0x24 || x === 0x7d || x === 0x2a) out.push(0x7d, x ^ 0x20);
    else out.push(x);
  }
  return Buffer.from(out);
}

export function unescape(b: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) out.push(b[i] === 0x7d && i + 1 < b.length ? b[++i] ^ 0x20 : b[i]);
  return Buffer.from(out);
}

export function frame(data: Buffer): Buffer {
  const body = escape(data);
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${checksum(body).toString(16).padStart(2, '0')}`)]);
}

export class PacketIo {
  private buf = Buffer.alloc(0);
  private acks = true;
  private interrupted = false;
  /** the packets exchanged, for --gdb-log */
  log: ((dir: '<-' | '->', text: string) => void) | null = null;

  constructor(private readonly conn: Connection) {}

  /** After the OK to QStartNoAckMode: no more + and - either way. */
  noAck(): void {
    this.acks = false;
  }

  private fill(): boolean {
    const more = this.conn.read();
    if (more.length === 0) return false;
    this.buf = Buffer.concat([this.buf, more]);
    return true;
  }

  /** The next packet (acknowledged, checksum checked) or interrupt; blocks. */
  receive(): Incoming {
    for (;;) {
      if (this.interrupted) {
        this.interrupted = false;
        return { kind: 'interrupt' };
      }
      const start = this.buf.findIndex((x) => x === 0x24 || x === 0x03);
      if (start >= 0 && this.buf[start] === 0x03) {
        this.buf = this.buf.subarray(start + 1);
        return { kind: 'interrupt' };
      }
      const end = start < 0 ? -1 : this.buf.indexOf(0x23, start);
      if (end >= 0 && this.buf.length >= end + 3) {
        const body = this.buf.subarray(start + 1, end);
        const sum = parseInt(this.buf.subarray(end + 1, end + 3).toString('latin1'), 16);
        this.buf = this.buf.subarray(end + 3);
        if (this.acks && sum !== checksum(body)) {
          this.conn.write(Buffer.from('-'));
          continue;
        }
        if (this.acks) this.conn.write(Buffer.from('+'));
        const data = body[0] === 0x58 /* X */ ? unescape(body) : Buffer.from(body);
        this.log?.('<-', data.toString('latin1'));
        return { kind: 'packet', data };
      }
      if (!this.fill()) return { kind: 'eof' };
    }
  }

  /** Sends a packet; with acknowledgements on, resends it until gdb acknowledges it with +. */
  send(data: string | Buffer): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.log?.('->', b.toString('latin1'));
    const f = frame(b);
    for (let tries = 0; ; tries++) {
      this.conn.write(f);
      if (!this.acks) return;
      const ack = this.waitAck();
      if (ack !== '-' || tries >= 10) return;
    }
  }

  private waitAck(): string {
    for (;;) {
      const i = this.buf.findIndex((x) => x === 0x2b || x === 0x2d || x === 0x24 || x === 0x03);
      if (i >= 0) {
        const c = this.buf[i];
        if (c === 0x24) return '+'; // a packet instead of an ack: take it as acknowledged
        this.buf = this.buf.subarray(i + 1);
        if (c === 0x03) {
          this.interrupted = true;
          continue;
        }
        return c === 0x2b ? '+' : '-';
      }
      if (!this.fill()) return '+';
    }
  }

  /** true when receive() would not block for long: bytes are here, or arrive within ms */
  readable(ms: number): boolean {
    return this.buf.length > 0 || this.conn.readable(ms);
  }

  /** While the guest runs: did gdb send the interrupt byte (or close the connection)? Never blocks. */
  pollInterrupt(): 'interrupt' | 'eof' | null {
    if (this.interrupted) {
      this.interrupted = false;
      return 'interrupt';
    }
    if (this.buf.includes(0x03)) {
      this.buf = this.buf.subarray(this.buf.indexOf(0x03) + 1);
      return 'interrupt';
    }
    if (!this.conn.readable(0)) return null;
    if (!this.fill()) return 'eof';
    return this.pollInterrupt();
  }
}
