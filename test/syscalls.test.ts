// System calls that real programs make on the way (ls, cp, sort, bash): statx, the extended-attribute calls, the
// socket calls on descriptors that are not sockets, fadvise64, sched_getaffinity, eventfd and epoll; and what the report says of a
// syscall Linux has and we do not emulate (its errno, and one note per syscall with a count).
import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { prog } from './helpers.ts';
import { afIn } from './bin.ts';

function runInRoot(name: string, argv: string[] = [], o: Partial<MachineOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'af-sys-'));
  copyFileSync(prog(name), join(root, name));
  return new Machine(join(root, name), { root, argv: [name, ...argv], ...o }).run();
}

function qemu(name: string): string {
  const root = mkdtempSync(join(tmpdir(), 'af-qemu-'));
  copyFileSync(prog(name), join(root, name));
  return spawnSync('qemu-aarch64', [join(root, name)], { cwd: root, encoding: 'utf8', timeout: 20_000 }).stdout;
}

describe('statx and the extended attributes', () => {
  it('statx gives what fstatat gives, for files, links, /proc, pipes; its EINVAL checks; as on qemu-aarch64', () => {
    const r = runInRoot('stat_statx', ['xattr']);
    const lines = r.stdout.split('\n');
    // v6.11 took a NULL path with AT_EMPTY_PATH as the descriptor itself; qemu-aarch64 refuses it with EFAULT
    const ours = lines.filter((l) => !l.startsWith('pipe, NULL path'));
    expect(qemu('stat_statx').split('\n').filter((l) => !l.startsWith('pipe, NULL path'))).toEqual(ours.slice(0, 10).concat(''));
    expect(lines).toContain('pipe, NULL path: statx = fstatat, type 010000');
    expect(lines.slice(0, 11)).toEqual([
      'file: statx = fstatat, type 0100000', 'directory: statx = fstatat, type 040000',
      'symlink followed: statx = fstatat, type 0100000', 'symlink itself: statx = fstatat, type 0120000',
      '/proc/self/status (times aside): statx = fstatat, type 0100000', 'pipe, AT_EMPTY_PATH: statx = fstatat, type 010000',
      'pipe, NULL path: statx = fstatat, type 010000', 'missing: statx errno ENOENT', 'STATX__RESERVED: -1 EINVAL',
      'both sync types: -1 EINVAL', 'unknown flag: -1 EINVAL',
    ]);
    // a filesystem without xattr support: an empty list, EOPNOTSUPP, and the lookup's own errors first
    expect(lines.slice(11)).toEqual(['listxattr: 0', 'lgetxattr: -1 EOPNOTSUPP', 'setxattr: -1 EOPNOTSUPP',
      'getxattr missing: -1 ENOENT', 'fgetxattr pipe: -1 EOPNOTSUPP', '']);
    expect(r.notes).toEqual([]);
  });
});

describe('the working directory and file attributes', () => {
  it('chdir, fchdir, renameat2, linkat, chmod, utimensat (to the nanosecond), fsync; as on qemu-aarch64', () => {
    const r = runInRoot('fs_attr');
    const [files, ids] = r.stdout.split('--- ids\n');
    // qemu-aarch64 7.2 does not know fchmodat2 (v6.6): ENOSYS there, v6.17's EOPNOTSUPP for a symlink here
    expect(files).toContain('fchmodat2 NOFOLLOW on a symlink: -1 EOPNOTSUPP\n');
    const [ours, theirs] = [files, qemu('fs_attr').split('--- ids\n')[0]].map((t) => t.replace(/^fchmodat2 .*\n/m, ''));
    expect(ours).toBe(theirs);
    for (const line of ['getcwd: /d', 'nlink after link: 2', 'mode: 640', 'renameat2 NOREPLACE onto h: -1 EEXIST',
      'times: atime 1000000000.000000005 mtime 1300000000.000000000', 'fsync pipe: -1 EINVAL']) expect(files.split('\n')).toContain(line);
    // the ids are the guest's (uid 1000), not the host's that qemu passes through
    expect(ids).toBe('chown to itself: 0\nchown to 4242: -1 EPERM\ngetgroups: 0\nsetgroups: -1 EPERM\ngetgroups after: 0\n' +
      'status Groups:\t \ngetresuid: 1000 1000 1000\n');
    expect(r.notes).toEqual([]);
  });

  it('as root: chown reaches the host file, setgroups sets the groups /proc shows', () => {
    const r = runInRoot('fs_attr', [], { uid: 0, gid: 0 });
    // the host file changes owner only when the emulator itself may do that (it runs as root in CI)
    const chown = process.getuid!() === 0 ? 'chown to 4242: 0' : 'chown to 4242: -1 EPERM';
    expect(r.stdout.split('--- ids\n')[1]).toBe(`chown to itself: 0\n${chown}\ngetgroups: 0\nsetgroups: 0\ngetgroups after: 2\n` +
      'status Groups:\t4242 4243 \ngetresuid: 0 0 0\n');
  });
});

describe('statfs and copy_file_range', () => {
  it('the filesystem of a directory, /proc and a pipe; copies with offsets and positions, and the checks; as on qemu-aarch64', () => {
    const r = runInRoot('statfs_copy');
    expect(r.stdout).toBe(qemu('statfs_copy'));
    for (const line of ['statfs /proc/self: type 0x9fa0, blocks 0', 'fstatfs pipe: type 0x50495045', 'offsets now 6 4',
      'positions now 10 7', 'out: 2345789', 'overlapping in one file: -1 EINVAL', 'from a directory: -1 EISDIR']) {
      expect(r.stdout.split('\n')).toContain(line);
    }
    expect(r.notes).toEqual([]);
  });
});

describe('credentials', () => {
  it('the set*id calls of a root process dropping privileges, as the host kernel answers them under qemu-aarch64', () => {
    const r = runInRoot('cred_ids', [], { uid: 0, gid: 0 });
    // qemu-aarch64 passes the calls to the host kernel: it must run as root for the same start
    expect(process.getuid!()).toBe(0);
    expect(r.stdout).toBe(qemu('cred_ids'));
    for (const line of ['setresuid(-1, 1000, 0): 0; uid 0 1000 0 gid 0 100 0 dumpable 0',
      'setuid(1000): all three: 0; uid 1000 1000 1000 gid 100 100 100 dumpable 0',
      'setuid(0) now: -1 EPERM; uid 1000 1000 1000 gid 100 100 100 dumpable 0',
      'setuid(-1): -1 EINVAL; uid 1000 1000 1000 gid 100 100 100 dumpable 0']) expect(r.stdout.split('\n')).toContain(line);
  });

  it('a changed effective uid makes the process undumpable at suid_dumpable 0: no core, and the report says why', () => {
    const r = runInRoot('cred_ids', ['crash'], { uid: 0, gid: 0 });
    expect([r.exit.signal, r.core.dumped, r.core.steps.find((s) => !s.ok)?.step]).toEqual(['SIGSEGV', false, 'dumpable']);
    expect(r.core.reason).toContain('changed its effective or filesystem uid/gid');
    const dumped = runInRoot('cred_ids', ['crash'], { uid: 0, gid: 0, suidDumpable: 1 });
    expect(dumped.core.dumped).toBe(true);
  });
});

describe('eventfd and epoll', () => {
  it('counters, semaphores, level and edge triggers, EPOLLONESHOT, EPOLLHUP, a blocking wait, the sigmask; as on qemu-aarch64', () => {
    const r = runInRoot('epoll_eventfd');
    expect(r.stdout).toBe(qemu('epoll_eventfd'));
    for (const line of ['semaphore: read 1, 1, then EAGAIN', 'add a regular file: -1 EPERM',
      'again: the pipe (level), not the eventfd (edge): 1 [data 1 events 0x1]',
      'eventfd emptied and written: an edge: 2 [data 1 events 0x1] [data 2 events 0x1]', 'oneshot spent: 0',
      'blocked until the child writes: 1 [data 1 events 0x1]', 'writer gone: 1 [data 1 events 0x10]',
      'epoll_pwait, SIGUSR1 let in by its mask: -1 EINTR', 'blocking eventfd read: 5']) expect(r.stdout.split('\n')).toContain(line);
    expect([r.exit.kind, r.notes]).toEqual(['exited', []]);
  });
});

describe('syscalls with no object behind them, and those not emulated', () => {
  it('answers as Linux does where it can, gives ENOSYS with one counted note where it cannot', () => {
    const r = runInRoot('sys_unemulated');
    expect(r.stdout).toBe(`socket: -1 ENOSYS
socket: -1 ENOSYS
socket: -1 ENOSYS
syscall 244: -1 ENOSYS
getpeername(0): -1 ENOTSOCK
getpeername(99): -1 EBADF
fadvise64(0): -1 ESPIPE
fadvise64(file): 0 
fadvise64(file, advice 6): -1 EINVAL
sched_getaffinity: 8, CPUs 1
sched_getaffinity(len 4): -1 EINVAL
`);
    // 244 is no syscall on Linux either: ENOSYS there too, so no note
    expect(r.notes).toEqual([expect.stringMatching(
      /^not emulated: system call socket \(198\): the guest got ENOSYS \(first by pid 1000 at instruction \d+\); 3 calls in all$/)]);
  });

  it('says so in the text report and in strace, by name', () => {
    const root = mkdtempSync(join(tmpdir(), 'af-sys-'));
    copyFileSync(prog('sys_unemulated'), join(root, 'sys_unemulated'));
    const r = afIn(root, 'run', '--strace', join(root, 'sys_unemulated'));
    expect(r.stderr).toMatch(/^socket\(0x1, 0x1, 0x0, .*\) = -1 ENOSYS \(Function not implemented\)$/m);
    expect(r.stderr).toMatch(/^note: not emulated: system call socket \(198\): the guest got ENOSYS \(first by pid 1000 at instruction \d+\); 3 calls in all$/m);
  });
});
