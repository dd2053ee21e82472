// dist/cli.js, the compiled command that bin/arm64-fault.js imports (scripts/bundle.sh builds it from this file):
// it runs dist/cli.cjs, the whole CLI as one CommonJS script (scripts/bundle-cli.mjs), compiled with the V8 code
// cache that the build made for it (dist/cli.cache): V8 then neither parses nor compiles what the cache holds,
// which is most of a cold start's module phase. A cache from another Node or V8 (another machine's build, other
// V8 flags) is rejected by V8 and the script compiles as without one; nothing is written at run time, except
// where ARM64_FAULT_CODE_CACHE names a file: scripts/bundle.sh makes the cache that way, after a run.
// Node built-ins come through require: their ES facades load more than this needs (node:fs's loads streams).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const fs = require('node:fs') as typeof import('node:fs');
const vm = require('node:vm') as typeof import('node:vm');
const path = require('node:path') as typeof import('node:path');
const { Module } = require('node:module') as { Module: typeof import('node:module') & { wrap(src: string): string } };

const filename = path.join(import.meta.dirname, 'cli.cjs');
const source = fs.readFileSync(filename, 'latin1'); // ASCII (scripts/bundle-cli.mjs checks): latin1 is the cheaper decoding
let cachedData: Buffer | undefined;
try {
  cachedData = fs.readFileSync(path.join(import.meta.dirname, 'cli.cache'));
} catch {
  cachedData = undefined; // a build without a cache: compile from source
}
const script = new vm.Script(Module.wrap(source), {
  filename, cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const out = process.env.ARM64_FAULT_CODE_CACHE;
// after the run, the cache holds every function it compiled, not only the top level
if (out) process.on('exit', () => fs.writeFileSync(out, script.createCachedData()));

const module = new Module(filename);
module.filename = filename;
const main = script.runInThisContext() as (...a: unknown[]) => void;
main.call(module.exports, module.exports, createRequire(filename), module, filename, import.meta.dirname);
