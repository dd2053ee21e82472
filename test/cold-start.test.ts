// The installed command's cold start (README "Cold start"), checked as facts rather than times: what a run of
// hello makes Node load, as Node itself lists it, and that V8 takes the code cache the build made for the bundle.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './bin.ts';
import { prog } from './helpers.ts';

const DIST = join(import.meta.dirname, '..', 'dist');
const dir = mkdtempSync(join(tmpdir(), 'af-cold-'));
const preload = join(dir, 'loaded.cjs');
writeFileSync(preload, "process.on('exit', () => require('node:fs').writeSync(2, '\\n@@loaded ' + process.moduleLoadList.join(',') + '\\n'));\n");

/** Node's built-in modules that a process running `args` under the installed command has loaded at its exit. */
function loaded(...args: string[]): string[] {
  const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8',
    env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '', NODE_OPTIONS: `--require ${preload}` } });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@loaded '));
  if (!line) throw new Error(`no module list: ${r.stderr.slice(-500)}`);
  return line.slice('@@loaded '.length).split(',');
}

describe('cold start', () => {
  it('a run of hello, exact or --fast, loads no stream, net, tty, child_process, crypto or ES module job', () => {
    for (const args of [['run', prog('hello')], ['run', '--fast', prog('hello')], ['run', join(dir, 'missing')]]) {
      const mods = loaded(...args);
      expect(mods, args.join(' ')).toContain('NativeModule vm'); // the list is the real one: the bundle's loader
      const unwanted = mods.filter((m) => /^NativeModule (stream|net|tty|child_process|crypto|internal\/modules\/esm\/module_job)$/.test(m));
      expect(unwanted, args.join(' ')).toEqual([]);
    }
  });

  it('V8 accepts the code cache of the bundle (same Node, no flags)', () => {
    const check = `const fs = require('node:fs'), vm = require('node:vm'), { Module } = require('node:module');
      const s = new vm.Script(Module.wrap(fs.readFileSync(${JSON.stringify(join(DIST, 'cli.cjs'))}, 'latin1')), {
        filename: ${JSON.stringify(join(DIST, 'cli.cjs'))}, cachedData: fs.readFileSync(${JSON.stringify(join(DIST, 'cli.cache'))}),
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
      process.stdout.write(String(s.cachedDataRejected));`;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('false');
  });
});
