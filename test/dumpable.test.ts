// The dumpable flag: prctl from the guest, the --dumpable option, and the exec rule for set-id programs
// with fs.suid_dumpable 0/1/2 (kernel.md §10 steps 3, 4, 7b).
import { describe, it, expect } from 'vitest';
import { copyFileSync, chmodSync, mkdtempSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import { prog, run } from './helpers.ts';

describe('prctl(PR_SET_DUMPABLE) from the guest', () => {
  it('PR_GET/SET_DUMPABLE and PR_SET_NAME work; the dump is skipped and the reason says why', () => {
    const { report, root } = run('prctl_nodump');
    expect(report.stdout).toBe('dumpable=1\nset 2: -1 EINVAL\ndumpable=0\ncomm=renamed-task\n');
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGSEGV', coreDumped: false, waitStatus: 11 });
    expect(report.core.steps.map((s) => `${s.step}:${s.ok}`)).toEqual(['binfmt:true', 'dumpable:false']);
    expect(report.core.reason).toMatch(/not dumpable \(dumpable 0\)/);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('set-user-ID programs and fs.suid_dumpable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-suid-'));
  const suid = join(dir, 'suidprog');
  copyFileSync(prog('segv_maperr_null'), suid);
  chmodSync(suid, 0o4755);
  const go = (opts: object) => {
    const root = mkdtempSync(join(tmpdir(), 'af-suid-root-'));
    mkdirSync(join(root, 'cores'));
    return { root, report: new Machine(suid, { root, ...opts }).run() };
  };

  it('suid_dumpable 0 (default): not dumpable', () => {
    expect(go({}).report.core.steps.at(-1)).toMatchObject({ step: 'dumpable', ok: false });
  });

  it('suid_dumpable 1: dumped as the user', () => {
    const { report } = go({ suidDumpable: 1 });
    expect(report.core.dumped).toBe(true);
  });

  it('suid_dumpable 2 with a relative core_pattern: refused with the kernel message', () => {
    const { report } = go({ suidDumpable: 2 });
    expect(report.core.dumped).toBe(false);
    expect(report.kernelLog).toContain('coredump: 1000(suidprog): this process can only dump core to a fully qualified path, skipping core dump');
  });

  it('suid_dumpable 2 with an absolute pattern: a root-owned dump (fsuid 0)', () => {
    const { report, root } = go({ suidDumpable: 2, corePattern: '/cores/core.%u' });
    expect(report.core.dumped).toBe(true);
    expect(readdirSync(join(root, 'cores'))).toEqual(['core.1000']);
    expect(report.core.steps.find((s) => s.step === 'dumpable')!.detail).toMatch(/dumpable 2/);
  });

  it('the --dumpable option overrides the exec rule', () => {
    expect(go({ dumpable: 1 }).report.core.dumped).toBe(true);
  });
});
