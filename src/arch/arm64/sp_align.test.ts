// The text scan's native pre-filter (native/scan.c over MAY_WRITE_SP_PATTERNS and MAY_NEED_ALIGN_SITE_PATTERNS)
// must pass every word the exact tests accept, or an SP or alignment check would silently go unarmed.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mayWriteSp, MAY_WRITE_SP_PATTERNS } from './sp_align.ts';
import { mayNeedAlignSite, MAY_NEED_ALIGN_SITE_PATTERNS } from './align.ts';
import { Cpu } from '../../cpu/cpu.ts';

const PATTERNS = [...MAY_NEED_ALIGN_SITE_PATTERNS, ...MAY_WRITE_SP_PATTERNS];
const matches = (w: number): boolean => {
  for (let i = 0; i < PATTERNS.length; i += 2) if (((w & PATTERNS[i]) >>> 0) === PATTERNS[i + 1]) return true;
  return false;
};
const needed = (w: number): boolean => mayNeedAlignSite(w) || mayWriteSp(w);
const PROGRAMS = ['hello', 'sig_abort', 'sig_align', 'thr_deadlock'].map((p) => join(import.meta.dirname, '../../../programs/build', p));
const wordsOf = (b: Buffer): number[] => Array.from({ length: b.length >>> 2 }, (_, i) => b.readUInt32LE(i * 4));

describe('the text scan pre-filter', () => {
  it('passes every word of static glibc programs that mayWriteSp or mayNeedAlignSite accepts, and few others', () => {
    for (const p of PROGRAMS) {
      const words = wordsOf(readFileSync(p));
      expect(words.filter((w) => needed(w) && !matches(w))).toEqual([]);
      expect(words.filter(matches).length).toBeLessThan(words.length * 0.05);
    }
  });

  it('passes every accepted word of 2,000,000 pseudo-random ones', () => {
    let x = 0x2545f491, missed = 0, accepted = 0;
    for (let i = 0; i < 2_000_000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0; // a fixed LCG: the same words every run
      if (!needed(x)) continue;
      accepted++;
      if (!matches(x)) missed++;
    }
    expect(accepted).toBeGreaterThan(10_000);
    expect(missed).toBe(0);
  });

  it('native/scan.c finds exactly the matching words, at any buffer alignment', () => {
    const cpu = new Cpu({ countInsns: true });
    try {
      const file = readFileSync(PROGRAMS[0]);
      const code = Buffer.concat([Buffer.alloc(1), file]).subarray(1); // not 4-byte aligned
      const want = wordsOf(code).flatMap((w, i) => (matches(w) ? [i] : []));
      expect(Array.from(cpu.scanWords(code, Uint32Array.from(PATTERNS)))).toEqual(want);
      expect(want.length).toBeGreaterThan(100);
    } finally {
      cpu.close();
    }
  });
});
