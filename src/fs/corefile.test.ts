import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openCoreFile, checkCoreFile, type OpenCoreFileResult } from './corefile.ts';

let tmp: string;
let root: string;
let outside: string;
const opened: number[] = [];

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'corefile-')));
  root = path.join(tmp, 'a', 'b', 'root');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(outside);
  fs.mkdirSync(path.join(root, 'home', 'u'), { recursive: true });
});
afterEach(() => {
  for (const fd of opened.splice(0)) fs.closeSync(fd);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function ok(r: OpenCoreFileResult): string {
  if ('error' in r) throw new Error(`expected success, got ${r.error}: ${r.reason}`);
  opened.push(r.fd);
  return r.hostPath;
}
const open = (guest: string, o: Partial<Parameters<typeof openCoreFile>[3]> = {}, cwd = '/') =>
  openCoreFile(root, cwd, guest, { dumpable: 1, fsuid: 0, ...o });
const outsideEntries = () => fs.readdirSync(outside).sort();
const aboveRoot = () => fs.readdirSync(path.dirname(root)).sort();

describe('openCoreFile: creation', () => {
  it('creates a 0600 empty regular file, relative to the guest cwd', () => {
    const host = ok(open('core', {}, '/home/u'));
    expect(host).toBe(path.join(root, 'home/u/core'));
    const st = fs.statSync(host);
    expect([st.isFile(), st.mode & 0o777, st.size, st.nlink]).toEqual([true, 0o600, 0, 1]);
  });

  it('absolute paths resolve against root', () => {
    expect(ok(open('/home/u/c1', {}, '/elsewhere'))).toBe(path.join(root, 'home/u/c1'));
  });

  it('unlinks an existing file and recreates it (new inode, 0600, empty)', () => {
    const p = path.join(root, 'core');
    fs.writeFileSync(p, 'old', { mode: 0o644 });
    const ino = fs.statSync(p).ino;
    const keep = path.join(root, 'keep'); // holds the old inode so its number cannot be reused
    fs.linkSync(p, keep);
    ok(open('core'));
    const st = fs.statSync(p);
    expect([st.ino === ino, st.mode & 0o777, st.size]).toEqual([false, 0o600, 0]);
  });

  it('a hard-linked existing file is unlinked; the other link keeps its data', () => {
    const p = path.join(root, 'core');
    fs.writeFileSync(p, 'secret');
    fs.linkSync(p, path.join(root, 'other'));
    ok(open('core'));
    expect(fs.statSync(p).nlink).toBe(1);
    expect(fs.readFileSync(path.join(root, 'other'), 'utf8')).toBe('secret');
  });

  it('a FIFO of that name is unlinked and replaced by a regular file', () => {
    execFileSync('mkfifo', [path.join(root, 'core')]);
    ok(open('core'));
    expect(fs.statSync(path.join(root, 'core')).isFile()).toBe(true);
  });

  it('an existing directory blocks the dump (EEXIST)', () => {
    fs.mkdirSync(path.join(root, 'core'));
    const r = open('core');
    expect(r).toMatchObject({ error: 'EEXIST' });
    expect('reason' in r && r.reason).toMatch(/exists and is a directory/);
  });

  it('dumpable 2 never unlinks: an existing file, FIFO or symlink blocks it', () => {
    fs.writeFileSync(path.join(root, 'core'), 'x');
    expect(open('/core', { dumpable: 2 })).toMatchObject({ error: 'EEXIST' });
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    expect(open('/fifo', { dumpable: 2 })).toMatchObject({ error: 'EEXIST' });
    expect(fs.readFileSync(path.join(root, 'core'), 'utf8')).toBe('x');
  });

  it('dumpable 2 refuses a relative name', () => {
    expect(open('core', { dumpable: 2 })).toMatchObject({
      error: 'EPERM', kernelMessage: 'this process can only dump core to a fully qualified path, skipping core dump',
    });
  });

  it('missing directory → ENOENT, a file in the path → ENOTDIR, "dir/" → EISDIR', () => {
    const r = open('/nodir/core');
    expect(r).toMatchObject({ error: 'ENOENT' });
    expect('reason' in r && r.reason).toBe('the core file /nodir/core could not be created (ENOENT): the directory /nodir does not exist; create the directory or change --core-pattern');
    fs.writeFileSync(path.join(root, 'f'), '');
    expect(open('/f/core')).toMatchObject({ error: 'ENOTDIR' });
    expect(open('home/')).toMatchObject({ error: 'EISDIR' });
    expect(open('home/u/..')).toMatchObject({ error: 'EISDIR' });
  });
});

describe('openCoreFile: confinement', () => {
  it('../../x stays in root', () => {
    expect(ok(open('../../x', {}, '/home/u'))).toBe(path.join(root, 'x'));
    expect(ok(open('../../../../../y'))).toBe(path.join(root, 'y'));
    expect(aboveRoot()).toEqual(['root']);
  });

  it('/../../x stays in root', () => {
    expect(ok(open('/../../x'))).toBe(path.join(root, 'x'));
    expect(aboveRoot()).toEqual(['root']);
  });

  it('a directory symlink to /tmp means <root>/tmp', () => {
    fs.symlinkSync('/tmp', path.join(root, 'd'));
    const name = `core-escape-${process.pid}`;
    expect(open(`/d/${name}`)).toMatchObject({ error: 'ENOENT' });
    expect(fs.existsSync(path.join('/tmp', name))).toBe(false);
    fs.mkdirSync(path.join(root, 'tmp'));
    expect(ok(open(`d/${name}`))).toBe(path.join(root, 'tmp', name));
    expect(fs.existsSync(path.join('/tmp', name))).toBe(false);
  });

  it('a relative directory symlink with many ".." stays in root', () => {
    fs.symlinkSync('../../../../../../..' + outside, path.join(root, 'up'));
    expect(open('up/core')).toMatchObject({ error: 'ENOENT' }); // <root><outside> does not exist
    expect(outsideEntries()).toEqual([]);
    fs.symlinkSync('../../../..', path.join(root, 'home/u/top'));
    expect(ok(open('/home/u/top/core'))).toBe(path.join(root, 'core'));
  });

  it('a symlink as the final component is replaced, never followed', () => {
    const victim = path.join(outside, 'victim');
    fs.writeFileSync(victim, 'keep');
    fs.symlinkSync(victim, path.join(root, 'core'));
    const host = ok(open('core'));
    expect(fs.lstatSync(host).isFile()).toBe(true);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
  });

  it('with dumpable 2 a final symlink blocks the dump, the target untouched', () => {
    const victim = path.join(outside, 'victim');
    fs.writeFileSync(victim, 'keep');
    fs.symlinkSync(victim, path.join(root, 'core'));
    expect(open('/core', { dumpable: 2 })).toMatchObject({ error: 'EEXIST' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
    expect(fs.lstatSync(path.join(root, 'core')).isSymbolicLink()).toBe(true);
  });

  it('an absolute symlink to /etc resolves to <root>/etc', () => {
    fs.symlinkSync('/etc', path.join(root, 'etc-link'));
    const name = `core-escape-${process.pid}`;
    expect(open(`/etc-link/${name}`)).toMatchObject({ error: 'ENOENT' });
    expect(fs.existsSync(path.join('/etc', name))).toBe(false);
  });

  it('an absolute symlink into the host outside dir lands in <root>/<that path>', () => {
    fs.symlinkSync(outside, path.join(root, 'o'));
    expect(open('/o/core')).toMatchObject({ error: 'ENOENT' });
    fs.mkdirSync(path.join(root, outside), { recursive: true });
    expect(ok(open('/o/core'))).toBe(path.join(root, outside, 'core'));
    expect(outsideEntries()).toEqual([]);
  });

  it('dangling symlinks: as the final component replaced, in the middle ENOENT', () => {
    fs.symlinkSync('nowhere', path.join(root, 'core'));
    expect(fs.lstatSync(ok(open('core'))).isFile()).toBe(true);
    fs.symlinkSync('nowhere', path.join(root, 'dd'));
    expect(open('dd/core')).toMatchObject({ error: 'ENOENT' });
  });

  it('40 links resolve, 41 give ELOOP, a self-loop gives ELOOP', () => {
    fs.mkdirSync(path.join(root, 'real'));
    const chain = (n: number, prefix: string) => {
      for (let i = 0; i < n; i++) fs.symlinkSync(i === n - 1 ? 'real' : `${prefix}${i + 1}`, path.join(root, `${prefix}${i}`));
    };
    chain(40, 'a');
    expect(ok(open('a0/core'))).toBe(path.join(root, 'real/core'));
    chain(41, 'b');
    expect(open('b0/core2')).toMatchObject({ error: 'ELOOP' });
    fs.symlinkSync('self', path.join(root, 'self'));
    expect(open('self/core')).toMatchObject({ error: 'ELOOP' });
  });
});

describe('openCoreFile: owner, mode and permissions', () => {
  it('an unwritable directory → EACCES for a non-root fsuid', () => {
    fs.chmodSync(path.join(root, 'home/u'), 0o755);
    const r = open('/home/u/core', { fsuid: 1000 });
    expect(r).toMatchObject({ error: 'EACCES' });
    expect('reason' in r && r.reason).toMatch(/the directory \/home\/u is not writable for fsuid 1000/);
  });

  it('no search permission on a directory → EACCES', () => {
    fs.chmodSync(path.join(root, 'home'), 0o700);
    expect(open('/home/u/core', { fsuid: 1000 })).toMatchObject({ error: 'EACCES' });
  });

  it('file owner ≠ fsuid → "cannot preserve file owner"', () => {
    fs.chmodSync(path.join(root, 'home/u'), 0o777);
    const r = open('/home/u/core', { fsuid: 1000 });
    expect(r).toMatchObject({ error: 'EPERM', kernelMessage: 'Core dump to /home/u/core aborted: cannot preserve file owner' });
    // A mapping that makes the host user the guest user lets the same dump through.
    ok(open('/home/u/core2', { fsuid: 1000, guestUidOf: (h) => (h === 0 ? 1000 : h) }));
  });

  it('a umask that clears 0600 bits → "cannot preserve file permissions"', () => {
    const old = process.umask(0o277);
    try {
      expect(open('/core')).toMatchObject({ error: 'EPERM', kernelMessage: 'Core dump to /core aborted: cannot preserve file permissions' });
    } finally {
      process.umask(old);
    }
  });

  it('checkCoreFile refuses link count > 1 and non-regular files', () => {
    const st = (over: object) => ({ nlink: 1, mode: 0o100600, uid: 5, isFile: () => true, ...over });
    expect(checkCoreFile(st({}), 'core', { fsuid: 5 })).toBeNull();
    expect(checkCoreFile(st({ nlink: 2 }), 'core', { fsuid: 5 })).toMatchObject({ error: 'EMLINK' });
    expect(checkCoreFile(st({ isFile: () => false }), 'core', { fsuid: 5 })).toMatchObject({ error: 'EINVAL' });
    expect(checkCoreFile(st({ mode: 0o100640 }), 'core', { fsuid: 5 })).toMatchObject({ kernelMessage: 'Core dump to core aborted: cannot preserve file permissions' });
    // (mode & 0677): the owner x bit is not checked.
    expect(checkCoreFile(st({ mode: 0o100700 }), 'core', { fsuid: 5 })).toBeNull();
  });
});
