// `run --gdb`: gdb-multiarch in batch mode against the installed command, as a user debugs a crash. Every gdb
// and every stub has a timeout: a hung session fails its test instead of hanging the suite.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './bin.ts';
import { startStub as startStubWith, gdbBatch, type Stub } from './gdb-session.ts';

let dir: string;
let prog: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'af-gdb-'));
  prog = join(dir, 'crash');
  writeFileSync(`${prog}.c`, `#include <stdio.h>

struct node { int value; struct node *next; };
volatile long counter;

__attribute__((noinline)) void bump(long v) { counter = v; }

__attribute__((noinline)) static int sum(const struct node *n) {
  int s = 0;
  for (; n; n = n->next) s += n->value;
  return s;
}

int main(void) {
  bump(41);
  bump(42);
  struct node c = { 3, (struct node *)0x10 }, b = { 2, &c }, a = { 1, &b };
  printf("sum = %d\\n", sum(&a));
  return 0;
}
`);
  execFileSync('aarch64-linux-gnu-gcc', ['-static', '-g', '-O1', '-o', prog, `${prog}.c`]);
});

/** Starts `arm64-fault run --gdb 0 …` on the program. */
const startStub = (root: string, ...args: string[]): Promise<Stub> => startStubWith(['--root', root, '--gdb', '0', ...args, prog]);

/** gdb on the program; `file: false`: gdb gets the program from the stub (qXfer:exec-file and vFile). */
const gdbOn = (file: boolean, port: number, ...cmds: string[]): string => gdbBatch(port, cmds, file ? prog : undefined);
const gdb = (port: number, ...cmds: string[]): string => gdbOn(true, port, ...cmds);

describe('arm64-fault run --gdb', () => {
  it('breakpoints, registers, memory, stepi, a watchpoint, then SIGSEGV with $_siginfo, and the core as without gdb', async () => {
    const root = mkdtempSync(join(tmpdir(), 'af-gdb-'));
    const stub = await startStub(root);
    const out = gdb(stub.port,
      'p $pc == _start', 'break bump', 'continue', 'info registers x0 pc cpsr', 'p $_siginfo.si_signo',
      'x/2xw $pc', 'p *(unsigned int *)$pc', 'stepi', 'p $pc == bump + 4',
      'watch counter', 'continue', 'delete', 'continue',
      'p $_siginfo.si_signo', 'p $_siginfo._sifields._sigfault.si_addr', 'bt', 'info registers tpidr fpsr v0', 'continue');
    const r = await stub.done;
    expect(out).toMatch(/\$1 = 1/); //                          stopped before the first instruction
    expect(out).toMatch(/Breakpoint 1, bump \(v=v@entry=41\)/);
    expect(out).toMatch(/x0 +0x29 +41\npc +0x[0-9a-f]+ +0x[0-9a-f]+ <bump>\ncpsr +0x[0-9a-f]+ +\[ EL=0 /);
    expect(out).toMatch(/\$2 = 5/); //                          SIGTRAP at a breakpoint
    const word = /<bump>:\s+0x([0-9a-f]{8})\s+0x[0-9a-f]{8}/.exec(out)?.[1];
    expect(out).toContain(`$3 = ${parseInt(word!, 16)}`); //    x/ and a typed read agree on the code there
    expect(out).toMatch(/\$4 = 1/); //                          stepi moved one instruction
    expect(out).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 41\n/);
    expect(out).toMatch(/Program received signal SIGSEGV, Segmentation fault\.\nsum \(n=0x10/);
    expect(out).toMatch(/\$5 = 11\n\$6 = \(void \*\) 0x10\n/);
    expect(out).toMatch(/#1 +0x[0-9a-f]+ in main \(\) at .*crash\.c:18/);
    expect(out).toMatch(/tpidr +0x[0-9a-f]+/);
    expect(out).toMatch(/fpsr +0x0/);
    expect(out).toMatch(/v0 +\{d = \{/);
    expect(out).toContain('Program terminated with signal SIGSEGV, Segmentation fault.');
    // the run ends as it would without the stub: the same report, the core, the shell's status
    expect(r.status).toBe(139);
    expect(r.stderr).toContain('Segmentation fault (core dumped)');
    expect(existsSync(join(root, 'core'))).toBe(true);
    const core = spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', `core-file ${join(root, 'core')}`, '-ex', 'p $_siginfo.si_signo', prog], { encoding: 'utf8', timeout: 60_000 });
    expect(core.stdout).toMatch(/\$1 = 11/);
  });

  it('`signal 0` cancels the SIGSEGV (the load faults again); detach lets the process run on as without gdb', async () => {
    const plain = spawnSync(BIN, ['run', '--json', '--root', mkdtempSync(join(tmpdir(), 'af-gdb-')), prog], { encoding: 'utf8', timeout: 60_000 });
    const root = mkdtempSync(join(tmpdir(), 'af-gdb-'));
    const stub = await startStub(root, '--json');
    const out = gdb(stub.port, 'continue', 'p $pc', 'signal 0', 'p $pc', 'p $_siginfo.si_signo', 'detach');
    const r = await stub.done;
    expect(out.match(/Program received signal SIGSEGV/g)).toHaveLength(2);
    const pcs = [...out.matchAll(/\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+) <sum\+\d+>/g)].map((m) => m[1]);
    expect(pcs).toHaveLength(2);
    expect(pcs[0]).toBe(pcs[1]);
    expect(out).toMatch(/\[Inferior 1 \(process 1000\) detached\]/);
    expect(r.status).toBe(139);
    const a = JSON.parse(plain.stdout), b = JSON.parse(r.stdout);
    // gdb's cancelled SIGSEGV is the one extra signal generated; the rest of the story is the same
    expect(b.signals).toHaveLength(a.signals.length + 1);
    expect(b.signals.slice(1)).toEqual(a.signals);
    expect(b.exit).toEqual(a.exit);
    expect(b.core.dumped).toBe(true);
  });

  it('kill ends the process with SIGKILL: no core; gdb reads the program through the stub; a packet log shows the protocol', async () => {
    const root = mkdtempSync(join(tmpdir(), 'af-gdb-'));
    const log = join(root, 'packets.log');
    const stub = await startStub(root, '--gdb-log', log);
    const out = gdbOn(false, stub.port, 'break sum', 'continue', 'kill');
    const r = await stub.done;
    expect(out).toMatch(/Breakpoint 1, sum/);
    expect(out).toMatch(/\[Inferior 1 \(process 1000\) killed\]/);
    expect(r.status).toBe(128 + 9);
    expect(existsSync(join(root, 'core'))).toBe(false);
    const packets = readFileSync(log, 'utf8');
    expect(packets).toMatch(/^<- qSupported:/m);
    expect(packets).toMatch(/^-> T05swbreak:;thread:p3e8.3e8;$/m);
    expect(packets).toMatch(/^<- Z0,[0-9a-f]+,4$/m);
    expect(packets).toMatch(/^<- vFile:open:[0-9a-f]+,0,0$/m); // the program, read through the stub
    expect(out).not.toMatch(/does not support file transfer|unable to open \/proc/);
  });

  it('stepi at a signal with a handler stops at the handler\'s first instruction, as hardware single-step does', async () => {
    const root = mkdtempSync(join(tmpdir(), 'af-gdb-'));
    const recover = join(import.meta.dirname, '..', 'programs', 'build', 'sig_recover');
    const child = spawn(BIN, ['run', '--root', root, '--gdb', '0', recover, '--', 'skip'], { env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const port = await new Promise<number>((resolve) => child.stderr.on('data', (d) => {
      stderr += d;
      const m = /waiting for gdb on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    }));
    const status = new Promise<number | null>((res) => child.on('close', (c) => { clearTimeout(killer); res(c); }));
    const r = spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'continue',
      '-ex', 'stepi', '-ex', 'p $pc == on_skip', '-ex', 'p $_siginfo.si_signo', '-ex', 'continue', recover], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/Program received signal SIGSEGV[^]*\non_skip \(sig=11,[^]*\$1 = 1\n\$2 = 5\n/); // a TRAP_TRACE stop
    expect(r.stdout).toContain('[Inferior 1 (process 1000) exited normally]');
    expect(await status).toBe(0);
    expect(stdout).toContain('after skip: v=7');
  });

  it('refuses --fast (a single step needs exact counting) and a malformed address', () => {
    const fast = spawnSync(BIN, ['run', '--fast', '--gdb', '0', prog], { encoding: 'utf8', timeout: 60_000 });
    expect(fast.status).toBe(2);
    expect(fast.stderr).toContain('--gdb needs exact instruction counting');
    const bad = spawnSync(BIN, ['run', '--gdb', 'nope', prog], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('is not [host:]port');
  });
});
