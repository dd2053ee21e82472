import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatCorename, RLIM_INFINITY, type CoredumpParams, type Corename } from './corename.ts';
import { coredumpPipe } from './coredump_pipe.ts';
import { listCollected, showCollected, formatCollectedList, formatCollectedInfo } from '../harness/collected.ts';

const params: CoredumpParams = {
  signo: 7, pid: 4321, tid: 4321, uid: 1000, gid: 1000, fsuid: 1000,
  comm: 'my prog', exePath: '/bin/my prog', hostname: 'box', time: 1700000000n, cpu: 0,
  dumpable: 1, corePattern: '|/usr/lib/arm64-fault/arm64-fault-collect %P %s %t %e',
  coreUsesPid: false, corePipeLimit: 0, pipeDumpsInFlight: 0, rlimitCore: RLIM_INFINITY, cwd: '/',
};
const core = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]);
const target = (pattern: string, over: Partial<CoredumpParams> = {}): Corename => {
  const t = formatCorename({ ...params, ...over, corePattern: pattern });
  if ('error' in t) throw new Error(t.error);
  return t;
};

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'corepipe-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

describe('built-in collector', () => {
  it('stores the core and its metadata', () => {
    const dir = path.join(tmp, 'cores');
    const r = coredumpPipe(target(params.corePattern), { params, core, truncated: false }, { collectDir: dir });
    const corePath = path.join(dir, 'core.my prog.4321.1700000000');
    expect(r).toEqual({ dumped: true, handler: 'collector', kernelLog: [], reason: null, corePath, metaPath: `${corePath}.json` });
    expect(new Uint8Array(fs.readFileSync(corePath))).toEqual(core);
    expect(fs.statSync(corePath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(`${corePath}.json`, 'utf8'))).toEqual({
      pid: 4321, uid: 1000, gid: 1000, signal: 7, signalName: 'SIGBUS', time: 1700000000, exe: '/bin/my prog',
      comm: 'my prog', argv: ['/usr/lib/arm64-fault/arm64-fault-collect', '4321', '7', '1700000000', 'my prog'],
      size: 7, truncated: false,
    });
  });

  it('escapes "/" in comm for the file name', () => {
    const p = { ...params, comm: 'a/b' };
    const r = coredumpPipe(target('|arm64-fault-collect'), { params: p, core, truncated: true }, { collectDir: tmp });
    expect(r.corePath).toBe(path.join(tmp, 'core.a!b.4321.1700000000'));
  });

  it('without a collection directory the helper "cannot run"', () => {
    const r = coredumpPipe(target('|arm64-fault-collect %p'), { params, core, truncated: false });
    expect(r.dumped).toBe(false);
    expect(r.kernelLog).toEqual(['coredump: 4321(my prog): |arm64-fault-collect pipe failed']);
  });

  it('list / info', () => {
    const mk = (pid: number, time: bigint, signo: number) => {
      const p = { ...params, pid, time, signo };
      coredumpPipe(target('|arm64-fault-collect %p', p), { params: p, core, truncated: false }, { collectDir: tmp });
    };
    mk(20, 1700000100n, 11);
    mk(10, 1700000200n, 7);
    mk(20, 1700000300n, 6);
    fs.writeFileSync(path.join(tmp, 'core.junk.json'), '{not json');
    fs.unlinkSync(path.join(tmp, 'core.my prog.10.1700000200'));
    const all = listCollected(tmp);
    expect(all.map((e) => [e.pid, e.time, e.present])).toEqual([[20, 1700000100, true], [10, 1700000200, false], [20, 1700000300, true]]);
    expect(formatCollectedList(all)).toBe(
      'TIME                 PID UID  GID  SIG     COREFILE EXE          SIZE\n' +
      '2023-11-14T22:15:00Z 20  1000 1000 SIGSEGV present  /bin/my prog 7\n' +
      '2023-11-14T22:16:40Z 10  1000 1000 SIGBUS  missing  /bin/my prog 7\n' +
      '2023-11-14T22:18:20Z 20  1000 1000 SIGABRT present  /bin/my prog 7\n');
    expect(showCollected(tmp, 20)?.time).toBe(1700000300);
    expect(showCollected(tmp, '10')?.signalName).toBe('SIGBUS');
    expect(showCollected(tmp, 'core.my prog.20.1700000100')?.signal).toBe(11);
    expect(showCollected(tmp, 'core.my prog.20.1700000100.json')?.signal).toBe(11);
    expect(showCollected(tmp, 99)).toBeNull();
    expect(formatCollectedInfo(showCollected(tmp, 10)!)).toBe(
      '         PID: 10 (my prog)\n' +
      '         UID: 1000\n' +
      '         GID: 1000\n' +
      '      Signal: 7 (BUS)\n' +
      '   Timestamp: 2023-11-14T22:16:40Z (1700000200)\n' +
      ' Helper argv: arm64-fault-collect 10\n' +
      '  Executable: /bin/my prog\n' +
      `     Storage: ${path.join(tmp, 'core.my prog.10.1700000200')} (missing)\n` +
      'Size on Disk: 7 B\n');
    expect(listCollected(path.join(tmp, 'nope'))).toEqual([]);
  });
});

describe('other helpers', () => {
  it('an empty program name is the disabled-helper case', () => {
    const r = coredumpPipe(target('|   '), { params, core, truncated: false }, { allowHostPipe: true });
    expect(r.dumped).toBe(false);
    expect(r.kernelLog).toEqual(['coredump: 4321(my prog): Core dump to | disabled']);
  });

  it('a host program is not run unless allowed', () => {
    const marker = path.join(tmp, 'ran');
    const r = coredumpPipe(target(`|/usr/bin/touch ${marker}`), { params, core, truncated: false });
    expect(r.dumped).toBe(false);
    expect(r.kernelLog).toEqual(['coredump: 4321(my prog): |/usr/bin/touch pipe failed']);
    expect(r.reason).toMatch(/does not run host programs/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('with allowHostPipe the program gets the core on stdin and argv split before expansion', () => {
    const script = path.join(tmp, 'h.sh');
    fs.writeFileSync(script, '#!/bin/sh\ncat > "$1.core"; printf "%s|" "$@" > "$1.args"; echo oops >&2; exit 3\n', { mode: 0o755 });
    const out = path.join(tmp, 'out');
    const r = coredumpPipe(target(`|${script} ${out} %e %s`), { params, core, truncated: false }, { allowHostPipe: true });
    expect(r).toEqual({ dumped: true, handler: 'host', kernelLog: [], reason: null, exitStatus: 3, exitSignal: null, timedOut: false, stderr: 'oops\n' });
    expect(new Uint8Array(fs.readFileSync(`${out}.core`))).toEqual(core);
    expect(fs.readFileSync(`${out}.args`, 'utf8')).toBe(`${out}|my prog|7|`);
  });

  it('a missing host program: "|%s pipe failed"', () => {
    const r = coredumpPipe(target('|/nonexistent/helper %p'), { params, core, truncated: false }, { allowHostPipe: true });
    expect(r.dumped).toBe(false);
    expect(r.kernelLog).toEqual(['coredump: 4321(my prog): |/nonexistent/helper pipe failed']);
  });

  it('a hanging host program is killed after the timeout', () => {
    const r = coredumpPipe(target('|/bin/sleep 5'), { params, core, truncated: false }, { allowHostPipe: true, timeoutMs: 200 });
    expect([r.handler, r.timedOut, r.exitSignal]).toEqual(['host', true, 'SIGTERM']);
  });
});

