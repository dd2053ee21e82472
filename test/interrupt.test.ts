// SIGINT/SIGTERM to `arm64-fault run` stop the guest at an instruction boundary and still print the report,
// with outcome `interrupted` and the exit status a shell gives for that signal.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './bin.ts';
import { assemble } from '../src/harness/scenario.ts';

const FOREVER = assemble('mov x0, #0\n1: add x0, x0, #1\nb 1b');

/** Runs an endless loop with --json and sends `sig` once the engine runs (its native helper is mapped). */
function interrupt(sig: 'SIGINT' | 'SIGTERM'): Promise<{ status: number | null; report: Record<string, any> }> {
  const root = mkdtempSync(join(tmpdir(), 'af-int-'));
  const child = spawn(BIN, ['run', '--json', '--root', root, FOREVER], { env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const poll = setInterval(() => {
    let maps = '';
    try { maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8'); } catch { /* not yet */ }
    if (!maps.includes('libaficount.so')) return;
    clearInterval(poll);
    setTimeout(() => child.kill(sig), 300);
  }, 50);
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, report: JSON.parse(out) })));
}

describe('interrupting a run', () => {
  it('SIGINT: outcome interrupted, the report printed, exit status 130', async () => {
    const { status, report } = await interrupt('SIGINT');
    expect(status).toBe(130);
    expect(report.exit).toEqual({ kind: 'interrupted', code: null, signal: 'SIGINT', coreDumped: false, waitStatus: 0 });
    expect(report.notes.at(-1)).toMatch(/^interrupted by SIGINT to arm64-fault at instruction \d+: /);
    expect(report.icount).toBeGreaterThan(0);
  }, 60_000);

  it('SIGTERM: the same, exit status 143', async () => {
    const { status, report } = await interrupt('SIGTERM');
    expect([status, report.exit.kind, report.exit.signal]).toEqual([143, 'interrupted', 'SIGTERM']);
  }, 60_000);
});
