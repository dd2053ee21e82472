// The built-in collector's store as the coredumps command reads it (coredumpctl-style list and info): what
// fs/coredump_pipe.ts's collector wrote, one core file and one .json of metadata per dump.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CollectedCore, CollectedMeta } from '../fs/coredump_pipe.ts';

function readMeta(dir: string, jsonName: string): CollectedCore | null {
  const metaPath = path.join(dir, jsonName);
  let meta: CollectedMeta;
  try {
    meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as CollectedMeta;
  } catch {
    return null; // not ours or half-written: skip, as coredumpctl skips unreadable journal entries
  }
  if (typeof meta.pid !== 'number' || typeof meta.time !== 'number') return null;
  const file = jsonName.slice(0, -'.json'.length);
  const corePath = path.join(dir, file);
  return { ...meta, file, corePath, metaPath, present: fs.existsSync(corePath) };
}

/** Every collected core in `dir`, oldest first (time, then pid). */
export function listCollected(dir: string): CollectedCore[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith('core.') && n.endsWith('.json'))
    .map((n) => readMeta(dir, n))
    .filter((e): e is CollectedCore => e !== null)
    .sort((a, b) => a.time - b.time || a.pid - b.pid || a.file.localeCompare(b.file));
}

/** One collected core: by pid (the newest of that pid, as `coredumpctl info PID`) or by file name. */
export function showCollected(dir: string, pidOrFile: number | string): CollectedCore | null {
  const all = listCollected(dir);
  const pid = typeof pidOrFile === 'number' ? pidOrFile : /^\d+$/.test(pidOrFile) ? Number(pidOrFile) : null;
  if (pid !== null) return all.filter((e) => e.pid === pid).at(-1) ?? null;
  const name = path.basename(String(pidOrFile)).replace(/\.json$/, '');
  return all.find((e) => e.file === name) ?? null;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** `coredumps list`: one line per core, like coredumpctl list. */
export function formatCollectedList(entries: CollectedCore[]): string {
  const rows = [['TIME', 'PID', 'UID', 'GID', 'SIG', 'COREFILE', 'EXE', 'SIZE']];
  for (const e of entries) {
    const corefile = !e.present ? 'missing' : e.truncated ? 'truncated' : 'present';
    rows.push([isoTime(e.time), String(e.pid), String(e.uid), String(e.gid), e.signalName, corefile,
      e.exe ?? `${e.comm} (path unknown)`, String(e.size)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join(' ')).join('\n') + '\n';
}

/** `coredumps info`: the details of one core, like coredumpctl info. */
export function formatCollectedInfo(e: CollectedCore): string {
  const lines: [string, string][] = [
    ['PID', `${e.pid} (${e.comm})`],
    ['UID', String(e.uid)],
    ['GID', String(e.gid)],
    ['Signal', `${e.signal} (${e.signalName.replace(/^SIG/, '')})`],
    ['Timestamp', `${isoTime(e.time)} (${e.time})`],
    ['Helper argv', e.argv.join(' ')],
    ['Executable', e.exe ?? `${e.comm} (path unknown)`],
    ['Storage', `${e.corePath}${e.present ? '' : ' (missing)'}${e.truncated ? ' (truncated)' : ''}`],
    ['Size on Disk', `${e.size} B`],
  ];
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padStart(w)}: ${v}`).join('\n') + '\n';
}
