#!/usr/bin/env node
// The installed command. It runs the compiled CLI, dist/ (made by `npm run build`, which `npm test`,
// scripts/setup.sh and `npm pack` run): dist/boot.cjs, which runs the bundled dist/cli.cjs with its code cache. In
// a checkout without dist/, or with ARM64_FAULT_FROM_SOURCE=1, it runs the TypeScript sources through tsx instead
// (a development dependency). No file times are compared: what runs is decided by what exists, so a stale dist/ is
// rebuilt by `npm run build`, never guessed around. CommonJS (bin/package.json): see there.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const dist = join(__dirname, '..', 'dist');
const sources = join(__dirname, '..', 'src', 'cli.ts');

if (process.env.ARM64_FAULT_FROM_SOURCE !== '1' && existsSync(join(dist, 'cli.js'))) {
  require(join(dist, 'boot.cjs')).boot(dist);
} else if (existsSync(sources)) {
  import('tsx/esm/api').then((tsx) => {
    tsx.register();
    return import(pathToFileURL(sources).href);
  }, () => {
    process.stderr.write('arm64-fault: dist/cli.js is missing and tsx is not installed: run `npm run build` in the package\n');
    process.exit(70);
  });
} else {
  process.stderr.write('arm64-fault: dist/cli.js is missing: the package is incomplete (run `npm run build` in it)\n');
  process.exit(70);
}
