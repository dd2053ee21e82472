// The command line as a user types it: explain, the pipe collector with `coredumps`, gcore, help, bad options.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog } from './helpers.ts';

const cli = join(import.meta.dirname, '..', 'bin', 'arm64-fault.js');
const af = (...args: string[]) => spawnSync(cli, args, { encoding: 'utf8', timeout: 60_000 });
const fresh = () => mkdtempSync(join(tmpdir(), 'af-cli-'));

describe('arm64-fault explain', () => {
  it('names the rule that stopped the core, its value and the fix', () => {
    const r = af('explain', '--root', fresh(), '--rlimit-core', '0', prog('segv_maperr_null'));
    expect(r.stdout).toContain('The process died of SIGSEGV (SEGV_MAPERR at 0x0).');
    expect(r.stdout).toMatch(/STOP rlimit_core: RLIMIT_CORE 0 < min_coredump 4096/);
    expect(r.stdout).toMatch(/Result: no core\. RLIMIT_CORE is 0 \(ulimit -c 0\).*--rlimit-core unlimited/);
  });

  it('walks the whole chain when the core is written', () => {
    const root = fresh();
    const r = af('explain', '--root', root, prog('segv_maperr_null'));
    expect(r.stdout).toMatch(/ok {3}open: created core/);
    expect(r.stdout).toContain(`Result: core written to ${join(root, 'core')}`);
  });
});

describe('core_pattern pipe to the built-in collector, and `coredumps`', () => {
  it('stores the core with metadata; list and info show it', () => {
    const root = fresh();
    const run = af('run', '--root', root, '--core-pattern', '|arm64-fault-collect %p %s %t %e', prog('bus_adraln_sp_load'));
    expect(run.status).toBe(128 + 7);
    expect(run.stderr).toContain('Bus error (core dumped)');
    const dir = join(root, 'var/lib/arm64-fault/coredumps');
    expect(readdirSync(dir).sort()).toEqual(['core.bus_adraln_sp_l.1000.1700000000', 'core.bus_adraln_sp_l.1000.1700000000.json']);
    const list = af('coredumps', 'list', '--dir', dir);
    expect(list.stdout).toMatch(/1000 +1000 +1000 +SIGBUS +present/);
    const info = af('coredumps', 'info', '1000', '--dir', dir);
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/Signal: 7 \(BUS\)\n/); // coredumpctl's format
    expect(af('coredumps', 'info', '4242', '--dir', dir).status).toBe(1);
  });
});

describe('gcore', () => {
  it('writes core.<pid> at the given instruction counts and the process runs on', () => {
    const root = fresh();
    const r = af('run', '--json', '--root', root, '--gcore', 'insns=100000', '--gcore', 'insns=200000', prog('hello'));
    const rep = JSON.parse(r.stdout);
    expect(rep.exit.code).toBe(0);
    expect(rep.gcores.map((g: { icount: number }) => g.icount)).toEqual([100000, 200000]);
    expect(readdirSync(root).sort()).toEqual(['core.1000', 'core.1000.1']);
    expect(statSync(join(root, 'core.1000')).size).toBe(rep.gcores[0].size);
    const gdb = spawnSync('gdb-multiarch', ['-batch', '-ex', `core-file ${join(root, 'core.1000')}`, '-ex', 'p $_siginfo.si_signo', prog('hello')], { encoding: 'utf8' });
    expect(gdb.stdout).toMatch(/\$1 = 0/); // no signal: a snapshot, as gdb's own gcore writes
  });
});

describe('bad input', () => {
  it('a bad option is refused with its name; a missing program is an emulator error (126)', () => {
    const bad = af('run', '--signal', 'SIGNOPE@insns=1', prog('hello'));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('is not SIG@insns=N');
    const missing = af('run', '/nonexistent/prog');
    expect(missing.status).toBe(126);
    expect(missing.stderr).toMatch(/arm64-fault: \/nonexistent\/prog: cannot read/);
  });

  it('--help explains every option', () => {
    const h = af('run', '--help');
    for (const o of ['--json', '--root', '--rlimit-core', '--core-pattern', '--signal', '--max-insns', '--exception-trace']) {
      expect(h.stdout).toContain(o);
    }
  });
});

describe('arm64-fault test and matrix (the harness, through the installed CLI)', () => {
  it('runs the scenario folder on worker threads and exits 0 when all pass', () => {
    const r = af('test', join(import.meta.dirname, 'scenarios'));
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/24 passed, 0 failed, 24 scenarios/);
  }, 120_000);

  it('prints a table of outcomes over a grid of settings', () => {
    const r = af('matrix', prog('segv_maperr_null'), '--vary', 'rlimit-core=0,unlimited', '--format', 'csv');
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^0,.*SIGSEGV/);
    expect(rows[1]).toMatch(/RLIMIT_CORE is 0/);
  }, 120_000);
});
