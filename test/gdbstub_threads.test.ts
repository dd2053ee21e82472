// `run --gdb` with threads and shared libraries: gdb-multiarch sees every thread of a pthread program (their
// stacks, registers from each thread's saved context, the thread that hit a breakpoint or took a signal), steps
// one thread while the others run, and lists the libraries ld.so loaded (qXfer:libraries-svr4) at the addresses
// the process's maps show.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStub, gdbBatch } from './gdb-session.ts';
import { prog } from './helpers.ts';

const SYSROOT = '/usr/aarch64-linux-gnu';
let nap: string;

beforeAll(() => {
  // a thread sleeps in a nanosleep whose svc has a label; main spins until it is done
  const dir = mkdtempSync(join(tmpdir(), 'af-gdbt-'));
  nap = join(dir, 'nap');
  writeFileSync(`${nap}.c`, `#include <pthread.h>
#include <time.h>
volatile long spins;
volatile int done;

__attribute__((noinline)) static long nap(void) {
  struct timespec ts = { 0, 2000000 };
  register long x8 __asm__("x8") = 101; /* nanosleep */
  register long x0 __asm__("x0") = (long)&ts;
  register long x1 __asm__("x1") = 0;
  __asm__ volatile(".globl nap_svc\\nnap_svc: svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
  return x0;
}

static void *sleeper(void *a) { long r = nap(); done = 1; return (void *)r; }

__attribute__((noinline)) void joined(void) { __asm__ volatile(""); }

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, sleeper, 0);
  while (!done) spins++;
  pthread_join(t, 0);
  joined();
  return 0;
}
`);
  execFileSync('aarch64-linux-gnu-gcc', ['-static', '-g', '-O1', '-pthread', '-o', nap, `${nap}.c`]);
});

/** `thread apply all p/x {$pc, $sp, $tpidr, $x28}` → tid → the four values (live: "Thread 1000.TID", core: "Thread 0x… (LWP TID)"). */
function perThread(out: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const r of out.matchAll(/^Thread \d+ \(.*?(?:Thread 1000\.|LWP )(\d+)[ )].*\n\$\d+ = \{(0x[0-9a-f]+(?:, 0x[0-9a-f]+){3})\}/gm)) m.set(Number(r[1]), r[2]);
  return m;
}

describe('run --gdb: threads', () => {
  it('a breakpoint in a thread, every thread listed with its stack, a register written in a sleeping thread, SIGSEGV in a worker selects it, registers as the core has them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'af-gdbt-'));
    const program = prog('thr_fault');
    const stub = await startStub(['--root', root, '--gdb', '0', program]);
    const all = 'thread apply all p/x {$pc, $sp, $tpidr, $x28}';
    const out = gdbBatch(stub.port, ['break worker', 'continue', 'info threads', 'thread 1', 'bt', 'thread 3',
      'set var $x28 = 0x5eed1234', 'set var $pc = 0', 'echo ---all bt\\n', 'thread apply all bt', 'continue', 'info threads',
      'p $_siginfo._sifields._sigfault.si_addr', 'echo ---registers\\n', all, 'continue'], program);
    const r = await stub.done;
    // new threads appear as the stop that names one is reported; the breakpoint's thread is selected
    expect(out).toContain('[New Thread 1000.1002]');
    expect(out).toContain('[New Thread 1000.1001]');
    expect(out).toMatch(/\[Switching to Thread 1000\.1002\]\n\nThread 2 hit Breakpoint 1, worker \(a=0x0\) at c\/thr_fault\.c:16/);
    const [atBreak, atSegv] = out.split('Thread 2 received signal SIGSEGV');
    // info threads: three, with comm and state (qThreadExtraInfo); main joins (futex), idle pauses (ppoll)
    const threads = atBreak.match(/^[ *] \d +Thread 1000\.\d+ .*$/gm)!;
    expect(threads).toHaveLength(3);
    expect(threads[0]).toMatch(/^ {2}1 +Thread 1000\.1000 \(thr_fault, S \(sleeping\) in futex\) +0x[0-9a-f]+ in __futex_abstimed_wait/);
    expect(threads[1]).toMatch(/^\* 2 +Thread 1000\.1002 \(thr_fault, R \(running\)\) +worker \(a=0x0\) at c\/thr_fault\.c:16/);
    expect(threads[2]).toMatch(/^ {2}3 +Thread 1000\.1001 \(idler, S \(sleeping\) in ppoll\) +0x[0-9a-f]+ in pause \(\)/);
    // thread 1's stack, from its saved registers: in pthread_join, called from main
    expect(atBreak).toMatch(/\[Switching to thread 1 \(Thread 1000\.1000\)\]\n#0 [^\n]*__futex_abstimed_wait[^]*\n#\d +0x[0-9a-f]+ in main \(\) at c\/thr_fault\.c:29\n/);
    // a thread asleep in a syscall stays there: its pc (shown on the svc) cannot be moved (gdb's errors: stderr)
    expect(out).toContain("Could not write register \"pc\"; remote failure reply 'E01'");
    const bts = atBreak.split('---all bt')[1];
    expect(bts).toMatch(/Thread 3 \(Thread 1000\.1001 [^\n]*\n#0 +0x[0-9a-f]+ in pause \(\)\n#1 +0x[0-9a-f]+ in idle \(a=[^)]*\) at c\/thr_fault\.c:12\n/);
    expect(bts).toMatch(/Thread 2 \(Thread 1000\.1002 [^\n]*\n#0 +worker \(a=0x0\) at c\/thr_fault\.c:16\n#1 +0x[0-9a-f]+ in start_thread/);
    expect(bts).toMatch(/Thread 1 \(Thread 1000\.1000 [^\n]*\n#0 [^]*in main \(\) at c\/thr_fault\.c:29\n/);
    // the fault in the worker stops with the worker selected (gdb had thread 3), now named by its prctl
    expect(atSegv).toMatch(/^, Segmentation fault\.\n\[Switching to Thread 1000\.1002\]\n0x[0-9a-f]+ in worker \(a=0x0\) at c\/thr_fault\.c:20\n/);
    expect(atSegv).toMatch(/^\* 2 +Thread 1000\.1002 \(faulter, R \(running\)\) +0x[0-9a-f]+ in worker/m);
    expect(atSegv).toMatch(/\$\d+ = \(void \*\) 0x10\n/);
    const live = perThread(out.split('---registers')[1]);
    expect([...live.keys()].sort()).toEqual([1000, 1001, 1002]);
    expect(live.get(1001)).toMatch(/, 0x5eed1234$/); // written into the idler's saved context, kept there
    expect(r.status).toBe(139);
    // the core (written after gdb passed the SIGSEGV on) holds the same registers for every thread
    expect(existsSync(join(root, 'core'))).toBe(true);
    const core = spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', all, program, join(root, 'core')], { encoding: 'utf8', timeout: 60_000 });
    expect(perThread(core.stdout)).toEqual(live);
  });

  it('stepi over a svc that sleeps: the other thread runs meanwhile, the step ends when the sleeper is back; stepi of a thread off the CPU', async () => {
    const stub = await startStub(['--root', mkdtempSync(join(tmpdir(), 'af-gdbt-')), '--gdb', '0', nap]);
    const out = gdbBatch(stub.port, ['break nap_svc', 'continue', 'p spins', 'stepi', 'p $pc == nap_svc + 4', 'p $x0',
      'p spins', 'info threads', 'thread 1', 'p/x $pc', 'stepi', 'p/x $pc', 'echo ---main\\n', 'info threads', 'break joined', 'continue', 'echo ---joined\\n', 'info threads', 'continue'], nap);
    const r = await stub.done;
    expect(out).toMatch(/Thread 2 hit Breakpoint 1, [^\n]*nap/);
    const spins = [...out.matchAll(/^\$[14] = (\d+)$/gm)].map((m) => Number(m[1]));
    expect(spins).toHaveLength(2);
    expect(spins[1]).toBeGreaterThan(spins[0]); // main spun while the sleeper slept
    expect(out).toMatch(/\$2 = 1\n\$3 = 0\n/); // one instruction on: after the svc, with nanosleep's result
    const [stepped, joined] = out.split('---joined');
    // main, runnable but not on the CPU, steps one instruction of its spin loop; the stop is main's
    const [pc1, pc2] = [/^\$5 = (0x[0-9a-f]+)$/m.exec(out)![1], /^\$6 = (0x[0-9a-f]+)$/m.exec(out)![1]];
    expect(pc2, out).not.toBe(pc1);
    expect(stepped.split('---main')[1]).toMatch(new RegExp(`^\\* 1 +Thread 1000\\.1000 \\(nap, R \\(running\\)\\) +0x0*${pc2.slice(2)} in main \\(\\)`, 'm'));
    expect(stepped.split('---main')[0]).toMatch(/^\* 2 +Thread 1000\.1001 /m); // the step's stop is the sleeper's
    expect(stepped.split('---main')[0].match(/^[ *] \d +Thread 1000\.\d+ /gm)).toHaveLength(2);
    // the sleeper has ended: gone from the list at the next stop
    expect(joined.match(/^[ *] \d +Thread 1000\.\d+ .*$/gm)).toEqual([expect.stringMatching(/^\* 1 +Thread 1000\.1000 \(nap, R \(running\)\) +joined \(\)/)]);
    expect(out).toContain('[Inferior 1 (process 1000) exited normally]');
    expect(r.status).toBe(0);
  });
});

describe('run --gdb: shared libraries', () => {
  it('info sharedlibrary lists ld.so and libc.so.6 where they are mapped; bt in write and in a fault in libc has libc frames', async () => {
    const root = mkdtempSync(join(tmpdir(), 'af-gdbt-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync(prog('dyn_strlen'), join(root, 'bin', 'dyn_strlen'));
    const stub = await startStub(['--root', root, '--sysroot', SYSROOT, '--gdb', '0', join(root, 'bin', 'dyn_strlen')]);
    // gdb reads the program and its libraries through the stub (vFile), by their paths in the guest
    const out = gdbBatch(stub.port, ['set breakpoint pending on', 'break main', 'continue', 'info sharedlibrary',
      'info proc mappings', 'break write', 'continue', 'bt', 'continue', 'bt', 'p/x $pc']);
    const r = await stub.done;
    expect(out).toMatch(/Breakpoint 1, main \(\) at dyn\/dyn_strlen\.c:11/);
    for (const [lib, file] of [['/lib/ld-linux-aarch64.so.1', 'ld-linux-aarch64.so.1'], ['/lib/libc.so.6', 'libc.so.6']]) {
      // From/To: the library's .text, at its load address (the start of its first mapping, file offset 0)
      const base = BigInt(new RegExp(`^ +(0x[0-9a-f]+) +0x[0-9a-f]+ +0x[0-9a-f]+ +0x0 +r-xp +${lib}$`, 'm').exec(out)![1]);
      const text = /\.text +PROGBITS +([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)/.exec(execFileSync('readelf', ['-SW', join(SYSROOT, 'lib', file)], { encoding: 'utf8' }))!;
      const from = base + BigInt(`0x${text[1]}`), to = from + BigInt(`0x${text[2]}`);
      const hex = (n: bigint) => `0x${n.toString(16).padStart(16, '0')}`;
      expect(out).toContain(`${hex(from)}  ${hex(to)}  Yes (*)     target:${lib}\n`);
    }
    expect(out).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in write \(\) from target:\/lib\/libc\.so\.6\n/);
    expect(out).toMatch(/#0 +0x[0-9a-f]+ in write \(\) from target:\/lib\/libc\.so\.6\n#1 +0x[0-9a-f]+ in _IO_file_write \(\) from target:\/lib\/libc\.so\.6\n[^]*in fflush \(\) from target:\/lib\/libc\.so\.6\n#\d +0x[0-9a-f]+ in main \(\) at dyn\/dyn_strlen\.c:14\n/);
    // strlen(NULL) faults inside libc: the frame is libc's, the callers the program's
    expect(out).toMatch(/Program received signal SIGSEGV, Segmentation fault\.\n0x[0-9a-f]+ in \?\? \(\) from target:\/lib\/libc\.so\.6\n/);
    expect(out).toMatch(/#1 +0x[0-9a-f]+ in measure \(s=s@entry=0x0\) at dyn\/dyn_strlen\.c:7\n#2 +0x[0-9a-f]+ in main \(\) at dyn\/dyn_strlen\.c:15\n/);
    const libc = /^ +(0x[0-9a-f]+) +(0x[0-9a-f]+) +0x[0-9a-f]+ +0x0 +r-xp +\/lib\/libc\.so\.6$/m.exec(out)!;
    const pc = BigInt(/^\$\d+ = (0x[0-9a-f]+)$/m.exec(out)![1]);
    expect(pc >= BigInt(libc[1]) && pc < BigInt(libc[2])).toBe(true);
    expect(r.status).toBe(137); // gdb kills it when the batch ends
  });
});
