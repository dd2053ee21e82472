import { describe, it, expect } from 'vitest';
import {
  cnEscape, coredumpLogLine, coredumpParse, formatCorename, nameContainsDotdot, validateCorePattern,
  RLIM_INFINITY, type CoredumpParams,
} from './corename.ts';

const base: CoredumpParams = {
  signo: 11, pid: 1234, tid: 1236, uid: 1000, gid: 100, fsuid: 1000,
  comm: 'crash', exePath: '/usr/bin/crash', hostname: 'box', time: 1700000000n, cpu: 3,
  dumpable: 1, corePattern: 'core', coreUsesPid: false, corePipeLimit: 0, pipeDumpsInFlight: 0,
  rlimitCore: RLIM_INFINITY, cwd: '/home/u',
};
const file = (pattern: string, over: Partial<CoredumpParams> = {}) =>
  formatCorename({ ...base, corePattern: pattern, ...over });

describe('formatCorename specifiers (file mode)', () => {
  it.each([
    ['%%', '%'], ['%p', '1234'], ['%P', '1234'], ['%i', '1236'], ['%I', '1236'], ['%u', '1000'], ['%g', '100'],
    ['%d', '1'], ['%s', '11'], ['%t', '1700000000'], ['%h', 'box'], ['%e', 'crash'], ['%E', '!usr!bin!crash'],
    ['%f', 'crash'], ['%c', '18446744073709551615'], ['%C', '3'], ['%F', ''], ['%x', ''], ['a%', 'a'],
    ['core.%e.%p.%t', 'core.crash.1234.1700000000'], ['%', ''], ['x%%y', 'x%y'], ['%q%p', '1234'],
  ])('%s → %s', (pattern, expected) => {
    expect(file(pattern)).toEqual({ kind: 'file', path: expected });
  });

  it('%c prints the soft limit as unsigned decimal', () => {
    expect(file('%c', { rlimitCore: 4096n })).toEqual({ kind: 'file', path: '4096' });
    expect(file('%c', { rlimitCore: 0n })).toEqual({ kind: 'file', path: '0' });
  });

  it('%u/%g print 32-bit unsigned', () => {
    expect(file('%u.%g', { uid: -1, gid: 65534 })).toEqual({ kind: 'file', path: '4294967295.65534' });
  });

  it('%d follows the dumpable mode', () => {
    expect(file('%d', { dumpable: 2 })).toEqual({ kind: 'file', path: '2' });
  });

  it('%f/%E without an exe print "<comm> (path unknown)", escaped', () => {
    expect(file('%f', { exePath: null })).toEqual({ kind: 'file', path: 'crash (path unknown)' });
    expect(file('%E', { exePath: null, comm: 'a/b' })).toEqual({ kind: 'file', path: 'a!b (path unknown)' });
  });

  it('keeps absolute patterns absolute: only expansions are escaped', () => {
    expect(file('/var/crash/%E.%h')).toEqual({ kind: 'file', path: '/var/crash/!usr!bin!crash.box' });
  });
});

describe('cn_esc_printf escaping', () => {
  it.each([
    ['.', '!'], ['..', '!.'], ['', '!'], ['a/b', 'a!b'], ['/', '!'], ['...', '...'], ['./x', '.!x'], ['a.', 'a.'],
  ])('%j → %j', (input, out) => {
    expect(cnEscape(input)).toBe(out);
  });

  it('applies to %e, %h, %f and %E but not to plain text', () => {
    expect(file('%e/%h', { comm: '..', hostname: '' })).toEqual({ kind: 'file', path: '!./!' });
    expect(file('x/%f', { exePath: '/bin/.' })).toEqual({ kind: 'file', path: 'x/!' });
    expect(file('a/./b')).toEqual({ kind: 'file', path: 'a/./b' });
  });
});

describe('core_uses_pid', () => {
  it('appends .<pid> in file mode', () => {
    expect(file('core', { coreUsesPid: true })).toEqual({ kind: 'file', path: 'core.1234' });
  });
  it('is suppressed by %p, but not by %P or %i', () => {
    expect(file('core.%p', { coreUsesPid: true })).toEqual({ kind: 'file', path: 'core.1234' });
    expect(file('core.%P', { coreUsesPid: true })).toEqual({ kind: 'file', path: 'core.1234.1234' });
    expect(file('core.%i', { coreUsesPid: true })).toEqual({ kind: 'file', path: 'core.1236.1234' });
  });
  it('still applies after a trailing % and to an empty pattern', () => {
    expect(file('core%', { coreUsesPid: true })).toEqual({ kind: 'file', path: 'core.1234' });
    expect(file('', { coreUsesPid: true })).toEqual({ kind: 'file', path: '.1234' });
  });
  it('never applies to pipes', () => {
    expect(file('|/bin/h', { coreUsesPid: true })).toEqual({ kind: 'pipe', argv: ['/bin/h'] });
  });
});

describe('pipe mode: split on whitespace before expansion', () => {
  it('keeps a comm with spaces as one argument', () => {
    expect(file('|/usr/lib/h %P %s %t %e', { comm: 'my prog' })).toEqual({
      kind: 'pipe', argv: ['/usr/lib/h', '1234', '11', '1700000000', 'my prog'],
    });
  });
  it('keeps %E with spaces and slashes as one escaped argument', () => {
    expect(file('|h %E', { exePath: '/opt/my app/bin' })).toEqual({ kind: 'pipe', argv: ['h', '!opt!my app!bin'] });
  });
  it('ignores leading whitespace and collapses runs (tabs too)', () => {
    expect(file('|  h \t a   b ')).toEqual({ kind: 'pipe', argv: ['h', 'a', 'b'] });
  });
  it('swallows whitespace while nothing has been output yet', () => {
    // "%x" expands to nothing, so cn->used is still 0 at the space: no argument break.
    expect(file('|%x h')).toEqual({ kind: 'pipe', argv: ['h'] });
  });
  it('drops "% " as an unknown specifier, joining the words around it', () => {
    expect(file('|h a% b')).toEqual({ kind: 'pipe', argv: ['h', 'ab'] });
  });
  it('%F gives "3" and asks for a pidfd', () => {
    expect(file('|h %F')).toEqual({ kind: 'pipe', argv: ['h', '3'], pidfd: true });
  });
  it('an empty argument from an expansion stays (escaped as "!")', () => {
    expect(file('|h %h', { hostname: '' })).toEqual({ kind: 'pipe', argv: ['h', '!'] });
  });
  it('only spaces after "|" give an empty program; "|" alone fails', () => {
    expect(file('|   ')).toEqual({ kind: 'pipe', argv: [''] });
    expect(file('|')).toEqual({ error: 'format_corename failed: the pipe command after "|" is empty' });
  });
});

describe('socket mode', () => {
  it('does not expand %', () => {
    expect(file('@/run/core.sock')).toEqual({ kind: 'socket', path: '/run/core.sock' });
    expect(file('@@/run/%p')).toEqual({ kind: 'socket', path: '/run/%p', requestAck: true });
  });
  it('rejects relative, spaces, "..", and long paths with the kernel messages', () => {
    expect(coredumpParse({ ...base, corePattern: '@run' })).toEqual({ ok: false, messages: [], why: 'the socket path run is not absolute' });
    expect(coredumpParse({ ...base, corePattern: '@/a b' })).toMatchObject({ ok: false, messages: ['Coredump socket may not /a b contain spaces'] });
    expect(coredumpParse({ ...base, corePattern: '@/a/../b' })).toMatchObject({ ok: false, messages: ["Coredump socket may not /a/../b contain '..' spaces"] });
    const long = '/' + 'x'.repeat(107);
    expect(coredumpParse({ ...base, corePattern: '@' + long })).toMatchObject({ ok: false, messages: [`Coredump socket path ${long} too long`] });
    expect(coredumpParse({ ...base, corePattern: '@' + long.slice(0, 107) })).toMatchObject({ ok: true });
    expect(coredumpParse({ ...base, corePattern: '@' })).toMatchObject({ ok: false });
    expect(coredumpParse({ ...base, corePattern: '@@' })).toMatchObject({ ok: false });
  });
  it('name_contains_dotdot matches whole components only', () => {
    expect([nameContainsDotdot('..'), nameContainsDotdot('../a'), nameContainsDotdot('/a/..'), nameContainsDotdot('/a..b/..c')])
      .toEqual([true, true, true, false]);
  });
});

describe('validateCorePattern (sysctl write)', () => {
  it('accepts up to 127 bytes unchanged', () => {
    const p = 'c'.repeat(127);
    expect(validateCorePattern(p)).toEqual({ ok: true, value: p, truncated: false, warning: null });
  });
  it('silently truncates longer patterns to 127 bytes (no EINVAL)', () => {
    const p = '/var/crash/' + 'x'.repeat(200);
    expect(validateCorePattern(p)).toEqual({ ok: true, value: p.slice(0, 127), truncated: true, warning: null });
  });
  it('stops at a newline, like `echo pattern > core_pattern`', () => {
    expect(validateCorePattern('core.%p\n')).toEqual({ ok: true, value: 'core.%p', truncated: false, warning: null });
  });
  it('rejects bad socket patterns with EINVAL', () => {
    expect(validateCorePattern('@relative')).toMatchObject({ ok: false, error: 'EINVAL' });
    expect(validateCorePattern('@@relative')).toMatchObject({ ok: false, error: 'EINVAL' });
    expect(validateCorePattern('@/a/../b')).toMatchObject({ ok: false, error: 'EINVAL' });
    expect(validateCorePattern('@/' + 'x'.repeat(107))).toMatchObject({ ok: false, error: 'EINVAL' });
    expect(validateCorePattern('@@/run/sock')).toEqual({ ok: true, value: '@@/run/sock', truncated: false, warning: null });
  });
  it('warns about a relative pattern with fs.suid_dumpable=2', () => {
    expect(validateCorePattern('core', 2)).toMatchObject({ ok: true, warning: expect.stringMatching(/^Unsafe core_pattern used with fs.suid_dumpable=2: /) });
    expect(validateCorePattern('/tmp/core', 2)).toMatchObject({ ok: true, warning: null });
    expect(validateCorePattern('|/bin/h', 2)).toMatchObject({ ok: true, warning: null });
  });
});

describe('coredumpLogLine', () => {
  it('formats "coredump: <tgid>(<comm>): <msg>", comm cut to 15 bytes, non-printables escaped', () => {
    expect(coredumpLogLine(7, 'a-very-long-command-name', 'm')).toBe('coredump: 7(a-very-long-com): m');
    expect(coredumpLogLine(7, 'a\tb\x01', 'm')).toBe('coredump: 7(a\\tb\\001): m');
  });
});
