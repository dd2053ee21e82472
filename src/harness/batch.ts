// Many scenarios on worker_threads (one Machine per scenario, each worker runs one at a time), a progress
// bar on a TTY, a reporter, and `arm64-fault test`: exit status 1 exactly when a scenario fails.
import { UsageError } from '../errors.ts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runScenarioSafe, type ScenarioResult } from './run.ts';
import { render, REPORTERS, type ReporterName } from './reporters.ts';
import { parseShard, selectShard, type Shard } from './shard.ts';

export interface BatchOptions {
  /** worker threads [one per core]; 1 runs the scenarios in this thread */
  jobs?: number;
  reporter?: ReporterName;
  /** where progress goes (a TTY gets a bar, anything else one line per scenario) [none] */
  progress?: NodeJS.WriteStream | null;
  /** run only this part of the suite (--shard i/n) */
  shard?: Shard;
}

export interface BatchResult {
  ok: boolean;
  /** in the order of the files, whatever order they finished in */
  results: ScenarioResult[];
  ms: number;
  /** the reporter's output */
  output: string;
}

/** Files as given, folders searched recursively for *.yaml / *.yml, sorted, without duplicates. */
export function collectScenarioFiles(paths: string[]): string[] {
  const out = new Set<string>();
  const walk = (p: string, top: boolean): void => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`${p}: no such file or directory`);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e), false);
    } else if (top || /\.ya?ml$/.test(p)) out.add(path.resolve(p));
  };
  for (const p of paths) walk(p, true);
  return [...out];
}

/**
 * The worker runs src/harness/worker.ts, compiled (dist/harness/worker.js, found from this file's compiled copy,
 * dist/harness/batch.js, as whose location the bundled CLI, dist/cli.cjs, answers import.meta here) or, when this
 * file runs as TypeScript (vitest, tsx), the source through tsx. tsx's ESM hooks are per thread on
 * Node 20 and a worker does not inherit the parent's loader (vitest's is not a Node loader at all), so such a
 * worker registers tsx itself before importing the TypeScript entry.
 */
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); })
  .catch((e) => { setTimeout(() => { throw e; }); });`;

/** tsx's ESM API entry (its package exports' "./esm/api" import target), as a file URL. */
function tsxEsmApi(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api'].import.default)).href;
}

const COMPILED = import.meta.url.endsWith('.js');

function startWorker(): Worker {
  if (COMPILED) return new Worker(new URL('../harness/worker.js', import.meta.url), { execArgv: [] });
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Worker(BOOT, { eval: true, workerData: { tsxApi: tsxEsmApi(), entry }, execArgv: [] });
}

class Progress {
  private done = 0;
  private failed = 0;
  constructor(private readonly out: NodeJS.WriteStream | null, private readonly total: number) {}
  update(r: ScenarioResult): void {
    this.done++;
    if (!r.ok) this.failed++;
    if (!this.out) return;
    if (this.out.isTTY) {
      const width = 30;
      const fill = Math.round((this.done / this.total) * width);
      const bar = `${'█'.repeat(fill)}${'░'.repeat(width - fill)}`;
      this.out.write(`\r\x1b[K${bar} ${this.done}/${this.total}${this.failed ? ` (${this.failed} failed)` : ''} ${r.name}`);
      if (this.done === this.total) this.out.write('\r\x1b[K');
    } else {
      this.out.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${Math.round(r.ms)} ms)\n`);
    }
  }
}

async function runOnWorkers(files: string[], jobs: number, onResult: (i: number, r: ScenarioResult) => void): Promise<void> {
  let next = 0;
  const lost = (i: number, why: string): ScenarioResult => ({
    name: path.basename(files[i]).replace(/\.ya?ml$/, ''), file: files[i], ok: false, report: null, trace: [], ms: 0,
    error: why, failures: [{ field: 'run', expected: 'a run', actual: why }],
  });
  const one = (): Promise<void> => new Promise((resolve) => {
    const w = startWorker();
    let current = -1;
    let took = false;
    const feed = () => {
      if (next >= files.length) {
        current = -1;
        w.postMessage(null);
        return;
      }
      current = next++;
      took = true;
      w.postMessage({ id: current, file: files[current] });
    };
    w.on('message', (m: { ready?: true; id?: number; result?: ScenarioResult }) => {
      if (m.result && m.id !== undefined) onResult(m.id, m.result);
      feed();
    });
    w.on('error', (e) => {
      if (current >= 0) onResult(current, lost(current, `worker died: ${e.message}`));
      current = -1;
    });
    // a worker that dies takes only its current scenario with it; the others go to a fresh worker
    w.on('exit', () => {
      if (current >= 0) onResult(current, lost(current, 'worker exited'));
      if (!took) {
        // it died before taking any work (it could not start): replacing it would loop forever
        while (next < files.length) onResult(next, lost(next++, 'a worker could not start'));
      }
      resolve(next < files.length ? one() : undefined);
    });
  });
  await Promise.all(Array.from({ length: jobs }, one));
}

export async function runBatch(paths: string[], opts: BatchOptions = {}): Promise<BatchResult> {
  const t0 = performance.now();
  const all = collectScenarioFiles(paths);
  const files = opts.shard ? selectShard(all, opts.shard) : all;
  if (opts.shard) opts.progress?.write(`shard ${opts.shard.index}/${opts.shard.count}: ${files.length} of ${all.length} scenarios\n`);
  const jobs = Math.max(1, Math.min(opts.jobs ?? os.availableParallelism(), files.length));
  const results: ScenarioResult[] = new Array(files.length);
  const progress = new Progress(opts.progress ?? null, files.length);
  const onResult = (i: number, r: ScenarioResult) => {
    results[i] = r;
    progress.update(r);
  };
  if (jobs === 1) files.forEach((f, i) => onResult(i, runScenarioSafe(f)));
  else await runOnWorkers(files, jobs, onResult);
  const ms = performance.now() - t0;
  const suite = opts.shard ? `arm64-fault scenarios (shard ${opts.shard.index}/${opts.shard.count})` : undefined;
  return { ok: results.every((r) => r.ok), results, ms, output: render(opts.reporter ?? 'text', results, ms, suite) };
}

const positive = (v: string): number => {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('must be a positive integer');
  return Number(v);
};

/** `arm64-fault test`: a commander command, to add to the CLI or parse alone (harnessMain). */
export function harnessCommand(onStatus: (status: number) => void = (s) => { process.exitCode = s; }): Command {
  return new Command('test')
    .description('run scenario files (YAML) and check their expectations; exit 1 if any fails')
    .argument('<paths...>', 'scenario files, or folders searched for *.yaml')
    .option('-j, --jobs <n>', 'worker threads (default: one per core)', positive)
    .addOption(new Option('-r, --reporter <name>', 'output format').choices(REPORTERS as string[]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--shard <i/n>', 'run the i-th of n parts of the scenarios (stable by scenario name; a CI matrix runs one part per machine)', parseShard)
    .action(async (paths: string[], o: { jobs?: number; reporter: ReporterName; output?: string; shard?: Shard }) => {
      if (collectScenarioFiles(paths).length === 0) {
        throw new UsageError(`no scenario files (*.yaml, *.yml) in ${paths.join(', ')}`);
      }
      const r = await runBatch(paths, { jobs: o.jobs, reporter: o.reporter, progress: process.stderr, shard: o.shard });
      if (o.output) {
        fs.writeFileSync(o.output, r.output + '\n');
        const failed = r.results.filter((x) => !x.ok).length;
        process.stderr.write(`${r.results.length - failed} passed, ${failed} failed; ${o.reporter} report in ${o.output}\n`);
      } else process.stdout.write(r.output + '\n');
      onStatus(r.ok ? 0 : 1);
    });
}

/** Runs `arm64-fault test` with `argv` = the arguments after `test`; resolves to the exit status. */
export async function harnessMain(argv: string[]): Promise<number> {
  let status = 0;
  const cmd = harnessCommand((s) => { status = s; }).exitOverride();
  try {
    await cmd.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const c = (e as { code?: string; exitCode?: number }).code;
    if (c === 'commander.helpDisplayed' || c === 'commander.version') return 0;
    if (c?.startsWith('commander.')) return (e as { exitCode?: number }).exitCode ?? 2;
    process.stderr.write(`arm64-fault test: ${(e as Error).message}\n`);
    return 2;
  }
  return status;
}
