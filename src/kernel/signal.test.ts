import type { Wait } from './kernel.ts';
import { getSignal } from './signal_deliver.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { signalSyscalls } from './sys_signal.ts';
import { Cpu } from '../cpu/cpu.ts';
import { Mm, VM_READ, VM_WRITE } from '../mm/mm.ts';
import { testKernel } from './testing.ts';
import { NO_RETURN } from './kernel.ts';
import type { NoticeMap } from '../trace.ts';
import type { KernelSiginfo } from './siginfo.ts';
import {
  sendSignal, forceSigFault, forceSig, forceFatalSig, forceSigsegv, dequeueSignal,
  dequeueSynchronousSignal, signalDelivered, signalPending, restoreSavedSigmask,
  sigsp,
} from './signal.ts';
import { untaggedAddr } from '../mm/uaccess.ts';
import {
  SIGSEGV, SIGBUS, SIGUSR1, SIGUSR2, SIGINT, SIGTERM, SIGCHLD, SIGCONT, SIGTSTP, SIGSTOP, SIGKILL, SIGILL,
  SIGRTMIN, SIGQUIT, SI_USER, SI_KERNEL, SI_QUEUE, SI_TKILL, SEGV_MAPERR, SEGV_ACCERR, BUS_ADRALN, SIG_IGN,
  SA_RESETHAND, SA_NODEFER, SA_SIGINFO, SA_UNSUPPORTED, SA_ONSTACK, SA_RESTART, SS_AUTODISARM, SS_ONSTACK,
  SS_DISABLE, sigmask,
} from './sigdefs.ts';

const cpus: Cpu[] = [];
afterEach(() => { while (cpus.length) cpus.pop()!.close(); });

const DATA = 0x10000n;
function machine() {
  const cpu = new Cpu({ countInsns: false });
  cpus.push(cpu);
  const mm = new Mm(cpu, 8n << 20n);
  mm.insert({ start: DATA, end: DATA + 0x10000n, flags: VM_READ | VM_WRITE, pgoff: 0n, file: null, name: null });
  const k = testKernel(mm, 4242, 'victim');
  const { task, traces } = k;
  const generated = {
    map: <T>(f: (g: [KernelSiginfo, string, string]) => T): T[] => k.notices
      .filter(([n]) => n === 'signal_generated')
      .map(([, d]) => { const g = d as NoticeMap['signal_generated']; return f([g.info, g.source, g.result]); }),
  };
  const sys = (nr: number, ...a: bigint[]) => signalSyscalls[nr][1](k, [...a, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6));
  return { k, task, cpu, mm, traces, generated, sys };
}
const fault = (signo: number, code: number, addr: bigint): KernelSiginfo => ({ signo, errno: 0, code, addr });
const user = (signo: number): KernelSiginfo => ({ signo, errno: 0, code: SI_USER, pid: 7, uid: 0 });
const neg = (e: number) => BigInt(-e);

describe('sendSignal (__send_signal_locked)', () => {
  it('queues legacy signals once (first siginfo wins) and RT signals every time, in order', () => {
    const { k, task, traces } = machine();
    task.blocked = sigmask(SIGUSR1) | sigmask(SIGRTMIN + 1);
    expect(sendSignal(k, { ...user(SIGUSR1), pid: 1 }, 'tgid', 'kill')).toBe('queued');
    expect(sendSignal(k, { ...user(SIGUSR1), pid: 2 }, 'tgid', 'kill')).toBe('dropped');
    expect(sendSignal(k, { ...user(SIGRTMIN + 1), pid: 3 }, 'tgid', 'kill')).toBe('queued');
    expect(sendSignal(k, { ...user(SIGRTMIN + 1), pid: 4 }, 'tgid', 'kill')).toBe('queued');
    expect(task.sharedPending.list.map((q) => q.info.pid)).toEqual([1, 3, 4]);
    expect(task.pending.list).toEqual([]);
    expect(traces[1]).toEqual(['signal_generate', expect.objectContaining({ sig: SIGUSR1, result: 2, group: true })]);
    // RT: both entries come out, the pending bit clears only with the last one
    expect(dequeueSignal(task, 0n)!.pid).toBe(1);
    expect(dequeueSignal(task, 0n)!.pid).toBe(3);
    expect(task.sharedPending.signal).toBe(sigmask(SIGRTMIN + 1));
    expect(dequeueSignal(task, 0n)!.pid).toBe(4);
    expect(task.sharedPending.signal).toBe(0n);
  });

  it('drops ignored signals unless blocked (SIG_IGN, default-ignore SIGCHLD)', () => {
    const { k, task, generated } = machine();
    task.action[SIGUSR2].handler = SIG_IGN;
    expect(sendSignal(k, user(SIGUSR2), 'tgid', 'kill')).toBe('ignored');
    expect(sendSignal(k, user(SIGCHLD), 'tgid', 'kill')).toBe('ignored');
    task.blocked = sigmask(SIGUSR2);
    expect(sendSignal(k, user(SIGUSR2), 'tgid', 'external')).toBe('queued');
    expect(generated.map(([i, s, r]) => [i.signo, s, r])).toEqual([
      [SIGUSR2, 'kill', 'ignored'], [SIGCHLD, 'kill', 'ignored'], [SIGUSR2, 'external', 'queued']]);
  });

  it('stop signals flush SIGCONT and SIGCONT flushes stop signals', () => {
    const { k, task } = machine();
    task.blocked = sigmask(SIGCONT) | sigmask(SIGTSTP);
    sendSignal(k, user(SIGCONT), 'tgid', 'kill');
    sendSignal(k, user(SIGTSTP), 'tgid', 'kill');
    expect(task.sharedPending.signal).toBe(sigmask(SIGTSTP));
    sendSignal(k, user(SIGCONT), 'tgid', 'kill');
    expect(task.sharedPending.signal).toBe(sigmask(SIGCONT));
    expect(task.sharedPending.list.map((q) => q.info.signo)).toEqual([SIGCONT]);
  });

  it('a fatal non-core signal marks group exit; later signals are dropped; getSignal reports it', () => {
    const { k, task } = machine();
    sendSignal(k, user(SIGTERM), 'tgid', 'kill');
    expect(task.pending.signal).toBe(sigmask(SIGKILL));
    expect(sendSignal(k, user(SIGUSR1), 'tgid', 'kill')).toBe('ignored');
    expect(getSignal(k)).toEqual({ fatal: SIGTERM, info: user(SIGTERM), coredump: false });
  });
});

describe('dequeue order (§7.3 c)', () => {
  it('synchronous fault signals (si_code > 0, thread queue) first, then thread queue lowest, then shared', () => {
    const { k, task } = machine();
    task.blocked = ~0n & ((1n << 64n) - 1n);
    sendSignal(k, user(SIGINT), 'pid', 'tkill');
    sendSignal(k, user(SIGQUIT), 'tgid', 'kill');
    sendSignal(k, user(SIGSEGV), 'pid', 'tkill'); // SI_USER: not "synchronous"
    sendSignal(k, fault(SIGBUS, BUS_ADRALN, 0x1001n), 'pid', 'fault');
    task.blocked = 0n;
    expect(dequeueSynchronousSignal(task)).toEqual(fault(SIGBUS, BUS_ADRALN, 0x1001n));
    expect(dequeueSynchronousSignal(task)).toBeNull();
    // next_signal: SIGSEGV is in SYNCHRONOUS_MASK so it still beats SIGINT inside the thread queue
    expect(dequeueSignal(task, 0n)!.signo).toBe(SIGSEGV);
    expect(dequeueSignal(task, 0n)!.signo).toBe(SIGINT);
    expect(dequeueSignal(task, 0n)!.signo).toBe(SIGQUIT);
    expect(dequeueSignal(task, 0n)).toBeNull();
  });

  it('respects the mask and synthesises SI_USER for SIGKILL (no siginfo queued)', () => {
    const { k, task } = machine();
    task.blocked = sigmask(SIGUSR1);
    sendSignal(k, user(SIGUSR1), 'pid', 'kill');
    expect(dequeueSignal(task, sigmask(SIGUSR1))).toBeNull();
    expect(dequeueSignal(task, 0n)!.signo).toBe(SIGUSR1);
    task.pending.signal |= sigmask(SIGKILL);
    expect(dequeueSignal(task, 0n)).toEqual({ signo: SIGKILL, errno: 0, code: SI_USER, pid: 0, uid: 0 });
  });
});

describe('forced signals (§7.1, §7.5)', () => {
  it('force_sig_fault on a blocked signal unblocks it and resets the handler', () => {
    const { k, task } = machine();
    task.action[SIGSEGV] = { handler: 0x400000n, flags: SA_SIGINFO, restorer: 0n, mask: 0n };
    task.blocked = sigmask(SIGSEGV) | sigmask(SIGUSR1);
    forceSigFault(k, SIGSEGV, SEGV_MAPERR, 0xdeadn);
    expect(task.blocked).toBe(sigmask(SIGUSR1));
    expect(task.action[SIGSEGV].handler).toBe(0n);
    expect(getSignal(k)).toEqual({ fatal: SIGSEGV, info: fault(SIGSEGV, SEGV_MAPERR, 0xdeadn), coredump: true });
  });

  it('force_sig keeps an unblocked handler; force_fatal_sig always resets it; SI_KERNEL info', () => {
    const { k, task } = machine();
    task.action[SIGILL] = { handler: 0x400000n, flags: 0, restorer: 0n, mask: 0n };
    forceSig(k, SIGILL);
    expect(getSignal(k)).toEqual({
      signo: SIGILL, info: { signo: SIGILL, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 },
      ka: { handler: 0x400000n, flags: 0, restorer: 0n, mask: 0n },
    });
    forceFatalSig(k, SIGILL);
    expect(task.action[SIGILL].handler).toBe(0n);
  });

  it('force_sigsegv: fatal SIG_DFL when delivering SIGSEGV failed, a normal forced SIGSEGV otherwise', () => {
    const a = machine();
    a.task.action[SIGSEGV].handler = 0x400000n;
    forceSigsegv(a.k, SIGSEGV);
    expect(a.task.action[SIGSEGV].handler).toBe(0n);
    const b = machine();
    b.task.action[SIGSEGV].handler = 0x400000n;
    forceSigsegv(b.k, SIGUSR1);
    expect(b.task.action[SIGSEGV].handler).toBe(0x400000n);
    expect(b.task.pending.list[0].info).toEqual({ signo: SIGSEGV, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 });
  });
});

describe('getSignal / signalDelivered', () => {
  it('skips SIG_IGN, applies SA_RESETHAND, untags si_addr, ignores stop signals (divergence)', () => {
    const { k, task, traces } = machine();
    task.blocked = sigmask(SIGUSR2) | sigmask(SIGTSTP);
    sendSignal(k, user(SIGUSR2), 'pid', 'kill');
    sendSignal(k, user(SIGTSTP), 'pid', 'kill');
    task.action[SIGUSR2].handler = SIG_IGN; // after queueing: dequeued and dropped
    task.blocked = 0n;
    task.action[SIGSEGV] = { handler: 0x401000n, flags: SA_RESETHAND, restorer: 0n, mask: 0n };
    forceSigFault(k, SIGSEGV, SEGV_ACCERR, 0x5a00_1234_5678_0000n);
    const r = getSignal(k);
    expect(r).toEqual({ signo: SIGSEGV, info: fault(SIGSEGV, SEGV_ACCERR, 0x1234_5678_0000n),
      ka: { handler: 0x401000n, flags: SA_RESETHAND, restorer: 0n, mask: 0n } });
    expect(task.action[SIGSEGV].handler).toBe(0n);
    expect(getSignal(k)).toBeNull();
    expect(traces.some(([n, d]) => n === 'signal_stop_ignored' && d.sig === SIGTSTP)).toBe(true);
    expect(untaggedAddr(0xff80_0000_0000_1000n)).toBe(0xff80_0000_0000_1000n);
  });

  it('signal_delivered blocks sa_mask + sig (not with SA_NODEFER), never SIGKILL, and disarms SS_AUTODISARM', () => {
    const { k, task } = machine();
    task.savedSigmask = 0x10n;
    task.sas = { sp: 0x20000n, size: 0x4000n, flags: SS_AUTODISARM };
    signalDelivered(k, SIGUSR1, { handler: 1n, flags: 0, restorer: 0n, mask: sigmask(SIGKILL) | sigmask(SIGINT) });
    expect(task.blocked).toBe(sigmask(SIGUSR1) | sigmask(SIGINT));
    expect(task.savedSigmask).toBeNull();
    expect(task.sas).toEqual({ sp: 0n, size: 0n, flags: SS_DISABLE });
    task.blocked = 0n;
    signalDelivered(k, SIGUSR1, { handler: 1n, flags: SA_NODEFER, restorer: 0n, mask: 0n });
    expect(task.blocked).toBe(0n);
  });
});

describe('signal syscalls', () => {
  it('rt_sigaction: sigsetsize 8, SIGKILL/SIGSTOP EINVAL, SA_UNSUPPORTED cleared on read-back', () => {
    const { sys, mm, task } = machine();
    const act = Buffer.alloc(32);
    act.writeBigUInt64LE(0x400100n, 0);
    act.writeBigUInt64LE(BigInt(SA_SIGINFO | SA_UNSUPPORTED | SA_RESTART) | (1n << 40n), 8);
    act.writeBigUInt64LE(sigmask(SIGKILL) | sigmask(SIGINT), 24);
    mm.cpu.write(DATA, act);
    expect(sys(134, BigInt(SIGUSR1), DATA, 0n, 16n)).toBe(neg(22));
    expect(sys(134, BigInt(SIGKILL), DATA, 0n, 8n)).toBe(neg(22));
    expect(sys(134, BigInt(SIGKILL), 0n, DATA + 0x100n, 8n)).toBe(0n);
    expect(sys(134, BigInt(SIGUSR1), DATA, 0n, 8n)).toBe(0n);
    expect(task.action[SIGUSR1]).toEqual({ handler: 0x400100n, flags: SA_SIGINFO | SA_RESTART, restorer: 0n,
      mask: sigmask(SIGINT) });
    expect(sys(134, BigInt(SIGUSR1), 0n, DATA + 0x100n, 8n)).toBe(0n);
    const back = mm.cpu.read(DATA + 0x100n, 32)!;
    expect(back.readBigUInt64LE(8)).toBe(BigInt(SA_SIGINFO | SA_RESTART));
    expect(sys(134, 65n, 0n, 0n, 8n)).toBe(neg(22));
    expect(sys(134, BigInt(SIGUSR1), 0x1n, 0n, 8n)).toBe(neg(14));
  });

  it('rt_sigaction SIG_IGN discards a pending (blocked) signal', () => {
    const { k, sys, mm, task } = machine();
    task.blocked = sigmask(SIGUSR1);
    sendSignal(k, user(SIGUSR1), 'tgid', 'kill');
    mm.cpu.write(DATA, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    expect(sys(134, BigInt(SIGUSR1), DATA, 0n, 8n)).toBe(0n);
    expect(task.sharedPending).toEqual({ list: [], signal: 0n });
  });

  it('rt_sigprocmask / rt_sigpending', () => {
    const { k, sys, mm, task } = machine();
    mm.cpu.write(DATA, Buffer.from((sigmask(SIGINT) | sigmask(SIGKILL) | sigmask(SIGSTOP)).toString(16).padStart(16, '0'), 'hex').reverse());
    expect(sys(135, 0n, DATA, DATA + 8n, 8n)).toBe(0n);
    expect(task.blocked).toBe(sigmask(SIGINT));
    expect(sys(135, 3n, DATA, 0n, 8n)).toBe(neg(22));
    expect(sys(135, 1n, DATA, DATA + 8n, 8n)).toBe(0n);
    expect(mm.cpu.read(DATA + 8n, 8)!.readBigUInt64LE()).toBe(sigmask(SIGINT));
    expect(task.blocked).toBe(0n);
    task.blocked = sigmask(SIGINT);
    sendSignal(k, user(SIGINT), 'tgid', 'kill');
    expect(sys(136, DATA + 16n, 8n)).toBe(0n);
    expect(mm.cpu.read(DATA + 16n, 8)!.readBigUInt64LE()).toBe(sigmask(SIGINT));
    expect(sys(136, DATA + 16n, 9n)).toBe(neg(22));
  });

  it('kill/tkill/tgkill: self only, SI_USER/SI_TKILL with pid and uid, sig 0 probes, bad sig EINVAL', () => {
    const { sys, task } = machine();
    task.blocked = ~0n & ((1n << 64n) - 1n);
    expect(sys(129, 4242n, BigInt(SIGUSR1))).toBe(0n);
    expect(task.sharedPending.list[0].info).toEqual({ signo: SIGUSR1, errno: 0, code: SI_USER, pid: 4242, uid: 1000 });
    expect(sys(129, 0n, 0n)).toBe(0n);
    expect(sys(129, 4243n, BigInt(SIGUSR1))).toBe(neg(3));
    expect(sys(129, 0xffffffffn, BigInt(SIGUSR1))).toBe(neg(3)); // kill(-1): nobody else
    expect(sys(129, 4242n, 65n)).toBe(neg(22));
    expect(sys(130, 4242n, BigInt(SIGUSR2))).toBe(0n);
    expect(task.pending.list[0].info).toEqual({ signo: SIGUSR2, errno: 0, code: SI_TKILL, pid: 4242, uid: 1000 });
    expect(sys(130, 0n, BigInt(SIGUSR2))).toBe(neg(22));
    expect(sys(131, 4242n, 4242n, 0n)).toBe(0n);
    expect(sys(131, 1n, 4242n, BigInt(SIGUSR2))).toBe(neg(3));
    expect(sys(131, 0n, 4242n, BigInt(SIGUSR2))).toBe(neg(22));
  });

  it('rt_sigqueueinfo: EPERM for si_code >= 0 or SI_TKILL to another pid, signo from the argument', () => {
    const { sys, mm, task } = machine();
    task.blocked = ~0n & ((1n << 64n) - 1n);
    const si = Buffer.alloc(128);
    si.writeInt32LE(SIGUSR2, 0);
    si.writeInt32LE(SI_QUEUE, 8);
    si.writeInt32LE(99, 16);
    si.writeBigUInt64LE(0x1234n, 24);
    mm.cpu.write(DATA, si);
    expect(sys(138, 4242n, BigInt(SIGRTMIN + 2), DATA)).toBe(0n);
    expect(task.sharedPending.list[0].info).toEqual({ signo: SIGRTMIN + 2, errno: 0, code: SI_QUEUE, pid: 99,
      uid: 0, value: 0x1234n });
    expect(sys(138, 5n, BigInt(SIGUSR1), DATA)).toBe(neg(3));
    si.writeInt32LE(SI_USER, 8);
    mm.cpu.write(DATA, si);
    expect(sys(138, 5n, BigInt(SIGUSR1), DATA)).toBe(neg(1));
    expect(sys(138, 4242n, BigInt(SIGUSR1), DATA)).toBe(0n);
    expect(sys(240, 4242n, 0n, BigInt(SIGUSR1), DATA)).toBe(neg(22));
    expect(sys(240, 4242n, 4242n, BigInt(SIGUSR1), 0x8n)).toBe(neg(14));
  });

  it('rt_sigtimedwait dequeues from the set, EAGAIN on timeout 0, waits without timeout until a signal of the set', () => {
    const m = machine();
    m.task.blocked = sigmask(SIGUSR1);
    sendSignal(m.k, user(SIGUSR1), 'tgid', 'kill');
    m.mm.cpu.write(DATA, Buffer.from([0, 2, 0, 0, 0, 0, 0, 0])); // {SIGUSR1}
    m.mm.cpu.write(DATA + 8n, Buffer.alloc(16)); // timespec 0
    expect(m.sys(137, DATA, DATA + 0x100n, DATA + 8n, 8n)).toBe(BigInt(SIGUSR1));
    expect(m.mm.cpu.read(DATA + 0x100n, 8)!.readInt32LE(0)).toBe(SIGUSR1);
    expect(m.sys(137, DATA, 0n, DATA + 8n, 8n)).toBe(neg(11));
    const w = m.sys(137, DATA, DATA + 0x100n, 0n, 8n) as Wait;
    expect([w.wait, w.deadline, w.ready()]).toEqual([true, null, false]);
    sendSignal(m.k, user(SIGUSR1), 'tgid', 'kill');
    expect(w.ready()).toBe(true);
    expect(w.finish('ready')).toBe(BigInt(SIGUSR1));
    expect(w.finish('signal')).toBe(neg(4)); // EINTR: another signal ended the wait (the set's was dequeued)
  });

  it('rt_sigsuspend: -ERESTARTNOHAND with saved mask when a signal is pending, else it waits for one', () => {
    const m = machine();
    m.task.blocked = sigmask(SIGUSR1);
    m.mm.cpu.write(DATA, Buffer.alloc(8));
    const w = m.sys(133, DATA, 8n) as Wait;
    expect([w.deadline, w.ready(), w.finish('signal')]).toEqual([null, false, neg(514)]);
    sendSignal(m.k, user(SIGUSR1), 'tgid', 'kill');
    m.task.blocked = sigmask(SIGUSR1);
    expect(m.sys(133, DATA, 8n)).toBe(neg(514));
    expect(m.task.savedSigmask).toBe(sigmask(SIGUSR1));
    expect(m.task.blocked).toBe(0n);
    expect(signalPending(m.task)).toBe(true);
    restoreSavedSigmask(m.task);
    expect(m.task.blocked).toBe(sigmask(SIGUSR1));
  });

  it('sigaltstack: EINVAL flags, ENOMEM below MINSIGSTKSZ, EPERM while on it, old state read back', () => {
    const { sys, mm, task, cpu } = machine();
    const ss = (sp: bigint, flags: number, size: bigint) => {
      const b = Buffer.alloc(24);
      b.writeBigUInt64LE(sp, 0); b.writeInt32LE(flags | 0, 8); b.writeBigUInt64LE(size, 16);
      mm.cpu.write(DATA, b);
    };
    ss(0x20000n, 4, 0x4000n);
    expect(sys(132, DATA, 0n)).toBe(neg(22));
    ss(0x20000n, 0, 5119n);
    expect(sys(132, DATA, 0n)).toBe(neg(12));
    ss(0x20000n, SS_AUTODISARM, 0x4000n);
    expect(sys(132, DATA, 0n)).toBe(0n);
    expect(task.sas).toEqual({ sp: 0x20000n, size: 0x4000n, flags: SS_AUTODISARM });
    expect(sigsp(task, 0x7000n, { handler: 1n, flags: SA_ONSTACK, restorer: 0n, mask: 0n })).toBe(0x24000n);
    task.sas.flags = 0;
    cpu.sp = 0x23000n;
    expect(sys(132, DATA, DATA + 0x40n)).toBe(neg(1));
    expect(sys(132, 0n, DATA + 0x40n)).toBe(0n);
    const old = mm.cpu.read(DATA + 0x40n, 24)!;
    expect([old.readBigUInt64LE(0), old.readInt32LE(8), old.readBigUInt64LE(16)]).toEqual([0x20000n, SS_ONSTACK, 0x4000n]);
  });
});
