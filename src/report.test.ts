import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from './machine.ts';
import { forEachTextChunk, renderText } from './report.ts';

const prog = (name: string) => join(import.meta.dirname, '..', 'programs', 'build', name);

describe('the text report in chunks (what run writes to stderr)', () => {
  it('is renderText byte for byte: non-ASCII lines, chunks of at most 64 KiB, a line longer than a chunk', () => {
    const report = new Machine(prog('bench_fault'), { argv: ['bench_fault', '1000'], root: mkdtempSync(join(tmpdir(), 'af-')) }).run();
    const long = `a note longer than a chunk: ${'é→'.repeat(40_000)}`;
    report.notes.push(long, 'the note after it');
    const chunks: Buffer[] = [];
    forEachTextChunk(report, (c) => chunks.push(Buffer.from(c)));
    const text = renderText(report);
    expect(text).toMatch(/ → handler at insn \d+\n/); // 2,000 lines with a multi-byte character each
    expect(Buffer.concat(chunks).equals(Buffer.from(text + '\n'))).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.filter((c) => c.length > 1 << 16).map((c) => c.length)).toEqual([Buffer.byteLength(long) + 'note: \n'.length]);
  });
});
