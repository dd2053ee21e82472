// Reverse execution for the gdb stub (bs, bc: reverse-stepi, reverse-continue, reverse-finish). A run is
// deterministic: the same program, options and decisions give the same instructions, so "the state N instructions
// into the run" is found again by re-executing a fresh Machine from the start (the only snapshot: the program as
// loaded) to the exact count N. The log holds what is not in the options: gdb's decisions about signals (which
// ptrace_signal asked for, in order) and the signals gdb sent at a resume (at their instruction counts).
//
// The live machine stays where gdb last stopped it (the end of the history). Going back makes a replay machine
// current; running forward in the replay stops at breakpoints and watchpoints as a live run would, and at the end
// of the history hands gdb back to the live machine, with the stop gdb saw there. The replay machine is silent: no
// console echo, no trace sink, no gcores; it never gets past the live machine, so it writes no core either.
import { Machine, type Stopped } from '../machine.ts';
import type { Ptracer } from '../kernel/kernel.ts';
import type { KernelSiginfo } from '../kernel/siginfo.ts';
import { sendSignal } from '../kernel/signal.ts';

/** What gdb made of one signal stop: delivered as it was, cancelled, or changed into another (SI_USER) signal. */
type Decision = 'pass' | 'cancel' | KernelSiginfo;
type Resume = { kind: 'continue' | 'step'; signal: number } | { kind: 'detach' } | { kind: 'kill' };

/** What the stub gives the log: the live machine and its own formatting of stops and breakpoints. */
export interface ReplayHost {
  readonly live: Machine;
  /** the thread id field for stop replies */
  tid(): string;
  /** the stop reply gdb had last from the live machine */
  liveStop(): string;
  /** applies a Z packet (breakpoint or watchpoint) to a machine */
  insert(m: Machine, packet: string): void;
  /** a line for gdb's console (an O packet: valid while gdb waits for a stop reply) */
  console(text: string): void;
}

const hex = (n: bigint): string => n.toString(16);
const count = (m: Machine): bigint => m.cpu.icount ?? 0n;

export class ReplayLog implements Ptracer {
  private readonly decisions: Decision[] = [];
  private readonly injections: { at: bigint; info: KernelSiginfo }[] = [];
  /** the Z packets in force, by type, address and kind */
  private readonly points = new Map<string, string>();
  /** why the run can no longer be replayed (gdb changed its state), or null */
  private spoiled: string | null = null;
  private readonly liveCpu;
  /** the replay machine gdb is looking at, or null: the live one */
  machine: Machine | null = null;
  /** per replay machine: the decisions taken and the injections done */
  private seq = 0;
  private injected = 0;
  /** the replay machine running now (the ptracer's) */
  private running: Machine | null = null;

  constructor(private readonly host: ReplayHost) {
    this.liveCpu = host.live.cpu;
  }

  /** The ptracer of the live machine: the stub's, recorded. */
  recording(stub: Ptracer): Ptracer {
    return { signal: (info) => this.record(info, stub.signal(info)), switched: (next) => stub.switched?.(next) };
  }

  private record(info: KernelSiginfo, out: KernelSiginfo | null): KernelSiginfo | null {
    this.decisions.push(out === info ? 'pass' : out === null ? 'cancel' : { ...out });
    return out;
  }

  /** gdb sends a signal as it resumes (C sig at a stop that was not that signal's). */
  inject(at: bigint, info: KernelSiginfo): void {
    this.injections.push({ at, info: { ...info } });
  }

  /** gdb writes registers or memory: allowed live (the history before it can no longer be replayed), not in a replay. */
  write(): boolean {
    if (this.machine) return false;
    this.spoiled ??= `gdb changed registers or memory at instruction ${count(this.host.live)}`;
    return true;
  }

  /** A Z or z packet: kept for every replay machine, and applied to the current one (the stub does the live's). */
  point(packet: string): void {
    const key = packet.slice(1);
    if (packet[0] === 'Z') this.points.set(key, packet);
    else this.points.delete(key);
    if (this.machine) this.host.insert(this.machine, packet);
  }

  /** The replay ptracer: gdb's decisions as recorded; past the end of the log (the live machine's pending stop),
   *  nothing is delivered and the replay stops there. DIVERGENCE: (from rr) a replayed signal does not stop for
   *  gdb: its decision is already taken. */
  signal(info: KernelSiginfo): KernelSiginfo | null {
    const d = this.decisions[this.seq++];
    if (d === undefined) {
      this.running?.requestStop();
      return null;
    }
    return d === 'pass' ? info : d === 'cancel' ? null : { ...d };
  }

  // ---- going back ----------------------------------------------------------------------------------------------
  /** bs or bc: the stop reply, or an error (after a console line that says why). */
  backward(kind: 's' | 'c'): string {
    const why = this.refusal();
    if (why) {
      this.host.console(`arm64-fault: reverse execution is not possible: ${why}\n`);
      return 'E01';
    }
    const now = count(this.machine ?? this.host.live);
    if (kind === 's') {
      if (now === 0n) return this.begin();
      this.use(this.fresh(false));
      this.runTo(this.machine!, now - 1n);
      return `T05thread:${this.host.tid()};`;
    }
    // bc: the last breakpoint or watchpoint hit before now. One replay counts the hits, a second stops at the last:
    // a hit is named by its rank, not its count, because a signal's delivery enters the handler (where a
    // breakpoint may be) at the count of the instruction that faulted.
    const scan = this.fresh(true);
    const n = this.hits(scan, now, 0).rank;
    discard(scan);
    if (n === 0) return this.begin();
    this.use(this.fresh(true));
    return this.hits(this.machine!, now, n).reply!;
  }

  /** Runs m towards `now` through the breakpoint and watchpoint hits before it, stopping at the one of rank `stop`
   *  (1, 2, …; 0: none): the number of hits seen, and at a stop its reply. */
  private hits(m: Machine, now: bigint, stop: number): { rank: number; reply: string | null } {
    for (let rank = 0; ;) {
      const st = this.runTo(m, now);
      if (st.reason !== 'address' || count(m) >= now) return { rank, reply: null };
      rank++;
      const reply = this.hitReply(m);
      const watch = m.cpu.debug.lastWatch !== null;
      // Going back, a watched access is met as its instruction is undone: the stop is after it, and gdb steps back
      // over it (aarch64 watchpoints are not steppable), as forward it stops before it and steps over it.
      if (rank === stop && !watch) return { rank, reply };
      // over the hit, with no points in the way (as gdb steps over them)
      m.cpu.debug.clear();
      this.runTo(m, count(m) + 1n);
      for (const p of this.points.values()) this.host.insert(m, p);
      if (rank === stop) return { rank, reply };
    }
  }

  /** Why going back is refused, or null. */
  private refusal(): string | null {
    const live = this.host.live;
    if (this.spoiled) return this.spoiled;
    // one task's instruction count is the position: after a fork, clone or exec it no longer orders the run
    if (live.sys.lastAllocatedPid !== live.options.pid || live.sys.tasks.length !== 1) return 'the program has started other processes or threads (reverse execution supports one single-threaded process)';
    if (live.cpu !== this.liveCpu) return 'the program has called execve';
    return null;
  }

  /** The start of the history: a machine before the first instruction, and gdb's "No more reverse-execution history." */
  private begin(): string {
    this.use(this.fresh(true));
    return `T05replaylog:begin;thread:${this.host.tid()};`;
  }

  // ---- going forward in the replay -----------------------------------------------------------------------------
  /** A resume while replaying: run the replay machine forward; at the end of the history gdb gets the live machine
   *  back. detach and kill go to the live machine. */
  forward(r: Resume): string | Resume {
    const m = this.machine!;
    const end = count(this.host.live);
    if (r.kind === 'detach' || r.kind === 'kill') {
      this.use(null);
      return r;
    }
    // DIVERGENCE: the history is fixed: a signal given with the resume (C sig, S sig) is ignored in a replay
    const st = this.runTo(m, r.kind === 'step' ? count(m) + 1n : end);
    if (count(m) >= end) {
      this.use(null);
      return this.host.liveStop();
    }
    if (st.reason === 'address') return this.hitReply(m);
    return `T05thread:${this.host.tid()};`;
  }

  private hitReply(m: Machine): string {
    const w = m.cpu.debug.lastWatch;
    const field = w ? `${w.kind === 'write' ? 'watch' : w.kind === 'read' ? 'rwatch' : 'awatch'}:${hex(w.addr)};` : 'swbreak:;';
    return `T05${field}thread:${this.host.tid()};`;
  }

  // ---- replay machines -----------------------------------------------------------------------------------------
  /** A machine at the start of the run, its signals decided by the log; `points`: with gdb's breakpoints.
   *  DIVERGENCE: (from rr and qemu's record/replay, which replay recorded syscall results) the replay runs the
   *  syscalls again, on the same --root: the guest's file writes happen again (its console output does not). */
  private fresh(points: boolean): Machine {
    const live = this.host.live;
    const m = new Machine(live.programPath, { ...live.options, passthrough: false, interruptible: false, gcore: [], gcoreTimes: [] });
    m.sys.ptracer = this;
    this.seq = 0;
    this.injected = 0;
    if (points) for (const p of this.points.values()) this.host.insert(m, p);
    return m;
  }

  private use(m: Machine | null): void {
    if (this.machine && this.machine !== m) discard(this.machine);
    this.machine = m;
  }

  /** Runs m to instruction count `to` (or a breakpoint or watchpoint before it), sending the recorded signals at
   *  their counts. */
  private runTo(m: Machine, to: bigint): Stopped {
    this.running = m;
    for (;;) {
      const inj = this.injections[this.injected];
      if (inj && inj.at <= count(m)) {
        sendSignal(m.sys, inj.info, 'pid', 'external');
        this.injected++;
        continue;
      }
      const at = inj && inj.at < to ? inj.at : to;
      if (count(m) >= at && at === to) return { reason: 'insns', icount: Number(at), pc: m.cpu.pc };
      const st = m.runUntil({ insns: at });
      if (st.reason !== 'insns' || at === to) return st;
    }
  }
}

/** Lets go of a replay machine's engine and host files without running it on (no exit, no core, no writeback). */
function discard(m: Machine): void {
  for (const t of m.sys.tasks) {
    if (t.exitState !== null) continue;
    t.files.closeAll();
    t.mm.cpu.close();
  }
}
