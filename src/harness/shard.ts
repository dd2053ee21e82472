// `arm64-fault test --shard i/n`: the part of a suite one machine of a CI matrix runs. As vitest does, the
// scenarios are ordered by a hash (here of their names, not their paths, so moving a file changes nothing) and cut
// into n contiguous parts whose sizes differ by at most one; the same suite and n give every machine the same
// split, every scenario runs in exactly one shard, and a shard may be empty.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { InvalidArgumentError } from 'commander';

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

/** "i/n" with 1 ≤ i ≤ n, as vitest and Playwright take it. */
export function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`"${v}" is not i/n with 1 ≤ i ≤ n (e.g. 2/4)`);
  }
  return { index, count };
}

/** A scenario's name as its file gives it; a file that does not parse is named after the file (it fails anyway). */
export function scenarioName(file: string): string {
  try {
    const doc = parse(fs.readFileSync(file, 'utf8')) as { name?: unknown } | null;
    if (doc && typeof doc.name === 'string' && doc.name !== '') return doc.name;
  } catch {
    // the run reports the error; the name only decides the shard
  }
  return path.basename(file).replace(/\.ya?ml$/, '');
}

const key = (name: string): string => createHash('sha1').update(name).digest('hex');

/** The files of shard `s`, in their given order. */
export function selectShard(files: string[], s: Shard): string[] {
  const order = files.map((f) => ({ f, k: key(scenarioName(f)) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
  const start = Math.floor((order.length * (s.index - 1)) / s.count);
  const end = Math.floor((order.length * s.index) / s.count);
  const mine = new Set(order.slice(start, end).map((x) => x.f));
  return files.filter((f) => mine.has(f));
}
