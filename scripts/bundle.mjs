// Bundles the CLI into dist/cli.js (esbuild, from tsx's dependencies) so a cold start does not compile TypeScript.
// Code splitting puts what only some commands need (the harness: yaml, zod, worker_threads) into chunks next to it
// (dist/*-HASH.js, at the same depth as cli.js, so paths relative to the package root stay the same).
// Node's built-in modules are loaded with require(), not import: an ESM import of a built-in makes Node build its
// ESM facade, which reads every export, lazy getters included (node:fs's ReadStream loads the whole stream stack).
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { rmSync } from 'node:fs';

// node:module stays an import (the bundle's require comes from it)
const builtins = new Set(builtinModules.filter((m) => m !== 'module').flatMap((m) => [m, `node:${m}`]));
const requireBuiltins = {
  name: 'require-builtins',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      // the shim's own require() is the real one
      return args.namespace === 'builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/cli.ts', import.meta.url).pathname],
  bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20',
  outdir: new URL('../dist', import.meta.url).pathname, entryNames: '[name]', chunkNames: '[name]-[hash]',
  external: ['koffi'], logLevel: 'warning', plugins: [requireBuiltins],
  banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
});
