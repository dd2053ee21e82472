// Issue 15 item 3, fault injection: --inject KIND@insns=N[,addr=A][,fetch][,fnv] makes the next memory access take
// any fault_info row (or memory-failure, SP/PC alignment), and the kernel path does with it what v6.17 does.
// The expected values are the pinned kernel's (arch/arm64/mm/fault.c fault_info[], kernel.md §3–4), written out.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { af, BIN } from './bin.ts';
import { prog, symbol, run } from './helpers.ts';
import { createMachine, runProgram, OptionError, runScenario, loadScenario, type RunReport } from '../src/index.ts';
import { ScenarioError } from '../src/harness/scenario.ts';

const ROOT = join(import.meta.dirname, '..');
const fresh = () => mkdtempSync(join(tmpdir(), 'af-inject-'));
const LOOP = prog('inject_loop');
const HANDLER = prog('inject_handler');
const counter = symbol('inject_loop', 'counter');
const loopPc = symbol('inject_loop', 'inject_loop'); // ldr x0, [x1]; add; str x0, [x1]
const hex = (v: bigint) => `0x${v.toString(16)}`;

function runJson(...args: string[]): { status: number | null; report: RunReport; root: string } {
  const root = fresh();
  const r = af('run', '--json', '--root', root, ...args);
  return { status: r.status, report: JSON.parse(r.stdout) as RunReport, root };
}

/** The count at which inject_handler's pc reaches inject_here (its loop), with this argv[0]. */
function handlerStart(): bigint {
  const m = createMachine({ program: HANDLER, root: fresh(), argv: [HANDLER] });
  const s = m.runUntil({ symbol: 'inject_here' });
  return BigInt((s as { icount: number }).icount);
}

describe('--inject through the installed command', () => {
  it('sea: SIGBUS BUS_OBJERR at the load, si_addr = FAR = the access, ESR 0x92000010; the core has the siginfo', () => {
    const { status, report, root } = runJson('--inject', 'sea@insns=5', LOOP);
    expect(status).toBe(128 + 7);
    expect(report.injected).toEqual([{ kind: 'sea', fsc: 0x10, fault: 'synchronous external abort', insns: 7, pid: 1000, pc: hex(loopPc), address: hex(counter), esr: '0x92000010' }]);
    expect(report.signals).toHaveLength(1);
    expect(report.signals[0]).toMatchObject({ name: 'SIGBUS', codeName: 'BUS_OBJERR', addr: hex(counter), esr: '0x92000010', fault: 'synchronous external abort', source: 'fault', action: 'default', pc: hex(loopPc) });
    expect(report.core.dumped).toBe(true);
    const gdb = spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', `file ${LOOP}`, '-ex', `core-file ${join(root, 'core')}`,
      '-ex', 'p $_siginfo.si_signo', '-ex', 'p $_siginfo.si_code', '-ex', 'p $_siginfo._sifields._sigfault.si_addr', '-ex', 'p/x $pc'], { encoding: 'utf8' });
    expect([...gdb.stdout.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1])).toEqual(['7', '3', `(void *) ${hex(counter)}`, hex(loopPc)]);
  });

  it('a store gets WnR: access-flag-l3 at the str is 0x9200004b, fixed by do_page_fault, and the program goes on', () => {
    const trace = join(fresh(), 't.jsonl');
    const { status, report } = runJson('--inject', 'access-flag-l3@insns=4', '--trace', trace, LOOP);
    expect(status).toBe(0);
    expect(report.stdout).toBe('done\n');
    expect(report.signals).toEqual([]);
    expect(report.injected![0]).toMatchObject({ fsc: 0x0b, insns: 4, pc: hex(loopPc + 8n), address: hex(counter), esr: '0x9200004b' });
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.icount === 4);
    expect(events.map((e) => e.name)).toEqual(['inject', 'exception_entry', 'mem_abort', 'do_page_fault', 'handle_mm_fault']);
    expect(events[2]).toMatchObject({ fsc: 0x0b, handler: 'do_page_fault', esr: '0x9200004b' });
    expect(events[3]).toMatchObject({ addr: hex(counter), code: 0 });
  });

  it('fetch: an instruction abort (EC 0x20) at the pc; a permission fault on the text is fixed', () => {
    const { status, report } = runJson('--inject', '0x0f@insns=5,fetch', LOOP);
    expect(status).toBe(0);
    expect(report.injected![0]).toMatchObject({ kind: '0x0f', insns: 5, pc: hex(loopPc + 12n), address: hex(loopPc + 12n), esr: '0x8200000f' });
  });

  it('a do_bad row (TLB conflict) and a table-walk SEA: SIGKILL SI_KERNEL, killed, no core', () => {
    for (const [kind, esr, fault] of [['tlb-conflict', '0x92000030', 'TLB conflict abort'], ['0x15', '0x92000015', 'level 1 (translation table walk)']]) {
      const { status, report } = runJson('--inject', `${kind}@insns=0`, LOOP);
      expect(status).toBe(128 + 9);
      expect(report.signals).toHaveLength(1);
      expect(report.signals[0]).toMatchObject({ name: 'SIGKILL', codeName: 'SI_KERNEL', source: 'kernel', fault });
      expect(report.injected![0]).toMatchObject({ insns: 2, esr });
      expect(report.exit).toMatchObject({ kind: 'signaled', signal: 'SIGKILL', coreDumped: false });
    }
  });

  it('a bad --inject is one line and exit 2', () => {
    const cases: [string, RegExp][] = [
      ['bogus@insns=1', /unknown kind "bogus"/],
      ['sea', /"sea" is not KIND@insns=N/],
      ['sea@insns=ten', /insns="ten" .* is not a number/],
      ['sea@when=3', /"when=3" in "sea@when=3" is not insns=N, addr=A, fetch or fnv/],
      ['0x40@insns=1', /unknown kind "0x40"/],
      ['access-flag-l3@insns=1,fnv', /fnv is defined only for a synchronous external abort/],
    ];
    for (const [spec, msg] of cases) {
      const r = af('run', '--root', fresh(), '--inject', spec, LOOP);
      expect(r.status, spec).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(msg);
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    }
    const fast = af('run', '--root', fresh(), '--fast', '--inject', 'sea@insns=1', LOOP);
    expect(fast.status).toBe(2);
    expect(fast.stderr).toMatch(/^arm64-fault: --inject KIND@insns=N needs instruction counting \(drop --fast\)$/m);
  });
});

describe('what a handler is given (programs/build/inject_handler)', () => {
  const start = handlerStart();
  const counterH = symbol('inject_handler', 'counter');
  const at = (spec: string) => runProgram(HANDLER, { root: fresh(), argv: [HANDLER], inject: [{ ...parse(spec), insns: start }] });
  const parse = (spec: string) => {
    const [kind, ...flags] = spec.split(',');
    return { kind, ...Object.fromEntries(flags.map((f) => (f.startsWith('addr=') ? ['addr', BigInt(f.slice(5))] : [f, true]))) };
  };

  it('sea: si_code BUS_OBJERR, si_addr = the access, fault_address 0 and the ESR in esr_context (arm64_notify_die)', () => {
    const r = at('sea');
    expect(r.stdout).toBe('fault: sig=7 si_signo=7 code=3 errno=0 addr=counter+0 fault_address=0x0 pc=inject_here+4 esr=0x92000010\nrecovered\n');
    expect(r.signals[0]).toMatchObject({ action: 'handler', addr: hex(counterH) });
  });

  it('sea with fnv: FnV set in the ESR, si_addr 0', () => {
    expect(at('sea,fnv').stdout).toMatch(/^fault: sig=7 si_signo=7 code=3 errno=0 addr=0x0 fault_address=0x0 pc=inject_here\+4 esr=0x92000410\n/);
  });

  it('memory-failure: SIGBUS BUS_MCEERR_AR, si_addr = the page, si_addr_lsb 12, no esr_context (memory_failure, not arm64_notify_die)', () => {
    const r = at('memory-failure');
    const page = counterH & ~0xfffn;
    expect(r.stdout).toBe(`fault: sig=7 si_signo=7 code=4 errno=0 addr=${hex(page)} fault_address=0x0 pc=inject_here+4 esr=none\n` +
      `si_addr_lsb=12 si_addr=${hex(page)}\nrecovered\n`);
    expect(r.signals[0]).toMatchObject({ name: 'SIGBUS', codeName: 'BUS_MCEERR_AR', addr: hex(page), addrLsb: 12, esr: '0x92000010' });
  });

  it('sp-alignment: SIGBUS BUS_ADRALN, si_addr = sp, ESR 0x9a000000', () => {
    const r = at('sp-alignment');
    const line = r.stdout.split('\n')[0];
    expect(line).toMatch(/^fault: sig=7 si_signo=7 code=1 errno=0 addr=0x[0-9a-f]+ fault_address=0x0 pc=inject_here\+4 esr=0x9a000000$/);
    expect(r.signals[0]).toMatchObject({ codeName: 'BUS_ADRALN', esr: '0x9a000000', addr: r.injected![0].address });
    expect(BigInt(r.signals[0].addr!) % 16n).toBe(0n); // the real sp, which is aligned
  });

  it('translation-l1 at addr=0x10: do_page_fault finds no VMA: SIGSEGV SEGV_MAPERR at 0x10, fault_address 0x10', () => {
    expect(at('translation-l1,addr=0x10').stdout).toBe('fault: sig=11 si_signo=11 code=1 errno=0 addr=0x10 fault_address=0x10 pc=inject_here+4 esr=0x92000005\nrecovered\n');
  });

  it('access-flag on the valid page: no signal, the loop completes', () => {
    const r = at('access-flag-l2');
    expect(r.stdout).toBe('done counter=100\n');
    expect(r.signals).toEqual([]);
    expect(r.injected).toHaveLength(1);
  });
});

describe('the API and scenarios', () => {
  it('MachineOptions.inject: a list, in count order; an injection never reached is a note', () => {
    const { report } = run('inject_loop', { inject: [{ kind: 'permission-l3', insns: 20n }, { kind: 'access-flag-l0', insns: 10n }, { kind: 'sea', insns: 100000n }] });
    expect(report.injected!.map((j) => [j.kind, j.insns])).toEqual([['access-flag-l0', 12], ['permission-l3', 22]]);
    expect(report.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(report.notes).toContain('inject sea@insns=100000: the run ended before a memory access at or after that count');
  });

  it('a bad kind or number is an OptionError with one line', () => {
    expect(() => runProgram(LOOP, { root: fresh(), inject: [{ kind: 'nope', insns: 1n }] })).toThrow(OptionError);
    expect(() => runProgram(LOOP, { root: fresh(), inject: [{ kind: 'nope', insns: 1n }] })).toThrow(/^inject: unknown kind "nope"/);
    expect(() => runProgram(LOOP, { root: fresh(), inject: [{ kind: 'sea', insns: -1n }] })).toThrow(/insns must be a non-negative/);
  });

  it('setup.inject in a scenario file, and a bad one names the file, line and field', () => {
    const dir = fresh();
    const ok = join(dir, 'inject.yaml');
    writeFileSync(ok, [
      'name: inject_parity', 'program: inject_loop', 'setup:', '  rlimitCore: 0', '  inject: ["parity@insns=3"]', 'expect:',
      '  exit: { kind: signaled, signal: SIGBUS }', '  signals:',
      '    - { signal: SIGBUS, code: BUS_OBJERR, addr: counter, esr: 0x92000058, fault: synchronous parity or ECC error }', '',
    ].join('\n'));
    const r = runScenario(ok);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nprogram: inject_loop\nsetup:\n  inject: ["sea@insns=x"]\nexpect: {}\n');
    expect(() => loadScenario(bad)).toThrow(ScenarioError);
    expect(() => loadScenario(bad)).toThrow(/bad\.yaml:4:12: field "setup\.inject\[0\]": inject: insns="x" in "sea@insns=x" is not a number/);
    const c = af('test', bad);
    expect(c.status).toBe(1); // a scenario that does not validate fails, as any other failing scenario
    expect(c.stdout).toMatch(/^FAIL +bad .*field "setup\.inject\[0\]"/m);
  });
});

/** fault_info[] of v6.17 (kernel.md §3): the rows whose handler sends a signal of its own, by DFSC. */
const KERNEL_ROWS: Record<number, string> = {
  0x10: 'SIGBUS BUS_OBJERR', 0x11: 'SIGSEGV SEGV_MTESERR', 0x18: 'SIGBUS BUS_OBJERR', 0x21: 'SIGBUS BUS_ADRALN', 0x35: 'SIGBUS BUS_OBJERR',
};
const PAGE_FAULT_ROWS = [0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x2b];

describe('arm64-fault matrix inject_loop --vary inject=all', () => {
  const r = af('matrix', 'inject_loop', '--vary', 'inject=all', '--format', 'csv');
  const rows = r.stdout.trim().split('\n').map((l) => l.match(/("[^"]*"|[^,]+)/g)!.map((c) => c.replace(/^"|"$/g, '')));

  it('has one row per fault_info row and per special kind, and no mismatch', () => {
    expect(r.status).toBe(0);
    expect(rows[0]).toEqual(['inject', 'dfsc', 'fault_info', 'handler', 'expected', 'result', 'mismatch', 'outcome', 'signal', 'core']);
    expect(rows).toHaveLength(1 + 64 + 3);
    expect(rows.slice(1).filter((x) => x[6] !== 'no')).toEqual([]);
  });

  it('each row does what the pinned kernel\'s table says', () => {
    for (const row of rows.slice(1, 65)) {
      const fsc = Number(row[1]);
      if (PAGE_FAULT_ROWS.includes(fsc)) expect(row.slice(4, 10), row[0]).toEqual(['none', 'handled silently', 'no', 'exited 0', '-', '-']);
      else if (KERNEL_ROWS[fsc]) expect(row.slice(4, 9), row[0]).toEqual([KERNEL_ROWS[fsc], 'dumped core', 'no', `killed by ${KERNEL_ROWS[fsc].split(' ')[0]}`, KERNEL_ROWS[fsc]]);
      else expect(row.slice(4, 9), row[0]).toEqual(['SIGKILL SI_KERNEL', 'killed', 'no', 'killed by SIGKILL', 'SIGKILL SI_KERNEL']);
    }
    expect(rows.slice(65).map((x) => [x[0], x[8]])).toEqual([
      ['memory-failure', 'SIGBUS BUS_MCEERR_AR'], ['sp-alignment', 'SIGBUS BUS_ADRALN'], ['pc-alignment', 'SIGBUS BUS_ADRALN']]);
  });

  it('--inject-at moves the point; a value may carry its own', () => {
    const m = af('matrix', 'inject_loop', '--vary', 'inject=sea,0x0b@insns=4', '--inject-at', 'insns=0,fnv', '--format', 'csv');
    expect(m.status).toBe(0);
    const out = m.stdout.trim().split('\n');
    expect(out[1]).toMatch(/^sea,0x10,synchronous external abort,do_sea,SIGBUS BUS_OBJERR,dumped core,no,/);
    expect(out[2]).toMatch(/^0x0b@insns=4,0x0b,level 3 access flag fault,do_page_fault,none,handled silently,no,exited 0/);
    const bad = af('matrix', 'inject_loop', '--vary', 'inject=sae');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown kind "sae"/);
  });
});

describe('README "Fault injection"', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Fault injection\n'), readme.indexOf('\n## Scripting API\n'));
  const block = /\n```sh\n([\s\S]*?)\n```/.exec(section)![1];

  it('its example prints what it says', () => {
    const dir = fresh();
    const script = block.replace(/npx arm64-fault/g, JSON.stringify(BIN)).replace(/programs\/build\//g, `${join(ROOT, 'programs/build')}/`);
    const r = spawnSync('bash', ['-c', `exec 2>&1\n${script}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });
    const out = r.stdout.split('\n');
    let i = 0;
    for (const want of block.split('\n').filter((l) => l.startsWith('#> ')).map((l) => l.slice(3))) {
      while (i < out.length && !(want.endsWith('…') ? out[i].startsWith(want.slice(0, -1)) : out[i] === want)) i++;
      expect(i < out.length, `"${want}" in:\n${r.stdout}`).toBe(true);
      i++;
    }
    expect(existsSync(join(dir, 'core'))).toBe(false); // --rlimit-core 0
  });
});
