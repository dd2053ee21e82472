// dist/boot.cjs (scripts/bundle.sh builds it from this file), what bin/arm64-fault.js and dist/cli.js run: the
// whole CLI as one CommonJS script, dist/cli.cjs (scripts/bundle-cli.mjs), compiled with the V8 code cache that
// the build made for it (dist/cli.cache): V8 then neither parses nor compiles what the cache holds, which is most
// of a cold start's module phase. A cache from another Node or V8 (another machine's build, other V8 flags) is
// rejected by V8 and the script compiles as without one. Nothing is written at run time, except where
// ARM64_FAULT_CODE_CACHE names a file: scripts/bundle.sh makes the cache that way, after a run of hello.
// CommonJS, as its callers: Node's ES module loader would cost a cold start about 10 ms more.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script, constants } from 'node:vm';
import { Module, createRequire } from 'node:module';

/** Runs dist/cli.cjs from dist, the folder that holds it. */
export function boot(dist: string): void {
  const filename = join(dist, 'cli.cjs');
  // ASCII (scripts/bundle-cli.mjs checks): latin1 is the cheaper decoding
  const source = readFileSync(filename, 'latin1');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(join(dist, 'cli.cache'));
  } catch {
    cachedData = undefined; // a build without a cache: compile from source
  }
  const script = new Script((Module as unknown as { wrap(s: string): string }).wrap(source), {
    filename, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const out = process.env.ARM64_FAULT_CODE_CACHE;
  // after the run, the cache holds every function it compiled, not only the top level
  if (out) process.on('exit', () => writeFileSync(out, script.createCachedData()));
  const module = new Module(filename);
  module.filename = filename;
  const main = script.runInThisContext() as (...a: unknown[]) => void;
  main.call(module.exports, module.exports, createRequire(filename), module, filename, dist);
}
