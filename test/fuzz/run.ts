// Runs fuzz cases in-process and classifies each: a named error (the emulator refused the input and said why),
// a guest outcome (the program ran and ended somehow), or a host crash (anything else: a bug). For path
// escapes, also whether anything outside the root changed.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine.ts';
import { assemble } from '../../src/harness/scenario.ts';
import { EmulatorError, InternalError, UnicornError } from '../../src/errors.ts';
import { pathProgram, type ElfCase, type PathCase } from './cases.ts';

export type Outcome = { kind: 'error' | 'guest' | 'crash' | 'escape'; detail: string };

function classify(fn: () => string): Outcome {
  try {
    return { kind: 'guest', detail: fn() };
  } catch (e) {
    const named = e instanceof EmulatorError && !(e instanceof InternalError) && !(e instanceof UnicornError);
    return { kind: named ? 'error' : 'crash', detail: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export function runElfCase(c: ElfCase, dir: string): Outcome {
  const file = join(dir, 'prog');
  writeFileSync(file, c.file, { mode: 0o755 });
  return classify(() => {
    const r = new Machine(file, { root: dir, maxInsns: 200_000n, rlimitCore: 0n }).run();
    return r.exit.kind === 'signaled' ? r.exit.signal! : r.exit.kind;
  });
}

/** Everything below dir, with sizes, to compare before and after. */
function listing(dir: string): string {
  return readdirSync(dir, { recursive: true }).map(String).sort()
    .map((f) => { const st = statSync(join(dir, f), { throwIfNoEntry: false }); return `${f}:${st?.isDirectory() ? 'd' : st?.size}`; })
    .join('\n');
}

/**
 * A path case in a fresh sandbox: <sandbox>/root is the guest's "/", <sandbox>/outside a directory with a file
 * in it, and the sandbox itself must hold nothing else afterwards.
 */
export function runPathCase(c: PathCase): Outcome {
  const sandbox = mkdtempSync(join(tmpdir(), 'af-fuzz-path-'));
  try {
    const root = join(sandbox, 'root');
    const outside = join(sandbox, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'escape'), 'outside');
    if (c.plant) symlinkSync(c.plant[1].replace('/OUTSIDE', outside), join(root, c.plant[0]));
    const before = listing(outside);
    const exe = assemble(pathProgram(c), c.name);
    const out = classify(() => {
      const o = c.op === 'core' ? { corePattern: c.path } : {};
      const r = new Machine(exe, { root, maxInsns: 10_000n, ...o }).run();
      return c.op === 'core' ? `core ${r.core.dumped ? 'dumped' : 'refused'}` : r.exit.kind;
    });
    const extra = readdirSync(sandbox).filter((f) => f !== 'root' && f !== 'outside');
    if (listing(outside) !== before || extra.length > 0) return { kind: 'escape', detail: `outside changed: ${extra.join(',')}` };
    return out;
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}
