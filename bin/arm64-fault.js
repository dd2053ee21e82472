#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.js, made by scripts/bundle.sh) when it is at least as new as the sources;
// otherwise the TypeScript through tsx, so a checkout works without a build step.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'cli.js');
const newest = (dir) => Math.max(...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(root, 'src'))) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
