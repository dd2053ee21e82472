// `arm64-fault coredumps list|info|debug|dump`, like coredumpctl: the cores a run stored, found where `run` puts
// them — the built-in pipe collector's <root>/var/lib/arm64-fault/coredumps (with its metadata) and plain core
// files (core, core.<pid>, …) at the top of <root> — with the metadata a core's own notes give, a backtrace by
// gdb-multiarch, gdb on a core, and a copy of one.
import { UsageError } from '../errors.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childProcess } from '../builtin.ts';
import { Command } from 'commander';
import { listCollected } from './collected.ts';
import { signalName } from '../kernel/sigdefs.ts';
import { readCoreInfo } from './coreinfo.ts';

const COLLECT_SUBDIR = 'var/lib/arm64-fault/coredumps';

interface Where { root?: string; dir?: string }

export interface CoreEntry {
  /** the core's file name, as `info`, `debug` and `dump` accept it */
  file: string;
  corePath: string;
  /** guest time of the dump (%t), known for collected cores only */
  time: number | null;
  pid: number; uid: number; gid: number; signal: number;
  comm: string;
  cmdline: string;
  /** the executable as the process saw its path */
  exe: string | null;
  size: number;
  truncated: boolean;
  present: boolean;
}

function dirs(o: Where): { root: string; dir: string } {
  const root = path.resolve(o.root ?? '.');
  return { root, dir: path.resolve(o.dir ?? path.join(root, COLLECT_SUBDIR)) };
}

/** Every core `run` stored under these settings: the collector's (oldest first), then the core files (by name). */
export function findCores(o: Where): CoreEntry[] {
  const { root, dir } = dirs(o);
  const collected: CoreEntry[] = listCollected(dir).map((e) => ({
    file: e.file, corePath: e.corePath, time: e.time, pid: e.pid, uid: e.uid, gid: e.gid, signal: e.signal, comm: e.comm,
    cmdline: e.argv.join(' '), exe: e.exe, size: e.size, truncated: e.truncated, present: e.present,
  }));
  let names: string[] = [];
  try {
    names = fs.readdirSync(root).filter((n) => /^core(\.|$)/.test(n)).sort();
  } catch {
    // no root: nothing there
  }
  const plain: CoreEntry[] = [];
  for (const n of names) {
    const p = path.join(root, n);
    const info = fs.statSync(p, { throwIfNoEntry: false })?.isFile() ? readCoreInfo(p) : null;
    if (!info) continue;
    plain.push({ file: n, corePath: p, time: null, pid: info.pid, uid: info.uid, gid: info.gid, signal: info.signal,
      comm: info.comm, cmdline: info.args, exe: info.exe, size: info.size, truncated: info.truncated, present: true });
  }
  return [...collected, ...plain];
}

const isoTime = (t: number | null) => (t === null ? '-' : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));

export function formatList(entries: CoreEntry[]): string {
  const rows = [['TIME', 'PID', 'UID', 'GID', 'SIG', 'COREFILE', 'EXE', 'SIZE']];
  for (const e of entries) {
    const state = !e.present ? 'missing' : e.truncated ? 'truncated' : 'present';
    rows.push([isoTime(e.time), String(e.pid), String(e.uid), String(e.gid), signalName(e.signal), state,
      e.exe ?? `${e.comm} (path unknown)`, String(e.size)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join(' ')).join('\n') + '\n';
}

/** The executable on the host: inside --root first (a guest path), else the path itself. */
function hostExe(e: CoreEntry, root: string): string | null {
  if (!e.exe) return null;
  return [path.join(root, e.exe), e.exe].find((p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile()) ?? null;
}

/** gdb-multiarch's `bt` on the core: its frame lines, or a sentence saying why there are none. */
export function backtrace(e: CoreEntry, root: string): string[] {
  const exe = hostExe(e, root);
  const mark = '--- arm64-fault backtrace ---';
  const r = childProcess().spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', `echo ${mark}\\n`, '-ex', 'bt', ...(exe ? [exe] : []), e.corePath],
    { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return ['(no backtrace: gdb-multiarch is not installed; apt-get install gdb-multiarch)'];
  // gdb prints the current frame when it loads the core; the frames after the mark are bt's
  const frames = r.stdout.slice(r.stdout.indexOf(mark) + 1).split('\n').filter((l) => /^#\d+ /.test(l));
  return frames.length ? frames : [`(no backtrace: gdb-multiarch printed none${exe ? '' : '; the executable was not found'})`];
}

export function formatInfo(e: CoreEntry, root: string, bt = true): string {
  const lines: [string, string][] = [
    ['PID', `${e.pid} (${e.comm})`], ['UID', String(e.uid)], ['GID', String(e.gid)],
    ['Signal', `${e.signal} (${signalName(e.signal).replace(/^SIG/, '')})`],
    ['Timestamp', e.time === null ? '- (not recorded in a core file)' : `${isoTime(e.time)} (${e.time})`],
    ['Command Line', e.cmdline],
    ['Executable', e.exe ?? `${e.comm} (path unknown)`],
    ['Storage', `${e.corePath}${e.present ? '' : ' (missing)'}${e.truncated ? ' (truncated)' : ''}`],
    ['Size on Disk', `${e.size} B`],
  ];
  if (bt && e.present) lines.push(['Backtrace', backtrace(e, root).join('\n')]);
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padStart(w)}: ${v.replace(/\n/g, `\n${' '.repeat(w + 2)}`)}`).join('\n') + '\n';
}

/** By pid (its newest core), by file name, or the newest of all when nothing is given. */
export function pickCore(all: CoreEntry[], what: string | undefined): CoreEntry | null {
  if (what === undefined) return all.at(-1) ?? null;
  if (/^\d+$/.test(what)) return all.filter((e) => e.pid === Number(what)).at(-1) ?? null;
  const name = path.basename(what).replace(/\.json$/, '');
  return all.find((e) => e.file === name) ?? null;
}

class NoCore extends Error {}

/** writeSync to a pipe may write less than asked */
function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length;) {
    try {
      off += fs.writeSync(fd, data, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

function where(c: Command): Command {
  return c
    .option('--root <dir>', 'the --root the program ran with (default: the current directory): its core files and <root>/' + COLLECT_SUBDIR)
    .option('--dir <dir>', 'the collection directory itself (the --collect-dir of run)');
}

function select(what: string | undefined, o: Where): { e: CoreEntry; root: string } {
  const { root, dir } = dirs(o);
  const all = findCores(o);
  const e = pickCore(all, what);
  if (!e) {
    throw new NoCore(all.length === 0 ? `no coredumps found in ${root} or ${dir}`
      : `no core matches "${what}" (run \`arm64-fault coredumps list\`)`);
  }
  return { e, root };
}

export function coredumpsCommand(): Command {
  const cmd = new Command('coredumps')
    .description('list, show, debug and copy the cores that runs stored (like coredumpctl)');
  const fail = (err: unknown) => {
    if (!(err instanceof NoCore)) throw err;
    process.stderr.write(`arm64-fault: ${err.message}\n`);
    process.exitCode = 1;
  };
  where(cmd.command('list').description("one line per stored core: the collector's, oldest first, then the core files in <root>"))
    .action((o: Where) => {
      const all = findCores(o);
      if (all.length === 0) return fail(new NoCore(`no coredumps found in ${dirs(o).root} or ${dirs(o).dir}`));
      process.stdout.write(formatList(all));
    });
  where(cmd.command('info').description('metadata of a core and a backtrace by gdb-multiarch'))
    .argument('[pid|file]', 'a pid (its newest core) or a core file name from `list` (default: the newest)')
    .option('--no-backtrace', 'skip the backtrace')
    .action((what: string | undefined, o: Where & { backtrace: boolean }) => {
      try {
        const { e, root } = select(what, o);
        process.stdout.write(formatInfo(e, root, o.backtrace));
      } catch (err) {
        fail(err);
      }
    });
  where(cmd.command('debug').description('open gdb-multiarch on a core and its executable'))
    .argument('[pid|file]', 'a pid or a core file name from `list` (default: the newest)')
    .option('-A, --debugger-arguments <args>', 'extra arguments for gdb-multiarch, e.g. "-batch -ex bt"')
    .action((what: string | undefined, o: Where & { debuggerArguments?: string }) => {
      try {
        const { e, root } = select(what, o);
        const exe = hostExe(e, root);
        const extra = o.debuggerArguments ? o.debuggerArguments.trim().split(/\s+/) : [];
        const r = childProcess().spawnSync('gdb-multiarch', [...extra, ...(exe ? [exe] : []), e.corePath], { stdio: 'inherit' });
        if (r.error) throw new UsageError('gdb-multiarch is not installed (apt-get install gdb-multiarch)');
        process.exitCode = r.status ?? 1;
      } catch (err) {
        fail(err);
      }
    });
  where(cmd.command('dump').description('write a core to a file (or to stdout when it is not a terminal)'))
    .argument('[pid|file]', 'a pid or a core file name from `list` (default: the newest)')
    .option('-o, --output <file>', 'write the core to this file')
    .action((what: string | undefined, o: Where & { output?: string }) => {
      try {
        const { e } = select(what, o);
        if (!e.present) throw new NoCore(`the core file ${e.corePath} is missing`);
        if (o.output) fs.copyFileSync(e.corePath, o.output);
        else if (process.stdout.isTTY) throw new NoCore('refusing to dump a core to a terminal (use --output FILE or a redirection)');
        else writeAll(1, fs.readFileSync(e.corePath));
      } catch (err) {
        fail(err);
      }
    });
  return cmd;
}
