// The published package: `npm pack`, installed into a fresh project, used from plain Node (no tsx) and from a
// TypeScript file type-checked by tsc under moduleResolution nodenext, node16 and bundler; its bin runs.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prog } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const project = mkdtempSync(join(tmpdir(), 'af-consumer-'));
let files: string[] = [];

beforeAll(() => {
  // --ignore-scripts: dist/ is already built (test/global-setup.ts); prepack would rebuild it under running tests
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project],
    { cwd: ROOT, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  // from the npm cache when it has everything; the registry fills in what it lacks
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(project, packed[0].filename)],
    { cwd: project, encoding: 'utf8' });
  mkdirSync(join(project, 'r'));
}, 180_000);

describe('npm pack', () => {
  it('ships the compiled JavaScript, declarations, bin and native helper, not the sources or tests', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'dist/harness/worker.js', 'dist/harness/vitest.d.ts',
      'bin/arm64-fault.js', 'native/libaficount.so', 'native/icount.c', 'native/Makefile', 'scripts/native-install.js']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs only the runtime dependencies: no tsx, no picocolors, vitest only as an optional peer', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/arm64-fault/package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@noble/hashes', 'commander', 'koffi', 'yaml', 'zod']);
    expect(pkg.peerDependenciesMeta.vitest.optional).toBe(true);
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/vitest'))).toBe(false);
  });
});

describe('the installed package', () => {
  it('runs a program from plain Node', () => {
    writeFileSync(join(project, 'plain.mjs'), [
      "import { runProgram } from 'arm64-fault';",
      'const r = runProgram(process.argv[2], { root: process.argv[3] });',
      "console.log(r.exit.kind, r.exit.signal, r.signals[0].codeName, r.core.dumped);",
      "console.log(import.meta.resolve('arm64-fault/vitest').endsWith('/node_modules/arm64-fault/dist/harness/vitest.js'));",
    ].join('\n'));
    const r = spawnSync('node', ['plain.mjs', prog('segv_maperr_null'), join(project, 'r')], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('signaled SIGSEGV SEGV_MAPERR true\ntrue\n');
  });

  it('type-checks from TypeScript under nodenext, node16 and bundler resolution, and the emitted file runs', () => {
    writeFileSync(join(project, 'typed.ts'), [
      "import { runProgram, createMachine, type RunReport, type SignalRecord } from 'arm64-fault';",
      'const r: RunReport = runProgram(process.argv[2], { root: process.argv[3], rlimitCore: 0n });',
      'const s: SignalRecord | undefined = r.signals[0];',
      'const m = createMachine({ program: process.argv[2], root: process.argv[3] });',
      'const pc: bigint = m.regs().pc;',
      "console.log(r.exit.signal, s?.codeName, r.core.dumped, typeof pc);",
      '// @ts-expect-error the types are real (not any): exit.kind is a string union',
      'const wrong: number = r.exit.kind;',
      'void wrong;',
    ].join('\n'));
    // the declarations themselves are checked once (skipLibCheck false); that costs ~15 s, the others ~4 s
    for (const [module, resolution] of [['nodenext', 'nodenext'], ['node16', 'node16'], ['esnext', 'bundler']]) {
      const options = { module, moduleResolution: resolution, target: 'es2022', strict: true, skipLibCheck: resolution !== 'nodenext',
        typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'], outDir: `out-${resolution}` };
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions: options, files: ['typed.ts'] }));
      const tsc = spawnSync('node', [TSC, '-p', `tsconfig.${resolution}.json`], { cwd: project, encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr, resolution).toBe('');
      expect(tsc.status).toBe(0);
    }
    const r = spawnSync('node', ['out-nodenext/typed.js', prog('segv_maperr_null'), join(project, 'r')], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('SIGSEGV SEGV_MAPERR false bigint\n');
  }, 120_000);

  it('its bin runs a program and the scenario runner on workers', () => {
    const bin = join(project, 'node_modules/.bin/arm64-fault');
    const run = spawnSync(bin, ['run', '--root', join(project, 'r'), '--rlimit-core', '0', prog('bus_adraln_sp_load')], { cwd: project, encoding: 'utf8' });
    expect(run.status).toBe(128 + 7);
    expect(run.stderr).toContain('Bus error\n');
    // a user's scenario names its program next to the file (the package does not ship programs/build)
    const scn = join(project, 'scenarios');
    mkdirSync(scn, { recursive: true });
    copyFileSync(prog('segv_maperr_null'), join(scn, 'crash'));
    for (const n of ['a', 'b']) {
      writeFileSync(join(scn, `${n}.yaml`), `name: ${n}\nprogram: crash\nexpect:\n  exit: { kind: signaled, signal: SIGSEGV }\n`);
    }
    const test = spawnSync(bin, ['test', '-j', '2', scn], { cwd: project, encoding: 'utf8' });
    expect(test.stdout).toMatch(/^2 passed, 0 failed, 2 scenarios/m);
  });

  it('without the native helper: a clear error (exact and --fast: every engine stop is folded natively); its install script builds it again', () => {
    const pkg = join(project, 'node_modules/arm64-fault');
    const bin = join(project, 'node_modules/.bin/arm64-fault');
    rmSync(join(pkg, 'native/libaficount.so'));
    const counted = spawnSync(bin, ['run', '--root', join(project, 'r'), prog('exit42')], { cwd: project, encoding: 'utf8' });
    expect(counted.status).toBe(126);
    expect(counted.stderr).toMatch(/^arm64-fault: .*native\/libaficount\.so.*native-install\.js.*\n$/);
    const fast = spawnSync(bin, ['run', '--fast', '--root', join(project, 'r'), prog('exit42')], { cwd: project, encoding: 'utf8' });
    expect([fast.status, fast.stderr]).toEqual([126, counted.stderr]);
    const install = spawnSync('node', [join(pkg, 'scripts/native-install.js')], { cwd: pkg, encoding: 'utf8' });
    expect(install.status).toBe(0);
    expect(existsSync(join(pkg, 'native/libaficount.so'))).toBe(true);
    expect(spawnSync(bin, ['run', '--root', join(project, 'r'), prog('exit42')], { cwd: project }).status).toBe(42);
  }, 120_000);
});
