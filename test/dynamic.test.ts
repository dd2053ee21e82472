// Issue 12: dynamically linked programs. The programs of programs/dyn/ (PIE, ld-linux-aarch64.so.1, libc.so.6,
// our libfault.so) run with the cross toolchain's sysroot (/usr/aarch64-linux-gnu, from libc6-arm64-cross) as
// --sysroot, or with a root that holds the interpreter and libraries itself. Checked: the layout Linux gives
// them (ELF_ET_DYN_BASE, the interpreter top-down below mmap_base, AT_BASE/AT_ENTRY/AT_PHDR), the fault
// location inside libc or our library, cores that gdb-multiarch unwinds through libc frames, and the same
// programs under qemu-aarch64 -L, line by line, every difference named.
import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { LoaderError } from '../src/errors.ts';
import { ELF_ET_DYN_BASE } from '../src/fs/binfmt_elf.ts';
import { procPidMaps } from '../src/fs/proc/task_mmu.ts';
import { prog } from './helpers.ts';

const SYSROOT = '/usr/aarch64-linux-gnu';
const DYN = ['dyn_hello', 'dyn_strlen', 'dyn_abort', 'dyn_dlopen', 'mmap_file', 'libfault.so'];

/** A fresh root with the dynamic programs and libfault.so in /bin (and an empty /tmp). */
function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'af-dyn-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'tmp'));
  for (const p of DYN) copyFileSync(prog(p), join(root, 'bin', p));
  return root;
}

function runDyn(name: string, args: string[] = [], opts: Partial<MachineOptions> = {}) {
  const root = opts.root ?? makeRoot();
  const m = new Machine(join(root, 'bin', name), { root, sysroot: SYSROOT, argv: [`/bin/${name}`, ...args], ...opts });
  return { root, m, report: m.run() };
}

const auxv = (m: Machine): Map<number, bigint> => {
  const a = m.mm.savedAuxv;
  const out = new Map<number, bigint>();
  for (let o = 0; o < a.length; o += 16) out.set(Number(a.readBigUInt64LE(o)), a.readBigUInt64LE(o + 8));
  return out;
};

/** gdb-multiarch on a core, with the sysroot and the root's /bin for our library. */
function gdb(root: string, program: string, core: string, cmds: string[]): string {
  const args = ['-batch', '-nx', '-iex', `set sysroot ${SYSROOT}`, '-iex', `set solib-search-path ${join(root, 'bin')}`,
    '-iex', 'set debuginfod enabled off', ...cmds.flatMap((c) => ['-ex', c]), program, core];
  return execFileSync('gdb-multiarch', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The same program under qemu-aarch64 -L, in a directory where its core lands (a dir named core blocks the host's). */
function qemu(root: string, name: string, args: string[] = []) {
  const q = mkdtempSync(join(tmpdir(), 'af-dynq-'));
  mkdirSync(join(q, 'core'));
  const r = spawnSync('bash', ['-c', `ulimit -c unlimited && exec env -i qemu-aarch64 -L ${SYSROOT} "$@"`, 'q', join(root, 'bin', name), ...args],
    { cwd: q, encoding: 'utf8' });
  const core = readdirSync(q).find((f) => f.endsWith('.core'));
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, signal: r.signal, core: core ? join(q, core) : null, dir: q };
}

/** Function names of a gdb backtrace, outermost last (gdb also prints frame #0 once when it loads the core). */
function frames(bt: string): string[] {
  const byLevel = new Map<number, string>();
  for (const l of bt.split('\n')) {
    const m = /^#(\d+) +(?:0x[0-9a-f]+ in )?(\S+) /.exec(l);
    if (m) byLevel.set(Number(m[1]), m[2]!);
  }
  return [...byLevel.keys()].sort((a, b) => a - b).map((k) => byLevel.get(k)!);
}

describe('loading (load_elf_binary with PT_INTERP)', () => {
  it('runs a PIE with ld.so and libc from --sysroot; argv and exit status as under qemu -L', () => {
    const { root, report } = runDyn('dyn_hello', ['x', 'y z']);
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(report.stdout).toBe('hello from a dynamic program, argc=3\nargv[1]=x\nargv[2]=y z\n');
    const q = qemu(root, 'dyn_hello', ['x', 'y z']);
    expect(q.stdout.split('\n')).toEqual(report.stdout.split('\n'));
    expect(q.status).toBe(0);
  });

  it('lays the process out as Linux does with randomization off', () => {
    const root = makeRoot();
    const m = new Machine(join(root, 'bin', 'dyn_hello'), { root, sysroot: SYSROOT, argv: ['/bin/dyn_hello'] });
    m.runUntil({ insns: 1n });
    const maps = procPidMaps(m.mm);
    // the program at ELF_ET_DYN_BASE aligned down to its 64 KiB p_align; the interpreter's image top-down below
    // mmap_base (no alignment beyond a page: load_elf_interp), the vDSO in the hole between ld.so's segments
    expect(ELF_ET_DYN_BASE).toBe(0xaaaaaaaaa000n);
    expect(maps).toMatch(/^aaaaaaaa0000-aaaaaaaa1000 r-xp 00000000 00:00 0 +\/bin\/dyn_hello$/m);
    expect(maps).toMatch(/^fffff7fbe000-fffff7fe5000 r-xp 00000000 00:00 0 +\/lib\/ld-linux-aarch64\.so\.1$/m);
    expect(maps).toMatch(/^fffff7ffb000-fffff7ffc000 r-xp 00000000 00:00 0 +\[vdso\]$/m);
    expect(maps).toMatch(/^fffff7ffc000-fffff8000000 rw-p 0002e000 00:00 0 +\/lib\/ld-linux-aarch64\.so\.1$/m);
    const at = auxv(m);
    expect(at.get(7)).toBe(0xfffff7fbe000n); // AT_BASE: the interpreter's load address
    const eEntry = readFileSync(prog('dyn_hello')).readBigUInt64LE(24);
    expect(at.get(9)).toBe(0xaaaaaaaa0000n + eEntry); // AT_ENTRY: the program's e_entry + load bias
    expect(at.get(3)).toBe(0xaaaaaaaa0040n); // AT_PHDR
    expect(m.cpu.pc).toBe(0xfffff7fbe000n + 0x1ac40n + 4n); // one instruction into ld.so's _start
    m.run();
  });

  it('symbols of a PIE program are relocated by its load bias (runUntil symbol)', () => {
    const root = makeRoot();
    const m = new Machine(join(root, 'bin', 'dyn_strlen'), { root, sysroot: SYSROOT, argv: ['/bin/dyn_strlen'] });
    const nm = execFileSync('aarch64-linux-gnu-nm', [prog('dyn_strlen')], { encoding: 'utf8' });
    const measure = BigInt('0x' + nm.split('\n').find((l) => l.endsWith(' T measure'))!.split(' ')[0]);
    expect(m.loadBias).toBe(0xaaaaaaaa0000n);
    expect(m.runUntil({ symbol: 'measure' })).toMatchObject({ reason: 'address', pc: 0xaaaaaaaa0000n + measure });
    expect(m.cpu.x(0)).toBe(0n); // strlen's argument, about to fault inside libc
    expect(m.run().signals[0]).toMatchObject({ name: 'SIGSEGV' });
  });

  it('runs with --root alone when the root holds the interpreter and libc (no sysroot)', () => {
    const root = makeRoot();
    mkdirSync(join(root, 'lib'));
    for (const f of ['ld-linux-aarch64.so.1', 'libc.so.6']) copyFileSync(join(SYSROOT, 'lib', f), join(root, 'lib', f));
    const report = new Machine(join(root, 'bin', 'dyn_hello'), { root, argv: ['/bin/dyn_hello'] }).run();
    expect(report.stdout).toBe('hello from a dynamic program, argc=1\n');
  });

  it('refuses a missing interpreter with the kernel errno and what to do', () => {
    const root = makeRoot();
    expect(() => new Machine(join(root, 'bin', 'dyn_hello'), { root })).toThrow(LoaderError);
    expect(() => new Machine(join(root, 'bin', 'dyn_hello'), { root })).toThrow(/interpreter \/lib\/ld-linux-aarch64\.so\.1 not found \(ENOENT\).*--sysroot/);
  });

  it('runs the interpreter directly: ld.so --list and ld.so <program>', () => {
    const root = makeRoot();
    const ld = join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1');
    const list = new Machine(ld, { root, sysroot: SYSROOT, argv: [ld, '--list', '/bin/dyn_abort'] }).run();
    expect(list.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(list.stdout).toContain('\tlinux-vdso.so.1 (0x0000fffff7ffb000)\n');
    expect(list.stdout).toMatch(/\tlibfault\.so => \/bin\/libfault\.so \(0x[0-9a-f]+\)\n/);
    expect(list.stdout).toMatch(/\tlibc\.so\.6 => \/lib\/libc\.so\.6 \(0x[0-9a-f]+\)\n/);
    const direct = new Machine(ld, { root, sysroot: SYSROOT, argv: [ld, '/bin/dyn_hello', 'a'] }).run();
    expect(direct.stdout).toBe('hello from a dynamic program, argc=2\nargv[1]=a\n');
  });
});

describe('faults inside shared objects', () => {
  it('strlen(NULL): SIGSEGV at a pc inside libc.so.6; gdb unwinds libc → measure → main from the core', () => {
    const { root, m, report } = runDyn('dyn_strlen', [], { exceptionTrace: true });
    expect(report.signals).toMatchObject([{ name: 'SIGSEGV', codeName: 'SEGV_MAPERR', addr: '0x0', esr: '0x92000004' }]);
    // print_vma_addr: the file, the pc's file offset, the VMA's start and size
    expect(report.kernelLog[0]).toMatch(/level 0 translation fault in libc\.so\.6\[[0-9a-f]+,fffff7e00000\+187000\]$/);
    // the report names the object and the offset from its load address (libc's text)
    const sig = report.signals[0]!;
    expect(sig).toMatchObject({ pc: `0x${m.cpu.pc.toString(16)}`, object: '/lib/libc.so.6', offset: `0x${(m.cpu.pc - 0xfffff7e00000n).toString(16)}` });
    expect(BigInt(sig.offset!) > 0x27000n && BigInt(sig.offset!) < 0x18664en).toBe(true);
    const core = join(root, 'core');
    const out = gdb(root, join(root, 'bin', 'dyn_strlen'), core, ['bt', 'info sharedlibrary']);
    expect(frames(out)).toEqual(['??', 'measure', 'main']); // #0: libc's internal strlen (no symbol: libc is stripped)
    expect(out).toMatch(/#0 +0x[0-9a-f]+ in \?\? \(\) from \/usr\/aarch64-linux-gnu\/lib\/libc\.so\.6/);
    expect(out).toMatch(/Yes \(\*\) +\/usr\/aarch64-linux-gnu\/lib\/libc\.so\.6/);
    expect(out).toMatch(/Yes \(\*\) +\/usr\/aarch64-linux-gnu\/lib\/ld-linux-aarch64\.so\.1/);
  });

  it('abort() from our library: SIGABRT SI_TKILL; gdb shows raise ← abort ← lib_abort ← call_lib ← main', () => {
    const { root, report } = runDyn('dyn_abort');
    expect(report.stderr).toBe('lib_abort: calling abort()\n');
    expect(report.signals).toMatchObject([{ name: 'SIGABRT', codeName: 'SI_TKILL' }]);
    expect(report.core.dumped).toBe(true);
    const out = gdb(root, join(root, 'bin', 'dyn_abort'), join(root, 'core'), ['bt', 'info sharedlibrary']);
    expect(frames(out)).toEqual(['??', 'raise', 'abort', 'lib_abort', 'call_lib', 'main']); // #0: pthread_kill internals (libc is stripped)
    expect(out).toMatch(/in lib_abort \(\) at dyn\/libfault\.c:\d+/);
    expect(out).toMatch(/Yes +.*\/bin\/libfault\.so/);
  });

  it('dlopen at run time, then a NULL store inside the loaded library', () => {
    const { root, m, report } = runDyn('dyn_dlopen', ['/bin']);
    expect(report.stdout).toBe('dlopen ok, lib_store(&x) = 42\n');
    expect(report.signals).toMatchObject([{ name: 'SIGSEGV', codeName: 'SEGV_MAPERR', addr: '0x0' }]);
    const sig = report.signals[0]!;
    expect(sig).toMatchObject({ pc: `0x${m.cpu.pc.toString(16)}`, object: '/bin/libfault.so', symbol: expect.stringMatching(/^lib_store\+0x/) });
    const libStore = BigInt('0x' + execFileSync('aarch64-linux-gnu-nm', [prog('libfault.so')], { encoding: 'utf8' })
      .split('\n').find((l) => l.endsWith(' lib_store'))!.split(' ')[0]);
    expect(BigInt(sig.offset!) >= libStore && BigInt(sig.offset!) < libStore + 0x20n).toBe(true);
    const out = gdb(root, join(root, 'bin', 'dyn_dlopen'), join(root, 'core'), ['bt']);
    expect(frames(out)).toEqual(['lib_store', 'main']);
  });
});

describe('the core of a dynamic program', () => {
  it('NT_FILE names every file-backed VMA; libc text dumps its ELF-header page only, written data whole', () => {
    const { root } = runDyn('dyn_strlen');
    const core = join(root, 'core');
    const notes = execFileSync('eu-readelf', ['-n', core], { encoding: 'utf8' });
    const files = notes.slice(notes.indexOf('FILE'));
    for (const f of ['/bin/dyn_strlen', '/lib/libc.so.6', '/lib/ld-linux-aarch64.so.1']) expect(files).toContain(f);
    // readelf: the libc text PT_LOAD (r-x at libc's base) has p_filesz 0x1000 of a much larger p_memsz
    const loads = execFileSync('readelf', ['-lW', core], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('LOAD'));
    const text = loads.find((l) => / 0x0000fffff7e00000 /.test(l))!;
    expect(text).toMatch(/0x001000 0x187000 R E/);
    // libc's data, written by ld.so's relocations (a private file mapping with an anon_vma): whole, also the
    // RELRO part that ld.so made read-only afterwards
    expect(loads.find((l) => / 0x0000fffff7f9c000 /.test(l))).toMatch(/0x004000 0x004000 R /);
    expect(loads.find((l) => / 0x0000fffff7fa0000 /.test(l))).toMatch(/0x002000 0x002000 RW /);
    // gdb reads the build ids of the libraries from those first pages
    const out = gdb(root, join(root, 'bin', 'dyn_strlen'), core, ['info sharedlibrary']);
    expect(out).not.toMatch(/warning: .*build-id/i);
  });
});

describe('the core of file-backed mappings (gcore after the msync of mmap_file)', () => {
  it('NT_FILE gives each mapping of the data file its page offset; private written: whole; shared: filter bit 3', () => {
    const root = makeRoot();
    class GcoreMachine extends Machine { gcoreNow(): void { this.writeGcore(); } }
    const m = new GcoreMachine(join(root, 'bin', 'mmap_file'), { root, sysroot: SYSROOT, argv: ['/bin/mmap_file'] });
    expect(m.runUntil({ syscall: 227 })).toMatchObject({ reason: 'syscall' });
    m.gcoreNow();
    const core = m.gcores[0]!.path!;
    const files = execFileSync('eu-readelf', ['-n', core], { encoding: 'utf8' }).split('\n')
      .filter((l) => l.includes('/tmp/mmap_file.dat')).map((l) => l.trim().split(/ +/));
    // start-end, page offset in bytes, size, path: the shared mapping at file offset one page, the private at 0
    expect(files.map((f) => [f[1], f[2], f[3]])).toEqual([['00001000', '8192', '/tmp/mmap_file.dat'], ['00000000', '20480', '/tmp/mmap_file.dat']]);
    const [shared, priv] = files.map((f) => f[0]!.split('-')[0]!);
    const loads = execFileSync('readelf', ['-lW', core], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('LOAD'));
    // the shared file mapping: MMF_DUMP_MAPPED_SHARED (bit 3) is off in the default filter 0x33: nothing dumped
    expect(loads.find((l) => l.includes(`0x0000${shared} `))).toMatch(/0x000000 0x002000 RW /);
    // the private one was written (p[0] = 'X'): dumped whole, the page past EOF included (as a hole)
    expect(loads.find((l) => l.includes(`0x0000${priv} `))).toMatch(/0x005000 0x005000 RW /);
    expect(m.run().exit).toMatchObject({ kind: 'exited', code: 0 });
  });
});

describe('compared with qemu-aarch64 -L, line by line', () => {
  it('stdout/stderr of every dynamic program are equal; the differences are named', () => {
    const root = makeRoot();
    const cases: [string, string[]][] = [['dyn_hello', ['a']], ['dyn_strlen', []], ['dyn_abort', []], ['dyn_dlopen', ['/bin']]];
    for (const [name, args] of cases) {
      const ours = runDyn(name, args, { root }).report;
      // qemu has no root: the program's argument must name the host directory
      const q = qemu(root, name, name === 'dyn_dlopen' ? [join(root, 'bin')] : args);
      expect(q.stdout.split('\n'), name).toEqual(ours.stdout.split('\n'));
      // qemu reports its own death the way a shell sees it: same signal
      if (ours.exit.kind === 'signaled') expect(q.signal ?? `${q.status}`, name).toBe(ours.exit.signal);
      // Named difference 1: qemu 7.2 writes NT_PRSTATUS/NT_PRPSINFO/NT_AUXV only — no NT_FILE — so gdb finds no
      // shared library in its core and cannot unwind through libc; ours lists them (tests above).
      if (q.core) {
        const qn = execFileSync('readelf', ['-n', q.core], { encoding: 'utf8' });
        expect(qn).not.toContain('NT_FILE');
        const out = gdb(root, join(root, 'bin', name), q.core, ['info sharedlibrary']);
        expect(out).toContain('No shared libraries loaded at this time.');
      }
      rmSync(q.dir, { recursive: true, force: true });
      rmSync(join(root, 'core'), { force: true });
    }
  });

  it('ld.so --list: the same objects in the same order; addresses, vDSO and paths differ as named', () => {
    const root = makeRoot();
    const ld = join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1');
    const ours = new Machine(ld, { root, sysroot: SYSROOT, argv: [ld, '--list', '/bin/dyn_abort'] }).run().stdout.split('\n');
    const r = spawnSync('qemu-aarch64', ['-L', SYSROOT, ld, '--list', join(root, 'bin', 'dyn_abort')], { encoding: 'utf8' });
    const theirs = r.stdout.split('\n');
    // Named difference 2: qemu 7.2 maps no vDSO for aarch64 guests, so ld.so lists no linux-vdso.so.1
    expect(ours.filter((l) => l.includes('linux-vdso.so.1'))).toHaveLength(1);
    expect(theirs.filter((l) => l.includes('linux-vdso.so.1'))).toHaveLength(0);
    // Named difference 3: qemu places the guest at its guest_base (ld.so at 0x5500000000, libraries above it);
    // Linux with randomization off, and arm64-fault, put ld.so below mmap_base and the libraries below it
    const addr = (l: string): bigint => BigInt(/\((0x[0-9a-f]+)\)/.exec(l)![1]!);
    expect(addr(theirs.find((l) => l.includes('/lib/ld-linux'))!)).toBe(0x5500000000n);
    expect(addr(ours.find((l) => l.includes('/lib/ld-linux'))!)).toBe(0xfffff7fbe000n);
    // Named difference 4: qemu has no root: the library found through $ORIGIN has its host path
    const norm = (ls: string[]) => ls.filter((l) => !l.includes('linux-vdso')).map((l) => l.replace(/\(0x[0-9a-f]+\)/, '(ADDR)')
      .replace(join(root, 'bin'), '/bin'));
    expect(norm(ours)).toEqual(norm(theirs));
  });

  it('file-backed mmap: private CoW, shared write-back, mprotect/munmap splits, SIGBUS past EOF — same lines', () => {
    const { root, report } = runDyn('mmap_file');
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(report.signals).toMatchObject([{ name: 'SIGBUS', codeName: 'BUS_ADRERR', esr: '0x92000007', fault: 'level 3 translation fault', action: 'handler' }]);
    expect(report.stdout).toContain('past EOF: signal 7 code 2 addr=page+4\n');
    expect(report.stdout).toContain('private: wrote X, mapping X, file a\n');
    expect(report.stdout).toContain('shared: msync=0 file[pg+1]=S\n');
    expect(report.stdout).toContain('shared: after munmap file[pg+2]=T\n');
    // the page cache is one: pwrite shows in the mapping, a store through the mapping in pread
    expect(report.stdout).toContain('shared: after pwrite q[3]=W\nshared: store then pread=V\n');
    expect(report.stdout).toContain('read() into the page past EOF: -1\n');
    expect(report.stdout).toContain('MADV_DONTNEED: 0, private p[0]=a again\n');
    expect(existsSync(join(root, 'tmp', 'mmap_file.dat'))).toBe(false); // the program removed it again
    // qemu works on the host's /tmp (it has no root)
    const q = qemu(root, 'mmap_file');
    expect(q.stdout.split('\n')).toEqual(report.stdout.split('\n'));
  });
});

describe('the command line', () => {
  it('arm64-fault run --sysroot DIR --root R --json R/bin/dyn_strlen', () => {
    const root = makeRoot();
    const cli = join(import.meta.dirname, '..', 'bin', 'arm64-fault.js');
    const r = spawnSync('node', [cli, 'run', '--sysroot', SYSROOT, '--root', root, '--json', join(root, 'bin', 'dyn_strlen')], { encoding: 'utf8' });
    expect(r.status).toBe(128 + 11);
    const report = JSON.parse(r.stdout);
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGSEGV', coreDumped: true });
    expect(report.stdout).toBe('calling strlen(NULL)\n');
  });
});

describe('a dynamic program never reaches outside the root and the sysroot', () => {
  it('ld.so finds no /etc/ld.so.cache (qemu -L reads the host one); libraries resolve in the sysroot', () => {
    const root = makeRoot();
    const m = new Machine(join(root, 'bin', 'dyn_hello'), { root, sysroot: SYSROOT, argv: ['/bin/dyn_hello'] });
    const opened: [string, bigint][] = [];
    while (m.runUntil({ syscall: 56 }).reason === 'syscall') {
      const b = m.mm.cpu.read(m.cpu.x(1), 256)!;
      opened.push([b.subarray(0, b.indexOf(0)).toString(), BigInt.asIntN(64, m.cpu.x(0))]);
    }
    expect(opened.find(([p]) => p === '/etc/ld.so.cache')?.[1]).toBe(-2n);
    expect(opened.find(([p]) => p === '/lib/libc.so.6')?.[1]).toBeGreaterThanOrEqual(3n);
    expect(m.report().exit.code).toBe(0);
  });
});

describe('threads in a dynamic program (libc.so.6 from the sysroot)', () => {
  it('two threads deadlocked on two mutexes: stuck on their futexes, and a core with all three threads', () => {
    const root = makeRoot();
    copyFileSync(prog('dyn_deadlock'), join(root, 'bin', 'dyn_deadlock'));
    const { report: r } = runDyn('dyn_deadlock', [], { root, onStuck: 3, corePattern: '/tmp/core.%p' });
    expect(r.stdout).toBe('joining\n');
    expect(r.notes[0]).toMatch(/^stuck: task 1000 .* on futex 0x[0-9a-f]+ \(value 1001\), .*; task 1001 .* \(value 2\), .*; task 1002 .* \(value 2\), /);
    expect([r.exit.signal, r.exit.coreDumped]).toEqual(['SIGQUIT', true]);
    const out = gdb(root, join(root, 'bin', 'dyn_deadlock'), r.core.path!, ['info threads']);
    // gdb names the current thread once more when it loads the core
    expect([...new Set(out.match(/\(LWP 100[012]\)/g))].sort()).toEqual(['(LWP 1000)', '(LWP 1001)', '(LWP 1002)']);
    expect(out).toMatch(/^\* 1 +Thread 0x[0-9a-f]+ \(LWP 1000\)/m);
  });
});
