// --strace[=FILE]: syscalls, signals and the end of the process, each line as strace prints it.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../src/harness/scenario.ts';
import { prog } from './helpers.ts';
import { af } from './bin.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'af-strace-'));
const lines = (s: string) => s.split('\n');

// openat(AT_FDCWD, "/etc/x", O_RDONLY); write(1, "hi\n", 3); kill(getpid(), SIGUSR2) with SIGUSR2 ignored; exit_group(3)
const OPEN_MISSING = assemble([
  '  mov x0, #-100', '  adr x1, path', '  mov x2, #0', '  mov x3, #0', '  mov x8, #56', '  svc #0',
  '  mov x0, #1', '  adr x1, hi', '  mov x2, #3', '  mov x8, #64', '  svc #0',
  '  mov x0, #3', '  mov x8, #94', '  svc #0',
  'path: .asciz "/etc/x"', 'hi: .ascii "hi\\n"',
].join('\n'));

describe('--strace', () => {
  it('prints each syscall with decoded arguments and errors, then how the process ended', () => {
    const r = af('run', '--strace', '--root', fresh(), OPEN_MISSING);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('hi\n');
    expect(lines(r.stderr).slice(0, 4)).toEqual([
      'openat(AT_FDCWD, "/etc/x", O_RDONLY) = -1 ENOENT (No such file or directory)',
      'write(1, "hi\\n", 3) = 3',
      'exit_group(3) = ?',
      '+++ exited with 3 +++',
    ]);
  });

  it('a fault: the signal with its siginfo, and "killed by … (core dumped)"', () => {
    const r = af('run', '--strace', '--root', fresh(), prog('segv_maperr_null'));
    expect(lines(r.stderr).slice(0, 2)).toEqual([
      '--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0} ---',
      '+++ killed by SIGSEGV (core dumped) +++',
    ]);
  });

  it('a C program: glibc start-up calls, a signal sent by tkill to a handler, long strings cut at 32 bytes', () => {
    const r = af('run', '--strace', '--root', fresh(), prog('sig_recover'), '--', 'nested');
    const l = lines(r.stderr);
    expect(l.some((x) => /^set_robust_list\(0x[0-9a-f]+, 24\) = 0$/.test(x))).toBe(true);
    expect(l.some((x) => /^rseq\(0x[0-9a-f]+, 0x20, 0, 0xd428bc00\) = -1 ENOSYS \(Function not implemented\)$/.test(x))).toBe(true);
    expect(l.some((x) => /^readlinkat\(AT_FDCWD, "\/proc\/self\/exe", ".{32}"\.\.\., 4096\) = \d+$/.test(x))).toBe(true);
    expect(l.some((x) => /^rt_sigaction\(SIGSEGV, \{sa_handler=0x[0-9a-f]+, sa_mask=\[\], sa_flags=SA_SIGINFO\}, NULL, 8\) = 0$/.test(x))).toBe(true);
    expect(l.some((x) => /^rt_sigprocmask\(SIG_BLOCK, NULL, \[USR1 SEGV\], 8\) = 0$/.test(x))).toBe(true);
    expect(l).toContain('--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0} ---');
    expect(l).toContain('--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1000, si_uid=1000} ---');
    expect(l.some((x) => /^tgkill\(1000, 1000, SIGUSR1\) = 0$/.test(x))).toBe(true);
    expect(l.some((x) => /^mmap\(NULL, \d+, PROT_READ\|PROT_WRITE, MAP_PRIVATE\|MAP_ANONYMOUS(\|MAP_STACK)?, -1, 0\) = 0x[0-9a-f]+$/.test(x)) ||
      l.some((x) => x.startsWith('brk('))).toBe(true);
    expect(l).toContain('+++ exited with 0 +++');
  });

  it('--strace=FILE writes the lines to the file and nothing to stderr; guest arguments after -- are untouched', () => {
    const dir = fresh();
    const out = join(dir, 'strace.txt');
    const r = af('run', `--strace=${out}`, '--root', dir, prog('hello'), '--', '--strace'); // argv[0] is the absolute path
    expect(r.stderr).toBe('to stderr\nexited with status 0\ninstructions: ' + r.stderr.split('instructions: ')[1]);
    expect(r.stdout).toContain('argv[1]=--strace');
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^write\(1, "hello, world\\nargv\[0\]=\/[^"]{10}"\.\.\., \d+\) = \d+$/m); // 32 bytes
    expect(text).toContain('write(2, "to stderr\\n", 10) = 10\n');
    expect(text.endsWith('exit_group(0) = ?\n+++ exited with 0 +++\n')).toBe(true);
  });

  it('a timer signal interrupting a wait: the restart code, SI_KERNEL, and rt_sigreturn returning -EINTR', () => {
    const l = lines(af('run', '--strace', '--root', fresh(), prog('sig_alarm')).stderr);
    const i = l.findIndex((x) => x.startsWith('ppoll(NULL, 0, NULL, NULL, '));
    expect(l[i]).toMatch(/ = \? ERESTARTNOHAND \(To be restarted if no handler\)$/);
    expect(l[i + 1]).toBe('--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---');
    expect(l).toContain('rt_sigreturn() = -1 EINTR (Interrupted system call)');
  });
});
