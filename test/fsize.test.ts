// RLIMIT_FSIZE (generic_write_check_limits, inode_newsize_ok), compared with qemu-aarch64, which passes the
// limit to the host kernel.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog, run } from './helpers.ts';

describe('RLIMIT_FSIZE', () => {
  it('cuts writes at the limit, then EFBIG and SIGXFSZ; truncate/fallocate past it fail; SIGXFSZ dumps core', () => {
    const { root, report } = run('fsize_limit');
    expect(report.stdout).toBe([
      'write 16 = 10', 'write at limit = -1 EFBIG', 'pwrite 8 at 5 = 5', 'ftruncate 11 = -1 EFBIG', 'ftruncate 4 = 0',
      'fallocate 0..20 = -1 EFBIG', 'handler: sig=25 code=0 pid_is_self=1', 'write with handler = -1 EFBIG', '',
    ].join('\n'));
    expect(report.signals.map((s) => [s.name, s.codeName, s.source, s.action])).toEqual([
      ...Array(3).fill(['SIGXFSZ', 'SI_USER', 'kernel', 'ignored']),
      ['SIGXFSZ', 'SI_USER', 'kernel', 'handler'], ['SIGXFSZ', 'SI_USER', 'kernel', 'default']]);
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGXFSZ', coreDumped: true, waitStatus: 25 | 0x80 });
    expect(readFileSync(join(root, 'fsize.out'), 'latin1')).toBe('0123');

    const q = mkdtempSync(join(tmpdir(), 'af-fsize-q-'));
    const r = spawnSync('bash', ['-c', 'ulimit -c 0; exec qemu-aarch64 "$0"', prog('fsize_limit')], { cwd: q, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect([r.stdout, r.signal]).toEqual([report.stdout, 'SIGXFSZ']);
    expect(readFileSync(join(q, 'fsize.out'), 'latin1')).toBe('0123');
  });
});
