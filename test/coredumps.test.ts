// `coredumps` like coredumpctl: it finds what `run` stored (plain core files and the collector's store, under
// --root), says so when there is nothing, shows metadata and a gdb backtrace, opens gdb, and copies a core.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog } from './helpers.ts';
import { af, afIn, BIN } from './bin.ts';

const root = mkdtempSync(join(tmpdir(), 'af-coredumps-'));

beforeAll(() => {
  // the default core_pattern ("core") from the root as cwd, and the built-in collector with another pid
  expect(afIn(root, 'run', prog('segv_maperr_null')).status).toBe(128 + 11);
  expect(af('run', '--root', root, '--pid', '1234', '--core-pattern', '|arm64-fault-collect %p %s %t %e', prog('bus_adraln_sp_load')).status).toBe(128 + 7);
}, 120_000);

describe('arm64-fault coredumps', () => {
  it('list finds both, in the current directory or through --root', () => {
    const here = afIn(root, 'coredumps', 'list');
    expect(here.status).toBe(0);
    const rows = here.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^TIME +PID +UID +GID +SIG +COREFILE +EXE +SIZE$/);
    expect(rows[1]).toMatch(new RegExp(`^2023-11-14T22:13:20Z 1234 +1000 +1000 +SIGBUS +present +${prog('bus_adraln_sp_load')} +\\d+$`));
    expect(rows[2]).toMatch(new RegExp(`^- +1000 +1000 +1000 +SIGSEGV +present +${prog('segv_maperr_null')} +\\d+$`));
    expect(af('coredumps', 'list', '--root', root).stdout).toBe(here.stdout);
  });

  it('says clearly when there is nothing (exit 1)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'af-coredumps-none-'));
    const r = afIn(empty, 'coredumps', 'list');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`arm64-fault: no coredumps found in ${empty} or ${empty}/var/lib/arm64-fault/coredumps\n`);
    expect(afIn(empty, 'coredumps', 'info').stderr).toMatch(/^arm64-fault: no coredumps found in /);
  });

  it('info: the metadata from the core notes and a backtrace by gdb-multiarch', () => {
    const r = af('coredumps', 'info', '1000', '--root', root);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('         PID: 1000 (segv_maperr_nul)\n');
    expect(r.stdout).toContain('      Signal: 11 (SEGV)\n');
    expect(r.stdout).toContain(`     Storage: ${join(root, 'core')}\n`);
    expect(r.stdout).toMatch(/\n   Backtrace: #0 {2}fault_insn \(\) at asm\/segv_maperr_null\.S:9\n/);
    const collected = af('coredumps', 'info', '1234', '--root', root);
    expect(collected.stdout).toContain('   Timestamp: 2023-11-14T22:13:20Z (1700000000)\n');
    expect(collected.stdout).toMatch(/Backtrace: #0 {2}fault_insn \(\) at asm\/bus_adraln_sp_load\.S:\d+\n/);
    expect(af('coredumps', 'info', '4242', '--root', root).stderr).toBe('arm64-fault: no core matches "4242" (run `arm64-fault coredumps list`)\n');
  });

  it('debug opens gdb-multiarch on the core and its executable', () => {
    const r = af('coredumps', 'debug', 'core', '--root', root, '-A', '-batch -ex bt');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Program terminated with signal SIGSEGV, Segmentation fault.');
    expect(r.stdout).toMatch(/^#0 {2}fault_insn \(\) at asm\/segv_maperr_null\.S:9$/m);
  });

  it('dump -o FILE and dump into a pipe copy the core byte for byte', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'af-coredumps-out-')), 'copy.core');
    expect(af('coredumps', 'dump', '1000', '--root', root, '-o', out).status).toBe(0);
    expect(readFileSync(out).equals(readFileSync(join(root, 'core')))).toBe(true);
    const piped = spawnSync(BIN, ['coredumps', 'dump', '1234', '--root', root], { encoding: 'buffer' });
    expect(piped.stdout.equals(readFileSync(join(root, 'var/lib/arm64-fault/coredumps/core.bus_adraln_sp_l.1234.1700000000')))).toBe(true);
  });

  it('every subcommand has help', () => {
    for (const sub of ['list', 'info', 'debug', 'dump']) {
      const h = af('coredumps', sub, '--help');
      expect(h.status).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^Usage: arm64-fault coredumps ${sub} \\[options\\]`));
      expect(h.stdout).toContain('--root <dir>');
    }
  });
});
