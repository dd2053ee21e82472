// A real shell: Debian's busybox-static (arm64), which scripts/setup.sh downloads into .cache/arm64-root, runs
// subshells, background jobs, $?, kill, wait, ulimit and a crashing child under arm64-fault. The parts that only
// fork are compared line by line with qemu-aarch64 running the same busybox; the parts that exec another
// program are not: without binfmt_misc on the host, qemu-aarch64 cannot exec an arm64 program (ENOEXEC).
import { describe, it, expect } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';

const BUSYBOX = join(import.meta.dirname, '..', '.cache', 'arm64-root', 'bin', 'busybox');
const APPLETS = ['sh', 'true', 'false', 'sleep', 'cat', 'echo', 'ls', 'kill'];

/** A root with /bin/busybox and its applets as symlinks, as Debian's busybox-static would install them. */
function busyboxRoot(): string {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: scripts/setup.sh downloads busybox-static:arm64`);
  const root = mkdtempSync(join(tmpdir(), 'af-sh-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
  for (const a of APPLETS) symlinkSync('busybox', join(root, 'bin', a));
  return root;
}

function sh(script: string, o: Partial<MachineOptions> = {}) {
  const root = busyboxRoot();
  const report = new Machine(join(root, 'bin', 'sh'), { root, argv: ['sh', '-c', script], env: ['PATH=/bin'], ...o }).run();
  return { root, report };
}

function qemuSh(script: string): string {
  const root = busyboxRoot();
  const r = spawnSync('qemu-aarch64', [join(root, 'bin', 'busybox'), 'sh', '-c', script], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { PATH: '/bin' } });
  return r.stdout;
}

// fork without exec: subshells, a background job, wait, kill, ulimit, variables that a subshell cannot change
const FORKS = `echo start
(exit 3); echo "subshell status $?"
x=1; (x=2; echo "inside x=$x"); echo "outside x=$x"
(exit 7) & wait $!; echo "background status $?"
ulimit -c 0; ulimit -c
(ulimit -c 1000; ulimit -c); ulimit -c
kill -0 $$; echo "kill -0 self $?"
echo end`;

describe('a real shell (busybox-static from Debian arm64)', () => {
  it('runs subshells, background jobs, wait, kill and ulimit as qemu-aarch64 does', () => {
    const { report: r } = sh(FORKS);
    expect(r.exit).toMatchObject({ kind: 'exited', code: 0 });
    expect(r.stdout).toBe(qemuSh(FORKS));
    expect(r.stdout.split('\n').slice(0, 4)).toEqual(['start', 'subshell status 3', 'inside x=2', 'outside x=1']);
    expect(r.processes!.length).toBeGreaterThanOrEqual(5);
  });

  it('a child that crashes: $? is 139, the core lands at core_pattern with the child\'s pid, ulimit -c 0 in a subshell stops only its own', () => {
    const script = `/bin/sh -c 'kill -SEGV $$'; echo "child status $?"
(ulimit -c 0; /bin/sh -c 'kill -SEGV $$'; echo "no-core child status $?")
/bin/true; echo "true $?"; /bin/false; echo "false $?"`;
    const { root, report: r } = sh(script, { corePattern: 'core.%p.%e' });
    expect(r.stdout).toBe('child status 139\nno-core child status 139\ntrue 0\nfalse 1\n');
    expect(r.stderr).toBe('Segmentation fault (core dumped)\nSegmentation fault\n');
    const killed = r.processes!.filter((p) => p.exit?.signal === 'SIGSEGV');
    expect(killed.map((p) => [p.program, p.exit!.coreDumped, p.core.path?.slice(root.length)])).toEqual([
      ['/bin/busybox', true, `/core.${killed[0].pid}.sh`],
      ['/bin/busybox', false, undefined],
    ]);
    expect(killed[1].core.reason).toMatch(/RLIMIT_CORE/);
    expect(readdirSync(root).filter((f) => f.startsWith('core'))).toEqual([`core.${killed[0].pid}.sh`]);
  });
});
