// Recorder: builds the RunReport by watching the kernel (its tracepoints and notices, and its state when a run
// ends). The kernel path never writes a report field; everything the report says about a signal — the ESR and
// fault name of the exception that raised it, what will happen to it — is what the Recorder saw happen.
import type { System } from './system.ts';
import type { TraceEvent, Observer, NoticeMap } from './trace.ts';
import { noCore, type InjectedRecord, type RunReport, type SignalRecord, type CoreRecord, type ProcessRecord, type SysctlChange } from './report.ts';
import { CORE_SYSCTLS, sysctlValue } from './fs/proc/sysctl.ts';
import { SIGNAL_GROUP_EXIT, type Task } from './kernel/task.ts';
import { Captures } from './capture.ts';

/** The instruction count of t's process (its engine's), for a signal sent to it from another process. */
const icountOf = (t: Task): number | null => (t.mm.cpu.icount === null ? null : Number(t.mm.cpu.icount));

/** What the Recorder keeps of one process while the run goes on. */
interface ProcState {
  pid: number;
  ppid: number;
  task: Task;
  program: string;
  argv: string[];
  /** the wait status once its leader exited */
  exit: number | null;
  signals: SignalRecord[];
  coreSteps: CoreRecord['steps'];
  core: CoreRecord | null;
  /** its threads in creation order (the leader first), and the one a fault signal was raised in */
  threads: Task[];
  faultedTid: number | null;
}
import { waitStatus } from './kernel/exit.ts';
import { sigmask, signalName, siCodeName } from './kernel/sigdefs.ts';
import { errnoName } from './kernel/errno.ts';
import { locateSignal, type SignalLocation } from './where/locate.ts';

export class Recorder implements Observer {
  readonly wants: ReadonlySet<string> = new Set([
    'exception_entry', 'mem_abort', 'signal_stop_ignored', 'coredump_begin', 'coredump_step', 'coredump_end',
    'task_newtask', 'sched_process_exec', 'sched_process_exit', 'proc_sys_write', 'inject',
  ]);
  /** the aborts --inject made a task take */
  private readonly injected: InjectedRecord[] = [];
  /** the processes by pid, in creation order */
  private readonly procs = new Map<number, ProcState>();
  readonly sysctlChanges: SysctlChange[] = [];
  /** the core-dump sysctls when the (last) core dump began */
  private sysctlAtDump: Record<string, string> | null = null;
  readonly notes: string[] = [];
  /** what the guest asked for and we do not emulate, once per kind: where its note is, and how often it came */
  private readonly unsupported = new Map<string, { note: number; text: string; count: number }>();
  readonly gcores: RunReport['gcores'] = [];
  /** the first signal frames and fault maps, for the pictures of the run (--html) */
  readonly captures = new Captures();
  /** the EL0 exception being handled (from exception_entry until the return to user mode); its pc as a value too */
  private exception: { esr: string; pc: string; at: bigint } | null = null;
  /** the fault_info row or the arm64_force_sig_fault string of that exception */
  private faultName: string | null = null;
  /** the last fault signal (pc, address, ESR, signal) and how many times in a row it was raised */
  private lastFault = { pc: '', addr: '' as string | null, esr: '' as string | null, signo: 0, count: 0 };
  /** the host signal (SIGINT, SIGTERM) that interrupted the run, or 0 */
  interruptedBy = 0;
  /** the pc of the svc while a syscall runs (the run loop says): a signal the syscall raises is located there */
  svcPc: bigint | null = null;

  constructor(private readonly sys: System, private readonly programPath: string) {
    sys.tracer.observer = this;
    const t = sys.init;
    this.procs.set(t.pid, this.newProc(t));
  }

  private newProc(t: Task): ProcState {
    return { pid: t.pid, ppid: t.ppid, task: t, program: t.exePath, argv: t.argv, exit: null, signals: [], coreSteps: [], core: null, threads: [t], faultedTid: null };
  }

  /** the signals of the first process */
  get signals(): SignalRecord[] {
    return this.procs.get(this.sys.init.pid)!.signals;
  }

  private proc(pid: number | undefined): ProcState | undefined {
    return this.procs.get(pid ?? this.sys.task.pid);
  }

  event(e: TraceEvent): void {
    switch (e.name) {
      case 'exception_entry':
        this.exception = { esr: e.esr as string, pc: e.pc as string, at: BigInt(e.pc as string) };
        this.faultName = null;
        break;
      case 'inject':
        this.injected.push({
          kind: e.kind as string, fsc: e.fsc as number | null, fault: e.fault as string, insns: e.icount ?? 0,
          pid: this.sys.task.pid, pc: e.pc as string, address: e.far as string, esr: e.esr as string,
        });
        break;
      case 'mem_abort':
        this.faultName = e.fault as string;
        break;
      case 'signal_stop_ignored':
        this.notes.push(`${signalName(e.sig as number)} stopped the process at instruction ${e.icount ?? '?'} (group stop); ` +
          'with no parent to send SIGCONT, arm64-fault continues it at once (as if SIGCONT came right away)');
        break;
      case 'coredump_begin':
        // the report's core is the first process's: the values in force when its dump began
        if (e.tgid === this.sys.init.pid) this.sysctlAtDump = this.coreSysctls();
        break;
      case 'proc_sys_write':
        this.sysctlChanges.push({ name: e.sysctl as string, old: e.old as string, new: e.new as string, pid: e.pid as number,
          comm: e.comm as string, icount: e.icount });
        break;
      case 'coredump_step':
        this.proc(e.tgid)?.coreSteps.push({ step: e.step as string, ok: e.ok as boolean, detail: e.detail as string });
        break;
      case 'coredump_end': {
        const p = this.proc(e.tgid);
        if (!p) break;
        p.core = {
          dumped: e.dumped as boolean, path: (e.path as string | undefined) ?? null, size: (e.size as number | undefined) ?? 0,
          truncated: (e.truncated as boolean | undefined) ?? false, reason: e.reason as string | null, steps: p.coreSteps,
        };
        p.coreSteps = [];
        break;
      }
      case 'task_newtask': {
        const t = this.sys.tasks.find((x) => x.tid === e.pid);
        if (t && t.leader === t) this.procs.set(t.pid, this.newProc(t));
        else if (t) this.proc(t.pid)?.threads.push(t);
        break;
      }
      case 'sched_process_exec': {
        const p = this.proc(e.pid as number);
        // after de_thread the exec'ing thread leads the process (it may not have been the leader)
        const lead = p?.threads.find((t) => t.leader === t && t.exitState === null);
        if (p && lead) [p.task, p.threads] = [lead, p.threads.slice().sort((a, b) => a.tid - b.tid)];
        if (p) [p.program, p.argv] = [p.task.exePath, p.task.argv];
        break;
      }
      case 'sched_process_exit': {
        // the process ends with its last thread: the group's exit code, or the leader's own (wait_task_zombie)
        const p = this.proc(e.tgid);
        if (p && p.threads.every((t) => t.tid === e.pid || t.exitState !== null)) {
          const g = p.task.signal;
          p.exit = g.flags & SIGNAL_GROUP_EXIT ? g.groupExitCode : e.pid === p.pid ? e.status as number : p.task.exitCode;
          p.ppid = p.task.ppid;
        }
        break;
      }
    }
  }

  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void {
    if (name === 'arm64_force_sig_fault') this.faultName = (data as NoticeMap['arm64_force_sig_fault']).str;
    else if (name === 'exception_return') this.exception = null;
    else if (name === 'blocked_forever') {
      const { reason } = data as NoticeMap['blocked_forever'];
      // the stuck note already names the waits
      if (!this.notes.some((n) => n.startsWith('stuck: ') && n.includes(reason))) this.notes.push(`blocked forever: ${reason}`);
    }
    else if (name === 'signal_generated') this.onSignalGenerated(data as NoticeMap['signal_generated']);
    else if (name === 'unsupported') this.onUnsupported(data as NoticeMap['unsupported']);
    else if (name === 'rt_sigframe') {
      const { signo, frame, flags, esr, read } = data as NoticeMap['rt_sigframe'];
      const t = this.sys.task;
      this.captures.frame({ signo, pid: t.pid, tid: t.tid, icount: this.sys.icountNumber(), frame, flags, esr }, read);
    }
  }

  /** Every generated signal: what will happen to it as things stand now (a refault loop makes 100,000). */
  private onSignalGenerated({ task: t, info, source, result }: NoticeMap['signal_generated']): void {
    // a signal to another process (SIGCHLD from an exiting child, kill) has nothing of current's exception
    const own = t.signal === this.sys.task.signal;
    const ex = own ? this.exception : null;
    const action: SignalRecord['action'] = result === 'ignored' ? 'ignored'
      : this.blockedByAll(t, info.signo, source) ? 'blocked' : t.action[info.signo].handler > 1n ? 'handler' : 'default';
    const signo = info.signo;
    const name = signalName(signo);
    const codeName = siCodeName(signo, info.code);
    const addr = info.addr !== undefined ? this.hexOf(info.addr) : null;
    const esr = source === 'fault' && ex ? this.shared(ex.esr) : null;
    const fault = own && (source === 'fault' || (source === 'kernel' && ex)) ? this.faultName : null;
    const src = source as SignalRecord['source'];
    const icount = own ? this.sys.icountNumber() : icountOf(t);
    const w = own ? this.signalLocation(source) : null;
    // one object literal per shape, keys in the report's order (adding keys one by one costs three times more)
    const rec: SignalRecord = info.addrLsb !== undefined
      ? { signo, name, code: info.code, codeName, addr, addrLsb: info.addrLsb, esr, fault, source: src, action, icount, pid: t.pid, tid: t.tid, ...w }
      : w ? { signo, name, code: info.code, codeName, addr, esr, fault, source: src, action, icount, pid: t.pid, tid: t.tid,
        pc: w.pc, object: w.object, offset: w.offset, symbol: w.symbol, line: w.line, insn: w.insn }
        : { signo, name, code: info.code, codeName, addr, esr, fault, source: src, action, icount, pid: t.pid, tid: t.tid };
    const p = this.proc(t.pid);
    p?.signals.push(rec);
    if (source === 'fault') {
      this.trackRefault(rec);
      if (this.captures.wantsFault()) {
        this.captures.fault({ signo: rec.signo, name: rec.name, codeName: rec.codeName, pid: t.pid, icount: rec.icount,
          addr: info.addr ?? null, pc: ex ? ex.at : null }, this.sys.mm);
      } else this.captures.mapsSeen++;
      if (p) p.faultedTid = t.tid;
    }
  }

  /** A call of something not emulated: one note per kind, with the errno it got, its first caller and a count. */
  private onUnsupported({ what, errno }: NoticeMap['unsupported']): void {
    const key = `${what}\0${errno}`;
    const u = this.unsupported.get(key);
    if (u) {
      u.count++;
      this.notes[u.note] = `${u.text}; ${u.count} calls in all`;
      return;
    }
    const t = this.sys.task;
    const text = `not emulated: ${what}: the guest got ${errnoName(errno)} (first by pid ${t.pid}` +
      `${t.tid !== t.pid ? ` tid ${t.tid}` : ''} at instruction ${this.sys.icountNumber() ?? '?'})`;
    this.unsupported.set(key, { note: this.notes.length, text, count: 1 });
    this.notes.push(text);
  }

  /** The report keeps every signal: a refault loop's 100,000 records share their repeated strings (the address,
   *  the ESR) instead of each keeping a copy. */
  private lastHex = { v: -1n, s: '' };
  private lastWhere: SignalLocation | null = null;
  private lastEsr = '';
  private hexOf(v: bigint): string {
    if (this.lastHex.v !== v) this.lastHex = { v, s: `0x${v.toString(16)}` };
    return this.lastHex.s;
  }
  private shared(esr: string): string {
    if (esr !== this.lastEsr) this.lastEsr = esr;
    return this.lastEsr;
  }

  /** A process-directed signal is blocked only when every thread blocks it (complete_signal picks one that does
   *  not); a fault or a tkill goes to its thread. */
  private blockedByAll(t: Task, signo: number, source: string): boolean {
    const bit = sigmask(signo);
    if (source === 'fault' || source === 'tkill') return (t.blocked & bit) !== 0n;
    return this.sys.tasks.every((x) => x.signal !== t.signal || x.exitState !== null || (x.blocked & bit) !== 0n);
  }

  /** Where a signal came from: the faulting instruction, or the svc of the syscall that raised it; nothing for a
   *  signal no instruction raised (from outside, a timer). */
  private signalLocation(source: string): SignalLocation | null {
    if (source === 'external') return null;
    const ex = this.exception;
    const pc = ex && (source === 'fault' || source === 'kernel') ? ex.at : this.svcPc;
    const { sys } = this;
    if (pc === null) return null;
    const w = locateSignal({ programPath: this.programPath, exePath: sys.task.exePath, mm: sys.mm, cpu: sys.cpu }, pc);
    // a refault loop locates the same instruction 100,000 times, and the report keeps every location: the same one
    // is kept once (its strings shared), not as 100,000 copies
    const l = this.lastWhere;
    if (l && l.pc === w.pc && l.object === w.object && l.offset === w.offset && l.symbol === w.symbol && l.line === w.line &&
      l.insn === w.insn) return l;
    return this.lastWhere = w;
  }

  /** Counts identical consecutive faults (same pc, address and ESR): a handler that fixes nothing. */
  private trackRefault(rec: SignalRecord): void {
    const l = this.lastFault;
    const pc = this.exception?.pc ?? 'undefined';
    if (l.pc === pc && l.addr === rec.addr && l.esr === rec.esr && l.signo === rec.signo) l.count++;
    else this.lastFault = { pc, addr: rec.addr, esr: rec.esr, signo: rec.signo, count: 1 };
  }

  private coreSysctls(): Record<string, string> {
    return Object.fromEntries(CORE_SYSCTLS.map((n) => [n, sysctlValue(this.sys.sysctl, n) ?? '']));
  }

  /** SIGINT/SIGTERM to the host process stopped the run (at an instruction boundary). */
  interrupted(signo: number): void {
    this.interruptedBy = signo;
    this.notes.push(`interrupted by ${signalName(signo)} to arm64-fault at instruction ${this.sys.icountNumber() ?? '?'}: ` +
      'the guest was stopped there, its output so far is in the report');
  }

  /** The run ended at its instruction limit: say so when it was spinning in a refault loop. */
  noteRefaultLoop(): void {
    const { pc, addr, esr, signo, count } = this.lastFault;
    if (count < 2) return;
    this.notes.push(`refault loop: ${signalName(signo)} at pc 0x${BigInt(pc).toString(16)} (addr ${addr}, ESR ${esr}) ` +
      `was raised ${count} times in a row; the handler returns without fixing the fault, as it would forever on Linux`);
  }

  /** How a process ended, and its core record. */
  private ending(p: ProcState): { exit: ProcessRecord['exit']; core: CoreRecord } {
    const ws = p.exit === null ? null : waitStatus(p.exit);
    const core = ws?.kind !== 'signaled' ? noCore()
      : p.core ?? noCore(`${signalName(ws.signo)}'s default action terminates without a core dump`);
    const exit = ws === null ? null : {
      kind: ws.kind, code: ws.kind === 'exited' ? ws.code : null, signal: ws.kind === 'signaled' ? signalName(ws.signo) : null,
      coreDumped: core.dumped, waitStatus: ws.status,
    };
    return { exit, core };
  }

  /** The report of the run so far (final once the process has ended). */
  report(program: RunReport['program']): RunReport {
    const sys = this.sys;
    const first = this.procs.get(sys.init.pid)!;
    const { core } = this.ending(first);
    const ws = first.exit !== null && !sys.panicked ? waitStatus(first.exit) : null;
    const processes: ProcessRecord[] = [...this.procs.values()].map((p) => ({
      pid: p.pid, ppid: p.ppid, program: p.program, argv: p.argv, ...this.ending(p), signals: p.signals,
      threads: p.threads.map((t) => ({
        tid: t.tid, name: t.comm, faulted: t.tid === p.faultedTid,
        state: t.exitState !== null ? 'exited' as const : t.stopped ? 'stopped' as const : t.wait ? 'waiting' as const : 'running' as const,
      })),
    }));
    return {
      exit: {
        kind: sys.panicked ? 'panic' : ws?.kind ?? (this.interruptedBy ? 'interrupted' : sys.stuck !== null ? 'stuck'
          : sys.timedOut ? 'timeout' : 'limit'),
        code: ws?.kind === 'exited' ? ws.code : null,
        // for `interrupted`: the host signal that stopped the run
        signal: ws?.kind === 'signaled' ? signalName(ws.signo) : !ws && this.interruptedBy ? signalName(this.interruptedBy) : null,
        coreDumped: core.dumped,
        waitStatus: ws?.status ?? 0,
      },
      signals: this.signals,
      core,
      stdout: Buffer.concat(sys.console.stdout).toString('utf8'),
      stderr: Buffer.concat(sys.console.stderr).toString('utf8'),
      kernelLog: sys.log,
      icount: sys.init.mm.cpu.icount === null ? null : Number(sys.init.mm.cpu.icount),
      gcores: this.gcores,
      notes: this.notes,
      program,
      sysctlChanges: this.sysctlChanges,
      sysctl: this.sysctlAtDump ?? this.coreSysctls(),
      engine: sys.cpu.engine,
      processes,
      ...(this.injected.length > 0 ? { injected: this.injected } : {}),
    };
  }
}
