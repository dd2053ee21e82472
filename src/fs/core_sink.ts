// The core-dump sinks: dump_emit / dump_skip / dump_emit_page of fs/coredump.c (v6.17), to a file or a buffer.
import { writeSync } from 'node:fs';

const PAGE_SIZE = 4096;
const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

/* ------------------------------------------------------------------------------------------------------------
 * Sinks: dump_emit / dump_skip / dump_emit_page of fs/coredump.c (v6.17).
 * __dump_emit refuses a write when written + nr > limit (all or nothing per call) and only bytes actually
 * written count; pending skips become an lseek (files: free) or real zero bytes (pipes: they count).
 * dump_interrupted() (a fatal signal arriving mid-dump) is not modelled: nothing can signal the dumper.
 * ---------------------------------------------------------------------------------------------------------- */

export interface CoreSink {
  /** dump_emit: false = stop (limit reached or I/O error); nothing of buf was written then. */
  write(buf: Buffer): boolean;
  /** dump_skip: a hole of n bytes, materialised lazily before the next write. */
  skip(n: number): void;
}

export interface CoreSinkResult {
  /** Bytes written (cprm->written). */
  written: number;
  /** Final file length / bytes produced. */
  size: number;
  /** A write was refused because of the limit (or failed): the core is shorter than planned. */
  truncated: boolean;
  /** First I/O error (errno code), if any. */
  error: string | null;
}

/** RLIMIT_CORE as a JS number; RLIM_INFINITY (2^64-1) and anything beyond 2^53 mean unlimited. */
function limitNumber(limit: number | bigint): number {
  if (typeof limit === 'bigint') return limit > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(limit);
  return limit;
}

const ONE_ZERO = Buffer.alloc(1);
const COALESCE = 1 << 20;

/** A regular core file: holes are lseeks (free). Writes are coalesced into ≤1 MiB positional writes. */
export class FileCoreSink implements CoreSink {
  private readonly limit: number;
  private written = 0;
  private pos = 0; /* cprm->pos: bytes written or seeked over */
  private toSkip = 0;
  private truncated = false;
  private error: string | null = null;
  private readonly buf = Buffer.allocUnsafe(COALESCE);
  private bufStart = 0;
  private bufLen = 0;
  private fileSize = 0;

  constructor(private readonly fd: number, limit: number | bigint = Infinity) {
    this.limit = limitNumber(limit);
  }

  write(b: Buffer): boolean {
    if (this.error !== null) return false;
    if (this.toSkip) {
      this.pos += this.toSkip; /* __dump_skip on a seekable file: vfs_llseek, nothing written */
      this.toSkip = 0;
    }
    if (this.written + b.length > this.limit) {
      this.truncated = true;
      return false;
    }
    if (this.bufLen && (this.bufStart + this.bufLen !== this.pos || this.bufLen + b.length > COALESCE)) {
      this.flush();
      if (this.error !== null) return false;
    }
    this.written += b.length;
    if (b.length > COALESCE) this.writeAt(b, this.pos);
    else {
      if (this.bufLen === 0) this.bufStart = this.pos;
      b.copy(this.buf, this.bufLen);
      this.bufLen += b.length;
    }
    this.pos += b.length;
    return this.error === null;
  }

  skip(n: number): void {
    this.toSkip += n;
  }

  /** coredump_write's tail: if a hole is pending, emit one final zero byte so the file covers it. */
  finish(): CoreSinkResult {
    if (this.toSkip) {
      this.toSkip--;
      this.write(ONE_ZERO);
    }
    this.flush();
    return { written: this.written, size: this.fileSize, truncated: this.truncated || this.error !== null, error: this.error };
  }

  private flush(): void {
    if (this.bufLen === 0) return;
    this.writeAt(this.buf.subarray(0, this.bufLen), this.bufStart);
    this.bufLen = 0;
  }

  private writeAt(b: Buffer, at: number): void {
    let done = 0;
    try {
      while (done < b.length) done += writeSync(this.fd, b, done, b.length - done, at + done);
    } catch (e) {
      /* __kernel_write came up short: the kernel stops here; the bytes after the failure never count. */
      this.error ??= (e as NodeJS.ErrnoException).code ?? String(e);
      this.written -= b.length - done;
    }
    this.fileSize = Math.max(this.fileSize, at + done);
  }
}

/**
 * A pipe-like sink (core_pattern "|…" or in-memory use): holes become real zero bytes, written through
 * __dump_emit in PAGE_SIZE pieces, each counted against the limit, as __dump_skip does without FMODE_LSEEK.
 * With onChunk the bytes are streamed and not kept.
 */
export class BufferCoreSink implements CoreSink {
  private readonly limit: number;
  private written = 0;
  private toSkip = 0;
  private truncated = false;
  private readonly chunks: Buffer[] = [];

  constructor(limit: number | bigint = Infinity, private readonly onChunk?: (chunk: Buffer) => void) {
    this.limit = limitNumber(limit);
  }

  write(b: Buffer): boolean {
    if (this.toSkip) {
      if (!this.dumpSkip(this.toSkip)) return false;
      this.toSkip = 0;
    }
    return this.emit(b, true);
  }

  skip(n: number): void {
    this.toSkip += n;
  }

  finish(): CoreSinkResult {
    if (this.toSkip) {
      this.toSkip--;
      this.write(ONE_ZERO);
    }
    return { written: this.written, size: this.written, truncated: this.truncated, error: null };
  }

  /** Everything produced so far (empty when streaming through onChunk). */
  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private dumpSkip(nr: number): boolean {
    while (nr > PAGE_SIZE) {
      if (!this.emit(ZERO_PAGE, false)) return false;
      nr -= PAGE_SIZE;
    }
    return this.emit(ZERO_PAGE.subarray(0, nr), false);
  }

  private emit(b: Buffer, copy: boolean): boolean {
    if (this.written + b.length > this.limit) {
      this.truncated = true;
      return false;
    }
    const chunk = copy ? Buffer.from(b) : b;
    if (this.onChunk) this.onChunk(chunk);
    else this.chunks.push(chunk);
    this.written += b.length;
    return true;
  }
}
