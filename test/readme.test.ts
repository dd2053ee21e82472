// README.md's tutorial is a test: every `sh` block of its "Tutorial" section (except the set-up ones) runs, in
// order, in one fresh directory, with `npx arm64-fault` being this checkout's command; every `#>` line must be
// printed by its block, in order (a final `…` matches any rest of the line). The CI example parses and uses
// the same command line.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN } from './bin.ts';

const ROOT = join(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const tutorial = readme.slice(readme.indexOf('\n## Tutorial\n'), readme.indexOf('\n## Command reference\n'));
const blocks = [...tutorial.matchAll(/\n```sh\n([\s\S]*?)\n```/g)].map((m) => m[1])
  .filter((b) => !b.startsWith('# set-up (not run by test/readme.test.ts)'));

const dir = mkdtempSync(join(tmpdir(), 'af-readme-'));
// `npx arm64-fault` → the checkout's bin, without npm's start-up or any registry lookup
mkdirSync(join(dir, '.bin'));
writeFileSync(join(dir, '.bin', 'npx'), `#!/bin/sh\nif [ "$1" = arm64-fault ]; then shift; exec ${JSON.stringify(BIN)} "$@"; fi\nexec /usr/bin/env -u PATH npx "$@"\n`);
chmodSync(join(dir, '.bin', 'npx'), 0o755);
const env = { ...process.env, PATH: `${join(dir, '.bin')}:${process.env.PATH}`, ARM64_FAULT_FROM_SOURCE: '' };

function matches(want: string, got: string): boolean {
  return want.endsWith('…') ? got.startsWith(want.slice(0, -1)) : got === want;
}

describe('README tutorial', () => {
  it('has the blocks of every step', () => {
    expect(blocks.length).toBe(6);
  });

  it.each(blocks.map((b, i) => [i + 1, b.split('\n')[0], b] as const))('block %i: %s', (_i, _first, block) => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `exec 2>&1\n${block}`], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    const out = r.stdout.split('\n');
    let at = 0;
    for (const want of block.split('\n').filter((l) => l.startsWith('#> ')).map((l) => l.slice(3))) {
      while (at < out.length && !matches(want, out[at])) at++;
      expect(at < out.length, `"${want}" in:\n${r.stdout}`).toBe(true);
      at++;
    }
    expect(r.status, r.stdout).toBe(0);
  }, 120_000);
});

describe('examples/github-actions.yml', () => {
  it('is a workflow whose scenario step is a valid arm64-fault command line', () => {
    const wf = parse(readFileSync(join(ROOT, 'examples/github-actions.yml'), 'utf8'));
    const steps = wf.jobs.scenarios.steps as { run?: string; uses?: string }[];
    expect(steps.map((s) => s.uses).filter(Boolean)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4']);
    const apt = steps.find((s) => s.run?.includes('apt-get install'))!.run!;
    const setup = readFileSync(join(ROOT, 'scripts/setup.sh'), 'utf8');
    for (const p of ['libunicorn2', 'gcc-aarch64-linux-gnu', 'gdb-multiarch', 'elfutils', 'libcapstone4']) {
      expect(apt).toContain(p);
      expect(setup).toContain(p);
    }
    const cmd = steps.find((s) => s.run?.startsWith('npx arm64-fault test'))!.run!;
    const args = cmd.split(' ').slice(2).map((a) => (a === 'crashes/scenarios' ? join(ROOT, 'test/scenarios') : a));
    const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toMatch(/^24 passed, 0 failed; junit report in arm64-fault.xml$/m);
    expect(readFileSync(join(dir, 'arm64-fault.xml'), 'utf8')).toContain('tests="24" failures="0" errors="0"');
  }, 120_000);
});
