// Reverse execution in the gdb stub (src/gdbstub/replay.ts): gdb-multiarch's reverse-continue, reverse-stepi and
// reverse-finish against `arm64-fault run --gdb`, on a program whose pointer is corrupted long before it crashes.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStub as start, gdbBatch as batch } from './gdb-session.ts';
import { af } from './bin.ts';

const build = join(import.meta.dirname, '..', 'programs', 'build');
const prog = join(build, 'rev_corrupt');
const startStub = (p: string, root: string, args: string[] = [], guest: string[] = []) =>
  start(['--root', root, '--gdb', '0', ...args, p, ...(guest.length ? ['--', ...guest] : [])]);
const gdbBatch = (p: string, port: number, ...cmds: string[]): string => batch(port, cmds, p);
const tmp = () => mkdtempSync(join(tmpdir(), 'af-rev-'));
/** `info registers` blocks of a gdb transcript, in order (x0 … fpcr) */
const registerDumps = (out: string): string[] => [...out.matchAll(/^x0 [^]*?^fpcr .*$/gm)].map((m) => m[0]);

describe('arm64-fault run --gdb: reverse execution', () => {
  it('README: the session of "Reverse execution" prints what the README shows', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n### Reverse execution\n'));
    const lines = /\n```text\n([^]*?)\n```/.exec(section)![1].split('\n').filter((l) => !l.startsWith('$ '));
    const cmds = lines.filter((l) => l.startsWith('(gdb) ')).map((l) => l.slice(6));
    expect(cmds).toContain('reverse-continue');
    const stub = await startStub(prog, tmp());
    const out = gdbBatch(prog, stub.port, ...cmds).split('\n');
    await stub.done;
    let at = 0;
    for (const want of lines.filter((l) => !l.startsWith('(gdb) '))) {
      while (at < out.length && out[at] !== want) at++;
      expect(at < out.length, `"${want}" in:\n${out.join('\n')}`).toBe(true);
      at++;
    }
  });

  it('from the SIGSEGV, a watchpoint and reverse-continue find the store that corrupted the pointer; reverse-finish, the start of the history, then forward again to the crash', async () => {
    const root = tmp();
    const stub = await startStub(prog, root);
    const out = gdbBatch(prog, stub.port,
      'continue', 'p first.next', 'watch -l first.next', 'reverse-continue', 'p $pc == scribble', 'p first.next',
      'reverse-finish', 'x/i $pc', 'reverse-stepi', 'x/i $pc',
      'delete', 'reverse-continue', 'p $pc == _start', 'reverse-stepi', 'continue', 'p $_siginfo._sifields._sigfault.si_addr', 'continue');
    const r = await stub.done;
    expect(out).toMatch(/Program received signal SIGSEGV, Segmentation fault\.\nsum \(n=0x10/);
    expect(out).toContain('$1 = (struct node *) 0x10\n');
    // going back, the value changes from the corrupt one to the one before the store: at the store, in scribble
    expect(out).toMatch(/Hardware watchpoint 1: -location first\.next\n\nOld value = \(struct node \*\) 0x10\nNew value = \(struct node \*\) 0x[0-9a-f]+ <second>\nscribble \(base=[^)]*\) at c\/rev_corrupt\.c:18\n18\t\tbase\[i\] = v;\n\$2 = 1\n/);
    expect(out).toMatch(/\$3 = \(struct node \*\) 0x[0-9a-f]+ <second>\n/);
    // back to the call in main, then one instruction before it
    expect(out).toMatch(/<second>\n0x[0-9a-f]+ in main \([^)]*\) at c\/rev_corrupt\.c:42\n42\t\tscribble\(next_slot, 0, 0x10\);\n=> 0x[0-9a-f]+ <main\+\d+>:\tbl\t0x[0-9a-f]+ <scribble>\n/);
    expect(out).toMatch(/<scribble>\n[^]*\n=> 0x[0-9a-f]+ <main\+\d+>:\tadd\tx0, x19, #0x8\n/);
    expect(out).toMatch(/\nNo more reverse-execution history\.\n[^]*\$4 = 1\n/);
    expect(out.match(/No more reverse-execution history\./g)).toHaveLength(2); // reverse-stepi at the start too
    // forward from the start: the replay runs to the end of the history and gdb has the live process back
    expect(out.match(/Program received signal SIGSEGV/g)).toHaveLength(2);
    expect(out).toContain('$5 = (void *) 0x10\n');
    expect(out).toContain('Program terminated with signal SIGSEGV, Segmentation fault.');
    // the replays wrote nothing: the guest's one line once, one core, the shell's status
    expect(r.stdout).toBe('before the store\n');
    expect(r.status).toBe(139);
    expect(existsSync(join(root, 'core'))).toBe(true);
  });

  it('reverse-stepi goes back exactly one instruction: every register as it was before the forward stepi', async () => {
    const stub = await startStub(prog, tmp());
    const out = gdbBatch(prog, stub.port, 'break churn', 'continue', 'stepi 5', 'info registers', 'stepi', 'info registers',
      'stepi', 'info registers', 'reverse-stepi', 'info registers', 'reverse-stepi', 'info registers', 'kill');
    await stub.done;
    const [a, b, c, b2, a2] = registerDumps(out);
    expect(a2).toBeDefined();
    expect(new Set([a, b, c]).size).toBe(3); // the pc moved each time
    expect(b2).toBe(b);
    expect(a2).toBe(a);
  });

  it('the replay delivers a signal as gdb passed it: reverse-continue stops in the handler it ran, and the output is written once', async () => {
    const recover = join(build, 'sig_recover');
    const stub = await startStub(recover, tmp(), [], ['skip']);
    const out = gdbBatch(recover, stub.port, 'break exit', 'continue', 'continue', 'break on_skip', 'reverse-continue',
      'p $pc == on_skip', 'continue', 'continue');
    const r = await stub.done;
    // back from exit to the handler's breakpoint (entered at the count of the load that faulted), then forward
    expect(out).toMatch(/Program received signal SIGSEGV[^]*\nBreakpoint 1, [^\n]*exit \([^]*\nBreakpoint 2, on_skip \(sig=11,[^]*\n\$1 = 1\n\nBreakpoint 1, [^\n]*exit \(/);
    expect(out).toContain('[Inferior 1 (process 1000) exited normally]');
    const plain = af('run', '--root', tmp(), recover, '--', 'skip');
    expect(plain.stdout).toContain('after skip: v=7');
    expect(r.stdout).toBe(plain.stdout);
    expect(r.status).toBe(0);
  });

  it('is refused, with a message, once gdb has changed registers', async () => {
    const stub = await startStub(prog, tmp());
    const out = gdbBatch(prog, stub.port, 'break churn', 'continue', 'set var $x9 = 7', 'stepi', 'reverse-stepi', 'kill');
    await stub.done;
    expect(out).toMatch(/arm64-fault: reverse execution is not possible: gdb changed registers or memory at instruction \d+\nwarning: Remote failure reply: E01\n/);
  });
});
