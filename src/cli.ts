// The command line: a thin layer over Machine (DESIGN.md §4). Exit status is the guest's, as a shell reports it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from './trace.ts';
import { Command, Option, InvalidArgumentError } from 'commander';
import { Machine } from './machine.ts';
import { forEachTextChunk, shellStatus, type RunReport } from './report.ts';
import { EmulatorError, InternalError, OptionError, UsageError } from './errors.ts';
import { RLIM_INFINITY } from './kernel/task.ts';
import { signalByName } from './kernel/sigdefs.ts';
import { unicorn } from './cpu/unicorn.ts';
import { coredumpsCommand } from './harness/coredumps.ts';
import type { MachineOptions } from './options.ts';
import { parseInject, type InjectSpec } from './arch/arm64/inject.ts';
import { hostWrite } from './host_stdio.ts';

/** The Linux version whose behaviour is reproduced (the uname release of kernel/sys.ts is 6.17.0-arm64-fault). */
export const LINUX_VERSION = '6.17';

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};
const big = (name: string) => (v: string): bigint => {
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return BigInt(v);
};
const hexMask = (v: string): number => {
  if (!/^(0x)?[0-9a-f]{1,8}$/i.test(v)) throw new InvalidArgumentError('--coredump-filter must be a hex bit mask (e.g. 0x33)');
  return parseInt(v, 16);
};
const rlimit = (v: string): bigint => (v === 'unlimited' ? RLIM_INFINITY : big('--rlimit-core')(v));
const repeat = (v: string, prev: string[]): string[] => [...prev, v];

/** Seconds of virtual time, with up to 9 decimals ("1.5"), as ns. */
function seconds(v: string, what: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (!m) throw new InvalidArgumentError(`${what}: "${v}" is not a number of seconds (e.g. 1.5)`);
  return BigInt(m[1]) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

const signalArg = (name: string, v: string): number => {
  const signo = signalByName(name);
  if (signo === undefined) throw new InvalidArgumentError(`"${name}" is not a signal name (e.g. SIGQUIT)`);
  return signo;
};

type When = { insns: bigint } | { ns: bigint };
function when(v: string, usage: string): When {
  const m = /^(insns|time)=(.+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(usage);
  if (m[1] === 'time') return { ns: seconds(m[2], usage) };
  if (!/^\d+$/.test(m[2])) throw new InvalidArgumentError(usage);
  return { insns: BigInt(m[2]) };
}

function collectSignals(v: string, prev: ({ signo: number } & When)[]): ({ signo: number } & When)[] {
  const usage = `"${v}" is not SIG@insns=N or SIG@time=SECONDS (e.g. SIGINT@insns=1000, SIGQUIT@time=1.5)`;
  const at = v.indexOf('@');
  if (at < 0) throw new InvalidArgumentError(usage);
  const signo = signalByName(v.slice(0, at));
  if (signo === undefined) throw new InvalidArgumentError(`${usage}: "${v.slice(0, at)}" is not a signal name`);
  return [...prev, { signo, ...when(v.slice(at + 1), usage) }];
}

function collectInject(v: string, prev: InjectSpec[]): InjectSpec[] {
  try {
    return [...prev, parseInject(v)];
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function collectGcore(v: string, prev: When[]): When[] {
  return [...prev, when(v, `"${v}" is not insns=N or time=SECONDS`)];
}

function gdbAddress(v: string): { host: string; port: number } {
  const m = /^(?:(localhost|\d+\.\d+\.\d+\.\d+):)?(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new InvalidArgumentError(`"${v}" is not [host:]port (e.g. 1234, 0.0.0.0:1234; 0: any free port)`);
  return { host: !m[1] || m[1] === 'localhost' ? '127.0.0.1' : m[1], port: Number(m[2]) };
}

/** `run --gdb`: the whole run happens under gdb's control (src/gdbstub/); the report follows as without it. */
async function debugWithGdb(machine: Machine, at: { host: string; port: number }, logFile: string | undefined): Promise<void> {
  if (machine.cpu.icount === null) throw new OptionError('--gdb needs exact instruction counting (single steps): drop --fast');
  const { serveGdb } = await import('./gdbstub/stub.ts'); // loaded for --gdb only (cold start)
  const log = logFile ? fs.openSync(logFile, 'w') : null;
  try {
    serveGdb(machine, {
      host: at.host, port: at.port,
      announce: (host, port) => hostWrite(2, `arm64-fault: waiting for gdb on ${host}:${port} (gdb: target remote ${host}:${port})\n`),
      log: log === null ? undefined : (line) => void fs.writeSync(log, line + '\n'),
    });
  } finally {
    if (log !== null) fs.closeSync(log);
  }
}

const onStuck = (v: string): number | 'gcore' => (v === 'gcore' ? 'gcore' : signalArg(v, v));

/** The options every command that runs a program takes. */
function runOptions(cmd: Command): Command {
  return cmd
    .argument('<program>', 'AArch64 ELF executable (host path): static, or dynamic with --root/--sysroot holding its interpreter')
    .argument('[args...]', 'guest arguments (after --)')
    .option('--root <dir>', "host directory that is the guest's /; guest files and core files stay inside it (default: the current directory)")
    .option('--cwd <path>', 'guest working directory', '/')
    .option('--sysroot <dir>', 'read-only directory searched before --root for absolute guest paths (the interpreter, libraries), like qemu -L')
    .option('--env <KEY=value>', 'a guest environment entry; repeatable (none by default, for reproducible runs)', repeat, [])
    .option('--signal <SIG@insns=N|SIG@time=S>', 'send SIG from another process (SI_USER) after N instructions or S seconds of virtual time (also while the guest sleeps or waits); repeatable', collectSignals, [])
    .option('--gcore <insns=N|time=S>', 'write core.<pid> after N instructions or S seconds of virtual time and go on, like gdb gcore; repeatable', collectGcore, [])
    .option('--timeout <seconds>', 'end a run still going after this much virtual time with outcome "timeout"', (v: string) => seconds(v, '--timeout'))
    .option('--on-timeout <SIG>', 'at the timeout, send SIG from another process first (e.g. SIGABRT for a core)', (v: string) => signalArg(v, v))
    .option('--on-stuck <SIG|gcore>', 'when the process waits for something that can never happen: send SIG (e.g. SIGQUIT for a core), or write a gcore; the outcome is "stuck" otherwise', onStuck)
    .option('--inject <KIND@insns=N[,addr=A][,fetch][,fnv]>', 'from instruction N on, the next memory access (or, with fetch, the instruction fetch) takes this abort: a fault_info row (0x10, sea, access-flag-l3…), memory-failure, sp-alignment or pc-alignment; repeatable (README "Fault injection")', collectInject, [])
    .option('--max-insns <n>', 'stop with outcome "limit" after n instructions', big('--max-insns'))
    .option('--quantum <n>', 'scheduler time slice: a task runs at most n instructions before another runnable one (default: 1000000)', big('--quantum'))
    .option('--sched-seed <n>', 'permute the scheduler\'s choices reproducibly with this seed (search for and replay a racy interleaving)', int('--sched-seed'))
    .option('--fast', 'skip exact instruction counting (about 4x faster in tight loops; icount is then null)')
    .option('--pid <n>', 'pid of the guest process', int('--pid'), 1000)
    .option('--uid <n>', 'real, effective and saved uid of the guest process (0: root)', int('--uid'), 1000)
    .option('--gid <n>', 'real, effective and saved gid of the guest process', int('--gid'), 1000)
    .option('--time <seconds>', 'CLOCK_REALTIME at start, seconds since the Epoch (default: 1700000000)', big('--time'))
    .option('--seed <n>', 'seed for AT_RANDOM and getrandom (default: 0)', big('--seed'))
    .option('--rlimit-core <bytes|unlimited>', 'RLIMIT_CORE (default: unlimited)', rlimit)
    .option('--core-pattern <pattern>', 'kernel.core_pattern', 'core')
    .addOption(new Option('--core-uses-pid <0|1>', 'kernel.core_uses_pid').choices(['0', '1']).default('0'))
    .option('--core-pipe-limit <n>', 'kernel.core_pipe_limit (0: unlimited)', int('--core-pipe-limit'), 0)
    .option('--coredump-filter <hex>', '/proc/PID/coredump_filter', hexMask, 0x33)
    .addOption(new Option('--suid-dumpable <0|1|2>', 'fs.suid_dumpable').choices(['0', '1', '2']).default('0'))
    .addOption(new Option('--dumpable <0|1|2>', 'the process starts with this dumpable flag, as after prctl(PR_SET_DUMPABLE) (default: the exec rule)').choices(['0', '1', '2']))
    .option('--collect-dir <dir>', 'where core_pattern "|arm64-fault-collect …" stores cores (default: <root>/var/lib/arm64-fault/coredumps)')
    .option('--allow-host-pipe', 'let a core_pattern pipe run a real host program')
    .option('--exception-trace', 'debug.exception-trace=1: log unhandled user faults as the kernel does')
    .option('--oops-on-syscall <nr>', 'experiment: that syscall dereferences x0 in kernel mode, so a bad pointer Oopses (panic)', int('--oops-on-syscall'));
}

function machineOptions(prog: string, args: string[], o: Record<string, unknown>, passthrough: boolean): Partial<MachineOptions> {
  return {
    argv: [prog, ...args], env: o.env as string[], root: (o.root as string | undefined) ?? process.cwd(), cwd: o.cwd as string,
    sysroot: (o.sysroot as string | undefined) ?? null,
    signals: (o.signal as ({ signo: number } & When)[]).flatMap((x) => ('insns' in x ? [{ signo: x.signo, insns: x.insns }] : [])),
    timedSignals: (o.signal as ({ signo: number } & When)[]).flatMap((x) => ('ns' in x ? [{ signo: x.signo, ns: x.ns }] : [])),
    inject: o.inject as InjectSpec[],
    gcore: (o.gcore as When[]).flatMap((x) => ('insns' in x ? [x.insns] : [])),
    gcoreTimes: (o.gcore as When[]).flatMap((x) => ('ns' in x ? [x.ns] : [])),
    timeout: (o.timeout as bigint | undefined) ?? null, onTimeout: (o.onTimeout as number | undefined) ?? null,
    onStuck: (o.onStuck as number | 'gcore' | undefined) ?? null,
    pid: o.pid as number, uid: o.uid as number, gid: o.gid as number, time: (o.time as bigint | undefined) ?? 1_700_000_000n, seed: (o.seed as bigint | undefined) ?? 0n,
    maxInsns: (o.maxInsns as bigint | undefined) ?? null, countInsns: !o.fast,
    ...(o.quantum !== undefined ? { quantum: o.quantum as bigint } : {}), schedSeed: (o.schedSeed as number | undefined) ?? null,
    rlimitCore: (o.rlimitCore as bigint | undefined) ?? RLIM_INFINITY, corePattern: o.corePattern as string,
    coreUsesPid: o.coreUsesPid === '1', corePipeLimit: o.corePipeLimit as number, coredumpFilter: o.coredumpFilter as number,
    suidDumpable: Number(o.suidDumpable) as 0 | 1 | 2,
    dumpable: o.dumpable === undefined ? null : (Number(o.dumpable) as 0 | 1 | 2), exceptionTrace: Boolean(o.exceptionTrace),
    oopsOnSyscall: (o.oopsOnSyscall as number | undefined) ?? null,
    collectDir: (o.collectDir as string | undefined) ? path.resolve(o.collectDir as string) : null,
    allowHostPipe: Boolean(o.allowHostPipe), passthrough, interruptible: true,
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
  // the sysctls the dump used: the options' values, or what the guest wrote to /proc/sys before the crash
  out.push(`Core-dump sysctls in force: ${Object.entries(r.sysctl).map(([n, v]) => `${n} = ${JSON.stringify(v)}`).join(', ')}.`);
  for (const c of r.sysctlChanges) {
    out.push(`  the guest set ${c.name} ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)} (pid ${c.pid}, ${c.comm}` +
      `${c.icount !== null ? `, at instruction ${c.icount}` : ''})`);
  }
  if (r.core.steps.length === 0) out.push(`${r.exit.signal}'s default action does not dump core (it only terminates).`);
  r.core.steps.forEach((s, i) => out.push(`${String(i + 1).padStart(2)}. ${s.ok ? 'ok  ' : 'STOP'} ${s.step}: ${s.detail}`));
  if (r.core.dumped) out.push(`Result: core written to ${r.core.path} (${r.core.size} bytes${r.core.truncated ? ', truncated at RLIMIT_CORE' : ''}); the shell shows "(core dumped)".`);
  else out.push(`Result: no core. ${r.core.reason ?? ''}`);
  for (const l of r.kernelLog.filter((x) => x.startsWith('coredump:'))) out.push(`kernel log: ${l}`);
  return out.join('\n');
}

/** `--version`: this package, the Unicorn library in use, and the Linux version the emulation follows. */
export function versionText(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let engine: string;
  try {
    const e = unicorn().engine;
    engine = `Unicorn ${e.version} (${e.source === 'project' ? 'project copy' : 'system library'}: ${e.path})`;
  } catch (e) {
    engine = `Unicorn not loadable (${(e as Error).message})`;
  }
  return `arm64-fault ${pkg.version}\n${engine}\nLinux ${LINUX_VERSION} (the kernel whose behaviour is reproduced)`;
}

const program = new Command('arm64-fault')
  .description('Run ARM64 Linux programs and do what Linux does when they fault: ESR, fault_info, signals, core dumps.')
  .option('-V, --version', 'print the version of arm64-fault, of the Unicorn engine (and which library is loaded) and of the emulated Linux')
  .on('option:version', () => {
    hostWrite(1, versionText() + '\n');
    process.exit(0);
  })
  .showHelpAfterError();

runOptions(program.command('run').description('run an ARM64 Linux program (static, or dynamic with its libraries from --root or --sysroot); guest arguments follow --'))
  .option('--json', 'print the report as JSON on stdout (guest output goes inside it)')
  .option('--trace <file>', 'write the kernel-path events (exception entry, fault_info row, signals, syscalls, core-dump steps) as JSON lines')
  .option('--strace <file>', 'print the syscalls and signals as strace does: --strace alone to stderr, --strace=FILE to a file')
  .option('--gdb <[host:]port>', 'serve gdb\'s remote protocol on host:port (default host 127.0.0.1; port 0: any free one, announced on stderr) and wait, stopped before the first instruction, for `target remote`', gdbAddress)
  .option('--gdb-wait', 'with --gdb: stop before the first instruction and wait for gdb (what --gdb does; accepted for clarity)')
  .option('--gdb-log <file>', 'with --gdb: write every remote-protocol packet, both ways, to file')
  .option('--html <file>', 'write the run as one self-contained HTML page: kernel-path timeline, signal frames byte by byte, memory map with the fault address, core-dump decision chain')
  .action(async (prog: string, args: string[], o: Record<string, unknown>) => {
    // the strace printer loads for --strace only (cold start)
    const strace = o.strace === undefined ? null : (await import('./strace/strace.ts')).strace;
    const trace = o.trace ? fs.openSync(o.trace as string, 'w') : null;
    // the page's renderers load for --html only (cold start)
    const html = o.html ? (await import('./html/run.ts')).runHtmlFile(o.html as string) : null;
    const straceFd = o.strace === undefined ? null : o.strace === '-' ? 2 : fs.openSync(o.strace as string, 'w');
    let machine: Machine | null = null;
    const st = straceFd === null || strace === null ? null
      : strace((line) => fs.writeSync(straceFd, line + '\n'), (a, n) => machine?.cpu.read(a, n) ?? null);
    const sinks = [...(trace === null ? [] : [(e: TraceEvent) => void fs.writeSync(trace, JSON.stringify(e) + '\n')]), ...(st ? [st.sink] : []),
      ...(html ? [html.sink] : [])];
    const sink = sinks.length === 0 ? undefined : sinks.length === 1 ? sinks[0] : (e: TraceEvent) => sinks.forEach((f) => f(e));
    let report: RunReport;
    try {
      machine = new Machine(prog, machineOptions(prog, args, o, !o.json), sink);
      if (o.gdb) await debugWithGdb(machine, o.gdb as { host: string; port: number }, o.gdbLog as string | undefined);
      report = machine.run();
      st?.finish(report);
      html?.write(report, machine.captures);
    } finally {
      if (trace !== null) fs.closeSync(trace);
      html?.close();
      if (straceFd !== null && straceFd !== 2) fs.closeSync(straceFd);
    }
    if (o.json) hostWrite(1, JSON.stringify(report, null, 2) + '\n');
    else forEachTextChunk(report, (chunk) => hostWrite(2, chunk));
    process.exitCode = shellStatus(report);
  });

runOptions(program.command('explain').description('run a program and explain, step by step, why a core was or was not written'))
  .option('--html <file>', 'also write the run\'s HTML page (as run --html does), with the decision chain drawn')
  .action(async (prog: string, args: string[], o: Record<string, unknown>) => {
    const html = o.html ? (await import('./html/run.ts')).runHtmlFile(o.html as string) : null;
    try {
      const machine = new Machine(prog, machineOptions(prog, args, o, false), html?.sink);
      const report = machine.run();
      html?.write(report, machine.captures);
      hostWrite(1, explainCore(report) + '\n');
    } finally {
      html?.close();
    }
  });

program.addCommand(coredumpsCommand());

// every command, added ones too (addCommand does not inherit it), shows its help after a usage error and exits
// with 2 for it, as our own usage errors do (commander's default is 1)
const helpAfterError = (c: Command): void => {
  c.showHelpAfterError();
  c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  c.commands.forEach(helpAfterError);
};

/**
 * No stack trace reaches a user. A bad option value (OptionError, or commander's) is a usage error: 2. The
 * emulator refusing or failing at something it names (a malformed ELF, the engine): 126. Anything else is a bug:
 * "internal error", one line, with what reproduces it, and 126.
 */
function fail(e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  const system = 'syscall' in err; // a file the user named could not be opened (ENOENT, EACCES…): usage
  const bug = (!(err instanceof EmulatorError) && !system && !(err instanceof UsageError)) || err instanceof InternalError;
  hostWrite(2, bug
    ? `arm64-fault: internal error: ${err.message} (reproduce with: arm64-fault ${process.argv.slice(2).join(' ')}; ` +
      'ARM64_FAULT_DEBUG=1 shows the stack)\n'
    : `arm64-fault: ${err.message}\n`);
  if (process.env.ARM64_FAULT_DEBUG === '1' && err.stack) hostWrite(2, `${err.stack}\n`);
  process.exitCode = err instanceof EmulatorError && !(err instanceof OptionError) ? 126 : 2;
}
process.on('uncaughtException', (e) => {
  fail(e);
  process.exit();
});

// No top-level await: the installed command runs this module bundled as one CommonJS script (scripts/bundle.sh).
async function main(): Promise<void> {
  // The harness (yaml, zod, workers) loads only when it may be needed, to keep `run` starting fast; an unknown
  // command or a help request loads it too, so that the help lists every command.
  const sub = process.argv[2];
  if (!['run', 'explain', 'coredumps', '-V', '--version'].includes(sub)) {
    program.addCommand((await import('./harness/batch.ts')).harnessCommand()); // test <files|folders> [-j N] [-r R] [-o F]
    program.addCommand((await import('./harness/matrix.ts')).matrixCommand()); // matrix <program> --vary k=v1,v2 …
  }
  helpAfterError(program);
  // `--strace` alone means stderr; `--strace=FILE` a file (commander would take a bare `--strace prog` as FILE)
  const dashdash = process.argv.indexOf('--');
  await program.parseAsync(process.argv.map((a, i) => (a === '--strace' && (dashdash < 0 || i < dashdash) ? '--strace=-' : a)));
}
main().catch(fail);
