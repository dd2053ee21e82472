// Issue 11: threads. NPTL programs (programs/c/thr_*.c, static glibc) on clone threads, futexes, the
// deterministic scheduler and the kernel's signal routing; every core opened in gdb-multiarch; outputs compared
// with qemu-aarch64 where qemu is faithful (it runs guest threads on host threads, so only race-free output).
import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { prog, run } from './helpers.ts';

const qemu = (name: string, args: string[] = []) =>
  spawnSync('qemu-aarch64', [prog(name), ...args], { encoding: 'utf8', timeout: 60_000 });

/** Runs a copy of the program inside a fresh root, so gdb finds it under the core's NT_FILE names. */
function runInRoot(name: string, opts: Partial<MachineOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'af-thr-'));
  copyFileSync(prog(name), join(root, name));
  const report = new Machine(join(root, name), { root, argv: [`/${name}`], ...opts }).run();
  return { root, report, core: join(root, 'core'), exe: join(root, name) };
}

const gdb = (exe: string, core: string, cmds: string[]): string =>
  execFileSync('gdb-multiarch', ['-nx', '-batch', ...cmds.flatMap((c) => ['-ex', c]), exe, core],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('a worker thread faults while main waits in pthread_join (thr_fault)', () => {
  const r = runInRoot('thr_fault');
  it('the process dies of the worker\'s SIGSEGV, raised in that thread, with a core', () => {
    expect(r.report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGSEGV', coreDumped: true });
    const segv = r.report.signals.find((s) => s.name === 'SIGSEGV')!;
    expect(segv).toMatchObject({ source: 'fault', addr: '0x10', codeName: 'SEGV_MAPERR', pid: 1000, tid: 1002 });
  });
  it('the report lists the threads with their names, states and the faulting one', () => {
    const threads = r.report.processes![0].threads!;
    expect(threads.map((t) => [t.tid, t.name, t.faulted])).toEqual([[1000, 'thr_fault', false], [1001, 'idler', false], [1002, 'faulter', true]]);
    expect(threads.every((t) => t.state === 'exited')).toBe(true);
  });
  it('gdb-multiarch shows every thread, the faulting one current, each with its own backtrace and TLS', () => {
    const out = gdb(r.exe, r.core, ['info threads', 'thread apply all bt', 'thread apply all print tlsvar']);
    expect(out).toMatch(/\* 1 +Thread 0x[0-9a-f]+ \(LWP 1002\) +0x[0-9a-f]+ in worker /);
    expect(out).toMatch(/ 2 +Thread 0x[0-9a-f]+ \(LWP 1000\)/);
    expect(out).toMatch(/ 3 +Thread 0x[0-9a-f]+ \(LWP 1001\) +0x[0-9a-f]+ in pause \(\)/);
    // each backtrace goes through that thread's own stack
    expect(out).toMatch(/Thread 2 \(Thread 0x[0-9a-f]+ \(LWP 1000\)\):\n#0 .*\n#1 .*__pthread_clockjoin_ex.*\n#2 .* in main \(\)/);
    expect(out).toMatch(/Thread 3 \(Thread 0x[0-9a-f]+ \(LWP 1001\)\):\n#0 .* in pause \(\)\n#1 .* in idle /);
    expect(out).toMatch(/Thread 1 \(Thread 0x[0-9a-f]+ \(LWP 1002\)\):\n#0 .* in worker /);
    // thread-local storage read back through each thread's TPIDR_EL0: 7 (idler), 42 (main), 0x1234 (faulter)
    expect(out).toMatch(/LWP 1001\)\):\n\$1 = 7\n/);
    expect(out).toMatch(/LWP 1000\)\):\n\$2 = 42\n/);
    expect(out).toMatch(/LWP 1002\)\):\n\$3 = 4660\n/);
  });
  it('the core holds one NT_PRSTATUS per thread, the dumping thread first (fill_note_info)', () => {
    const out = execFileSync('readelf', ['-n', r.core], { encoding: 'utf8' });
    expect(out.match(/NT_PRSTATUS/g)).toHaveLength(3);
    expect(out.match(/NT_ARM_TLS/g)).toHaveLength(3);
    expect(out.match(/NT_SIGINFO/g)).toHaveLength(1);
  });
  it('two runs give byte-identical cores and reports', () => {
    const again = runInRoot('thr_fault');
    expect(readFileSync(again.core).equals(readFileSync(r.core))).toBe(true);
    const strip = (x: unknown) => JSON.stringify(x).replaceAll(r.root, 'ROOT').replaceAll(again.root, 'ROOT');
    expect(strip(again.report)).toBe(strip(r.report));
  });
});

describe('signal routing (thr_signals)', () => {
  it('tgkill runs the handler in the target thread; kill goes to the one thread that does not block it', () => {
    const { report } = run('thr_signals');
    expect(report.stdout).toBe('tgkill: handler in worker 1\nkill: handler in worker 2\n');
    expect(report.signals.map((s) => [s.name, s.source, s.action])).toEqual([['SIGUSR1', 'tkill', 'handler'], ['SIGUSR2', 'kill', 'handler']]);
    expect(qemu('thr_signals').stdout).toBe(report.stdout);
  });
});

describe('exits and robust futexes (thr_exit)', () => {
  it('exit() in a worker ends the whole group with its status (exit_group)', () => {
    const { report } = run('thr_exit', { argv: ['thr_exit', 'group'] });
    expect(report.exit).toMatchObject({ kind: 'exited', code: 7 });
    expect(qemu('thr_exit', ['group']).status).toBe(7);
  });
  it('a robust mutex whose owner died: EOWNERDEAD, then consistent (exit_robust_list)', () => {
    const { report } = run('thr_exit', { argv: ['thr_exit', 'robust'] });
    // not compared with qemu-aarch64: its set_robust_list is a no-op, so there the lock blocks forever
    expect(report.stdout).toBe('lock: EOWNERDEAD\nconsistent: 0\nunlock: 0\n');
  });
  it('pthread_cancel of a thread in pause(): join returns PTHREAD_CANCELED', () => {
    const { report } = run('thr_exit', { argv: ['thr_exit', 'cancel'] });
    expect(report.stdout).toBe('join: PTHREAD_CANCELED\n');
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
  });
  it('main calls pthread_exit: the process lives on in its last thread and exits with the leader\'s status', () => {
    const { report } = run('thr_exit', { argv: ['thr_exit', 'leader'] });
    expect(report.stdout).toBe('last thread done\n');
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(report.processes![0].threads!.map((t) => t.state)).toEqual(['exited', 'exited']);
  });
});

describe('mutex, condvar, barrier, semaphore and the scheduler (thr_sync)', () => {
  it('counts come out exact with 4 threads, as under qemu-aarch64', () => {
    const { report } = run('thr_sync');
    const want = 'counter 8000 (want 8000)\nafter barrier 32000 (want 32000)\nproduced 400 consumed 400\nsemaphore 800 (want 800)\n';
    expect(report.stdout).toBe(want);
    expect(qemu('thr_sync').stdout).toBe(want);
  });
  it('also with a small quantum and a permuted schedule', () => {
    const { report } = run('thr_sync', { quantum: 1000n, schedSeed: 7 });
    expect(report.stdout).toContain('counter 8000 (want 8000)');
    expect(report.stdout).toContain('semaphore 800 (want 800)');
  });
  it('sched_yield round-robins; --sched-seed changes the interleaving, the same seed replays it', () => {
    const order = (o: Partial<MachineOptions>) => run('thr_sync', { argv: ['thr_sync', 'race'], ...o }).report.stdout;
    expect(order({})).toBe('order ABCDABCDABCDABCD\n');
    const a = order({ schedSeed: 1 }), b = order({ schedSeed: 2 });
    expect(a).not.toBe('order ABCDABCDABCDABCD\n');
    expect(a).not.toBe(b);
    expect(order({ schedSeed: 1 })).toBe(a);
    for (const s of [a, b]) expect([...s.slice(6, 22)].sort().join('')).toBe('AAAABBBBCCCCDDDD');
  });
});

describe('execve from a multi-threaded process (de_thread, thr_exec)', () => {
  it('the leader execs: the spinning threads are killed first, the new image runs alone as the same pid', () => {
    const { report } = runInRoot('thr_exec', { argv: ['/thr_exec', 'leader'] });
    expect(report.stdout).toBe('main 1000 execs\nafter exec: pid=1000 tid=1000 ppid=999 threads=1\n');
    expect(report.exit).toMatchObject({ kind: 'exited', code: 7 });
    expect(report.processes![0].threads!.map((t) => [t.tid, t.state])).toEqual([[1000, 'exited'], [1001, 'exited'], [1002, 'exited']]);
  });
  it('a second thread execs: it takes the leader\'s pid as its tid (exchange_tids), main\'s pthread_join never returns', () => {
    const { report } = runInRoot('thr_exec', { argv: ['/thr_exec', 'thread'] });
    expect(report.stdout).toBe('thread 1002 execs\nafter exec: pid=1000 tid=1000 ppid=999 threads=1\n');
    expect(report.exit).toMatchObject({ kind: 'exited', code: 7 });
    expect(report.processes![0]).toMatchObject({ pid: 1000, ppid: 999, program: '/thr_exec', argv: ['/thr_exec', 'after'] });
    // the exec'ing task leads; the old leader's task_struct, now with tid 1002, was released
    expect(report.processes![0].threads!.map((t) => t.tid)).toEqual([1000, 1001, 1002]);
  });
});

describe('priority-inheritance mutexes (FUTEX_LOCK_PI, TRYLOCK_PI, UNLOCK_PI; thr_pi)', () => {
  it('contended locking counts exactly; trylock EBUSY, non-owner unlock EPERM, a dead owner\'s robust PI lock EOWNERDEAD', () => {
    // qemu-aarch64 7.2 aborts here (glibc's "e != ESRCH || !robust"): it does not pass the robust list to the
    // host kernel, so nothing hands the dead owner's lock on
    const { report } = run('thr_pi');
    expect(report.stdout).toBe('counter: 60000\nrelock by the owner: Resource deadlock avoided\n' +
      'trylock of a held PI mutex: Device or resource busy\nunlock by a non-owner: Operation not permitted\n' +
      'lock after the owner died: Owner died\nunlock: Success\nlock again: Success\n');
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(report.notes ?? []).toEqual([]);
  }, 120_000);
});
