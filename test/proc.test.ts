// The guest's /proc (src/fs/proc/): each file byte for byte in the format of Linux v6.17's format strings
// (fs/proc/array.c, base.c, task_mmu.c, kernel/sysctl.c), compared with qemu-aarch64, which passes most of
// /proc/self through to the host kernel (or makes up its own), and the sysctl writes taking effect.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog, run } from './helpers.ts';
import { af } from './bin.ts';

/** The sections `==> FILE` … `<==` that proc_self prints, by file. */
function sections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^==> (\S+)\n([\s\S]*?)<==\n/gm)) out[m[1]] ??= m[2]; // the first read
  return out;
}

const dec = /^\d+$/;
const kB = /^(?=.{11,}$) *\d+ kB$/; // SEQ_PUT_DEC: seq_put_decimal_ull_width(…, 8) then " kB"
const set16 = /^[0-9a-f]{16}$/; // render_sigset_t, render_cap_t
const bitmap = /^[0-9a-f]+(,[0-9a-f]{8})*$/; // %*pb
/** proc_pid_status, line by line: the key and the value's format (array.c, task_mmu.c task_mem, hugetlb). */
const STATUS: [string, RegExp][] = [
  ['Name', /^[^\n]{1,64}$/], ['Umask', /^0[0-7]{3}$/], ['State', /^[RSDTtXZPI] \([a-z ]+\)$/], ['Tgid', dec], ['Ngid', dec],
  ['Pid', dec], ['PPid', dec], ['TracerPid', dec], ['Uid', /^\d+\t\d+\t\d+\t\d+$/], ['Gid', /^\d+\t\d+\t\d+\t\d+$/],
  ['FDSize', dec], ['Groups', /^(\d+( \d+)*)? $/], ['NStgid', /^\d+(\t\d+)*$/], ['NSpid', /^\d+(\t\d+)*$/],
  ['NSpgid', /^\d+(\t\d+)*$/], ['NSsid', /^\d+(\t\d+)*$/], ['Kthread', /^[01]$/],
  ...['VmPeak', 'VmSize', 'VmLck', 'VmPin', 'VmHWM', 'VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'VmData', 'VmStk',
    'VmExe', 'VmLib', 'VmPTE', 'VmSwap', 'HugetlbPages'].map((k): [string, RegExp] => [k, kB]),
  ['CoreDumping', /^[01]$/], ['THP_enabled', /^[01]$/], ['untag_mask', /^0x[0-9a-f]+$/], ['Threads', dec],
  ['SigQ', /^\d+\/\d+$/], ...['SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd',
    'CapAmb'].map((k): [string, RegExp] => [k, set16]),
  ['NoNewPrivs', /^[01]$/], ['Seccomp', /^[0-2]$/], ['Seccomp_filters', dec],
  ['Speculation_Store_Bypass', /^(unknown|not vulnerable|thread force mitigated|thread mitigated|thread vulnerable|globally mitigated|vulnerable)$/],
  ['SpeculationIndirectBranch', /^(unsupported|not affected|conditional force disabled|conditional disabled|conditional enabled|always enabled|always disabled|unknown)$/],
  ['Cpus_allowed', bitmap], ['Cpus_allowed_list', /^[0-9,-]+$/], ['Mems_allowed', bitmap], ['Mems_allowed_list', /^[0-9,-]+$/],
  ['voluntary_ctxt_switches', dec], ['nonvoluntary_ctxt_switches', dec],
];

const statusLines = (text: string): [string, string][] =>
  text.split('\n').slice(0, -1).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':\t') + 2)]);

/** The lines of `text` whose format is not the kernel's: [key, value] pairs (an unknown key fails too). */
function badStatusLines(text: string): string[] {
  return statusLines(text).filter(([k, v]) => !STATUS.find(([key]) => key === k)?.[1].test(v)).map(([k, v]) => `${k}: ${v}`);
}

/** show_map_vma: "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " then, with a name, padding to column 73 and the name. */
const MAPS_LINE = /^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][sp] [0-9a-f]{8} [0-9a-f]{2,}:[0-9a-f]{2,} \d+ (\s*\S.*)?$/;

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        unlimited            unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             95693                95693                processes 
Max open files            1024                 1048576              files     
Max locked memory         8388608              8388608              bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       95693                95693                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
`;

describe('/proc/self', () => {
  const { report } = run('proc_self', { argv: ['proc_self', 'a', 'b c'], env: ['A=1', 'B=two'] });
  const s = sections(report.stdout);
  const q = spawnSync('qemu-aarch64', [prog('proc_self'), 'a', 'b c'], { encoding: 'utf8', env: { PATH: process.env.PATH, A: '1' } });
  const qs = sections(q.stdout);

  it('status: every line in the kernel format, the values the process has', () => {
    expect(badStatusLines(s['/proc/self/status'])).toEqual([]);
    expect(statusLines(s['/proc/self/status']).map(([k]) => k)).toEqual(STATUS.map(([k]) => k));
    const v = Object.fromEntries(statusLines(s['/proc/self/status']));
    expect(v).toMatchObject({
      Name: 'proc_self', Umask: '0022', State: 'R (running)', Tgid: '1000', Pid: '1000', PPid: '999', TracerPid: '0',
      Uid: '1000\t1000\t1000\t1000', Gid: '1000\t1000\t1000\t1000', FDSize: '64', Groups: ' ', NSpgid: '1000',
      Threads: '1', SigQ: '0/95693', SigBlk: '0000000000000000', CapEff: '0000000000000000', CapBnd: '000001ffffffffff',
      CoreDumping: '0', untag_mask: '0xffffffffffffffff', Cpus_allowed: '1', Cpus_allowed_list: '0',
    });
    expect(report.stdout).toContain('self-check ok');
  });

  it('status under qemu-aarch64 is the host kernel\'s (the qemu process): the same format, other values', () => {
    expect(q.status).toBe(0);
    const host = qs['/proc/self/status'];
    // the host kernel's lines that we also print are in the same format; its extra lines are arch-specific
    const ours = new Set(STATUS.map(([k]) => k));
    expect(badStatusLines(host).filter((l) => ours.has(l.slice(0, l.indexOf(':'))))).toEqual([]);
    expect(statusLines(host).map(([k]) => k).filter((k) => !ours.has(k) && !k.startsWith('x86_'))).toEqual([]);
    // named difference: qemu shows the host process (its pid, its threads), not the guest's view
    expect(statusLines(host).find(([k]) => k === 'Pid')?.[1]).not.toBe('1000');
  });

  it('stat: 52 fields of do_task_stat with the task\'s values; qemu makes up 44 of its own', () => {
    const f = s['/proc/self/stat'].trimEnd().split(' ');
    expect(f).toHaveLength(52);
    expect(s['/proc/self/stat'].endsWith('\n')).toBe(true);
    expect(f.slice(0, 8)).toEqual(['1000', '(proc_self)', 'R', '999', '1000', '1000', '0', '-1']);
    expect(f[18 - 1]).toBe('20'); // priority
    expect(f[20 - 1]).toBe('1'); // num_threads
    expect(f[25 - 1]).toBe('18446744073709551615'); // rsslim: RLIMIT_RSS unlimited
    expect(f[38 - 1]).toBe('17'); // exit_signal SIGCHLD
    expect(f.every((x, i) => i === 1 || i === 2 || /^-?\d+$/.test(x))).toBe(true);
    // named difference: qemu-user's open_self_stat prints 44 fields, most of them 0
    expect(qs['/proc/self/stat'].trimEnd().split(' ')).toHaveLength(44);
  });

  it('cmdline, environ, comm, coredump_filter, limits, statm: byte for byte', () => {
    expect(s['/proc/self/cmdline']).toBe('proc_self\0a\0b c\0');
    expect(qs['/proc/self/cmdline']).toBe(`${prog('proc_self')}\0a\0b c\0`); // qemu: argv[0] as it was run
    expect(s['/proc/self/environ']).toBe('A=1\0B=two\0');
    expect(s['/proc/self/comm']).toBe('proc_self\n');
    expect(s['/proc/self/coredump_filter']).toBe('00000033\n');
    expect(s['/proc/self/limits']).toBe(LIMITS);
    // qemu passes limits through: the host's values, the same columns ("%-25s %-20s %-20s %-10s\n")
    expect(qs['/proc/self/limits'].split('\n')[0]).toBe(LIMITS.split('\n')[0]);
    for (const l of qs['/proc/self/limits'].split('\n').slice(1, -1)) expect(l).toMatch(/^.{25} .{20} .{20} (.{10})?$/);
    expect(s['/proc/self/statm']).toMatch(/^\d+ \d+ \d+ \d+ 0 \d+ 0\n$/);
  });

  it('maps: show_map_vma\'s columns, the program, [heap], [vdso] and [stack]; qemu pads less', () => {
    const lines = s['/proc/self/maps'].split('\n').slice(0, -1);
    for (const l of lines) expect(l).toMatch(MAPS_LINE);
    for (const l of lines.filter((x) => / \S+$/.test(x.slice(73)))) expect(l[72]).toBe(' ');
    expect(lines[0]).toMatch(new RegExp(`^00400000-00[0-9a-f]{6} r-xp 00000000 00:00 0 {34}${prog('proc_self')}$`));
    expect(lines.map((l) => l.slice(73)).filter((n) => n.startsWith('['))).toEqual(['[heap]', '[vdso]', '[stack]']);
    expect(lines.at(-1)).toMatch(/^fffffffde000-1000000000000 rw-p 00000000 00:00 0 +\[stack\]$/);
    // named differences: qemu prints the start without the kernel's zero padding, its own guard pages and the
    // host's device and inode for the file
    const q0 = qs['/proc/self/maps'].split('\n')[0];
    expect(q0).toMatch(/^400000-[0-9a-f]{6} r-xp 00000000 [0-9a-f]+:[0-9a-f]+ [1-9]\d* +\S+proc_self$/);
    expect(BigInt(`0x${q0.slice(7, 13)}`)).toBe(BigInt(`0x${lines[0].slice(9, 17)}`)); // the same text segment
  });

  it('sysctls, links, stat modes, and writes to comm and coredump_filter', () => {
    expect([s['/proc/sys/kernel/core_pattern'], s['/proc/sys/kernel/osrelease'], s['/proc/sys/vm/max_map_count'],
      s['/proc/sys/kernel/pid_max'], s['/proc/sys/fs/suid_dumpable']]).toEqual(['core\n', '6.17.0-arm64-fault\n', '65530\n', '32768\n', '0\n']);
    const out = report.stdout.slice(report.stdout.indexOf('readlink /proc/self ->'));
    expect(out.split('\n')).toEqual([
      'readlink /proc/self -> 1000', 'readlink /proc/thread-self -> 1000/task/1000',
      `readlink /proc/self/exe -> ${prog('proc_self')}`, 'readlink /proc/self/cwd -> /', 'readlink /proc/self/root -> /',
      'readlink /proc/self/fd/1 -> pipe:[0]',
      'stat /proc: mode 40555 uid 0', 'stat /proc/self: mode 40555 uid 1000', 'stat /proc/self/status: mode 100444 uid 1000',
      'stat /proc/self/fd: mode 40500 uid 1000', 'stat /proc/sys/kernel/core_pattern: mode 100644 uid 0',
      'stat /proc/self/task: mode 40555 uid 1000', 'stat /proc/nonexistent: No such file or directory',
      'fstat /proc/self: directory',
      'write /proc/self/comm = 7', '==> /proc/self/comm', 'renamed', '<==',
      'write /proc/self/coredump_filter = 5', '==> /proc/self/coredump_filter', '0000007f', '<==',
      'write /proc/self/coredump_filter = -1 Invalid argument',
      'write /proc/sys/kernel/core_pattern: open: Permission denied', 'self-check ok', '',
    ]);
  });
});

/** Runs proc_sysctl (FILE=VALUE … [crash]) as the given uid in a fresh root. */
function sysctl(uid: number, ...args: string[]) {
  return run('proc_sysctl', { uid, gid: uid, argv: ['proc_sysctl', ...args] });
}

describe('/proc/sys writes', () => {
  it('root sets core_pattern: the core lands at the new name, the report records who changed what, when', () => {
    const { root, report } = sysctl(0, '/proc/sys/kernel/core_pattern=core.%e.%p', 'crash');
    expect(report.stdout).toBe('write /proc/sys/kernel/core_pattern: 11\nread /proc/sys/kernel/core_pattern: core.%e.%p\n');
    expect(report.core).toMatchObject({ dumped: true, path: join(root, 'core.proc_sysctl.1000') });
    expect(readdirSync(root)).toContain('core.proc_sysctl.1000');
    expect(report.sysctlChanges).toEqual([{ name: 'kernel.core_pattern', old: 'core', new: 'core.%e.%p', pid: 1000,
      comm: 'proc_sysctl', icount: expect.any(Number) }]);
    expect(report.sysctl).toEqual({ 'kernel.core_pattern': 'core.%e.%p', 'kernel.core_uses_pid': '0',
      'kernel.core_pipe_limit': '0', 'fs.suid_dumpable': '0' });
  });

  it('a user gets EACCES at open (mode 0644, test_perm) and the default pattern stays', () => {
    const { root, report } = sysctl(1000, '/proc/sys/kernel/core_pattern=mine', 'crash');
    expect(report.stdout).toBe('open /proc/sys/kernel/core_pattern: Permission denied\n');
    expect(report.core.path).toBe(join(root, 'core'));
    expect(report.sysctlChanges).toEqual([]);
  });

  it('the kernel\'s parsing: proc_dostring truncates, proc_dointvec_minmax rejects out of range, 0444 is read-only', () => {
    const long = 'c'.repeat(200);
    const { report } = sysctl(0, `/proc/sys/kernel/core_pattern=${long}`, '/proc/sys/fs/suid_dumpable=3',
      '/proc/sys/kernel/core_pipe_limit=-1', '/proc/sys/kernel/core_uses_pid=0x10', '/proc/sys/kernel/pid_max=7',
      '/proc/sys/kernel/osrelease=x', '/proc/sys/vm/max_map_count=1000', '/proc/sys/kernel/hostname=guest');
    expect(report.stdout.split('\n')).toEqual([
      'write /proc/sys/kernel/core_pattern: 201', `read /proc/sys/kernel/core_pattern: ${long.slice(0, 127)}`,
      'write /proc/sys/fs/suid_dumpable: -1 Invalid argument', 'read /proc/sys/fs/suid_dumpable: 0',
      'write /proc/sys/kernel/core_pipe_limit: -1 Invalid argument', 'read /proc/sys/kernel/core_pipe_limit: 0',
      'write /proc/sys/kernel/core_uses_pid: 5', 'read /proc/sys/kernel/core_uses_pid: 16',
      'write /proc/sys/kernel/pid_max: -1 Invalid argument', 'read /proc/sys/kernel/pid_max: 32768',
      'open /proc/sys/kernel/osrelease: Permission denied',
      'write /proc/sys/vm/max_map_count: 5', 'read /proc/sys/vm/max_map_count: 1000',
      'write /proc/sys/kernel/hostname: 6', 'read /proc/sys/kernel/hostname: guest', '',
    ]);
    expect(report.sysctlChanges.map((c) => [c.name, c.new])).toEqual([['kernel.core_pattern', long.slice(0, 127)],
      ['kernel.core_uses_pid', '16'], ['vm.max_map_count', '1000'], ['kernel.hostname', 'guest']]);
  });

  it('v6.17 checks after a read: "@relative" is stored, then reading it fails; the suid_dumpable=2 warning', () => {
    const { report } = sysctl(0, '/proc/sys/fs/suid_dumpable=2', '/proc/sys/kernel/core_pattern=@relative');
    expect(report.stdout).toBe('write /proc/sys/fs/suid_dumpable: 2\nread /proc/sys/fs/suid_dumpable: 2\n' +
      'write /proc/sys/kernel/core_pattern: 10\nread /proc/sys/kernel/core_pattern: Invalid argument\n');
    // the first read (suid_dumpable, with the pattern still "core") logs the warning; the second fails first
    expect(report.kernelLog).toEqual(['coredump: 1000(proc_sysctl): Unsafe core_pattern used with fs.suid_dumpable=2: ' +
      'pipe handler or fully qualified core dump path required. Set kernel.core_pattern before fs.suid_dumpable.']);
  });

  it('explain and run show the values in force at the crash and the guest\'s changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'af-proc-'));
    // a set-user-ID copy runs as euid 0 (the host user stands for root as its owner); suid_dumpable 1 dumps it
    copyFileSync(prog('proc_sysctl'), join(root, 'proc_sysctl'));
    chmodSync(join(root, 'proc_sysctl'), 0o4755);
    const args = ['--root', root, '--suid-dumpable', '1', join(root, 'proc_sysctl'), '--', '/proc/sys/kernel/core_pattern=/core.%p.%s', 'crash'];
    const e = af('explain', ...args);
    expect(e.stdout).toContain('Core-dump sysctls in force: kernel.core_pattern = "/core.%p.%s", kernel.core_uses_pid = "0", ' +
      'kernel.core_pipe_limit = "0", fs.suid_dumpable = "1".');
    expect(e.stdout).toMatch(/the guest set kernel\.core_pattern "core" → "\/core\.%p\.%s" \(pid 1000, proc_sysctl, at instruction \d+\)/);
    expect(e.stdout).toContain(`Result: core written to ${join(root, 'core.1000.11')}`);
    expect(existsSync(join(root, 'core.1000.11'))).toBe(true);
    const r = af('run', ...args);
    expect(r.stderr + r.stdout).toMatch(/^sysctl: kernel\.core_pattern = "\/core\.%p\.%s" \(was "core"; written by 1000 \(proc_sysctl\) at insn \d+\)$/m);
  });
});

describe('/proc/<pid> of another process', () => {
  it('a forked child renamed through its comm and asleep in pause(): as the host kernel shows it under qemu', () => {
    const { report } = run('proc_child');
    const want = ['/proc/1001/comm: kid', '/proc/1001/status: State:\tS (sleeping)', '/proc/1001/status: PPid:\t1000',
      '/proc/1001/task/1001/comm: kid', '/proc/1001/coredump_filter: 00000033', '/proc/1001/status: unreadable',
      'reaped: killed', ''].join('\n');
    expect(report.stdout).toBe(want);
    // qemu passes /proc/<pid> of another process through to the host kernel: the same text, the host's pids
    const q = spawnSync('qemu-aarch64', [prog('proc_child')], { encoding: 'utf8' });
    const m = /^\/proc\/(\d+)\/comm/.exec(q.stdout);
    const ppid = /PPid:\t(\d+)/.exec(q.stdout);
    expect(q.stdout.replaceAll(`/${m?.[1]}/`, '/1001/').replace(`PPid:\t${ppid?.[1]}`, 'PPid:\t1000')).toBe(want);
  });
});
