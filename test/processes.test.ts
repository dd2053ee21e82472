// Processes (issue 10): fork, vfork, execve, wait4/waitid, SIGCHLD, orphans, process groups, stop/continue, and
// the cores of children. Each program runs from inside a fresh root (it execs itself there), and its output is
// compared with the kernel's rules and, where qemu-aarch64 is faithful, with qemu running the same binary.
import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { prog } from './helpers.ts';

/** Runs programs/build/<name> as /<name> inside a new root. */
function runInRoot(name: string, opts: Partial<MachineOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'af-proc-'));
  copyFileSync(prog(name), join(root, name));
  const report = new Machine(join(root, name), { root, ...opts }).run();
  return { root, report };
}

/** The same binary under qemu-aarch64, in a root of its own (cwd), with a time limit. */
function qemu(name: string): string {
  const root = mkdtempSync(join(tmpdir(), 'af-qemu-'));
  copyFileSync(prog(name), join(root, name));
  const r = spawnSync('qemu-aarch64', [join(root, name)], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return r.stdout;
}

const WAIT_OUT = `child: ppid is parent 1, x=2
exit: wait=child 1 status=0x300 WEXITSTATUS=3 x=1 SIGCHLD code=1 pid=child 1 status=3
segv: status=0x8b WTERMSIG=11 WCOREDUMP=1 SIGCHLD code=3 status=11
waitid: r=0 signo=17 code=2 pid=child 1 status=15
WNOHANG: 0
SIGKILL: status=0x9
vfork+exec ENOENT: status=0x7f00
no children: -1 errno=No child processes
SIGCHLD count=5
`;

describe('fork and wait', () => {
  it('gives the exact wait status with and without a core, SIGCHLD siginfo, waitid, WNOHANG, vfork', () => {
    const { report: r } = runInRoot('proc_wait', { corePattern: 'core.%p.%e' });
    expect(r.stdout).toBe(WAIT_OUT);
    expect(r.exit).toMatchObject({ kind: 'exited', code: 0 });
    // the crashing child: its own process record, core with its own pid in %p
    const crashed = r.processes!.filter((p) => p.exit?.kind === 'signaled');
    expect(crashed.map((p) => [p.pid, p.ppid, p.exit!.signal, p.exit!.coreDumped, p.core.path?.replace(/.*\//, '')])).toEqual([
      [1002, 1000, 'SIGSEGV', true, 'core.1002.proc_wait'],
      [1003, 1000, 'SIGTERM', false, undefined],
      [1004, 1000, 'SIGKILL', false, undefined],
    ]);
    expect(r.processes!.map((p) => p.pid)).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
    // the parent saw every SIGCHLD with the child's pid in si_pid... and the report has them in order
    expect(r.signals.map((s) => s.codeName)).toEqual(['CLD_EXITED', 'CLD_DUMPED', 'CLD_KILLED', 'CLD_KILLED', 'CLD_EXITED']);
  });

  it('matches qemu-aarch64, except for the core bit (qemu writes the guest core itself and dies without it)', () => {
    expect(qemu('proc_wait')).toBe(WAIT_OUT.replace('status=0x8b WTERMSIG=11 WCOREDUMP=1 SIGCHLD code=3',
      'status=0xb WTERMSIG=11 WCOREDUMP=0 SIGCHLD code=2'));
  });

  it('writes the child core that gdb-multiarch reads, with the child\'s pid', () => {
    const { root, report: r } = runInRoot('proc_wait', { corePattern: 'core.%p' });
    const core = join(root, 'core.1002');
    expect(statSync(core).size).toBeGreaterThan(0);
    const out = execFileSync('gdb-multiarch', ['-batch', '-nx', '-ex', 'info program', '-ex', 'bt 1', prog('proc_wait'), core], { encoding: 'utf8' });
    expect(out).toMatch(/Program terminated with signal SIGSEGV/);
    expect(out).toMatch(/#0 .* main \(\) at .*proc_wait\.c:\d+/);
    expect(r.processes!.find((p) => p.pid === 1002)!.core.dumped).toBe(true);
    expect(readdirSync(root).filter((f) => f.startsWith('core'))).toEqual(['core.1002']);
  });

  it('is deterministic: two runs give the same report', () => {
    const a = runInRoot('proc_wait').report;
    const b = runInRoot('proc_wait').report;
    // the roots differ (temporary directories): everything else is the same
    const strip = (r: typeof a) => JSON.stringify(r).replaceAll(/af-proc-\w+/g, 'ROOT');
    expect(strip(a)).toBe(strip(b));
  });
});

describe('MAP_SHARED after fork (proc_shared)', () => {
  it('the child\'s stores reach the parent (anonymous and file), private pages are copies, a process-shared semaphore works; as on qemu-aarch64', () => {
    const { root, report } = runInRoot('proc_shared');
    const out = 'parent sees: counter=1000 text="written by the child" private="parent\'s" file="file page written by the child"\n' +
      'after the child\'s munmap and exit: counter=1001, status=0\nread() of the file: "file page written by the child"\n';
    expect(report.stdout).toBe(out);
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(readFileSync(join(root, 'shared.dat'), 'latin1').split('\0')[0]).toBe('file page written by the child');
    expect(qemu('proc_shared')).toBe(out);
  });
  it('/proc/self/maps names the shared anonymous mapping as Linux does (its shmem file)', () => {
    const { report } = runInRoot('proc_shared', { argv: ['/proc_shared', 'maps'] });
    expect(report.stdout).toMatch(/^[0-9a-f]+-[0-9a-f]+ rw-s 00000000 00:00 0 +\/dev\/zero \(deleted\)\n$/);
  });
});

describe('execve', () => {
  it('gives the errors Linux gives, runs #! scripts, and keeps/resets what begin_new_exec does', () => {
    const { report: r } = runInRoot('proc_exec');
    expect(r.stdout).toBe(`ENOENT: No such file or directory
ENOTDIR: Not a directory
EACCES: Permission denied
ENOEXEC: Exec format error
E2BIG: Argument list too long
interp argv[0]=/proc_exec
interp argv[1]=one
interp argv[2]=/script
interp argv[3]=two
stage2: pid=1000 USR1=SIG_DFL USR2=SIG_IGN HUP blocked=1 fd5 open fd6 closed comm=proc_exec
same pid: 1
`);
    expect(r.processes![0]).toMatchObject({ pid: 1000, program: '/proc_exec', argv: ['/proc_exec', 'stage2', '1000'] });
  });
});

describe('a hang across processes', () => {
  it('is stuck with each task\'s wait named; --on-stuck SIGQUIT dumps the first process and its exit kills the child', () => {
    const stuck = runInRoot('proc_deadlock').report;
    expect(stuck.exit.kind).toBe('stuck');
    expect(stuck.notes).toEqual([
      'stuck: task 1000 (proc_deadlock) waits in wait4(0x3e9, 0xfffffffffc6c, 0x0, 0x0) for child 1001, with nothing that could wake it; ' +
      'task 1001 (proc_deadlock) waits in ppoll(0x0, 0x0, 0x0, 0x0) for a signal, with nothing that could wake it',
    ]);
    const { root, report: r } = runInRoot('proc_deadlock', { onStuck: 3, corePattern: 'core.%p' });
    expect([r.exit.signal, r.exit.coreDumped, r.core.path?.slice(root.length)]).toEqual(['SIGQUIT', true, '/core.1000']);
    expect(r.processes![1].exit).toMatchObject({ signal: 'SIGKILL', coreDumped: false });
  });
});

describe('orphans and process groups', () => {
  it('wakes a wait4 whose zombie appeared while another process was on the CPU; as on qemu-aarch64', () => {
    // the parent wakes for the grandchild's write and sleeps again: the child's wait is then checked with the
    // parent current, and must look at the child's own children (it was stuck, as `bash -c 'echo $(a | b)'` was)
    const { report: r } = runInRoot('proc_wait_asleep');
    const out = 'grandchild\nchild reaped it, status 0x700\nparent reaped the child, status 0x0\n';
    expect([r.exit.kind, r.stdout]).toEqual(['exited', out]);
    expect(qemu('proc_wait_asleep')).toBe(out);
  });

  it('reparents an orphan to the first process, which reaps it', () => {
    // DIVERGENCE from qemu, not from Linux: under qemu the orphan goes to the host's reaper (the test would hang)
    const { report: r } = runInRoot('proc_orphan');
    expect(r.stdout).toBe('grandchild: reparented to the first process\nmiddle exited: 0x0\nreaped the orphan: 1 status=0x700\n');
    expect(r.processes!.map((p) => [p.pid, p.ppid, p.exit?.code])).toEqual([[1000, 999, 0], [1001, 1000, 0], [1002, 1000, 7]]);
  });

  it('kills a process group, refuses a foreign group, and reports stop and continue to the parent', () => {
    const { report: r } = runInRoot('proc_group');
    const want = `pgid a=leader 1 b=in a's group 1 sid same 1
setpgid to a foreign group: Operation not permitted
kill(-pgrp): 0
reaped a status=0xf
reaped b status=0xf
kill(no such pid): -1 No such process
stopped: 0x137f WIFSTOPPED=1 WSTOPSIG=19
continued: 0xffff WIFCONTINUED=1
child continued
exited: 0x500
`;
    expect(r.stdout).toBe(want);
    // under qemu the host's scheduler orders the children (which one wait() reaps first, when the continued child
    // prints): the same lines, in any order
    const lines = (out: string) => out.split('\n').sort();
    expect(lines(qemu('proc_group'))).toEqual(lines(want));
  });
});
