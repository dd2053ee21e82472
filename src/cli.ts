// The command line: a thin layer over Machine (DESIGN.md §4). Exit status is the guest's, as a shell reports it.
import { Command, Option, InvalidArgumentError } from 'commander';
import { Machine } from './machine.ts';
import { renderText, shellStatus } from './report.ts';
import { EmulatorError } from './errors.ts';
import { RLIM_INFINITY } from './kernel/task.ts';
import type { MachineOptions } from './options.ts';

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};
const big = (name: string) => (v: string): bigint => {
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return BigInt(v);
};
import { signalByName } from './kernel/sigdefs.ts';

function collectSignals(v: string, prev: { signo: number; insns: bigint }[]): { signo: number; insns: bigint }[] {
  const m = /^([A-Za-z0-9+]+)@insns=(\d+)$/.exec(v);
  const signo = m ? signalByName(m[1]) : undefined;
  if (!m || signo === undefined) throw new InvalidArgumentError(`"${v}" is not SIG@insns=N (e.g. SIGINT@insns=1000)`);
  return [...prev, { signo, insns: BigInt(m[2]) }];
}

const rlimit = (v: string): bigint => (v === 'unlimited' ? RLIM_INFINITY : big('--rlimit-core')(v));

const program = new Command('arm64-fault')
  .description('Run an ARM64 Linux program and do what Linux does when it faults: ESR, fault_info, signals, core dumps.')
  .showHelpAfterError();

program.command('run')
  .description('run a static ARM64 Linux program; guest arguments follow --')
  .argument('<program>', 'static AArch64 ELF executable (host path)')
  .argument('[args...]', 'guest arguments (after --)')
  .option('--json', 'print the report as JSON on stdout (guest output goes inside it)')
  .option('--root <dir>', "host directory that is the guest's /; core files land inside it", process.cwd())
  .option('--cwd <path>', 'guest working directory', '/')
  .option('--env <KEY=value>', 'a guest environment entry; repeatable (none by default, for reproducible runs)', (v: string, p: string[]) => [...p, v], [])
  .option('--signal <SIG@insns=N>', 'send SIG from another process (SI_USER) after N instructions; repeatable', collectSignals, [])
  .option('--max-insns <n>', 'stop with outcome "limit" after n instructions', big('--max-insns'))
  .option('--fast', 'skip exact instruction counting (about 4x faster in tight loops; icount is then null)')
  .option('--pid <n>', 'pid of the guest process', int('--pid'), 1000)
  .option('--time <seconds>', 'CLOCK_REALTIME at start, seconds since the Epoch (default: 1700000000)', big('--time'))
  .option('--seed <n>', 'seed for AT_RANDOM and getrandom (default: 0)', big('--seed'))
  .option('--rlimit-core <bytes|unlimited>', 'RLIMIT_CORE (default: unlimited)', rlimit)
  .option('--core-pattern <pattern>', 'kernel.core_pattern', 'core')
  .option('--core-uses-pid <0|1>', 'kernel.core_uses_pid', '0')
  .option('--coredump-filter <hex>', '/proc/PID/coredump_filter', '0x33')
  .addOption(new Option('--suid-dumpable <0|1|2>', 'fs.suid_dumpable').choices(['0', '1', '2']).default('0'))
  .option('--oops-on-syscall <nr>', 'experiment: that syscall dereferences x0 in kernel mode, so a bad pointer Oopses (panic)', int('--oops-on-syscall'))
  .option('--exception-trace', 'debug.exception-trace=1: log unhandled user faults as the kernel does')
  .action((prog: string, args: string[], o: Record<string, unknown>) => {
    const opts: Partial<MachineOptions> = {
      argv: [prog, ...args], env: (o.env as string[] | undefined) ?? [], root: o.root as string, cwd: o.cwd as string,
      signals: o.signal as { signo: number; insns: bigint }[],
      pid: o.pid as number, time: (o.time as bigint | undefined) ?? 1_700_000_000n, seed: (o.seed as bigint | undefined) ?? 0n,
      maxInsns: (o.maxInsns as bigint | undefined) ?? null, countInsns: !o.fast,
      rlimitCore: (o.rlimitCore as bigint | undefined) ?? RLIM_INFINITY, corePattern: o.corePattern as string,
      coreUsesPid: o.coreUsesPid === '1', coredumpFilter: parseInt(o.coredumpFilter as string, 16),
      suidDumpable: Number(o.suidDumpable) as 0 | 1 | 2, exceptionTrace: Boolean(o.exceptionTrace),
      oopsOnSyscall: (o.oopsOnSyscall as number | undefined) ?? null,
      passthrough: !o.json,
    };
    const report = new Machine(prog, opts).run();
    if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      const text = renderText(report);
      if (text) process.stderr.write(text + '\n');
    }
    process.exitCode = shellStatus(report);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof EmulatorError) {
    process.stderr.write(`arm64-fault: ${e.message}\n`);
    process.exitCode = 126;
  } else throw e;
}
