// Real programs: Debian's dynamically linked bash and coreutils (arm64), which scripts/setup.sh downloads into
// .cache/arm64-root, run as a user would run them: the root is a fresh directory with a few files of known times,
// the Debian tree is the --sysroot (ld.so, the libraries and the programs). Each line the script prints is what
// Linux prints for it. Not compared with qemu-aarch64: without binfmt_misc it cannot exec the arm64 `ls`, `seq`.
import { describe, it, expect } from 'vitest';
import { chmodSync, existsSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import { afIn } from './bin.ts';

const DEBIAN = join(import.meta.dirname, '..', '.cache', 'arm64-root');

function bash(script: string) {
  if (!existsSync(join(DEBIAN, 'bin', 'bash'))) throw new Error(`${DEBIAN}/bin/bash is missing: scripts/setup.sh downloads bash:arm64 and coreutils:arm64`);
  const root = mkdtempSync(join(tmpdir(), 'af-real-'));
  const data = join(root, 'data');
  mkdirSync(join(data, 'dir'), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  writeFileSync(join(data, 'f1'), 'twelve bytes');
  writeFileSync(join(data, 'f2'), 'b\na\nc\n');
  chmodSync(join(data, 'f2'), 0o640);
  symlinkSync('f1', join(data, 'link'));
  for (const f of ['f1', 'f2', 'dir']) utimesSync(join(data, f), 1_000_000_000, 1_000_000_000);
  lutimesSync(join(data, 'link'), 1_000_000_001, 1_000_000_001);
  const report = new Machine(join(DEBIAN, 'bin', 'bash'), {
    root, sysroot: DEBIAN, cwd: '/data', argv: ['bash', '-c', script], env: ['PATH=/usr/bin:/bin', 'LC_ALL=C'],
  }).run();
  return report;
}

describe('Debian bash and coreutils', () => {
  it('pipelines in command substitutions, ls -l and stat (statx), sort, tac, exit statuses', () => {
    const r = bash(`echo "$(seq 1 5 | paste -sd+) = $(( $(seq 1 5 | paste -sd+) ))"
ls -ln --time-style=+%s f1 f2 link
stat -c '%n %s %a %F %Y' f1 f2 link; stat -c '%n %a %F %Y' dir
sort f2 | tac | tr '\\n' ' '; echo
wc -c < f1
for i in 1 2 3; do (exit $i); printf '%s ' $?; done; echo
cat missing; echo "cat: $?"`);
    expect(r.stderr).toBe('cat: missing: No such file or directory\n');
    // the files are the host's: ls -n shows their owner's ids (whoever runs the tests)
    const [u, g] = [process.getuid!(), process.getgid!()];
    expect(r.stdout).toBe(`1+2+3+4+5 = 15
-rw-r--r-- 1 ${u} ${g} 12 1000000000 f1
-rw-r----- 1 ${u} ${g}  6 1000000000 f2
lrwxrwxrwx 1 ${u} ${g}  2 1000000001 link -> f1
f1 12 644 regular file 1000000000
f2 6 640 regular file 1000000000
link 2 777 symbolic link 1000000001
dir 755 directory 1000000000
c b a 
12
1 2 3 
cat: 1
`);
    expect([r.exit.kind, r.exit.code, r.notes.filter((n) => !/^not emulated: system call (statfs|socket) /.test(n))]).toEqual(['exited', 0, []]);
  });

  it('cd, mkdir -p, cp -r, mv, rm -r, ln, chmod, touch -d, as coreutils do them (chdir, renameat2, utimensat…)', () => {
    const r = bash(`cd dir && pwd && cd .. && pwd
mkdir -p x/y && cp f1 x/y/ && cp -r x z && mv z/y/f1 z/y/f3 && ls -R x z | tr '\\n' ' '; echo
rm -r x z && ls
ln f1 hard && stat -c '%h %n' f1 hard
chmod 600 f1 && stat -c '%a' f1
touch -d @1500000000.123456789 f2 && stat -c '%.9Y' f2
cat f1 > /dev/null && sync && echo synced`);
    expect(r.stderr).toBe('');
    // what is not emulated here and coreutils does without: socket (glibc asks nscd for the user and group names)
    const notes = r.notes.map((n) => /^not emulated: system call (\w+)/.exec(n)?.[1] ?? n);
    expect(notes).toEqual(['socket']);
    expect(r.stdout).toBe(`/data/dir
/data
x: y  x/y: f1  z: y  z/y: f3 
dir
f1
f2
link
2 f1
2 hard
600
1500000000.123456789
synced
`);
  });

  it("README's bash line runs through the installed command", () => {
    const line = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8').split('\n')
      .find((l) => l.startsWith('npx arm64-fault run --sysroot .cache/arm64-root --root /tmp/r .cache/arm64-root/bin/bash'))!;
    const args = line.replace(/^npx arm64-fault /, '').replace(' --root /tmp/r ', ` --root ${mkdtempSync(join(tmpdir(), 'af-real-'))} `)
      .match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'(.*)'$/, '$1'));
    const r = afIn(join(import.meta.dirname, '..'), ...args);
    expect([r.stdout, r.status]).toEqual(['1+2+3 = 6\n', 0]);
  });

});

describe("Debian's python3.11", () => {
  it('threads, an interval timer, fork, a pipe, subprocess, then a SIGSEGV that dumps core', () => {
    const root = mkdtempSync(join(tmpdir(), 'af-py-'));
    mkdirSync(join(root, 'tmp'));
    const script = `import sys, os, signal, threading, time, subprocess
sys.stdout.reconfigure(line_buffering=True)
res = []
ts = [threading.Thread(target=lambda n: res.append(sum(range(n))), args=(1000 * i,)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(res))
signal.signal(signal.SIGALRM, lambda s, f: print("alarm", s))
signal.setitimer(signal.ITIMER_REAL, 0.01)
time.sleep(0.05)
pid = os.fork()
if pid == 0:
    os._exit(7)
print("child", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
r, w = os.pipe()
if os.fork() == 0:
    os.close(r); os.write(w, b"through a pipe"); os._exit(0)
os.close(w); print(os.read(r, 100).decode()); os.wait()
print(subprocess.run(["/bin/echo", "from echo"], capture_output=True).stdout.decode(), end="")
os.kill(os.getpid(), signal.SIGSEGV)`;
    // -B: no .pyc is written (the sysroot is read-only; the root has no /usr/lib/python3.11)
    const r = new Machine(join(DEBIAN, 'usr', 'bin', 'python3.11'), {
      root, sysroot: DEBIAN, argv: ['python3.11', '-B', '-c', script], env: ['PATH=/usr/bin:/bin', 'LC_ALL=C'],
    }).run();
    expect(r.stdout).toBe('[0, 499500, 1999000, 4498500]\nalarm 14\nchild 7\nthrough a pipe\nfrom echo\n');
    expect([r.exit.kind, r.exit.signal, r.exit.coreDumped, r.exit.waitStatus]).toEqual(['signaled', 'SIGSEGV', true, 0x8b]);
    expect([r.core.dumped, r.core.path]).toEqual([true, join(root, 'core')]);
    const last = r.signals[r.signals.length - 1];
    expect([last.name, last.codeName, last.pid]).toEqual(['SIGSEGV', 'SI_USER', 1000]);
    expect(r.signals.some((x) => x.name === 'SIGALRM' && x.codeName === 'SI_KERNEL' && x.action === 'handler')).toBe(true);
    // the threads ran as threads of the one process (no other process but the children forked)
    expect(r.processes!.map((p) => p.exit?.code ?? null)).toEqual([null, 7, 0, 0]);
  });
});
