// A runaway scenario fails with the default budget's reason instead of hanging the batch; the others go on.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../src/harness/batch.ts';

describe('scenario budgets', () => {
  it('an endless loop fails with "exceeded the default instruction budget", and the next scenario still runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-budget-'));
    writeFileSync(join(dir, 'a_forever.yaml'), 'name: forever\nprogram: { asm: "1: b 1b" }\nexpect:\n  exit: { kind: exited }\n');
    writeFileSync(join(dir, 'b_ok.yaml'), 'name: ok\nprogram: exit42\nexpect:\n  exit: { kind: exited, code: 42 }\n');
    const batch = await runBatch([dir], { jobs: 1 });
    expect(batch.results.map((r) => [r.name, r.ok])).toEqual([['forever', false], ['ok', true]]);
    expect(batch.results[0].failures[0]).toEqual({ field: 'budget', expected: 'the run ends within the default budget',
      actual: 'exceeded the default instruction budget (2000000000 instructions); set setup.maxInsns or setup.timeout to change it' });
  }, 60_000);
});
