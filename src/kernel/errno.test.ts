import { constants } from 'node:os';
import { describe, it, expect } from 'vitest';
import * as e from './errno.ts';
import { errnoName, errnoByName, errnoFromNode } from './errno.ts';

const nodeErr = (code?: string): NodeJS.ErrnoException => Object.assign(new Error('x'), { code, errno: -9999 });

describe('errno values (asm-generic errno-base.h / errno.h)', () => {
  it('has the values the emulator uses', () => {
    expect([e.EPERM, e.ENOENT, e.ESRCH, e.EINTR, e.EIO, e.E2BIG, e.EBADF, e.EAGAIN, e.ENOMEM, e.EACCES, e.EFAULT])
      .toEqual([1, 2, 3, 4, 5, 7, 9, 11, 12, 13, 14]);
    expect([e.EEXIST, e.EXDEV, e.ENOTDIR, e.EISDIR, e.EINVAL, e.EMFILE, e.ENOTTY, e.ENOSPC, e.ESPIPE, e.EROFS])
      .toEqual([17, 18, 20, 21, 22, 24, 25, 28, 29, 30]);
    expect([e.ERANGE, e.ENAMETOOLONG, e.ENOSYS, e.ENOTEMPTY, e.ELOOP, e.EOVERFLOW, e.EOPNOTSUPP, e.ENOTSUP])
      .toEqual([34, 36, 38, 39, 40, 75, 95, 95]);
    expect([e.ETIMEDOUT, e.EHWPOISON]).toEqual([110, 133]);
    expect([e.EWOULDBLOCK, e.EDEADLOCK]).toEqual([11, 35]);
  });
  it('has the kernel-internal restart codes', () => {
    expect([e.ERESTARTSYS, e.ERESTARTNOINTR, e.ERESTARTNOHAND, e.ENOIOCTLCMD, e.ERESTART_RESTARTBLOCK])
      .toEqual([512, 513, 514, 515, 516]);
  });
  it.runIf(process.platform === 'linux')('agrees with the Linux host (generic numbering) for every shared name', () => {
    const host = constants.errno as Record<string, number>;
    let compared = 0;
    for (const [name, value] of Object.entries(host)) {
      const ours = errnoByName(name);
      if (ours === undefined) continue;
      expect(ours, name).toBe(value);
      compared++;
    }
    expect(compared).toBeGreaterThan(70); // Node exposes ~80 errno names
  });
});

describe('errnoName / errnoByName', () => {
  it('names values, canonical name first, negative returns accepted', () => {
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(-38)).toBe('ENOSYS');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(512)).toBe('ERESTARTSYS');
    expect(errnoName(516)).toBe('ERESTART_RESTARTBLOCK');
    expect(errnoName(41)).toBe('errno 41');
    expect(errnoName(0)).toBe('errno 0');
  });
  it('round-trips every exported constant', () => {
    for (const [name, value] of Object.entries(e)) {
      if (typeof value !== 'number') continue;
      expect(errnoByName(name), name).toBe(value);
      expect(errnoByName(errnoName(value))).toBe(value);
    }
  });
});

describe('errnoFromNode', () => {
  it('maps Node fs codes by name, never by the host number', () => {
    const want: Record<string, number> = {
      ENOENT: 2, EACCES: 13, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, ELOOP: 40, EBADF: 9, EINVAL: 22,
      ENOTEMPTY: 39, EXDEV: 18, EROFS: 30, ENOSPC: 28, EPERM: 1, EMFILE: 24, ENAMETOOLONG: 36, ENOTSUP: 95,
    };
    for (const [code, n] of Object.entries(want)) expect(errnoFromNode(nodeErr(code)), code).toBe(n);
  });
  it('defaults to EIO', () => {
    expect(errnoFromNode(nodeErr('ERR_INVALID_ARG_TYPE'))).toBe(5);
    expect(errnoFromNode(nodeErr(undefined))).toBe(5);
  });
  it('maps a real fs failure', async () => {
    const { readFileSync } = await import('node:fs');
    let err: unknown;
    try { readFileSync('/nonexistent/arm64-fault-errno-test'); } catch (x) { err = x; }
    expect(errnoFromNode(err as NodeJS.ErrnoException)).toBe(e.ENOENT);
  });
});
