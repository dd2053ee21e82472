// Issue 18, as a new user meets it: the installed command (bin → dist/cli.js) runs the scenario suite in-process
// and on workers, finds programs by name, prints its versions, lists every command after an error, and never
// shows a stack trace.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { af, afIn } from './bin.ts';

const ROOT = join(import.meta.dirname, '..');
const SCENARIOS = join(import.meta.dirname, 'scenarios');
const fresh = () => mkdtempSync(join(tmpdir(), 'af-usage-'));
const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('the scenario suite through the installed command', () => {
  it('passes 24/24 in-process (-j 1)', () => {
    const r = afIn(fresh(), 'test', '-j', '1', SCENARIOS);
    expect(r.stdout).toMatch(/^24 passed, 0 failed, 24 scenarios in /m);
    expect(r.status).toBe(0);
  }, 120_000);

  it('passes 24/24 on the default worker pool', () => {
    const r = afIn(fresh(), 'test', SCENARIOS);
    expect(r.stdout).toMatch(/^24 passed, 0 failed, 24 scenarios in /m);
    expect(r.status).toBe(0);
  }, 120_000);

  it('matrix finds a program by its name in programs/build', () => {
    const r = afIn(fresh(), 'matrix', 'segv_maperr_null', '--vary', 'rlimit-core=0');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^0 +killed by SIGSEGV +SIGSEGV SEGV_MAPERR +no: RLIMIT_CORE is 0/m);
    expect(r.status).toBe(0);
  });

  it('npx arm64-fault runs the same command', () => {
    const r = spawnSync('npx', ['--no-install', 'arm64-fault', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.split('\n')[0]).toBe(`arm64-fault ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`);
  });
});

describe('command-line conventions', () => {
  it('--version names the package, the Unicorn library in use and the emulated Linux', () => {
    const r = af('--version');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^arm64-fault ${pkg.version}\\nUnicorn \\d+\\.\\d+\\.\\d+ \\((project copy|system library): /.*libunicorn\\.so\\.2\\)\\nLinux 6\\.17 `));
    // the pinned version is the one the guest's uname(2) reports
    expect(readFileSync(join(ROOT, 'src/kernel/sys.ts'), 'utf8')).toContain("release: '6.17.0-arm64-fault'");
    expect(af('-V').stdout).toBe(r.stdout);
  });

  it('an unknown command is refused, and the help after it lists every command', () => {
    const r = af('tset', 'x');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'tset'/);
    for (const c of ['run', 'explain', 'coredumps', 'test', 'matrix']) expect(r.stderr).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('a usage error in any command shows that command\'s help', () => {
    const t = af('test');
    expect(t.stderr).toMatch(/^error: missing required argument 'paths'\n\nUsage: arm64-fault test \[options\] <paths\.\.\.>/);
    expect(af('coredumps', 'dump', '--bogus').stderr).toMatch(/^error: unknown option '--bogus'\n\nUsage: arm64-fault coredumps dump/);
  });

  it('a missing scenario path is one line naming it, no stack trace (exit 2)', () => {
    const r = af('test', '/nonexistent/scenarios');
    expect(r.stderr).toBe('arm64-fault: /nonexistent/scenarios: no such file or directory\n');
    expect(r.status).toBe(2);
  });

  it('a folder without scenarios fails, naming the folder', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'notes.txt'), 'not a scenario\n');
    const r = af('test', dir);
    expect(r.stderr).toBe(`arm64-fault: no scenario files (*.yaml, *.yml) in ${dir}\n`);
    expect(r.status).toBe(2);
  });

  it('a missing program for matrix, an unwritable --trace: a message, never a stack trace', () => {
    const m = af('matrix', 'no_such_program', '--vary', 'rlimit-core=0');
    expect(m.stderr).toMatch(/^arm64-fault: program "no_such_program" is neither a file nor in .*programs\/build\n$/);
    expect(m.status).toBe(2);
    const t = af('run', '--trace', '/nonexistent/dir/trace.jsonl', join(ROOT, 'programs/build/hello'));
    expect(t.stderr).toMatch(/^arm64-fault: ENOENT: no such file or directory, open '\/nonexistent\/dir\/trace.jsonl'\n$/);
    noStack(m.stderr + t.stderr);
  });

  it('help does not depend on the directory it is run from', () => {
    expect(afIn(fresh(), 'run', '--help').stdout).toBe(afIn(ROOT, 'run', '--help').stdout);
    expect(afIn(fresh(), 'coredumps', 'list', '--help').stdout).toBe(afIn(ROOT, 'coredumps', 'list', '--help').stdout);
  });
});
