#!/usr/bin/env node
// The installed command. It runs the compiled CLI, dist/cli.js (made by `npm run build`, which `npm test`,
// scripts/setup.sh and `npm pack` run). In a checkout without dist/, or with ARM64_FAULT_FROM_SOURCE=1, it runs
// the TypeScript sources through tsx instead (a development dependency). No file times are compared: what runs
// is decided by what exists, so a stale dist/ is rebuilt by `npm run build`, never guessed around.
// node:fs through require: its ES facade would load streams, milliseconds of every cold start.
import { createRequire } from 'node:module';

const { existsSync } = createRequire(import.meta.url)('node:fs');

const compiled = new URL('../dist/cli.js', import.meta.url);
const sources = new URL('../src/cli.ts', import.meta.url);

if (process.env.ARM64_FAULT_FROM_SOURCE !== '1' && existsSync(compiled)) {
  await import(compiled.href);
} else if (existsSync(sources)) {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('arm64-fault: dist/cli.js is missing and tsx is not installed: run `npm run build` in the package\n');
    process.exit(70);
  }
  tsx.register();
  await import(sources.href);
} else {
  process.stderr.write('arm64-fault: dist/cli.js is missing: the package is incomplete (run `npm run build` in it)\n');
  process.exit(70);
}
