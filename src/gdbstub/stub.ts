// The gdb remote stub (`arm64-fault run --gdb PORT`): gdb's side of ptrace for the one emulated process. It
// drives the run through Machine.runUntil() and sees every signal before its action as ptrace_signal does
// (System.ptracer), so gdb stops at "Program received signal SIGSEGV" and decides: pass it on (C sig), or not (c).
//
// Control is one synchronous loop on one thread: serve() reads packets until gdb resumes, runToStop() runs the
// machine in slices (between which gdb's interrupt byte is polled) until a breakpoint, watchpoint, step or exit.
// A signal stop happens inside the kernel path (get_signal), so there serve() runs nested, and gdb's resume
// decides the signal; a single step from there ends the runUntil() in progress with Machine.requestStop().
import { Listener, type Connection } from './socket.ts';
import { PacketIo } from './packets.ts';
import { HostIo } from './hostio.ts';
import { Threads, parseVCont } from './threads.ts';
import { librariesSvr4 } from './libraries.ts';
import { ReplayLog } from './replay.ts';
import { applyPoint, readMemory, writeMemory } from './memory.ts';
import { TARGET_XML, NUM_REGS, readAll, writeAll, readReg, writeReg, regSize, gdbSignal, linuxSignal } from './target.ts';
import type { Machine } from '../machine.ts';
import type { Ptracer } from '../kernel/kernel.ts';
import type { Task } from '../kernel/task.ts';
import { copySiginfoToUser, type KernelSiginfo } from '../kernel/siginfo.ts';
import { sendSignal } from '../kernel/signal.ts';
import { SIGINT, SIGKILL, SIGTRAP, SI_USER, TRAP_BRKPT, TRAP_HWBKPT, TRAP_TRACE } from '../kernel/sigdefs.ts';
import { waitStatus } from '../kernel/exit.ts';
import type { WatchKind } from '../cpu/debug.ts';

export interface GdbOptions {
  host: string;
  /** 0: any free port (announce() names it) */
  port: number;
  /** said once the stub listens, before it blocks waiting for gdb */
  announce: (host: string, port: number) => void;
  /** every packet, both ways (--gdb-log) */
  log?: (line: string) => void;
}

/** A resume request: continue or step, with the (Linux) signal to deliver, 0 for none; or the end of tracing. */
type Resume = { kind: 'continue' | 'step'; signal: number; thread?: Task } | { kind: 'detach' } | { kind: 'kill' };

/** Instructions per slice of a continue: between slices the stub checks for gdb's interrupt (Ctrl-C). */
const SLICE = 20_000_000n;
const hex = (n: number | bigint, w = 2): string => n.toString(16).padStart(w, '0');
const WATCH_FIELD: Record<WatchKind, string> = { write: 'watch', read: 'rwatch', access: 'awatch' };

/** Listens, waits for gdb, and runs the whole debugging session; the machine has ended when this returns. */
export function serveGdb(machine: Machine, o: GdbOptions): void {
  const listener = new Listener(o.host, o.port);
  o.announce(o.host, listener.port);
  let conn: Connection;
  try {
    conn = listener.accept();
  } finally {
    listener.close();
  }
  try {
    new GdbStub(machine, conn, o.log).session();
  } finally {
    conn.close();
    machine.sys.ptracer = null;
  }
}

class GdbStub implements Ptracer {
  private readonly io: PacketIo;
  private readonly hostIo: HostIo;
  /** the reply to `?`: the last stop */
  private lastStop = 'S05';
  /** the siginfo of the last stop (qXfer:siginfo:read) */
  private siginfo: Buffer | null = null;
  /** the thread a single step is for: the step ends when it has run one instruction (others may run meanwhile) */
  private stepping: Task | null = null;
  /** the instruction count at which a single step is complete */
  private stepTarget = 0n;
  /** a signal gdb asked to deliver at a stop that was not its own (C sig after a breakpoint): not stopped at again */
  private passOnce = 0;
  private detached = false;
  private killing = false;

  /** reverse execution (replay.ts): while gdb looks at the past, `m` is a replay machine */
  private readonly replay: ReplayLog;
  private get m(): Machine { return this.replay.machine ?? this.live; }

  constructor(private readonly live: Machine, conn: Connection, log?: (line: string) => void) {
    this.io = new PacketIo(conn);
    this.hostIo = new HostIo(live);
    this.threads = new Threads(() => this.m);
    this.replay = new ReplayLog({ live, tid: () => this.tid, liveStop: () => this.lastStop,
      insert: (m, p) => applyPoint(m, p), console: (text) => this.io.send(`O${Buffer.from(text).toString('hex')}`) });
    if (log) this.io.log = (dir, text) => log(`${dir} ${text}`);
  }

  private readonly threads: Threads;

  /** the thread that stopped, as the stop reply names it */
  private get tid(): string {
    return this.threads.id(this.m.task);
  }

  private get icount(): bigint {
    return this.m.cpu.icount ?? 0n;
  }

  session(): void {
    this.m.sys.ptracer = this.replay.recording(this);
    // before the first instruction, as after PTRACE_TRACEME's exec: SIGTRAP, SI_USER
    this.stopAt(SIGTRAP, { signo: SIGTRAP, errno: 0, code: SI_USER, pid: this.m.task.pid, uid: this.m.task.uid });
    for (;;) {
      const r = this.serve();
      if (r.kind === 'detach' || r.kind === 'kill') {
        if (r.kind === 'kill') this.kill();
        else this.detach();
        this.m.runUntil(); // detached: the process runs on to its end (killed: it dies now)
        return;
      }
      this.resume(r);
      if (!this.runToStop()) return;
    }
  }

  // ---- stops ------------------------------------------------------------------------------------------------
  private stopAt(signo: number, info: KernelSiginfo, fields = ''): void {
    this.siginfo = copySiginfoToUser(info);
    this.threads.stopped();
    this.lastStop = `T${hex(gdbSignal(signo))}${fields}thread:${this.tid};`;
  }

  private trap(code: number, addr: bigint, fields = ''): void {
    this.stopAt(SIGTRAP, { signo: SIGTRAP, errno: 0, code, addr }, fields);
  }

  /** Runs until something gdb must see; sends its stop reply. false when the process has ended. */
  private runToStop(): boolean {
    for (;;) {
      // a stepped thread that left the CPU (it blocked in a syscall) completes its step when it is back: the
      // others run meanwhile, and switched() ends the run then
      const away = this.stepping !== null && this.stepping !== this.m.task;
      const at = this.stepping && !away ? this.stepTarget : this.icount + SLICE;
      const st = this.stepping && !away && this.icount >= at ? { reason: 'insns' as const } : this.m.runUntil({ insns: at });
      if (st.reason === 'exited') return this.exited();
      if (this.detached) {
        this.m.runUntil();
        return this.exited();
      }
      if (st.reason === 'address') {
        // DIVERGENCE: a breakpoint or watchpoint stop is the stub's, not a SIGTRAP generated in the guest (on Linux
        // ptrace intercepts one): the report's signals stay the program's own
        const w = this.m.cpu.debug.lastWatch;
        if (w) this.trap(TRAP_HWBKPT, w.addr, `${WATCH_FIELD[w.kind]}:${hex(w.addr, 1)};`);
        else this.trap(TRAP_BRKPT, this.m.cpu.pc, 'swbreak:;');
        break;
      }
      if (this.stepping === this.m.task && this.icount >= this.stepTarget) {
        this.trap(TRAP_TRACE, this.m.cpu.pc);
        break;
      }
      const poll = this.io.pollInterrupt();
      if (poll === 'eof') {
        this.detach();
        this.m.runUntil();
        return this.exited();
      }
      if (poll === 'interrupt') {
        // DIVERGENCE: gdbserver sends the process a real SIGINT and reports it when it arrives; the stub stops
        // the engine at once and reports SIGINT without sending one, as qemu's stub does.
        this.stopAt(SIGINT, { signo: SIGINT, errno: 0, code: SI_USER, pid: this.m.task.ppid, uid: this.m.task.uid });
        break;
      }
    }
    this.io.send(this.lastStop);
    return true;
  }

  /** The process ended: W (exit status) or X (signal); then wait until gdb lets go of the connection. */
  private exited(): false {
    const r = this.m.report();
    const ws = waitStatus(r.exit.waitStatus);
    let reply: string;
    const proc = this.threads.multiprocess ? `;process:${hex(this.m.options.pid, 1)}` : '';
    if (r.exit.kind === 'signaled' && ws.kind === 'signaled') reply = `X${hex(gdbSignal(ws.signo))}${proc}`;
    else if (r.exit.kind === 'exited' && ws.kind === 'exited') reply = `W${hex(ws.code)}${proc}`;
    else {
      // DIVERGENCE: limit, timeout, stuck, interrupted, panic have no wait status: a console line says what
      // happened, and W7c the command's status (124)
      this.io.send(`O${Buffer.from(`arm64-fault: the run ended with outcome "${r.exit.kind}"\n`).toString('hex')}`);
      reply = `W7c${proc}`;
    }
    this.lastStop = reply;
    if (this.detached || this.killing) return false; // gdb is gone, or asked for no reply (k) or had it (vKill)
    this.io.send(reply);
    // gdb closes the connection after W/X; answer what it still asks, for a while
    for (let i = 0; i < 20 && this.io.readable(500); i++) {
      const p = this.io.receive();
      if (p.kind === 'eof') break;
      if (p.kind === 'packet') {
        const t = p.data.toString('latin1');
        if (t.startsWith('vKill') || t === 'k' || t.startsWith('D')) {
          if (t !== 'k') this.io.send('OK');
          break;
        }
        this.io.send(t === '?' ? reply : t.startsWith('q') ? '' : 'E01');
      }
    }
    return false;
  }

  // ---- ptrace_signal ----------------------------------------------------------------------------------------
  /** get_signal asks: a signal is about to be acted on. gdb sees it and says what to deliver. */
  signal(info: KernelSiginfo): KernelSiginfo | null {
    if (this.detached) return info;
    if (this.killing) return null;
    if (this.passOnce === info.signo) {
      this.passOnce = 0;
      return info;
    }
    this.stopAt(info.signo, info);
    this.io.send(this.lastStop);
    const r = this.serve();
    if (r.kind === 'detach') {
      this.detach();
      return info; // as gdbserver's detach: the pending signal goes on to the process
    }
    if (r.kind === 'kill') {
      this.kill();
      return null;
    }
    const out = r.signal === 0 ? null : r.signal === info.signo ? info
      // ptrace_signal: a signal the tracer changed is SI_USER from the tracer
      : { signo: r.signal, errno: 0, code: SI_USER, pid: this.m.task.ppid, uid: this.m.task.uid };
    this.stepping = r.kind === 'step' ? this.m.task : null;
    if (this.stepping) {
      // stepping into a handler stops at its first instruction; a cancelled signal's instruction runs again
      this.stepTarget = this.icount + (out ? 0n : 1n);
      this.m.requestStop();
    }
    return out;
  }

  private resume(r: { kind: 'continue' | 'step'; signal: number; thread?: Task }): void {
    this.stepping = r.kind === 'step' ? this.threads.toStep(r.thread ?? this.m.task) : null;
    this.stepTarget = this.icount + 1n;
    if (r.signal !== 0) {
      // a signal given at a stop that was not a signal (a breakpoint, a step): delivered, SI_USER from the tracer
      this.passOnce = r.signal;
      const info = { signo: r.signal, errno: 0, code: SI_USER, pid: this.m.task.ppid, uid: this.m.task.uid };
      this.replay.inject(this.icount, info);
      sendSignal(this.m.sys, info, 'pid', 'external');
      if (this.stepping) this.stepTarget = this.icount;
    }
  }

  /** sched_switch: a stepped thread back on the CPU has completed its step (its syscall returned). */
  switched(next: Task): void {
    if (next === this.stepping) this.m.requestStop();
  }

  private detach(): void {
    this.detached = true;
    this.m.cpu.debug.clear();
    this.m.sys.ptracer = null;
  }

  private kill(): void {
    this.killing = true;
    this.m.cpu.debug.clear();
    this.m.sys.killFromParent(SIGKILL);
  }

  // ---- packets ----------------------------------------------------------------------------------------------
  /** Answers gdb until it resumes the process (or detaches, kills, or goes away). */
  private serve(): Resume {
    for (;;) {
      const p = this.io.receive();
      // DIVERGENCE: gdb went away without D or k: the process runs on to its end, as under qemu (gdbserver kills it)
      if (p.kind === 'eof') return { kind: 'detach' };
      if (p.kind === 'interrupt') continue; //              already stopped
      let r = this.dispatch(p.data.toString('latin1'), p.data);
      if (this.replay.machine && r !== null && typeof r === 'object' && !Buffer.isBuffer(r)) {
        r = this.replay.forward(r);
        this.threads.stopped();
      }
      if (typeof r === 'string' || Buffer.isBuffer(r)) this.io.send(r);
      else if (r !== null) return r;
    }
  }

  /** The reply to send, a resume request, or null when the reply has gone out already. */
  private dispatch(t: string, raw: Buffer): string | Buffer | Resume | null {
    const regs = 'gGpP'.includes(t[0]) ? this.threads.registers() : null; // the Hg thread's
    if ('GPMX'.includes(t[0]) && !this.replay.write()) return 'E01'; // the past is read-only
    switch (t[0]) {
      case '?': return this.lastStop;
      case 'g': return regs ? readAll(regs).toString('hex') : 'E01';
      case 'G': if (!regs || !this.threads.writable(null)) return 'E01'; writeAll(regs, Buffer.from(t.slice(1), 'hex')); return 'OK';
      case 'p': {
        const n = parseInt(t.slice(1), 16);
        return regs && n < NUM_REGS ? readReg(regs, n).toString('hex') : 'E01';
      }
      case 'P': {
        const [n, v] = t.slice(1).split('=');
        const b = Buffer.from(v, 'hex');
        if (!regs || !this.threads.writable(parseInt(n, 16)) || parseInt(n, 16) >= NUM_REGS || b.length !== regSize(parseInt(n, 16))) return 'E01';
        writeReg(regs, parseInt(n, 16), b);
        return 'OK';
      }
      case 'm': {
        const [a, l] = t.slice(1).split(',').map((x) => BigInt(`0x${x}`));
        const b = readMemory(this.m, a, Number(l));
        return b ? b.toString('hex') : 'E14';
      }
      case 'M': case 'X': {
        const colon = raw.indexOf(0x3a);
        const [a, l] = t.slice(1, colon).split(',').map((x) => BigInt(`0x${x}`));
        const data = t[0] === 'M' ? Buffer.from(t.slice(colon + 1), 'hex') : raw.subarray(colon + 1);
        return data.length === Number(l) && writeMemory(this.m, a, data) ? 'OK' : 'E14';
      }
      case 'Z': case 'z': this.replay.point(t); return applyPoint(this.live, t);
      case 'b': return t === 'bs' || t === 'bc' ? this.backward(t[1] as 's' | 'c') : '';
      case 'c': return { kind: 'continue', signal: 0 };
      case 's': return { kind: 'step', signal: 0 };
      case 'C': return { kind: 'continue', signal: linuxSignal(parseInt(t.slice(1), 16)) };
      case 'S': return { kind: 'step', signal: linuxSignal(parseInt(t.slice(1), 16)) };
      case 'D': this.io.send('OK'); return { kind: 'detach' };
      case 'k': return { kind: 'kill' };
      case 'H': case 'T': return this.threads.packet(t) ?? '';
      case 'v': return this.vPacket(t);
      case 'q': case 'Q': return this.query(t);
      default: return '';
    }
  }

  private vPacket(t: string): string | Buffer | Resume {
    if (t === 'vCont?') return 'vCont;c;C;s;S';
    if (t.startsWith('vKill')) {
      this.io.send('OK');
      return { kind: 'kill' };
    }
    if (t.startsWith('vCont;')) {
      const r = parseVCont(t.slice(6), this.threads);
      return r ? { ...r, signal: linuxSignal(r.signal) } : 'E01';
    }
    return this.hostIo.handle(t) ?? ''; // vFile; vMustReplyEmpty, vRun…: not supported
  }

  private query(t: string): string | null {
    if (t.startsWith('qSupported')) {
      this.threads.multiprocess = /[:;]multiprocess\+/.test(t);
      this.lastStop = this.lastStop.replace(/thread:[^;]*;/, `thread:${this.tid};`); // the first stop, in the new form
      return (this.threads.multiprocess ? 'multiprocess+;' : '') + 'PacketSize=20000;QStartNoAckMode+;qXfer:features:read+;qXfer:exec-file:read+;qXfer:siginfo:read+;' +
        'qXfer:auxv:read+;qXfer:libraries-svr4:read+;swbreak+;hwbreak+;vContSupported+;ReverseStep+;ReverseContinue+';
    }
    if (t === 'QStartNoAckMode') {
      this.io.send('OK'); // acknowledged like any packet; none after it
      this.io.noAck();
      return null;
    }
    const thread = this.threads.packet(t);
    if (thread !== null) return thread;
    if (t.startsWith('qAttached')) return '0'; // we started it: gdb kills it when it quits
    if (t.startsWith('qSymbol')) return 'OK';
    const x = /^qXfer:([a-z0-9-]+):read:([^:]*):([0-9a-f]+),([0-9a-f]+)$/.exec(t);
    if (x) {
      const data = this.xfer(x[1], x[2]);
      if (!data) return 'E00';
      const [off, len] = [parseInt(x[3], 16), parseInt(x[4], 16)];
      const part = data.subarray(off, off + len);
      return (off + len >= data.length ? 'l' : 'm') + part.toString('latin1');
    }
    return '';
  }

  private xfer(object: string, annex: string): Buffer | null {
    if (object === 'features' && annex === 'target.xml') return Buffer.from(TARGET_XML);
    if (object === 'exec-file') return Buffer.from(this.m.task.exePath); // the guest's path: gdb opens it with vFile
    if (object === 'siginfo') return this.siginfo;
    if (object === 'auxv') return this.m.mm.savedAuxv;
    if (object === 'libraries-svr4') return librariesSvr4(this.m.mm.savedAuxv, (a, n) => readMemory(this.m, a, n));
    return null;
  }

  /** bs, bc: reverse-stepi and reverse-continue (replay.ts); register packets then act on the replay's thread. */
  private backward(kind: 's' | 'c'): string {
    this.threads.stopped();
    return this.replay.backward(kind);
  }

}
