// Builds dist/ (scripts/bundle.sh) before the tests when it is missing or older than a source file, so that the
// CLI tests run what users run (bin/arm64-fault.js → dist/cli.js) even in a focused `npx vitest run <file>`.
// `npm test` builds it anyway; this only saves a stale dist/ from being tested.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

function newestSource(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => statSync(join(dir, f)).mtimeMs));
}

export default function setup(): void {
  const stamp = join(ROOT, 'dist', 'cli.js');
  const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(newestSource(join(ROOT, 'src')),
    statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs, statSync(join(ROOT, 'package.json')).mtimeMs);
  if (!fresh) execFileSync('bash', [join(ROOT, 'scripts', 'bundle.sh')], { stdio: 'inherit' });
}
