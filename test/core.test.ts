// Issue "Write core dumps as Linux does": real cores of programs/c/core_vars read by real clients (gdb-multiarch,
// readelf, eu-readelf), compared with qemu-aarch64's core of the same program, and the core_pattern /
// RLIMIT_CORE / coredump_filter policy through whole runs (kernel.md §10–14).
import { describe, it, expect } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { doCoredump, type CoredumpEnv } from '../src/fs/coredump.ts';
import { listCollected } from '../src/harness/collected.ts';
import { prog, run, symbol } from './helpers.ts';

const P = 'core_vars';
const FIXED_SP = 0x4000000000n + 0x10000n - 32n; // enter_crash's frame record at the top of FIXED_STACK
const TPIDR = 0x7e7e0000cafef00dn;
const V0 = 0x00112233445566778899aabbccddeeffn;
/** x1..x28 as enter_crash loads them: 0x0101…, …, 0x1919…, …, 0x2828… */
const xConst = (n: number): bigint => BigInt('0x' + String(n).padStart(2, '0').repeat(8));

const fresh = (tag: string): string => mkdtempSync(join(tmpdir(), `af-core-${tag}-`));
const tool = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Runs a copy of the program that sits inside the root, so NT_FILE names guest paths gdb finds under sysroot. */
function runInRoot(opts: Partial<MachineOptions> = {}) {
  const root = fresh('r');
  copyFileSync(prog(P), join(root, P));
  const report = new Machine(join(root, P), { root, argv: [`/${P}`], ...opts }).run();
  return { root, report, core: join(root, 'core') };
}

/* ---- ELF core reading: just enough for notes and PT_LOADs ---- */
interface Note { name: string; type: number; desc: Buffer }
function coreNotes(core: Buffer): Note[] {
  const phoff = Number(core.readBigUInt64LE(32));
  const phnum = core.readUInt16LE(56);
  const out: Note[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * 56;
    if (core.readUInt32LE(ph) !== 4 /* PT_NOTE */) continue;
    let o = Number(core.readBigUInt64LE(ph + 8));
    const end = o + Number(core.readBigUInt64LE(ph + 32));
    while (o < end) {
      const namesz = core.readUInt32LE(o), descsz = core.readUInt32LE(o + 4), type = core.readUInt32LE(o + 8);
      const name = core.toString('latin1', o + 12, o + 12 + namesz - 1);
      const d = o + 12 + ((namesz + 3) & ~3);
      out.push({ name, type, desc: core.subarray(d, d + descsz) });
      o = d + ((descsz + 3) & ~3);
    }
  }
  return out;
}
/** NT_PRSTATUS pr_reg (offset 0x70): x0..x30, sp, pc. */
function prstatusRegs(core: Buffer): bigint[] {
  const pr = coreNotes(core).find((n) => n.type === 1)!.desc;
  return Array.from({ length: 33 }, (_, i) => pr.readBigUInt64LE(0x70 + 8 * i));
}
/** NT_FILE entries: start, end, file offset in bytes, name. */
function ntFile(core: Buffer): { start: bigint; end: bigint; off: bigint; name: string }[] {
  const d = coreNotes(core).find((n) => n.type === 0x46494c45)!.desc;
  const count = Number(d.readBigUInt64LE(0)), page = d.readBigUInt64LE(8);
  const names = d.toString('utf8', 16 + 24 * count).split('\0');
  return Array.from({ length: count }, (_, i) => ({
    start: d.readBigUInt64LE(16 + 24 * i), end: d.readBigUInt64LE(24 + 24 * i), off: d.readBigUInt64LE(32 + 24 * i) * page, name: names[i]!,
  }));
}
/** PT_LOAD vaddr → p_filesz as `readelf -lW` prints them. */
function loadFilesz(core: string): Map<bigint, bigint> {
  const m = new Map<bigint, bigint>();
  for (const l of tool('readelf', ['-lW', core]).split('\n')) {
    const f = l.trim().split(/\s+/);
    if (f[0] === 'LOAD') m.set(BigInt(f[2]!), BigInt(f[4]!));
  }
  return m;
}
const readelfNotes = (core: string): string[] =>
  [...tool('readelf', ['-n', core]).matchAll(/^\s+(?:CORE|LINUX)\s+0x[0-9a-f]+\s+(NT_\w+)/gm)].map((m) => m[1]!);
const euReadelfNotes = (core: string): string[] =>
  [...tool('eu-readelf', ['-n', core]).matchAll(/^\s+(?:CORE|LINUX)\s+\d+\s+(\S.*?)\s*$/gm)].map((m) => m[1]!);

const NOTE_ORDER = ['NT_PRSTATUS', 'NT_PRPSINFO', 'NT_SIGINFO', 'NT_AUXV', 'NT_FILE', 'NT_FPREGSET', 'NT_ARM_TLS',
  'NT_ARM_HW_BREAK', 'NT_ARM_HW_WATCH', 'NT_ARM_SYSTEM_CALL', 'NT_ARM_TAGGED_ADDR_CTRL'];

describe('core_vars: the core opened by gdb, readelf and eu-readelf', () => {
  const { root, report, core } = runInRoot();
  const crashHere = symbol(P, 'crash_here');
  const gdb = tool('gdb-multiarch', ['-nx', '-batch',
    '-ex', `set sysroot ${root}`, '-ex', `file ${join(root, P)}`, '-ex', `core-file ${core}`,
    '-ex', 'echo @bt\\n', '-ex', 'bt',
    '-ex', 'echo @siginfo\\n', '-ex', 'p $_siginfo.si_signo', '-ex', 'p $_siginfo.si_code', '-ex', 'p $_siginfo._sifields._sigfault.si_addr',
    '-ex', 'echo @regs\\n', '-ex', 'info registers pc sp x0 x19 x28 x29',
    '-ex', 'echo @v0\\n', '-ex', 'p/x $v0.q.u[0]', '-ex', 'p/x $v0.b.u',
    '-ex', 'echo @tpidr\\n', '-ex', 'p/x $tpidr',
    '-ex', 'echo @maps\\n', '-ex', 'info proc mappings',
    '-ex', 'echo @auxv\\n', '-ex', 'info auxv',
    '-ex', 'echo @vars\\n', '-ex', 'p/x data_var', '-ex', 'p/x bss_var', '-ex', 'p/x *heap_var', '-ex', 'p/x priv_written[0]',
    '-ex', 'p/x priv_clean[0]', '-ex', 'p/x anon_var[0]', '-ex', 'echo @end\\n']).toString();
  const section = (s: string): string => gdb.slice(gdb.indexOf(`@${s}\n`), gdb.indexOf('@', gdb.indexOf(`@${s}\n`) + 1));

  it('the run: SIGSEGV SEGV_MAPERR at 0, core dumped in the root', () => {
    expect(report.stdout).toBe('ready\n');
    expect(report.signals.map((s) => [s.name, s.codeName, s.addr])).toEqual([['SIGSEGV', 'SEGV_MAPERR', '0x0']]);
    expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGSEGV', coreDumped: true, waitStatus: 11 | 0x80 });
    expect(report.core).toMatchObject({ dumped: true, path: core, truncated: false, reason: null });
    expect(statSync(core).size).toBe(report.core.size);
  });

  it('gdb loads it without warnings: every NT_FILE name resolves under the sysroot', () => {
    expect(gdb).not.toMatch(/warning|Can't|not in executable format|failed/i);
    expect(gdb).toContain('Program terminated with signal SIGSEGV, Segmentation fault.');
  });

  it('bt: crash_here ← enter_crash ← main (the unwind crosses the stack switch)', () => {
    const frames = [...section('bt').matchAll(/^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\w+) /gm)].map((m) => m[2]);
    expect(frames).toEqual(['crash_here', 'enter_crash', 'main']);
    expect(section('bt')).toMatch(/#0\s+0x0*400\w+ in crash_here \(p=0x0\) at c\/core_vars\.c:\d+/);
  });

  it('$_siginfo: si_signo 11, si_code 1 (SEGV_MAPERR), si_addr 0', () => {
    expect([...section('siginfo').matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1])).toEqual(['11', '1', '(void *) 0x0']);
  });

  it('registers: pc = crash_here+4 (the str), sp and x29 = the fixed frame, x0 = 0, x19/x28 = their constants', () => {
    const reg = (r: string): bigint => BigInt(new RegExp(`^${r}\\s+(0x[0-9a-f]+)`, 'm').exec(section('regs'))![1]!);
    expect(reg('pc')).toBe(crashHere + 4n);
    expect(tool('aarch64-linux-gnu-objdump', ['-d', `--start-address=${crashHere + 4n}`, `--stop-address=${crashHere + 8n}`, prog(P)]))
      .toMatch(/str\s+x1, \[x0\]/);
    expect(reg('sp')).toBe(FIXED_SP);
    expect(reg('x29')).toBe(FIXED_SP);
    expect(reg('x0')).toBe(0n);
    expect(reg('x19')).toBe(0x1919191919191919n);
    expect(reg('x28')).toBe(0x2828282828282828n);
  });

  it('$v0 holds the pattern, $tpidr the TPIDR_EL0 value', () => {
    expect(section('v0')).toContain(`= 0x${V0.toString(16)}`);
    expect(section('v0')).toContain('{0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x0}');
    expect(section('tpidr')).toMatch(new RegExp(`= 0x${TPIDR.toString(16)}\\n`));
  });

  it('info proc mappings lists the executable and both core_vars.dat mappings (guest paths)', () => {
    const rows = [...section('maps').matchAll(/^\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(\S+)$/gm)]
      .map((m) => [m[4], BigInt(m[3]!)]);
    expect(rows.filter(([f]) => f === `/${P}`).length).toBeGreaterThanOrEqual(2);
    expect(rows.filter(([f]) => f === '/core_vars.dat')).toEqual(expect.arrayContaining([['/core_vars.dat', 0n], ['/core_vars.dat', 0x1000n]]));
    expect(rows.length).toBe(ntFile(readFileSync(core)).length);
  });

  it('info auxv decodes NT_AUXV', () => {
    const a = section('auxv');
    expect(a).toMatch(/^6\s+AT_PAGESZ\s+System page size\s+4096$/m);
    expect(a).toMatch(/^31\s+AT_EXECFN\s+File name of executable\s+0x[0-9a-f]+ "\/core_vars"$/m);
    expect(a).toMatch(/^9\s+AT_ENTRY\s+Entry point of program\s+0x[0-9a-f]+$/m);
    expect(a).toMatch(/^0\s+AT_NULL\s+End of vector\s+0x0$/m);
  });

  it('every variable prints its value: .data, .bss, heap, written/never-written private file maps, anonymous map', () => {
    expect([...section('vars').matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1])).toEqual([
      '0x1111111111111111', '0x2222222222222222', '0x3333333333333333', '0x4444444444444444',
      '0xc1c1c1c1c1c1c1c1', '0x5555555555555555']);
  });

  it('readelf -n and eu-readelf -n list the notes in fill_note_info order', () => {
    expect(readelfNotes(core)).toEqual(NOTE_ORDER);
    // elfutils 0.188 has no name for NT_ARM_TAGGED_ADDR_CTRL (0x409 = 1033).
    expect(euReadelfNotes(core)).toEqual(['PRSTATUS', 'PRPSINFO', 'SIGINFO', 'AUXV', 'FILE', 'FPREGSET', 'ARM_TLS',
      'ARM_HW_BREAK', 'ARM_HW_WATCH', 'ARM_SYSTEM_CALL', '<unknown>: 1033']);
    const tls = coreNotes(readFileSync(core)).find((n) => n.type === 0x401)!.desc;
    expect(tls.readBigUInt64LE(0)).toBe(TPIDR);
  });
});

describe('compared with qemu-aarch64 linux-user', () => {
  it('same note types and more; same pc, sp, x0–x30 in NT_PRSTATUS', () => {
    const q = fresh('q');
    // A directory named "core" makes the host kernel's own dump of the crashing qemu process fail
    // (O_EXCL on an existing name), so only qemu's guest core is written.
    mkdirSync(join(q, 'core'));
    const r = spawnSync('bash', ['-c', `ulimit -c unlimited && exec env -i qemu-aarch64 ${prog(P)}`], { cwd: q, encoding: 'utf8' });
    expect(r.stdout).toBe('ready\n');
    expect(r.status === 128 + 11 || r.signal === 'SIGSEGV').toBe(true);
    const qcore = readdirSync(q).filter((f) => /^qemu_core_vars_\d{8}-\d{6}_\d+\.core$/.test(f));
    expect(qcore.length).toBe(1);
    const theirs = readFileSync(join(q, qcore[0]!));
    const { core } = runInRoot();
    const ours = readFileSync(core);

    const theirTypes = readelfNotes(join(q, qcore[0]!));
    const ourTypes = readelfNotes(core);
    expect(theirTypes).toEqual(['NT_PRSTATUS', 'NT_PRPSINFO', 'NT_AUXV']);
    expect(ourTypes.filter((t) => theirTypes.includes(t))).toEqual(theirTypes);
    expect(ourTypes.filter((t) => !theirTypes.includes(t))).toEqual(['NT_SIGINFO', 'NT_FILE', 'NT_FPREGSET', 'NT_ARM_TLS',
      'NT_ARM_HW_BREAK', 'NT_ARM_HW_WATCH', 'NT_ARM_SYSTEM_CALL', 'NT_ARM_TAGGED_ADDR_CTRL']);

    const a = prstatusRegs(ours), b = prstatusRegs(theirs);
    expect(a).toEqual(b);
    expect(a[32]).toBe(symbol(P, 'crash_here') + 4n);
    expect(a[31]).toBe(FIXED_SP);
    expect(a.slice(1, 29)).toEqual(Array.from({ length: 28 }, (_, i) => (i === 0 ? 0xdeadn : xConst(i + 1))));
    // Both have a 392-byte elf_prstatus with pr_cursig 11.
    const prs = (c: Buffer) => coreNotes(c).find((n) => n.type === 1)!.desc;
    expect(prs(theirs).length).toBe(392);
    expect(prs(ours).readUInt16LE(0x0c)).toBe(11);
    expect(prs(theirs).readUInt16LE(0x0c)).toBe(11);
    rmSync(q, { recursive: true, force: true });
  });
});

describe('policy through real runs', () => {
  const coreFiles = (root: string): string[] => readdirSync(root).filter((f) => f !== 'core_vars.dat').sort();

  it('RLIMIT_CORE 0: no core, the reason names RLIMIT_CORE', () => {
    const { root, report } = run(P, { rlimitCore: 0n });
    expect(report.core.dumped).toBe(false);
    expect(report.core.reason).toMatch(/RLIMIT_CORE is 0 \(ulimit -c 0\)/);
    expect(report.exit).toMatchObject({ coreDumped: false, waitStatus: 11 });
    expect(coreFiles(root)).toEqual([]);
  });

  it('RLIMIT_CORE 4096: a truncated core of at most 4096 bytes, still "core dumped"', () => {
    const { root, report } = run(P, { rlimitCore: 4096n });
    expect(report.core).toMatchObject({ dumped: true, truncated: true, path: join(root, 'core') });
    expect(report.exit.coreDumped).toBe(true);
    expect(report.exit.waitStatus & 0x80).toBe(0x80);
    const size = statSync(join(root, 'core')).size;
    expect(size).toBeLessThanOrEqual(4096);
    expect(report.core.size).toBe(size);
    const written = Number(/^(\d+) bytes written/.exec(report.core.steps.at(-1)!.detail)![1]);
    expect(written).toBeLessThanOrEqual(4096);
    expect(report.core.steps.at(-1)!.detail).toContain('truncated at RLIMIT_CORE 4096');
    // Headers and notes fit below the first page: readelf still reads them, and the bytes are the full core's prefix.
    expect(readelfNotes(join(root, 'core'))).toEqual(NOTE_ORDER);
    const full = readFileSync(join(run(P).root, 'core'));
    expect(readFileSync(join(root, 'core')).equals(full.subarray(0, size))).toBe(true);
  });

  it('core_pattern %p %s %e %t %h %u %g expands from the run options', () => {
    const { root, report } = run(P, { corePattern: 'core.%p.%s.%e.%t.%h.%u.%g', pid: 4242, uid: 1234, gid: 5678,
      hostname: 'box', time: 1_800_000_000n });
    const name = basename(report.core.path!);
    expect(name).toMatch(/^core\.4242\.11\.core_vars\.18000000\d\d\.box\.1234\.5678$/);
    expect(coreFiles(root)).toEqual([name]);
  });

  it('core_uses_pid appends .PID, but not when the pattern has %p', () => {
    expect(coreFiles(run(P, { coreUsesPid: true }).root)).toEqual(['core.1000']);
    expect(coreFiles(run(P, { coreUsesPid: true, corePattern: 'c-%p' }).root)).toEqual(['c-1000']);
  });

  it('a relative pattern into a missing directory: no core, the reason says why', () => {
    const { root, report } = run(P, { corePattern: 'nodir/core' });
    expect(report.core.dumped).toBe(false);
    expect(report.core.reason).toMatch(/nodir/);
    expect(report.core.reason).toMatch(/ENOENT/);
    expect(report.exit.coreDumped).toBe(false);
    expect(coreFiles(root)).toEqual([]);
  });

  describe('patterns that try to leave the root', () => {
    const tag = `af-escape-${process.pid}-${Date.now()}`;
    // Other test files create their own entries in /tmp meanwhile: look for anything a core could have become.
    const tmpBefore = new Set(readdirSync('/tmp'));
    const newInTmp = (): string[] => readdirSync('/tmp').filter((f) => !tmpBefore.has(f) && (f.includes(tag) || f.startsWith('core')));

    it('../../x and /../../x land in the root', () => {
      for (const pat of [`../../${tag}`, `/../../${tag}`, `../../../../tmp/${tag}`]) {
        const { root, report } = run(P, { corePattern: pat });
        if (report.core.dumped) expect(report.core.path!.startsWith(root + '/')).toBe(true);
        expect(existsSync(join('/tmp', tag))).toBe(false);
        if (!pat.includes('tmp')) expect(report.core.path).toBe(join(root, tag));
      }
      expect(newInTmp()).toEqual([]);
    });

    it('a symlink to /tmp inside the root is followed inside the root only', () => {
      const root = fresh('s');
      symlinkSync('/tmp', join(root, 'abs'));
      symlinkSync('../../../../../../tmp', join(root, 'rel'));
      for (const pat of [`/abs/${tag}`, `rel/${tag}`, `abs/../../${tag}`]) {
        const { report } = run(P, { root, corePattern: pat });
        expect(existsSync(join('/tmp', tag))).toBe(false);
        if (report.core.dumped) expect(report.core.path!.startsWith(root + '/')).toBe(true);
        else expect(report.core.reason).toMatch(/ENOENT|outside/);
      }
      // With <root>/tmp present the link resolves to it, as it would at a chroot's "/".
      mkdirSync(join(root, 'tmp'));
      const { report } = run(P, { root, corePattern: `/abs/${tag}` });
      expect(report.core.path).toBe(join(root, 'tmp', tag));
      expect(newInTmp()).toEqual([]);
    });

    it('a symlink as the core name is replaced, not followed', () => {
      const root = fresh('l');
      symlinkSync(`/tmp/${tag}-target`, join(root, 'core'));
      const { report } = run(P, { root });
      expect(report.core.dumped).toBe(true);
      expect(statSync(join(root, 'core')).isFile()).toBe(true);
      expect(existsSync(`/tmp/${tag}-target`)).toBe(false);
    });
  });

  it('|arm64-fault-collect %p %s: the built-in collector stores the core under <root>/var/lib/arm64-fault/coredumps', () => {
    const { root, report } = run(P, { corePattern: '|arm64-fault-collect %p %s' });
    expect(report.core.steps.map((s) => s.step)).toEqual(['binfmt', 'dumpable', 'coredump_wait', 'core_pattern', 'rlimit_core', 'core_pipe_limit', 'pipe']);
    expect(report.core.steps[3]!.detail).toContain('pipe argv ["arm64-fault-collect","1000","11"]');
    const dir = join(root, 'var', 'lib', 'arm64-fault', 'coredumps');
    expect(report.core).toMatchObject({ dumped: true, reason: null, truncated: false, path: join(dir, `core.core_vars.1000.${1_700_000_000}`) });
    expect(report.core.steps.at(-1)).toEqual({ step: 'pipe', ok: true, detail: `piped ${report.core.size} bytes to collector` });
    expect(report.exit).toMatchObject({ coreDumped: true, waitStatus: 11 | 0x80 });
    expect(coreFiles(root)).toEqual(['var']);
    const [c, ...more] = listCollected(dir);
    expect(more).toEqual([]);
    expect(c).toMatchObject({ pid: 1000, signal: 11, signalName: 'SIGSEGV', argv: ['arm64-fault-collect', '1000', '11'],
      size: report.core.size, truncated: false, present: true, comm: 'core_vars' });
    // Pipes get real zero bytes where files get holes: the same run's file core has the same bytes.
    const file = run(P);
    expect(readFileSync(report.core.path!).equals(readFileSync(join(file.root, 'core')))).toBe(true);
    expect(readelfNotes(report.core.path!)).toEqual(NOTE_ORDER);
  });

  it('vfs_coredump without a collection directory: the pipe fails and says why', () => {
    const root = fresh('p');
    const m = new Machine(prog(P), { root });
    try {
      // The process as exec left it (before its first instruction), SIGSEGV SEGV_MAPERR at 0.
      const siginfo = Buffer.alloc(128);
      siginfo.writeInt32LE(11, 0);
      siginfo.writeInt32LE(1, 8);
      const kernelLog: string[] = [];
      const env: CoredumpEnv = { task: m.task, cpu: m.cpu, mm: m.mm, root, hostname: 'h', time: 1_700_000_000n,
        corePattern: '|arm64-fault-collect %p %s', coreUsesPid: false, kernelLog, trace: () => {} };
      const r = doCoredump(env, 11, siginfo);
      expect(r).toMatchObject({ dumped: false, path: null });
      expect(r.reason).toMatch(/arm64-fault-collect has no collection directory/);
      expect(kernelLog).toEqual(['coredump: 1000(core_vars): |arm64-fault-collect pipe failed']);
      expect(coreFiles(root)).toEqual([]);
    } finally {
      m.task.files.closeAll();
      m.cpu.close();
    }
  });

  it('coredump_filter 0 / 0x33 / 0x7 change PT_LOAD p_filesz as §12.2 says', () => {
    const sizes = (filter: number) => {
      const { root } = run(P, { coredumpFilter: filter });
      const core = join(root, 'core');
      const files = ntFile(readFileSync(core));
      const dat = (off: bigint) => files.find((f) => f.name === '/core_vars.dat' && f.off === off)!.start;
      return { m: loadFilesz(core), written: dat(0n), clean: dat(0x1000n) };
    };
    const rows = [0, 0x33, 0x7].map(sizes);
    const at = (a: bigint) => rows.map((r) => r.m.get(a));
    // the executable's text: ELF-header page only with bit 4 (0x10), whole with bit 2 (MAPPED_PRIVATE)
    expect(at(0x400000n)).toEqual([0n, 0x1000n, 0x7e000n]);
    // RELRO (r-- since glibc's mprotect): IRELATIVE slots in .got.plt were written before, and anon_vma
    // survives mprotect, so it counts as anonymous private memory (bit 0), not as a file mapping
    expect(at(0x48c000n)).toEqual([0n, 0x4000n, 0x4000n]);
    // .data (file-backed, written → anon_vma): bit 0 (ANON_PRIVATE)
    expect(at(0x490000n)).toEqual([0n, 0x3000n, 0x3000n]);
    // the fixed stack (anonymous, written)
    expect(at(0x4000000000n)).toEqual([0n, 0x10000n, 0x10000n]);
    // core_vars.dat page 0 written (CoW) vs page 1 never written
    expect(rows.map((r) => r.m.get(r.written))).toEqual([0n, 0x1000n, 0x1000n]);
    expect(rows.map((r) => r.m.get(r.clean))).toEqual([0n, 0n, 0x1000n]);
    // the vDSO is always dumped
    expect(at(0xfffff7fff000n)).toEqual([0x1000n, 0x1000n, 0x1000n]);
    // with filter 0 nothing but the vDSO has file bytes
    expect([...rows[0]!.m.values()].filter((s) => s !== 0n)).toEqual([0x1000n]);
  });

  it('the same run twice gives a byte-identical core', () => {
    const a = run(P), b = run(P);
    expect(readFileSync(join(a.root, 'core')).equals(readFileSync(join(b.root, 'core')))).toBe(true);
    expect(JSON.stringify(a.report).replaceAll(a.root, 'R')).toBe(JSON.stringify(b.report).replaceAll(b.root, 'R'));
  });
});
