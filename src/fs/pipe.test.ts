import { describe, it, expect, afterEach } from 'vitest';
import type { Wait, SysResult } from '../kernel/kernel.ts';
import { Cpu } from '../cpu/cpu.ts';
import { Mm } from '../mm/mm.ts';
import { testKernel } from '../kernel/testing.ts';
import { sendSignal } from '../kernel/signal.ts';
import { SIGPIPE, SIGUSR1, SI_USER } from '../kernel/sigdefs.ts';
import { EAGAIN, EPIPE, ERESTARTSYS } from '../kernel/errno.ts';
import { FileTable, fput, O_NONBLOCK, O_RDONLY, O_WRONLY, type OpenFile } from './files.ts';
import {
  PipeInodeInfo, pipeRead, pipeWrite, pipePoll, EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR, EPOLLRDNORM, EPOLLWRNORM,
} from './pipe.ts';

const cpus: Cpu[] = [];
afterEach(() => { while (cpus.length) cpus.pop()!.close(); });

function setup(flags = 0) {
  const cpu = new Cpu({ countInsns: false });
  cpus.push(cpu);
  const files = new FileTable({ write: () => {}, isatty: () => false }, Buffer.alloc(0));
  const k = testKernel(new Mm(cpu, 8n << 20n), 500, 'p', files);
  const pipe = new PipeInodeInfo(20000, 1000, 1000, 0n);
  const rd: OpenFile = { kind: 'pipe', path: 'pipe:[20000]', flags: O_RDONLY | flags, pos: 0n, pipe, refs: 1 };
  const wr: OpenFile = { kind: 'pipe', path: 'pipe:[20000]', flags: O_WRONLY | flags, pos: 0n, pipe, refs: 1 };
  const got: Buffer[] = [];
  const read = (n: number): SysResult => pipeRead(rd, n, (_off, chunk) => { got.push(Buffer.from(chunk)); return true; });
  const write = (data: Buffer): SysResult => pipeWrite(k, wr, data.length, (off, len) => data.subarray(off, off + len));
  return { k, pipe, rd, wr, got, read, write };
}
const isWait = (r: SysResult): r is Wait => typeof r === 'object';
const neg = (e: number) => BigInt(-e);

describe('pipe ring (fs/pipe.c)', () => {
  it('holds 16 pages; a write larger than the room waits and goes on waiting until all is written', () => {
    const { pipe, read, write, got } = setup();
    const data = Buffer.alloc(100_000, 7);
    const w = write(data);
    expect(isWait(w)).toBe(true);
    expect(pipe.nread).toBe(65536);
    expect((w as Wait).ready()).toBe(false);
    expect(read(10_000)).toBe(10_000n); // 2 slots freed, a third partly read
    expect((w as Wait).ready()).toBe(true);
    const w2 = (w as Wait).finish('ready');
    expect(isWait(w2)).toBe(true); // 2 more pages went in, the rest waits
    expect(pipe.nread).toBe(65536 - 10_000 + 8192);
    expect(read(1 << 20)).toBe(BigInt(65536 - 10_000 + 8192));
    expect((w2 as Wait).finish('ready')).toBe(100_000n);
    expect(read(1 << 20)).toBe(BigInt(100_000 - 65536 - 8192));
    expect(Buffer.concat(got).equals(data)).toBe(true);
  });

  it('a signal while waiting for room returns what was written, or -ERESTARTSYS when nothing was', () => {
    const { k, read, write } = setup();
    const w = write(Buffer.alloc(70_000)) as Wait;
    sendSignal(k, { signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'pid', 'kill');
    expect(w.finish('signal')).toBe(65536n);
    expect(read(1 << 20)).toBe(65536n);
    const r = read(1) as Wait;
    expect(r.ready()).toBe(false);
    expect(r.finish('signal')).toBe(neg(ERESTARTSYS));
  });

  it('EOF when the last writer is released; EPIPE and SIGPIPE when the last reader is', () => {
    const { pipe, rd, wr, read } = setup();
    const r = read(5) as Wait;
    fput(wr);
    expect(pipe.writers).toBe(0);
    expect(r.ready()).toBe(true);
    expect(r.finish('ready')).toBe(0n);
    expect(pipePoll(rd)).toBe(EPOLLHUP);
    const s = setup();
    fput(s.rd);
    expect(s.write(Buffer.from('x'))).toBe(neg(EPIPE));
    expect(s.k.task.pending.signal & (1n << BigInt(SIGPIPE - 1))).not.toBe(0n);
    expect(pipePoll(s.wr)).toBe(EPOLLOUT | EPOLLWRNORM | EPOLLERR);
  });

  it('O_NONBLOCK: EAGAIN on empty and full; a PIPE_BUF write never splits', () => {
    const { read, write, pipe, rd } = setup(O_NONBLOCK);
    expect(read(1)).toBe(neg(EAGAIN));
    for (let i = 0; i < 15; i++) write(Buffer.alloc(4096));
    expect(write(Buffer.alloc(4000))).toBe(4000n);
    expect(write(Buffer.alloc(4096))).toBe(neg(EAGAIN));
    expect(write(Buffer.alloc(96))).toBe(96n);
    expect(pipe.full).toBe(true);
    expect(pipePoll(rd)).toBe(EPOLLIN | EPOLLRDNORM);
  });
});
