// RunReport: the JSON contract of DESIGN.md §4, and its text rendering for people.
import { signalDescription, signalByName } from './kernel/sigdefs.ts';
import type { CoredumpResult } from './fs/coredump.ts';
import { waitStatus } from './kernel/exit.ts';
import type { SignalLocation } from './where/locate.ts';

/** On each signal an instruction raised (wave 2 of DESIGN.md §4): pc, object, offset, symbol, line, insn. */
export interface SignalRecord extends Partial<SignalLocation> {
  signo: number;
  name: string;
  code: number;
  codeName: string;
  addr: string | null;
  /** si_addr_lsb, for SIGBUS BUS_MCEERR_AR/AO only (a hardware memory error: the page's shift) */
  addrLsb?: number;
  esr: string | null;
  fault: string | null;
  source: 'fault' | 'kill' | 'tkill' | 'sigqueue' | 'kernel' | 'external';
  action: 'handler' | 'default' | 'ignored' | 'blocked';
  /** instruction count when the signal was generated (null in --fast mode) */
  icount: number | null;
  /** the process and the thread it was sent to (a fault's: the faulting thread) */
  pid?: number;
  tid?: number;
}

/** A value the guest stored through /proc/sys (tracepoint proc_sys_write): the sysctl, who wrote it and when. */
export interface SysctlChange {
  /** sysctl(8) name, e.g. kernel.core_pattern */
  name: string;
  old: string;
  new: string;
  /** the writer's tgid and comm */
  pid: number;
  comm: string;
  /** instruction count of the write (null in --fast mode) */
  icount: number | null;
}

/** What vfs_coredump did, with the decision chain (one step per kernel check). */
export type CoreRecord = CoredumpResult;

export interface RunReport {
  exit: {
    kind: 'exited' | 'signaled' | 'limit' | 'panic' | 'stuck' | 'timeout' | 'interrupted';
    code: number | null;
    signal: string | null;
    coreDumped: boolean;
    waitStatus: number;
  };
  signals: SignalRecord[];
  core: CoreRecord;
  stdout: string;
  stderr: string;
  kernelLog: string[];
  /** instructions retired; null when counting was off (--fast) */
  icount: number | null;
  /** cores written by --gcore while the process kept running */
  gcores: { icount: number | null; path: string | null; size: number; error: string | null }[];
  /** what the run ended on, for people (e.g. "refault loop at pc 0x…") */
  notes: string[];
  program: { path: string; argv: string[] };
  /** every value the guest stored through /proc/sys, in order */
  sysctlChanges: SysctlChange[];
  /** the core-dump sysctls (kernel.core_pattern, core_uses_pid, core_pipe_limit, fs.suid_dumpable) as reading
   *  their files showed them when the core dump began, or when the run ended if none began */
  sysctl: Record<string, string>;
  /** the CPU engine that ran the program: Unicorn's version, the library's host path, project copy or system */
  engine?: { name: 'unicorn'; version: string; path: string; source: 'project' | 'system' };
  /** every process of the run in creation order, the first one first (its fields are the top-level ones) */
  processes?: ProcessRecord[];
  /** the aborts --inject made the program take, in order (present only when one was taken) */
  injected?: InjectedRecord[];
}

/** One injected abort: what was asked, the row or exception taken, where, and the ESR. */
export interface InjectedRecord {
  /** the KIND as given (0x10, sea, memory-failure…) */
  kind: string;
  /** the fault_info row (DFSC/IFSC) dispatched on, or null for sp-alignment / pc-alignment */
  fsc: number | null;
  /** the row's name, or the special kind */
  fault: string;
  /** the instruction count at which the access took it, the pid that took it */
  insns: number;
  pid: number;
  pc: string;
  /** FAR as reported to the kernel */
  address: string;
  esr: string;
}

/** One process of the run: what it ran, how it ended (null: still alive when the run ended), its signals, its core. */
export interface ProcessRecord {
  pid: number;
  ppid: number;
  /** the program it runs at the end (after its last exec) and that program's argv */
  program: string;
  argv: string[];
  exit: { kind: 'exited' | 'signaled'; code: number | null; signal: string | null; coreDumped: boolean; waitStatus: number } | null;
  signals: SignalRecord[];
  core: CoreRecord;
  /** its threads in creation order, the leader first: the name is comm (prctl PR_SET_NAME), the state at the
   *  end of the run, `faulted` for the thread a fault signal was raised in */
  threads?: ThreadRecord[];
}

export interface ThreadRecord {
  tid: number;
  name: string;
  state: 'running' | 'waiting' | 'stopped' | 'exited';
  faulted: boolean;
}

export const noCore = (reason: string | null = null): CoreRecord =>
  ({ dumped: false, path: null, size: 0, truncated: false, reason, steps: [] });

/** The exit status a shell reports: the exit code, or 128 + signal. */
export function shellStatus(r: RunReport): number {
  if (r.exit.kind === 'exited' || r.exit.kind === 'signaled') {
    const ws = waitStatus(r.exit.waitStatus);
    return ws.kind === 'exited' ? ws.code : 128 + ws.signo;
  }
  if (r.exit.kind === 'interrupted') return 128 + (signalByName(r.exit.signal ?? 'SIGINT') ?? 2);
  return r.exit.kind === 'limit' || r.exit.kind === 'timeout' || r.exit.kind === 'stuck' ? 124 : 125;
}

/** The line bash prints for a process killed by a signal ("Bus error (core dumped)"). */
export function shellLine(r: RunReport): string | null {
  const ws = waitStatus(r.exit.waitStatus);
  if (r.exit.kind !== 'signaled' || ws.kind !== 'signaled') return null;
  return `${signalDescription(ws.signo)}${ws.coreDumped ? ' (core dumped)' : ''}`;
}

/** `pc 0x400104 in fault_insn+0x0 (segv_maperr_null+0x104) at asm/segv_maperr_null.S:9: ldr x0, [x1]` */
export function whereText(w: SignalLocation): string {
  const object = w.object === null ? 'unmapped' : `${w.object.slice(w.object.lastIndexOf('/') + 1)}+${w.offset}`;
  return `pc ${w.pc}${w.symbol ? ` in ${w.symbol}` : ''} (${object})${w.line ? ` at ${w.line}` : ''}${w.insn ? `: ${w.insn}` : ''}`;
}

const sameLocation = (a: SignalRecord, b: SignalRecord): boolean => a.pc === b.pc && a.object === b.object &&
  a.offset === b.offset && a.symbol === b.symbol && a.line === b.line && a.insn === b.insn;

export function renderText(r: RunReport): string {
  const out: string[] = [];
  forEachTextLine(r, (line) => out.push(line));
  return out.join('\n');
}

/** The text report as UTF-8 chunks of about 64 KiB, each line encoded into its chunk as it comes: a refault loop
 *  makes 200,000 lines, and Buffer.from of a 64 KiB string built by concatenation (with its → and ×) costs 15
 *  times more than encoding the lines one by one (measured: 760 ms against 50 ms for 19 MB). */
export function forEachTextChunk(r: RunReport, write: (chunk: Buffer) => void): void {
  const CHUNK = 1 << 16;
  let buf = Buffer.allocUnsafe(CHUNK);
  let off = 0;
  forEachTextLine(r, (line) => {
    const most = 3 * line.length + 1; // UTF-8 bytes of a UTF-16 unit: 3 at most; then the newline
    if (off + most > CHUNK) {
      if (off > 0) write(buf.subarray(0, off));
      [buf, off] = [Buffer.allocUnsafe(CHUNK), 0];
      if (most > CHUNK) return void write(Buffer.from(line + '\n'));
    }
    off += buf.write(line, off);
    buf[off++] = 0x0a;
  });
  if (off > 0) write(buf.subarray(0, off));
}

/** renderText's lines, one at a time (the CLI writes them in chunks: a refault loop makes 200,000 of them, and
 *  strings that die young cost the garbage collector far less than one array that keeps them all). */
export function forEachTextLine(r: RunReport, emit: (line: string) => void): void {
  for (const j of r.injected ?? []) {
    const row = j.fsc === null ? '' : ` fault_info[0x${j.fsc.toString(16).padStart(2, '0')}]`;
    emit(`injected: ${j.kind}${row} (${j.fault}) at insn ${j.insns}, pc ${j.pc}, FAR ${j.address}, ESR ${j.esr}`);
  }
  // a run of the same signal with nothing to locate (a parent's SIGCHLDs) is one line
  const same = (s: SignalRecord, t: SignalRecord) =>
    t.pc === undefined && t.name === s.name && t.codeName === s.codeName && t.action === s.action;
  // a refault loop has 100,000 of these lines, most like the one before but for the count: the parts that
  // repeat are made once (plain concatenation for the rest)
  let prev: SignalRecord | null = null;
  let head = '';
  let at = '';
  for (let i = 0; i < r.signals.length; i++) {
    const s = r.signals[i];
    const repeat = prev !== null && s.name === prev.name && s.codeName === prev.codeName && s.addr === prev.addr &&
      s.esr === prev.esr && s.fault === prev.fault && s.action === prev.action;
    if (!repeat) {
      head = 'signal: ' + s.name + ' ' + s.codeName;
      if (s.addr) head += ' addr=' + s.addr;
      if (s.esr) head += ' esr=' + s.esr;
      if (s.fault) head += ' (' + s.fault + ')';
      head += ' → ' + s.action;
    }
    if (s.pc !== undefined && (!repeat || !sameLocation(s, prev!))) at = '  at ' + whereText(s as SignalLocation);
    prev = s;
    let n = 1;
    while (s.pc === undefined && i + n < r.signals.length && same(s, r.signals[i + n])) n++;
    const last = r.signals[i + n - 1];
    emit(head + (s.icount === null ? '' : n > 1 ? ` ×${n} at insns ${s.icount}…${last.icount}` : ' at insn ' + s.icount));
    if (s.pc !== undefined) emit(at);
    i += n - 1;
  }
  for (const c of r.sysctlChanges ?? []) {
    emit(`sysctl: ${c.name} = ${JSON.stringify(c.new)} (was ${JSON.stringify(c.old)}; written by ${c.pid} (${c.comm})` +
      `${c.icount !== null ? ` at insn ${c.icount}` : ''})`);
  }
  for (const l of r.kernelLog) emit(`kernel: ${l}`);
  // the other processes that died by a signal, one line each: what a waiting parent saw
  for (const p of (r.processes ?? []).slice(1)) {
    if (p.exit?.kind !== 'signaled') continue;
    const where = p.signals.find((s) => s.name === p.exit!.signal && s.pc !== undefined);
    emit(`process ${p.pid} (${p.program}): killed by ${p.exit.signal}${p.exit.coreDumped ? ` (core dumped: ${p.core.path})` : ''}` +
      `${where ? ` at ${whereText(where as SignalLocation)}` : ''}`);
  }
  const line = shellLine(r);
  if (line) emit(line);
  if (r.exit.kind === 'exited') emit(`exited with status ${r.exit.code}`);
  if (r.exit.kind === 'limit') emit('stopped: instruction limit reached');
  if (r.exit.kind === 'stuck') emit('stuck: the process waits for something that can never happen (see the notes)');
  if (r.exit.kind === 'timeout') emit('stopped: the virtual-time limit (--timeout) passed');
  if (r.exit.kind === 'interrupted') emit(`interrupted by ${r.exit.signal}`);
  if (r.exit.kind === 'panic') emit('kernel panic (see kernelLog)');
  if (r.core.dumped) emit(`core: ${r.core.path} (${r.core.size} bytes${r.core.truncated ? ', truncated at RLIMIT_CORE' : ''})`);
  else if (r.core.reason) emit(`no core: ${r.core.reason}`);
  for (const n of r.notes) emit(`note: ${n}`);
  if (r.icount !== null) emit(`instructions: ${r.icount}`);
}
