// One pattern syntax in every scenario text field: `/re/flags` is a regex, anything else matches exactly; a
// malformed regex is an error naming file:line:col and the field.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/harness/run.ts';
import { loadScenario, matchesText, textPattern } from '../src/harness/scenario.ts';
import { symbol } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'af-regex-'));
const file = (name: string, text: string) => {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
};
const crash = (core: string, signal = '') => `name: t\nprogram: segv_maperr_null\nsetup: { rlimitCore: 0 }\nexpect:\n${signal}  core: ${core}\n`;

describe('textPattern', () => {
  it('/re/flags is a regex, anything else (an absolute path too) is exact', () => {
    expect(matchesText('/rlimit_core is 0/i', 'RLIMIT_CORE is 0 (ulimit -c 0)')).toBe(true);
    expect(matchesText('RLIMIT_CORE is 0', 'RLIMIT_CORE is 0 (ulimit -c 0)')).toBe(false);
    expect(matchesText('/tmp/r/core', '/tmp/r/core')).toBe(true);
    expect(textPattern('/tmp/r/core')).toBeNull();
    const g = textPattern('/a/g')!;
    expect([g.test('a'), g.test('a')]).toEqual([true, true]);
  });
});

describe('scenario fields', () => {
  it('core.reason, core.path, signals[].code and .fault take /re/flags', () => {
    const f = file('ok', crash('{ dumped: false, reason: "/^rlimit_core is 0/i" }',
      '  signals: [{ signal: SIGSEGV, code: /^SEGV_MAP/, fault: "/level \\\\d translation fault/" }]\n'));
    expect(runScenario(f).failures).toEqual([]);
  });

  it('a plain string matches exactly; the failure says how to write the regex', () => {
    const r = runScenario(file('plain', crash('{ reason: RLIMIT_CORE is 0 }')));
    expect(r.failures).toEqual([{
      field: 'core.reason',
      expected: 'RLIMIT_CORE is 0 (a plain string matches exactly; write /RLIMIT_CORE is 0/ for part of it)',
      actual: expect.stringMatching(/^RLIMIT_CORE is 0 \(ulimit -c 0\)/),
    }]);
  });

  it('a malformed regex is an error at its line, whatever the field', () => {
    const bad = file('bad', crash('\n    reason: /RLIMIT_CORE (is 0/'));
    expect(() => loadScenario(bad)).toThrow(`${bad}:6:13: field "expect.core.reason": malformed regular expression /RLIMIT_CORE (is 0/: Unterminated group`);
    const flags = file('flags', 'name: t\nprogram: exit42\nexpect:\n  stdout: [/x/ii]\n');
    expect(() => loadScenario(flags)).toThrow(`${flags}:4:12: field "expect.stdout[0]": malformed regular expression /x/ii: invalid flags "ii"`);
  });
});

describe('where a signal came from, in a scenario', () => {
  it('pc (0x… or symbol), symbol, line and insn are checked like the other fields', () => {
    const ok = file('where', 'name: w\nprogram: segv_maperr_null\nsetup: { rlimitCore: 0 }\nexpect:\n  signals:\n' +
      '    - { signal: SIGSEGV, pc: fault_insn, symbol: fault_insn+0x0, line: "/segv_maperr_null\\\\.S:9$/", insn: "ldr x1, [x0]" }\n');
    expect(runScenario(ok).failures).toEqual([]);
    const wrong = file('where_wrong', 'name: w\nprogram: segv_maperr_null\nsetup: { rlimitCore: 0 }\nexpect:\n  signals:\n' +
      '    - { signal: SIGSEGV, pc: _start, insn: "/^str/" }\n');
    expect(runScenario(wrong).failures).toEqual([
      { field: 'signals[0].pc', expected: `0x${symbol('segv_maperr_null', '_start').toString(16)}`, actual: `0x${symbol('segv_maperr_null', 'fault_insn').toString(16)}` },
      { field: 'signals[0].insn', expected: '/^str/', actual: 'ldr x1, [x0]' },
    ]);
  });
});
