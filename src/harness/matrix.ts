// `arm64-fault matrix`: one program under every combination of core-dump settings, one row per run:
// what the process died of and what the core-dump code decided (dumped, or the first clause of its reason).
import { UsageError } from '../errors.ts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Machine } from '../machine.ts';
import type { MachineOptions } from '../options.ts';
import type { RunReport } from '../report.ts';
import { RLIM_INFINITY } from '../kernel/task.ts';
import { PROGRAMS_DIR } from './scenario.ts';
import { expandInject, injectColumns, injectSpec } from './matrix-inject.ts';
import { renderMatrixHtml } from '../html/matrix.ts';

/** A --vary key: how its text values become MachineOptions. */
interface Axis {
  option: keyof MachineOptions;
  parse: (v: string) => MachineOptions[keyof MachineOptions];
  /** one value standing for several (inject=all) */
  expand?: (v: string) => string[];
}

const intIn = (key: string, max: number) => (v: string): number => {
  const n = /^(\d+|0x[0-9a-f]+)$/i.test(v) ? Number(v) : NaN;
  if (!(n >= 0 && n <= max)) throw new InvalidArgumentError(`${key}: "${v}" is not an integer in 0..${max}`);
  return n;
};

export const AXES: Record<string, Axis> = {
  'rlimit-core': {
    option: 'rlimitCore',
    parse: (v) => {
      if (v === 'unlimited') return RLIM_INFINITY;
      if (!/^(\d+|0x[0-9a-f]+)$/i.test(v)) throw new InvalidArgumentError(`rlimit-core: "${v}" is not a byte count or "unlimited"`);
      return BigInt(v);
    },
  },
  'rlimit-stack': { option: 'rlimitStack', parse: (v) => BigInt(v) },
  'core-pattern': { option: 'corePattern', parse: (v) => v },
  'core-uses-pid': { option: 'coreUsesPid', parse: (v) => intIn('core-uses-pid', 1)(v) === 1 },
  'coredump-filter': { option: 'coredumpFilter', parse: (v) => intIn('coredump-filter', 0x1ff)(v.startsWith('0x') ? v : `0x${v}`) },
  // the process's own flag (prctl(PR_SET_DUMPABLE)); suid-dumpable is the sysctl for set-id programs
  dumpable: { option: 'dumpable', parse: (v) => intIn('dumpable', 2)(v) as 0 | 1 | 2 },
  'suid-dumpable': { option: 'suidDumpable', parse: (v) => intIn('suid-dumpable', 2)(v) as 0 | 1 | 2 },
  uid: { option: 'uid', parse: intIn('uid', 0xfffffffe) },
  // a fault_info row, memory-failure, sp-/pc-alignment (KIND, at --inject-at), or KIND@insns=N: matrix-inject.ts
  inject: { option: 'inject', parse: (v) => [injectSpec(v, 'insns=0')], expand: expandInject },
};

export interface MatrixRow {
  /** the settings of this run, as given on the command line */
  settings: Record<string, string>;
  outcome: string;
  signal: string;
  core: string;
  /** columns an axis adds (inject: the row, the expectation, the result, mismatch) */
  columns?: Record<string, string>;
  report: RunReport;
}

/** The reason's first clause: "RLIMIT_CORE is 0 (ulimit -c 0): a core file needs…" → "RLIMIT_CORE is 0 (ulimit -c 0)"; also ends at ", " and ". ". */
export function firstClause(reason: string): string {
  return reason.split(/[:;,](?=\s)|\.\s/)[0].trim();
}

export function describeRun(r: RunReport): Omit<MatrixRow, 'settings' | 'report'> {
  const e = r.exit;
  const outcome = e.kind === 'exited' ? `exited ${e.code}` : e.kind === 'signaled' ? `killed by ${e.signal}` : e.kind;
  const s = r.signals.find((x) => x.action === 'default') ?? r.signals.at(-1);
  const signal = s ? `${s.name} ${s.codeName}` : '-';
  const core = r.core.dumped ? `dumped${r.core.truncated ? ', truncated' : ''} (${r.core.size} bytes)`
    : r.core.reason ? `no: ${firstClause(r.core.reason)}` : '-';
  return { outcome, signal, core };
}

/** Every combination of the axes' values, the first axis varying slowest. */
export function combinations(vary: [string, string[]][]): Record<string, string>[] {
  return vary.reduce<Record<string, string>[]>((acc, [k, vs]) => acc.flatMap((c) => vs.map((v) => ({ ...c, [k]: v }))), [{}]);
}

export function resolveProgramArg(p: string): string {
  if (fs.existsSync(p)) return path.resolve(p);
  const built = path.join(PROGRAMS_DIR, p);
  if (fs.existsSync(built)) return built;
  throw new UsageError(`program "${p}" is neither a file nor in ${PROGRAMS_DIR}`);
}

/** `injectAt`: where an inject value without its own @insns=… is injected (`insns=N[,addr=A][,fetch][,fnv]`). */
export function runMatrix(program: string, vary: [string, string[]][], base: Partial<MachineOptions> = {}, injectAt = 'insns=0'): MatrixRow[] {
  const exe = resolveProgramArg(program);
  for (const [k] of vary) if (!AXES[k]) throw new InvalidArgumentError(`unknown --vary key "${k}" (one of: ${Object.keys(AXES).join(', ')})`);
  vary = vary.map(([k, vs]) => [k, vs.flatMap((v) => AXES[k].expand?.(v) ?? [v])]);
  return combinations(vary).map((settings) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'af-matrix-'));
    try {
      const o: Partial<MachineOptions> = { argv: [exe], ...base, root };
      for (const [k, v] of Object.entries(settings)) (o as Record<string, unknown>)[AXES[k].option] = AXES[k].parse(v);
      const inject = settings.inject === undefined ? undefined : injectSpec(settings.inject, injectAt);
      if (inject) o.inject = [inject];
      const report = new Machine(exe, o).run();
      return { settings, ...describeRun(report), ...(inject ? { columns: injectColumns(inject, report) } : {}), report };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}

export type MatrixFormat = 'table' | 'markdown' | 'csv';

export function formatMatrix(rows: MatrixRow[], format: MatrixFormat): string {
  const keys = rows.length ? Object.keys(rows[0].settings) : [];
  const cols = rows.length ? Object.keys(rows[0].columns ?? {}) : [];
  const head = [...keys, ...cols, 'outcome', 'signal', 'core'];
  const body = rows.map((r) => [...keys.map((k) => r.settings[k]), ...cols.map((c) => r.columns![c]), r.outcome, r.signal, r.core]);
  if (format === 'csv') {
    const q = (c: string) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    return [head, ...body].map((r) => r.map(q).join(',')).join('\n');
  }
  if (format === 'markdown') {
    const esc = (c: string) => c.replace(/\|/g, '\\|');
    return [head, head.map(() => '---'), ...body].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
  }
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...body.map(line)].join('\n');
}

function collectVary(v: string, prev: [string, string[]][]): [string, string[]][] {
  const m = /^([a-z-]+)=(.*)$/s.exec(v);
  if (!m) throw new InvalidArgumentError(`"${v}" is not key=v1,v2,…`);
  if (!AXES[m[1]]) throw new InvalidArgumentError(`unknown key "${m[1]}" (one of: ${Object.keys(AXES).join(', ')})`);
  const values = m[2].split(',').flatMap((x) => AXES[m[1]].expand?.(x) ?? [x]);
  for (const x of values) AXES[m[1]].parse(x); // reject a bad value before anything runs
  return [...prev, [m[1], values]];
}

export function matrixCommand(onStatus: (status: number) => void = (s) => { process.exitCode = s; }): Command {
  return new Command('matrix')
    .description('run a program under every combination of core-dump settings and tabulate the outcome and core decision')
    .argument('<program>', 'a static ARM64 executable, or a name in programs/build/')
    .argument('[args...]', 'guest arguments (after --)')
    .option('--vary <key=v1,v2,…>', `a setting and its values; repeatable. Keys: ${Object.keys(AXES).join(', ')}`, collectVary, [])
    .option('--inject-at <insns=N[,addr=A][,fetch][,fnv]>', 'where --vary inject=KIND values are injected (README "Fault injection")', (v: string) => {
      injectSpec('sea', v); // reject a bad one before anything runs
      return v;
    }, 'insns=0')
    .addOption(new Option('--format <f>', 'output format').choices(['table', 'markdown', 'csv']).default('table'))
    .option('--html <file>', 'also write the matrix as one self-contained HTML page, each row coloured by its outcome')
    .action((prog: string, args: string[], o: { vary: [string, string[]][]; format: MatrixFormat; injectAt: string; html?: string }) => {
      const exe = resolveProgramArg(prog);
      // opened first: a path that cannot be written fails before the runs
      const html = o.html === undefined ? null : fs.openSync(o.html, 'w');
      try {
        const rows = runMatrix(exe, o.vary, { argv: [exe, ...args] }, o.injectAt);
        if (html !== null) fs.writeSync(html, renderMatrixHtml(rows, prog, o.vary));
        process.stdout.write(formatMatrix(rows, o.format) + '\n');
      } finally {
        if (html !== null) fs.closeSync(html);
      }
      onStatus(0);
    });
}

/** Runs `arm64-fault matrix` with `argv` = the arguments after `matrix`; resolves to the exit status. */
export async function matrixMain(argv: string[]): Promise<number> {
  let status = 0;
  try {
    await matrixCommand((s) => { status = s; }).exitOverride().parseAsync(argv, { from: 'user' });
  } catch (e) {
    const c = (e as { code?: string }).code;
    if (c === 'commander.helpDisplayed') return 0;
    if (c?.startsWith('commander.')) return (e as { exitCode?: number }).exitCode ?? 2;
    process.stderr.write(`arm64-fault matrix: ${(e as Error).message}\n`);
    return 2;
  }
  return status;
}
