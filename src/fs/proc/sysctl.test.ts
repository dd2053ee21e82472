import { describe, it, expect } from 'vitest';
import { doIntvecWrite, doStringWrite } from './sysctl.ts';
import { kstrtouint } from './base.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('proc_dointvec write parsing (__do_proc_dointvec, proc_get_long)', () => {
  it('takes one int in base 0 with surrounding spaces; the bytes after it are not consumed', () => {
    expect(doIntvecWrite(b('2\n'), 0n)).toEqual({ value: 2, consumed: 2 });
    expect(doIntvecWrite(b('  0x10 \n'), 0n)).toEqual({ value: 16, consumed: 8 });
    expect(doIntvecWrite(b('010'), 0n)).toEqual({ value: 8, consumed: 3 });
    expect(doIntvecWrite(b('-5'), 0n)).toEqual({ value: -5, consumed: 2 });
    expect(doIntvecWrite(b('1 2'), 0n)).toEqual({ value: 1, consumed: 2 });
  });
  it('rejects nothing, junk, a bad separator and values beyond int', () => {
    for (const s of ['', ' \n', 'x', '1x', '2147483648', '-2147483649', '-']) expect(doIntvecWrite(b(s), 0n)).toBe(-22);
    expect(doIntvecWrite(b('-2147483648'), 0n)).toEqual({ value: -2147483648, consumed: 11 });
  });
  it('ignores a write at a non-zero offset (sysctl_writes_strict), reporting it as done', () => {
    expect(doIntvecWrite(b('7'), 3n)).toEqual({ value: null, consumed: 1 });
  });
});

describe('proc_dostring write (_proc_do_string)', () => {
  it('stops at a newline or NUL, truncates at maxlen - 1, continues at the offset, ignores writes past the end', () => {
    expect(doStringWrite('core', 128, b('a.%p\nrest'), 0n)).toBe('a.%p');
    expect(doStringWrite('core', 128, b('x'.repeat(300)), 0n)).toBe('x'.repeat(127));
    expect(doStringWrite('core', 128, b('dump'), 4n)).toBe('coredump');
    expect(doStringWrite('core', 128, b('dump'), 2n)).toBe('codump');
    expect(doStringWrite('core', 128, b('dump'), 5n)).toBeNull();
  });
});

describe('kstrtouint (coredump_filter writes)', () => {
  it('base 0, an optional + and one trailing newline; EINVAL or ERANGE otherwise', () => {
    expect([kstrtouint('0x7f\n'), kstrtouint('+51'), kstrtouint('017'), kstrtouint('0')]).toEqual([0x7f, 51, 15, 0]);
    expect([kstrtouint(' 1'), kstrtouint('1 '), kstrtouint('0x'), kstrtouint(''), kstrtouint('-1')]).toEqual([-22, -22, -22, -22, -22]);
    expect(kstrtouint('0x100000000')).toBe(-34);
  });
});
