// The command line: a thin layer over Machine (DESIGN.md §4). Exit status is the guest's, as a shell reports it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from './trace.ts';
import { Command, Option, InvalidArgumentError } from 'commander';
import { Machine } from './machine.ts';
import { renderText, shellStatus, type RunReport } from './report.ts';
import { EmulatorError } from './errors.ts';
import { RLIM_INFINITY } from './kernel/task.ts';
import { signalByName } from './kernel/sigdefs.ts';
import { listCollected, showCollected, formatCollectedList, formatCollectedInfo } from './fs/coredump_pipe.ts';
import type { MachineOptions } from './options.ts';

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};
const big = (name: string) => (v: string): bigint => {
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return BigInt(v);
};
const rlimit = (v: string): bigint => (v === 'unlimited' ? RLIM_INFINITY : big('--rlimit-core')(v));
const repeat = (v: string, prev: string[]): string[] => [...prev, v];

function collectSignals(v: string, prev: { signo: number; insns: bigint }[]): { signo: number; insns: bigint }[] {
  const m = /^([A-Za-z0-9+]+)@insns=(\d+)$/.exec(v);
  const signo = m ? signalByName(m[1]) : undefined;
  if (!m || signo === undefined) throw new InvalidArgumentError(`"${v}" is not SIG@insns=N (e.g. SIGINT@insns=1000)`);
  return [...prev, { signo, insns: BigInt(m[2]) }];
}

function collectGcore(v: string, prev: bigint[]): bigint[] {
  const m = /^insns=(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`"${v}" is not insns=N`);
  return [...prev, BigInt(m[1])];
}

/** The options every command that runs a program takes. */
function runOptions(cmd: Command): Command {
  return cmd
    .argument('<program>', 'AArch64 ELF executable (host path): static, or dynamic with --root/--sysroot holding its interpreter')
    .argument('[args...]', 'guest arguments (after --)')
    .option('--root <dir>', "host directory that is the guest's /; guest files and core files stay inside it", process.cwd())
    .option('--cwd <path>', 'guest working directory', '/')
    .option('--sysroot <dir>', 'read-only directory searched before --root for absolute guest paths (the interpreter, libraries), like qemu -L')
    .option('--env <KEY=value>', 'a guest environment entry; repeatable (none by default, for reproducible runs)', repeat, [])
    .option('--signal <SIG@insns=N>', 'send SIG from another process (SI_USER) after N instructions; repeatable', collectSignals, [])
    .option('--gcore <insns=N>', 'write core.<pid> after N instructions and go on, like gdb gcore; repeatable', collectGcore, [])
    .option('--max-insns <n>', 'stop with outcome "limit" after n instructions', big('--max-insns'))
    .option('--fast', 'skip exact instruction counting (about 4x faster in tight loops; icount is then null)')
    .option('--pid <n>', 'pid of the guest process', int('--pid'), 1000)
    .option('--time <seconds>', 'CLOCK_REALTIME at start, seconds since the Epoch (default: 1700000000)', big('--time'))
    .option('--seed <n>', 'seed for AT_RANDOM and getrandom (default: 0)', big('--seed'))
    .option('--rlimit-core <bytes|unlimited>', 'RLIMIT_CORE (default: unlimited)', rlimit)
    .option('--core-pattern <pattern>', 'kernel.core_pattern', 'core')
    .option('--core-uses-pid <0|1>', 'kernel.core_uses_pid', '0')
    .option('--core-pipe-limit <n>', 'kernel.core_pipe_limit (0: unlimited)', int('--core-pipe-limit'), 0)
    .option('--coredump-filter <hex>', '/proc/PID/coredump_filter', '0x33')
    .addOption(new Option('--suid-dumpable <0|1|2>', 'fs.suid_dumpable').choices(['0', '1', '2']).default('0'))
    .addOption(new Option('--dumpable <0|1|2>', 'the process starts with this dumpable flag, as after prctl(PR_SET_DUMPABLE) (default: the exec rule)').choices(['0', '1', '2']))
    .option('--collect-dir <dir>', 'where core_pattern "|arm64-fault-collect …" stores cores (default: <root>/var/lib/arm64-fault/coredumps)')
    .option('--allow-host-pipe', 'let a core_pattern pipe run a real host program')
    .option('--exception-trace', 'debug.exception-trace=1: log unhandled user faults as the kernel does')
    .option('--oops-on-syscall <nr>', 'experiment: that syscall dereferences x0 in kernel mode, so a bad pointer Oopses (panic)', int('--oops-on-syscall'));
}

function machineOptions(prog: string, args: string[], o: Record<string, unknown>, passthrough: boolean): Partial<MachineOptions> {
  return {
    argv: [prog, ...args], env: o.env as string[], root: o.root as string, cwd: o.cwd as string,
    sysroot: (o.sysroot as string | undefined) ?? null,
    signals: o.signal as { signo: number; insns: bigint }[], gcore: o.gcore as bigint[],
    pid: o.pid as number, time: (o.time as bigint | undefined) ?? 1_700_000_000n, seed: (o.seed as bigint | undefined) ?? 0n,
    maxInsns: (o.maxInsns as bigint | undefined) ?? null, countInsns: !o.fast,
    rlimitCore: (o.rlimitCore as bigint | undefined) ?? RLIM_INFINITY, corePattern: o.corePattern as string,
    coreUsesPid: o.coreUsesPid === '1', corePipeLimit: o.corePipeLimit as number, coredumpFilter: parseInt(o.coredumpFilter as string, 16),
    suidDumpable: Number(o.suidDumpable) as 0 | 1 | 2,
    dumpable: o.dumpable === undefined ? null : (Number(o.dumpable) as 0 | 1 | 2), exceptionTrace: Boolean(o.exceptionTrace),
    oopsOnSyscall: (o.oopsOnSyscall as number | undefined) ?? null,
    collectDir: (o.collectDir as string | undefined) ? path.resolve(o.collectDir as string) : null,
    allowHostPipe: Boolean(o.allowHostPipe), passthrough,
  };
}

/** The core-dump decision chain as a person reads it: each kernel check, its values, and the outcome. */
export function explainCore(r: RunReport): string {
  const out: string[] = [];
  const fatal = r.signals.at(-1);
  if (r.exit.kind !== 'signaled') {
    out.push(`The process did not die of a signal (${r.exit.kind}${r.exit.code !== null ? `, status ${r.exit.code}` : ''}): no core dump was considered.`);
    return out.join('\n');
  }
  out.push(`The process died of ${r.exit.signal}${fatal ? ` (${fatal.codeName}${fatal.addr ? ` at ${fatal.addr}` : ''})` : ''}.`);
  if (r.core.steps.length === 0) out.push(`${r.exit.signal}'s default action does not dump core (it only terminates).`);
  r.core.steps.forEach((s, i) => out.push(`${String(i + 1).padStart(2)}. ${s.ok ? 'ok  ' : 'STOP'} ${s.step}: ${s.detail}`));
  if (r.core.dumped) out.push(`Result: core written to ${r.core.path} (${r.core.size} bytes${r.core.truncated ? ', truncated at RLIMIT_CORE' : ''}); the shell shows "(core dumped)".`);
  else out.push(`Result: no core. ${r.core.reason ?? ''}`);
  for (const l of r.kernelLog.filter((x) => x.startsWith('coredump:'))) out.push(`kernel log: ${l}`);
  return out.join('\n');
}

const program = new Command('arm64-fault')
  .description('Run ARM64 Linux programs and do what Linux does when they fault: ESR, fault_info, signals, core dumps.')
  .showHelpAfterError();

runOptions(program.command('run').description('run a static ARM64 Linux program; guest arguments follow --'))
  .option('--json', 'print the report as JSON on stdout (guest output goes inside it)')
  .option('--trace <file>', 'write the kernel-path events (exception entry, fault_info row, signals, syscalls, core-dump steps) as JSON lines')
  .action((prog: string, args: string[], o: Record<string, unknown>) => {
    const trace = o.trace ? fs.openSync(o.trace as string, 'w') : null;
    const sink = trace === null ? undefined : (e: TraceEvent) => fs.writeSync(trace, JSON.stringify(e) + '\n');
    let report: RunReport;
    try {
      report = new Machine(prog, machineOptions(prog, args, o, !o.json), sink).run();
    } finally {
      if (trace !== null) fs.closeSync(trace);
    }
    if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      const text = renderText(report);
      if (text) process.stderr.write(text + '\n');
    }
    process.exitCode = shellStatus(report);
  });

runOptions(program.command('explain').description('run a program and explain, step by step, why a core was or was not written'))
  .action((prog: string, args: string[], o: Record<string, unknown>) => {
    const report = new Machine(prog, machineOptions(prog, args, o, false)).run();
    process.stdout.write(explainCore(report) + '\n');
  });

const coredumps = program.command('coredumps').description('list and show what the built-in pipe collector stored (like coredumpctl)');
coredumps.command('list')
  .option('--dir <dir>', 'collection directory', path.join(process.cwd(), 'var/lib/arm64-fault/coredumps'))
  .action((o: { dir: string }) => { process.stdout.write(formatCollectedList(listCollected(o.dir)) + '\n'); });
coredumps.command('info')
  .argument('<pid|file>', 'a pid or a core file name from `list`')
  .option('--dir <dir>', 'collection directory', path.join(process.cwd(), 'var/lib/arm64-fault/coredumps'))
  .action((what: string, o: { dir: string }) => {
    const e = showCollected(o.dir, /^\d+$/.test(what) ? Number(what) : what);
    if (!e) {
      process.stderr.write(`arm64-fault: no collected core matches "${what}" in ${o.dir}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(formatCollectedInfo(e) + '\n');
  });

// The harness (yaml, zod, workers) loads only for its commands, to keep `run` starting fast.
const sub = process.argv[2];
if (sub === 'test' || sub === 'matrix' || sub === 'help' || sub === '--help' || sub === '-h' || sub === undefined) {
  program.addCommand((await import('./harness/batch.ts')).harnessCommand()); // test <files|folders> [-j N] [-r R] [-o F]
  program.addCommand((await import('./harness/matrix.ts')).matrixCommand()); // matrix <program> --vary k=v1,v2 …
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof EmulatorError) {
    process.stderr.write(`arm64-fault: ${e.message}\n`);
    process.exitCode = 126;
  } else throw e;
}
