// The installed command's code, for a fast cold start: src/cli.ts and everything it imports, commander too, as ONE
// CommonJS script, dist/cli.cjs, which dist/cli.js (src/boot.ts) compiles with V8's code cache (dist/cli.cache,
// made by scripts/bundle.sh). One CommonJS script instead of ES modules: V8 can cache the compiled code of a
// vm.Script, not of an ES module on Node 20; and there is one file to read, no ES linking or export resolution.
// Dynamic imports (the harness, the gdb stub, the strace printer, the HTML page) become functions inside the same
// file that run only when called, so what `run` does not use is neither compiled nor evaluated.
// koffi (a native module, found by path), yaml and zod (the harness's) stay outside, loaded by require when used.
// Run by scripts/bundle.sh after tsc: node scripts/bundle-cli.mjs
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

// Two rewrites of our sources, for the bundle only:
// - Each module finds paths from its own location (import.meta: native/, .engine/, programs/, the worker). In the
//   bundle every source file src/X.ts answers as its compiled copy dist/X.js does, so those paths are the same as
//   in dist/ (and as in src/); dist/cli.cjs defines __afMeta (the banner).
// - `import * as fs from 'node:fs'` becomes `const fs = require('node:fs')`: esbuild would give each importing
//   module its own copy of the built-in's namespace (__toESM: a getter per export, 27 copies of node:fs's),
//   milliseconds of a cold start for nothing.
const sources = {
  name: 'sources-for-the-cli-bundle',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const rel = relative(`${root}src`, args.path).replace(/\.ts$/, '.js');
      const text = readFileSync(args.path, 'utf8')
        .replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, key) => `__afMeta(${JSON.stringify(rel)}).${key}`)
        .replace(/^import \* as (\w+) from '(node:[\w/]+)';$/gm, "const $1 = require('$2');");
      return { contents: text, loader: 'ts' };
    });
  },
};

// commander requires node:child_process (net, dgram, streams: milliseconds of a cold start) when it loads, for
// executable subcommands, which this CLI has none of: load it on first use instead.
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /\/node_modules\/commander\/lib\/command\.js$/ }, (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(eager)) throw new Error(`${args.path}: no "${eager}" to make lazy (commander changed: update scripts/bundle-cli.mjs)`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

const banner = `'use strict';
var __afMeta = (rel) => {
  const filename = require('node:path').join(__dirname, rel);
  return { url: require('node:url').pathToFileURL(filename).href, dirname: require('node:path').dirname(filename), filename };
};`;

const result = await build({
  entryPoints: [`${root}src/cli.ts`],
  outfile: `${root}dist/cli.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['koffi', 'yaml', 'zod'],
  banner: { js: banner },
  plugins: [sources, lazyChildProcess],
  // no renaming (stack traces under ARM64_FAULT_DEBUG=1 keep our names): less to read and hand to V8
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'silent',
});
// A module whose import.meta the plugin did not rewrite would get esbuild's empty stand-in ({}) in a CommonJS
// bundle, and a wrong path at run time: fail the build instead.
for (const w of result.warnings) console.error(`bundle-cli: ${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`);
if (result.warnings.length > 0) process.exit(1);
// dist/cli.js reads the bundle as latin1, which decodes ASCII alike and faster than UTF-8 (esbuild escapes the rest)
if (/[^\x00-\x7f]/.test(readFileSync(`${root}dist/cli.cjs`, 'latin1'))) {
  console.error('bundle-cli: dist/cli.cjs is not ASCII');
  process.exit(1);
}
