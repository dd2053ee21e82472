// Our own standard output and error (the guest's output passed through, the report, the CLI's messages), written
// with write(2) instead of through process.stdout/stderr: creating those streams loads the stream classes and net
// or tty, about 5 ms of every cold start, for bytes that Node writes synchronously to files, pipes and terminals
// on Linux anyway. A descriptor that another process left non-blocking (EAGAIN) falls back to the stream, for
// good, so the bytes keep their order.
import * as fs from 'node:fs';

const viaStream = new Set<number>();

export function hostWrite(fd: 1 | 2, data: string | Uint8Array): void {
  let rest = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (!viaStream.has(fd)) {
    try {
      while (rest.length > 0) rest = rest.subarray(fs.writeSync(fd, rest));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      viaStream.add(fd);
    }
  }
  (fd === 1 ? process.stdout : process.stderr).write(rest);
}
