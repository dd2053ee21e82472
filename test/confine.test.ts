// Nothing the tool writes on the guest's behalf leaves the directory the user allowed: the built-in core
// collector with a symlink or a hard link planted at every component of its path.
import { describe, it, expect } from 'vitest';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers.ts';

const P = 'core_vars';
const PATTERN = '|arm64-fault-collect %p %s';
const NAME = `core.core_vars.1000.${1_700_000_000}`;

/** A root and a directory outside it holding one file, to check that nothing outside changes. */
function setup() {
  const root = mkdtempSync(join(tmpdir(), 'af-confine-'));
  const outside = mkdtempSync(join(tmpdir(), 'af-outside-'));
  writeFileSync(join(outside, 'precious'), 'keep me');
  const snapshot = () => readdirSync(outside, { recursive: true }).map(String).sort()
    .map((f) => [f, (() => { try { return readFileSync(join(outside, f), 'utf8'); } catch { return '<dir>'; } })()]);
  return { root, outside, before: snapshot(), snapshot };
}

describe('the built-in collector is confined to the root', () => {
  for (const at of ['var', 'var/lib', 'var/lib/arm64-fault', 'var/lib/arm64-fault/coredumps']) {
    it(`a symlink at <root>/${at} to a host path outside is a dangling guest path: ENOENT, nothing written outside`, () => {
      const { root, outside, before, snapshot } = setup();
      mkdirSync(join(root, at, '..'), { recursive: true });
      symlinkSync(outside, join(root, at)); // absolute: the guest reads it relative to its "/"
      const { report } = run(P, { root, corePattern: PATTERN });
      expect(report.core.dumped).toBe(true);
      expect(report.core.reason).toMatch(/^arm64-fault-collect could not store the core in .*: ENOENT while creating the directory$/);
      expect(snapshot()).toEqual(before);
    });

    it(`a symlink at <root>/${at} climbing out with ".." stops at the root: the core lands inside it`, () => {
      const { root, outside, before, snapshot } = setup();
      mkdirSync(join(root, at, '..'), { recursive: true });
      mkdirSync(join(root, outside), { recursive: true }); // the same path inside the guest's "/"
      symlinkSync(`${'../'.repeat(12)}${outside.slice(1)}`, join(root, at));
      const { report } = run(P, { root, corePattern: PATTERN });
      expect(report.core).toMatchObject({ dumped: true, reason: null });
      expect(report.core.path!.startsWith(join(root, outside) + '/')).toBe(true);
      expect(readFileSync(report.core.path!).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(snapshot()).toEqual(before);
    });
  }

  it('a symlink at the core file name is not followed (ELOOP) and the file it names is untouched', () => {
    const { root, outside, before, snapshot } = setup();
    const dir = join(root, 'var/lib/arm64-fault/coredumps');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(outside, 'precious'), join(dir, NAME));
    const { report } = run(P, { root, corePattern: PATTERN });
    expect(report.core.dumped).toBe(true); // the kernel's writes into the pipe succeeded
    expect(report.core.reason).toBe(`arm64-fault-collect could not store the core in ${dir}: ELOOP while creating ${NAME}`);
    expect(snapshot()).toEqual(before);
  });

  it('a hard link at the core file name is refused (EMLINK), as coredump_file refuses one', () => {
    const { root, outside, before, snapshot } = setup();
    const dir = join(root, 'var/lib/arm64-fault/coredumps');
    mkdirSync(dir, { recursive: true });
    linkSync(join(outside, 'precious'), join(dir, NAME));
    const { report } = run(P, { root, corePattern: PATTERN });
    expect(report.core.reason).toBe(`arm64-fault-collect could not store the core in ${dir}: EMLINK while creating ${NAME}`);
    expect(snapshot()).toEqual(before);
  });

  it('a collection directory outside the root (the user\'s choice) gets no symlink followed at the file name', () => {
    const { root, outside, before, snapshot } = setup();
    const collect = mkdtempSync(join(tmpdir(), 'af-collect-'));
    symlinkSync(join(outside, 'precious'), join(collect, `${NAME}.json`));
    const { report } = run(P, { root, corePattern: PATTERN, collectDir: collect });
    expect(report.core.reason).toBe(`arm64-fault-collect could not store the core in ${collect}: ELOOP while creating ${NAME}.json`);
    expect(snapshot()).toEqual(before);
  });

  it('a second identical run rewrites its own core in place', () => {
    const { root } = setup();
    const first = run(P, { root, corePattern: PATTERN }).report;
    const again = run(P, { root, corePattern: PATTERN }).report;
    expect([again.core.dumped, again.core.reason, again.core.path]).toEqual([true, null, first.core.path]);
    expect(readFileSync(again.core.path!).length).toBe(again.core.size);
  });
});
