import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

describe('tracepoints', () => {
  it('the README lists exactly the tracepoints of TraceEventMap, and each is emitted somewhere in src/', () => {
    const map = readFileSync(join(src, 'trace.ts'), 'utf8');
    const body = map.slice(map.indexOf('export interface TraceEventMap'), map.indexOf('export interface NoticeMap'));
    const declared = [...body.matchAll(/^  ([a-z_0-9]+): \{/gm)].map((m) => m[1]).sort();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const para = readme.slice(readme.indexOf('Every trace event carries its instruction count.'));
    const listed = [...para.slice(0, para.indexOf('JSON lines')).matchAll(/`([a-z_0-9]+)`/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(declared);
    const code = readdirSync(src, { recursive: true })
      .filter((f) => String(f).endsWith('.ts') && !String(f).endsWith('.test.ts'))
      .map((f) => readFileSync(join(src, String(f)), 'utf8')).join('\n');
    const emitted = [...code.matchAll(/(?:trace|emit)\('([a-z_0-9]+)'/g)].map((m) => m[1]);
    expect(declared.filter((n) => !emitted.includes(n))).toEqual([]);
  });
});
