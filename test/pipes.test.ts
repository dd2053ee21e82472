// Pipes and descriptors (fs/pipe.c, fs/fcntl.c, fs/file.c, fs/readdir.c, fs/select.c): each program's output is
// asserted exactly, and compared with qemu-aarch64 running the same binary (it passes the syscalls to the host
// kernel). qemu-user cannot follow an execve of an ARM64 program without binfmt_misc, so the close-on-exec part
// of dup_fcntl runs here only.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog, run } from './helpers.ts';
import { Machine } from '../src/machine.ts';

/** qemu-aarch64 on the program, in a fresh directory, stdin from /dev/null */
function qemu(name: string, args: string[] = []): { stdout: string; status: number | null; signal: string | null } {
  const cwd = mkdtempSync(join(tmpdir(), 'af-pipe-q-'));
  const r = spawnSync('qemu-aarch64', [prog(name), ...args], { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { stdout: r.stdout, status: r.status, signal: r.signal };
}

const lines = (...l: string[]): string => [...l, ''].join('\n');

describe('pipes', () => {
  it('EOF once the last writer is gone, in one process and across fork; fstat, F_GETFL, pipe sizes, FIONREAD', () => {
    const { report } = run('pipe_eof');
    expect(report.stdout).toBe(lines(
      'fds 3 4', 'fifo=1 mode=600 size=0 nlink=1', 'same inode: 1', 'getfl 0 1', 'pipe size 65536',
      'lseek -1 ESPIPE', 'read on write end -1 EBADF', 'write on read end -1 EBADF', 'link prefix pipe:[, is pipe:[st_ino] 1',
      'write 5', 'fionread 5', 'read 3 3', 'read 100 2', 'read 0 0', 'read after close 0', 'poll 1 revents 0x10',
      'child: total 26 last 0 data "abcdefghijklmnopqrstuvwxyz"', 'child: exited 0 (status 0x0)',
      'setpipe 1 4096', 'getpipe 4096', 'setpipe 10000 16384', 'setpipe 4096 busy -1 EBUSY',
      'getpipe on a directory -1 EBADF'));
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(report.processes?.map((p) => [p.pid - report.processes![0].pid, p.exit?.kind, p.exit?.code])).toEqual([
      [0, 'exited', 0], [1, 'exited', 0]]);
    expect(qemu('pipe_eof').stdout).toBe(report.stdout);
  });

  it('is deterministic: the same interleaving of two processes on a pipe, run after run', () => {
    const a = run('poll_pipe', { pid: 3000 }).report;
    const b = run('poll_pipe', { pid: 3000 }).report;
    expect([b.stdout, b.icount, b.signals, b.processes]).toEqual([a.stdout, a.icount, a.signals, a.processes]);
  });

  it('a read that only its own process could satisfy: outcome stuck, naming the pipe', () => {
    const { report } = run('pipe_eof', { argv: ['pipe_eof', 'stuck'], pid: 4000 });
    expect(report.exit.kind).toBe('stuck');
    // the first pipe's inode number is the first get_next_ino (20000), in every run
    expect(report.notes[0]).toMatch(
      /^stuck: task 4000 \(pipe_eof\) waits in read\(0x3, 0x[0-9a-f]+, 0x1, 0x[0-9a-f]+\) for data in pipe:\[20000\], with nothing that could wake it$/);
  });

  it('SIGPIPE: the default kills the writer (status 13, no core); ignored: EPIPE; caught: SI_USER from itself', () => {
    const { root, report } = run('pipe_sigpipe');
    expect(report.stdout).toBe(lines(
      'writer child: killed by 13 core=0 (status 0xd)', 'ignored: write -1 EPIPE', 'caught: write -1 EPIPE',
      'handler: sig 13 code 0 from self 1', 'big write into a pipe whose reader left: 65536',
      'reader child: exited 0 (status 0x0)'));
    const child = report.processes![1];
    expect(child.exit).toEqual({ kind: 'signaled', code: null, signal: 'SIGPIPE', coreDumped: false, waitStatus: 13 });
    expect(child.signals.map((s) => [s.name, s.codeName, s.source, s.action])).toEqual([['SIGPIPE', 'SI_USER', 'kernel', 'default']]);
    expect(child.core.dumped).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith('core'))).toEqual([]);
    expect(report.signals.filter((s) => s.name === 'SIGPIPE').map((s) => s.action)).toEqual(['ignored', 'handler', 'ignored']);
    expect(qemu('pipe_sigpipe').stdout).toBe(report.stdout);
  });

  it('O_NONBLOCK: EAGAIN; 16 page slots; small writes merge; PIPE_BUF atomicity; partial writes; packets', () => {
    const { report } = run('pipe_nonblock');
    expect(report.stdout).toBe(lines(
      'getfl 4000 4001 getfd 1', 'empty read -1 EAGAIN', 'filled with pages: 65536, then -1 EAGAIN',
      'one more byte -1 EAGAIN', 'drained 65536', '100000 after 1 byte: 63136', 'drained 63137',
      'after 4000 merged bytes, pages took 61440', 'atomic 200 -1 EAGAIN', 'drained 65440',
      'PIPE_BUF write into 96 free bytes: -1 EAGAIN', '96-byte write: 96', 'drained 65536',
      'setfl 0 getfl 0', 'setfl 0 getfl 6000', 'read -1 EAGAIN', 'direct getfl 0 200001',
      'packet 1: 3 "abc"', 'packet 2 (2 of 5): 2 "de"', 'then -1 EAGAIN', 'bad flags -1 EINVAL'));
    expect(qemu('pipe_nonblock').stdout).toBe(report.stdout);
  });

  it('1 MiB each way between parent and child, both sides blocking, checksums equal', () => {
    const { report } = run('pipe_big');
    expect(report.stdout).toBe(lines(
      'sum 9d9dfcb56f800000', 'child read 1048576 sum 9d9dfcb56f800000', 'parent wrote 1048576',
      'reader: exited 0 (status 0x0)', 'parent read 1048576 sum 9d9dfcb56f800000', 'writer: exited 0 (status 0x0)'));
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(qemu('pipe_big').stdout).toBe(report.stdout);
  });

  it('poll, ppoll and pselect wait for the other process; POLLHUP, POLLERR, POLLNVAL; the ppoll sigmask', () => {
    const { report } = run('poll_pipe');
    expect(report.stdout).toBe(lines(
      'empty: poll 1 revents 0x0 0x4', 'timeout: poll 0', 'wait: poll 1 revents 0x1', "read '!'",
      'until the child exits: poll 1 revents 0x10', 'read at EOF 0', 'pselect 1 isset 1',
      'pselect read+write 1 r 0 w 1', 'pselect closed fd -1 EBADF', 'no reader: poll 1 revents 0xc',
      'closed: poll 1 revents 0x20', 'ppoll -1 EINTR handler ran 1', 'SIGUSR1 blocked again 1',
      'ppoll with pending -1 EINTR handler ran 2', 'ppoll timeout 0 left 0.050000000',
      'raw ppoll timeout 0 left 0.000000000', 'raw ppoll ready 1 left in (20ms, 30ms] 1'));
    expect(qemu('poll_pipe').stdout).toBe(report.stdout);
  });
});

describe('descriptors', () => {
  const expected = [
    'dup 5', 'dup3 cloexec 9', 'dup3 same -1 EINVAL', 'dup3 bad flags -1 EINVAL', 'dup3 closed -1 EBADF',
    'dup3 too big -1 EBADF', 'dup2 same 3', 'dup2 replaces 5', 'F_DUPFD 7 7', 'F_DUPFD_CLOEXEC 7 8',
    'F_DUPFD limit -1 EINVAL', 'F_DUPFD neg -1 EINVAL', 'fd 3 getfd 0', 'fd 4 getfd 0', 'fd 5 getfd 0',
    'fd 6 getfd -1 EBADF', 'fd 7 getfd 0', 'fd 8 getfd 1', 'fd 9 getfd 1', 'setfd 0 getfd 1', 'setfd 0 0 getfd 0',
    'getfl via the other descriptor 4001', 'getfd of the other 0', 'bad fcntl fd -1 EBADF', 'dup until EMFILE, last 11',
    'F_DUPFD at limit -1 EINVAL', 'dup3 at limit -1 EBADF', 'close_range cloexec 0', 'fd 6 getfd 1', 'close_range 0',
    'close_range bad -1 EINVAL',
  ];

  it('dup, dup3, fcntl F_DUPFD(_CLOEXEC)/F_GETFD/F_SETFD/F_GETFL/F_SETFL, RLIMIT_NOFILE, close_range', () => {
    const { report } = run('dup_fcntl');
    expect(report.stdout).toBe(lines(...expected));
    expect(qemu('dup_fcntl').stdout).toBe(report.stdout);
  });

  it('close-on-exec: the marked descriptors are gone in the new image, the others (and the pipe data) stay', () => {
    const root = mkdtempSync(join(tmpdir(), 'af-cloexec-'));
    copyFileSync(prog('dup_fcntl'), join(root, 'dup_fcntl'));
    const { report } = run('dup_fcntl', { root, argv: ['./dup_fcntl', 'exec'] });
    expect(report.stdout).toBe(lines(...expected,
      'after exec: fd 3 open, flags 0', 'after exec: fd 4 open, flags 0', 'after exec: fd 5 open, flags 0',
      'after exec: fd 8 open, flags 0', 'after exec: fd 10 open, flags 0', "after exec: read fd 3 1 'Z'"));
  });

  it('getdents64 lists exactly the entries: ".", "..", files, a directory and a symlink, with d_ino = st_ino', () => {
    const { report } = run('getdents');
    expect(report.stdout).toBe(lines(
      'getdents64 1', '  . type 4', '  .. type 4', '  a-much-longer-name-that-needs-a-bigger-record.txt type 8',
      '  alpha type 8', '  bravo type 8', '  link type 10', '  sub type 4',
      'entries 7 aligned 1 inodes match stat 1', 'end 0', 'lseek ok', 'resumed at the fourth: 1',
      '24-byte buffer: 0 after 4 calls', 'tiny buffer -1 EINVAL', 'on a file -1 ENOTDIR', 'bad fd -1 EBADF',
      'dotdot is cwd 1', 'readdir 7'));
    expect(qemu('getdents').stdout).toBe(report.stdout);
  });
});

describe('pipelines in a real shell (busybox-static from Debian arm64, as test/shell.test.ts sets it up)', () => {
  const BUSYBOX = join(import.meta.dirname, '..', '.cache', 'arm64-root', 'bin', 'busybox');
  function sh(script: string) {
    if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: scripts/setup.sh downloads busybox-static:arm64`);
    const root = mkdtempSync(join(tmpdir(), 'af-shp-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
    for (const a of ['sh', 'cat', 'echo', 'tr', 'head', 'yes']) symlinkSync('busybox', join(root, 'bin', a));
    const report = new Machine(join(root, 'bin', 'sh'), { root, argv: ['sh', '-c', script], env: ['PATH=/bin'] }).run();
    const q = spawnSync('qemu-aarch64', [join(root, 'bin', 'busybox'), 'sh', '-c', script], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { PATH: '/bin' } });
    return { report, qemu: q.stdout };
  }

  it('pipelines of subshells and command substitution, as qemu-aarch64 runs them', () => {
    const script = `echo one | (read x; echo "read $x")
x=$(echo substituted); echo "x=$x"
echo a b c | { read p q r; echo "$r$q$p"; }
(echo 1; echo 2; echo 3) | (while read n; do echo "n=$n"; done)
echo "pipeline status: $(false | true; echo $?) $(true | false; echo $?)"`;
    const { report, qemu: q } = sh(script);
    expect(report.stdout).toBe(lines('read one', 'x=substituted', 'cba', 'n=1', 'n=2', 'n=3', 'pipeline status: 0 1'));
    expect(q).toBe(report.stdout);
  });

  it('pipelines of exec\'d programs; yes dies of SIGPIPE once head has read its lines', () => {
    // qemu-aarch64 would run the host's /bin programs here (no binfmt_misc): nothing to compare
    const { report } = sh('echo hi | /bin/cat; /bin/echo piped | /bin/tr a-z A-Z; /bin/yes | /bin/head -n 3; echo "status $?"');
    expect(report.stdout).toBe(lines('hi', 'PIPED', 'y', 'y', 'y', 'status 0'));
    const yes = report.processes!.find((p) => p.argv[0] === '/bin/yes');
    expect(yes?.exit).toMatchObject({ kind: 'signaled', signal: 'SIGPIPE', coreDumped: false, waitStatus: 13 });
  });
});
