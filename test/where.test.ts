// Where a signal came from (DESIGN.md §4 wave 2): pc, object+offset, symbol+offset, source line and the
// instruction — checked against independent tools: objdump's disassembly and addr2line's line table.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { prog, run, symbol } from './helpers.ts';
import { af } from './bin.ts';

/** objdump's text for the instruction at addr: "ldr\tx1, [x0]" → "ldr x1, [x0]" */
function objdumpInsn(name: string, addr: bigint): string {
  const a = addr.toString(16);
  const out = execFileSync('aarch64-linux-gnu-objdump', ['-d', `--start-address=0x${a}`, `--stop-address=0x${(addr + 4n).toString(16)}`, prog(name)], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.trimStart().startsWith(`${a}:`))!;
  return line.split('\t').slice(2).join(' ').replace(/\s+\/\/.*$/, '').replace(/\s+/g, ' ').trim();
}

/** addr2line's file:line, relative to the program's compilation directory as DWARF stores it */
function addr2line(name: string, addr: bigint): string {
  const out = execFileSync('aarch64-linux-gnu-addr2line', ['-e', prog(name), `0x${addr.toString(16)}`], { encoding: 'utf8' }).trim();
  return out.replace(`${join(import.meta.dirname, '..', 'programs')}/`, '');
}

describe('the location of a fault', () => {
  it.each([
    ['segv_maperr_null', 'ldr x1, [x0]'],
    ['bus_adraln_ldxr', 'ldxr x1, [x0]'],
    ['trap_brkpt_brk', 'brk #0x3e8'],
    ['ill_illopc_udf', 'udf #0'],
    ['segv_accerr_write_ro', null],
  ])('%s: every field, the instruction as objdump reads it, the line as addr2line reads it', (name, insn) => {
    const { report } = run(name, { rlimitCore: 0n });
    const s = report.signals[0];
    const pc = symbol(name, 'fault_insn');
    expect(s).toMatchObject({
      pc: `0x${pc.toString(16)}`, object: prog(name), offset: `0x${(pc - 0x400000n).toString(16)}`,
      symbol: 'fault_insn+0x0', line: addr2line(name, pc),
    });
    expect(s.line).toMatch(new RegExp(`^asm/${name}\\.S:\\d+$`));
    expect(s.insn).toBe(objdumpInsn(name, pc));
    if (insn) expect(s.insn).toBe(insn);
  });

  it('a pc in no mapping: pc only', () => {
    const { report } = run('segv_maperr_exec', { rlimitCore: 0n });
    expect(report.signals[0]).toMatchObject({ pc: report.signals[0].addr, object: null, offset: null, symbol: null, line: null, insn: null });
  });

  it('a C program: the symbol and line of the faulting load; a signal raised by a syscall is located at its svc', () => {
    const { report } = run('sig_recover', { argv: [prog('sig_recover'), 'nested'], rlimitCore: 0n });
    const [segv, usr1] = report.signals;
    expect(segv).toMatchObject({ name: 'SIGSEGV', symbol: 'fault_skip+0x0', line: 'c/sig_common.h:115' });
    expect(segv.insn).toBe(objdumpInsn('sig_recover', BigInt(segv.pc!)));
    expect(usr1).toMatchObject({ name: 'SIGUSR1', source: 'tkill', insn: 'svc #0', line: null });
    expect(usr1.symbol).toMatch(/^__pthread_kill_implementation[.\w]*\+0x[0-9a-f]+$/);
  });

  it('a signal no instruction raised (from outside) has no location', () => {
    const { report } = run('hello', { signals: [{ signo: 3, insns: 3000n }] });
    expect(report.signals[0].pc).toBeUndefined();
    expect(JSON.parse(JSON.stringify(report)).signals[0]).not.toHaveProperty('insn');
  });

  it('the JSON report and the text output carry it, byte-identical from run to run', () => {
    const a = af('run', '--json', '--root', '/tmp', '--rlimit-core', '0', prog('segv_maperr_null'));
    const b = af('run', '--json', '--root', '/tmp', '--rlimit-core', '0', prog('segv_maperr_null'));
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).signals[0]).toMatchObject({ symbol: 'fault_insn+0x0', insn: 'ldr x1, [x0]' });
    const text = af('run', '--root', '/tmp', '--rlimit-core', '0', prog('segv_maperr_null'));
    expect(text.stderr).toContain('\n  at pc 0x400104 in fault_insn+0x0 (segv_maperr_null+0x104) at asm/segv_maperr_null.S:9: ldr x1, [x0]\n');
  });

  it('Capstone and libdw load with the first signal, not before', () => {
    const maps = (name: string) => spawnSync('node', ['--input-type=module', '-e', [
      `import { runProgram } from ${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'index.js'))};`,
      `runProgram(${JSON.stringify(prog(name))}, { root: '/tmp', rlimitCore: 0n });`,
      "const m = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');",
      "console.log(['libcapstone', 'libdw'].map((l) => m.includes(l)).join(' '));",
    ].join('\n')], { encoding: 'utf8' }).stdout.trim();
    expect(maps('exit42')).toBe('false false');
    expect(maps('segv_maperr_null')).toBe('true true');
  });
});
