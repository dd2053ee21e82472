import { describe, it, expect } from 'vitest';
import { planCoredump, RLIM_INFINITY, type CoredumpParams } from './coredump.ts';

const base: CoredumpParams = {
  signo: 11, pid: 1234, tid: 1234, uid: 1000, gid: 1000, fsuid: 1000,
  comm: 'crash', exePath: '/bin/crash', hostname: 'box', time: 1700000000n, cpu: 0,
  dumpable: 1, corePattern: 'core', coreUsesPid: false, corePipeLimit: 0, pipeDumpsInFlight: 0,
  rlimitCore: RLIM_INFINITY, cwd: '/',
};
const plan = (over: Partial<CoredumpParams>) => planCoredump({ ...base, ...over });
const stepNames = (p: ReturnType<typeof planCoredump>) => p.steps.map((s) => `${s.step}:${s.ok ? 'ok' : 'fail'}`);

describe('planCoredump: file target', () => {
  it('default pattern, unlimited: target file "core", limit = RLIMIT_CORE', () => {
    const p = plan({});
    expect(p.target).toEqual({ kind: 'file', path: 'core' });
    expect(p.reason).toBeNull();
    expect(p.kernelLog).toEqual([]);
    expect(p.limit).toBe(RLIM_INFINITY);
    expect(p.fsuid).toBe(1000);
    expect(stepNames(p)).toEqual(['binfmt:ok', 'dumpable:ok', 'coredump_wait:ok', 'core_pattern:ok', 'rlimit_core:ok']);
  });

  it('RLIMIT_CORE 0: silent, with the ulimit -c 0 sentence', () => {
    const p = plan({ rlimitCore: 0n });
    expect(p.target).toBeNull();
    expect(p.kernelLog).toEqual([]);
    expect(p.limit).toBe(0n);
    expect(p.steps.at(-1)).toEqual({ step: 'rlimit_core', ok: false, detail: 'RLIMIT_CORE 0 < min_coredump 4096: no message' });
    expect(p.reason).toBe('RLIMIT_CORE is 0 (ulimit -c 0): a core file needs at least 4096 bytes (one page, the ELF ' +
      'min_coredump), so the kernel skips it silently; run with --rlimit-core unlimited');
  });

  it('RLIMIT_CORE 4095 fails, 4096 passes with limit 4096', () => {
    const a = plan({ rlimitCore: 4095n });
    expect(a.target).toBeNull();
    expect(a.reason).toMatch(/^RLIMIT_CORE is 4095 bytes \(setrlimit\(RLIMIT_CORE\)\): a core file needs at least 4096 bytes/);
    const b = plan({ rlimitCore: 4096n });
    expect(b.target).toEqual({ kind: 'file', path: 'core' });
    expect(b.limit).toBe(4096n);
    expect(b.steps.at(-1)).toEqual({ step: 'rlimit_core', ok: true, detail: 'RLIMIT_CORE 4096 ≥ min_coredump 4096' });
  });

  it('RLIMIT_CORE 1 with a file pattern is just "below one page"', () => {
    const p = plan({ rlimitCore: 1n });
    expect(p.kernelLog).toEqual([]);
    expect(p.steps.at(-1)?.step).toBe('rlimit_core');
  });

  it('dumpable 0: silent, before anything else', () => {
    const p = plan({ dumpable: 0, rlimitCore: 0n, corePattern: '|' });
    expect(stepNames(p)).toEqual(['binfmt:ok', 'dumpable:fail']);
    expect(p.kernelLog).toEqual([]);
    expect(p.reason).toMatch(/^the process is not dumpable \(dumpable 0\)/);
    expect(p.reason).toMatch(/--suid-dumpable 1$/);
  });

  it('dumpable 2 with a relative pattern: the fully-qualified-path message', () => {
    const p = plan({ dumpable: 2, corePattern: 'core.%p' });
    expect(p.target).toBeNull();
    expect(p.fsuid).toBe(0);
    expect(p.kernelLog).toEqual(['coredump: 1234(crash): this process can only dump core to a fully qualified path, skipping core dump']);
    expect(p.steps.at(-1)).toEqual({ step: 'suid_safe_path', ok: false, detail: 'dumpable 2 and corename "core.1234" is not absolute' });
    expect(p.reason).toMatch(/dumpable 2 .* relative; .* use an absolute --core-pattern/);
  });

  it('dumpable 2 with an absolute pattern dumps as root', () => {
    const p = plan({ dumpable: 2, corePattern: '/var/crash/core.%e' });
    expect(p.target).toEqual({ kind: 'file', path: '/var/crash/core.crash' });
    expect(p.fsuid).toBe(0);
    expect(p.steps.at(-1)).toEqual({ step: 'suid_safe_path', ok: true, detail: 'corename "/var/crash/core.crash" is absolute' });
  });

  it('dumpable 2 checks RLIMIT_CORE before the path (kernel order)', () => {
    const p = plan({ dumpable: 2, corePattern: 'core', rlimitCore: 0n });
    expect(p.steps.at(-1)?.step).toBe('rlimit_core');
    expect(p.kernelLog).toEqual([]);
  });

  it('empty pattern: open("") fails with ENOENT, no log', () => {
    const p = plan({ corePattern: '' });
    expect(p.target).toBeNull();
    expect(p.kernelLog).toEqual([]);
    expect(p.steps.at(-1)).toEqual({ step: 'open', ok: false, detail: 'filp_open("") → -ENOENT: no message' });
    expect(p.reason).toMatch(/^kernel.core_pattern is empty and core_uses_pid is 0/);
  });

  it('empty pattern with core_uses_pid 1 dumps to ".<pid>"', () => {
    expect(plan({ corePattern: '', coreUsesPid: true }).target).toEqual({ kind: 'file', path: '.1234' });
  });

  it('group already exiting: silent', () => {
    const p = plan({ groupExiting: true });
    expect(stepNames(p)).toEqual(['binfmt:ok', 'dumpable:ok', 'coredump_wait:fail']);
    expect(p.kernelLog).toEqual([]);
    expect(p.reason).toMatch(/already exiting/);
  });
});

describe('planCoredump: pipe target', () => {
  it('RLIMIT_CORE is ignored (0 still dumps), limit becomes unlimited', () => {
    const p = plan({ corePattern: '|/h %p', rlimitCore: 0n });
    expect(p.target).toEqual({ kind: 'pipe', argv: ['/h', '1234'] });
    expect(p.limit).toBe(RLIM_INFINITY);
    expect(stepNames(p)).toEqual(['binfmt:ok', 'dumpable:ok', 'coredump_wait:ok', 'core_pattern:ok', 'rlimit_core:ok', 'core_pipe_limit:ok']);
  });

  it('RLIMIT_CORE 1 aborts with the kernel message', () => {
    const p = plan({ corePattern: '|/h', rlimitCore: 1n });
    expect(p.target).toBeNull();
    expect(p.kernelLog).toEqual(['coredump: 1234(crash): RLIMIT_CORE is set to 1, aborting core']);
    expect(p.reason).toMatch(/^RLIMIT_CORE is 1: for a \|pipe core_pattern/);
  });

  it('core_pipe_limit counts this dump: limit 2 allows 1 in flight, not 2', () => {
    expect(plan({ corePattern: '|/h', corePipeLimit: 2, pipeDumpsInFlight: 1 }).target).not.toBeNull();
    const p = plan({ corePattern: '|/h', corePipeLimit: 2, pipeDumpsInFlight: 2 });
    expect(p.target).toBeNull();
    expect(p.kernelLog).toEqual(['coredump: 1234(crash): over core_pipe_limit, skipping core dump']);
    expect(p.steps.at(-1)).toEqual({ step: 'core_pipe_limit', ok: false, detail: 'core_pipe_limit 2 < 3 concurrent pipe dumps' });
    expect(p.reason).toMatch(/core_pipe_limit is 2 and this would be pipe dump number 3 in flight \(2 already running\)/);
  });

  it('core_pipe_limit 0 is unlimited', () => {
    expect(plan({ corePattern: '|/h', corePipeLimit: 0, pipeDumpsInFlight: 1000 }).target).not.toBeNull();
  });

  it('dumpable 2 may pipe', () => {
    const p = plan({ corePattern: '|/h', dumpable: 2 });
    expect(p.target).toEqual({ kind: 'pipe', argv: ['/h'] });
    expect(p.fsuid).toBe(0);
  });

  it('"|" alone: format_corename failed', () => {
    const p = plan({ corePattern: '|' });
    expect(p.kernelLog).toEqual(['coredump: 1234(crash): format_corename failed, aborting core']);
    expect(p.steps.at(-1)?.step).toBe('core_pattern');
    expect(p.reason).toMatch(/the pipe command after "\|" is empty/);
  });
});

describe('planCoredump: socket target', () => {
  it('logs the parse message, then format_corename failed', () => {
    const p = plan({ corePattern: '@/a b' });
    expect(p.kernelLog).toEqual([
      'coredump: 1234(crash): Coredump socket may not /a b contain spaces',
      'coredump: 1234(crash): format_corename failed, aborting core',
    ]);
  });
  it('a valid socket cannot be connected in the emulator', () => {
    const p = plan({ corePattern: '@/run/cd.sock' });
    expect(p.target).toBeNull();
    expect(p.kernelLog).toEqual(['coredump: 1234(crash): Coredump socket connection /run/cd.sock failed -111']);
    expect(p.steps.at(-1)?.step).toBe('socket');
  });
});

describe('planCoredump: step details', () => {
  it('names the pattern, core_uses_pid and the resulting name', () => {
    expect(plan({ corePattern: 'core.%%p', coreUsesPid: true }).steps[3]).toEqual({
      step: 'core_pattern', ok: true, detail: 'core_pattern "core.%%p", core_uses_pid 1 → file "core.%p.1234"',
    });
  });
});
