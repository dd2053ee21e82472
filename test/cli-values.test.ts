// Every option value is checked by the same rule: a bad one is a usage error (exit 2) whose one line names the
// option or the value, never a stack trace; an emulator error stays 126.
import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { af } from './bin.ts';
import { prog } from './helpers.ts';

const file = join(mkdtempSync(join(tmpdir(), 'af-values-')), 'a-file');
writeFileSync(file, 'x');

describe('option values', () => {
  it.each([
    [['--core-uses-pid', '7'], /--core-uses-pid <0\|1>' argument '7' is invalid/],
    [['--oops-on-syscall', '99999'], /oopsOnSyscall must be a syscall number in 0\.\.462/],
    [['--coredump-filter', 'zz'], /--coredump-filter must be a hex bit mask/],
    [['--pid', '0'], /pid must be an integer in 1\.\.4194304, got 0/],
    [['--root', file], /root .*a-file is not a directory/],
    [['--root', '/nonexistent/root'], /root \/nonexistent\/root does not exist/],
    [['--cwd', 'relative'], /cwd must be an absolute guest path/],
    [['--env', 'NOEQUALS'], /env entry "NOEQUALS" is not KEY=value/],
    [['--signal', 'SIGQUIT@soon'], /is not SIG@insns=N or SIG@time=SECONDS/],
    [['--timeout', '-1'], /argument '-1' is invalid|is not a number of seconds/],
    [['--on-stuck', 'SIGNOPE'], /"SIGNOPE" is not a signal name/],
  ])('%j is a usage error (2) with one line and no stack trace', (args, why) => {
    const r = af('run', ...args, prog('exit42'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unreadable program is an emulator error (126), one line', () => {
    const r = af('run', '/nonexistent/prog');
    expect([r.status, r.stderr]).toEqual([126, 'arm64-fault: /nonexistent/prog: cannot read: ENOENT: no such file or directory, open \'/nonexistent/prog\'\n']);
  });
});
