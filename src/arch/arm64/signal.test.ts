import { describe, it, expect, afterEach } from 'vitest';
import { sysCallTable } from './syscall.ts';
import { Cpu } from '../../cpu/cpu.ts';
import { Mm, VM_READ, VM_WRITE, VM_GROWSDOWN } from '../../mm/mm.ts';
import type { KSigaction } from '../../kernel/task.ts';
import { sendSignal, forceSigFault } from '../../kernel/signal.ts';
import { testKernel } from '../../kernel/testing.ts';
import {
  SIGSEGV, SIGUSR1, SIGUSR2, SIGINT, SEGV_MAPERR, SEGV_ACCERR, SI_USER, SI_KERNEL, SA_SIGINFO, SA_ONSTACK,
  SA_RESTORER, SA_RESTART, SIG_IGN, sigmask,
} from '../../kernel/sigdefs.ts';
import { setupRtFrame, sysRtSigreturn, doSignal, validNativeRegs, parseUserSigframe } from './signal.ts';
import * as S from './sigcontext.ts';

const cpus: Cpu[] = [];
afterEach(() => { while (cpus.length) cpus.pop()!.close(); });

const STACK_END = 0x7ff0010000n;
const STACK_START = 0x7ff0000000n;
const ALT = 0x20000n;
const VDSO = 0x7f00000000n;
const HANDLER = 0x400800n;

function machine() {
  const cpu = new Cpu({ countInsns: false });
  cpus.push(cpu);
  const mm = new Mm(cpu, 8n << 20n);
  mm.insert({ start: STACK_START, end: STACK_END, flags: VM_READ | VM_WRITE | VM_GROWSDOWN, pgoff: 0n, file: null,
    name: '[stack]' }, Buffer.alloc(0x10000, 0xaa));
  mm.insert({ start: ALT, end: ALT + 0x4000n, flags: VM_READ | VM_WRITE, pgoff: 0n, file: null, name: null },
    Buffer.alloc(0x4000, 0xaa));
  const k = testKernel(mm, 77, 'victim');
  const { task, traces } = k;
  for (let i = 0; i < 31; i++) cpu.setX(i, 0x1000n + BigInt(i));
  for (let i = 0; i < 32; i++) cpu.setV(i, (0xfedcba9876543210n << 64n) | BigInt(i));
  cpu.fpsr = 0x08000010;
  cpu.fpcr = 0x03c00000;
  cpu.nzcv = 0x60000000n;
  cpu.pc = 0x400abcn;
  cpu.sp = STACK_END - 8n;
  return { k, cpu, mm, task, traces };
}
const ka = (flags: number, over: Partial<KSigaction> = {}): KSigaction => ({ handler: HANDLER, flags, restorer: 0n, mask: 0n, ...over });
const u64at = (cpu: Cpu, a: bigint) => cpu.read(a, 8)!.readBigUInt64LE();
const u32at = (cpu: Cpu, a: bigint) => cpu.read(a, 4)!.readUInt32LE();
// sp_top = STACK_END - 8 → frame_record at round_down(sp_top - 16, 16), frame 4688 below it
const RECORD = STACK_END - 0x20n;
const FRAME = RECORD - 0x1250n;

describe('setupRtFrame', () => {
  it('writes the §9.1 layout and sets the handler registers (SA_SIGINFO, with esr_context)', () => {
    const { k, cpu, task } = machine();
    task.blocked = sigmask(SIGINT);
    task.thread = { faultAddress: 0xdead0n, faultCode: 0x92000046n };
    task.sas = { sp: ALT, size: 0x4000n, flags: 0 };
    const info = { signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: 0xdead0n };
    expect(setupRtFrame(k, SIGSEGV, info, ka(SA_SIGINFO), VDSO)).toBe(true);
    expect(FRAME).toBe(0x7ff000ed90n);
    expect([cpu.x(0), cpu.x(1), cpu.x(2), cpu.sp, cpu.x(29), cpu.x(30), cpu.pc, cpu.x(3)]).toEqual(
      [11n, FRAME, FRAME + 0x80n, FRAME, RECORD, VDSO + 0x400n, HANDLER, 0x1003n]);
    expect([u64at(cpu, RECORD), u64at(cpu, RECORD + 8n)]).toEqual([0x101dn, 0x101en]);
    const f = cpu.read(FRAME, S.RT_SIGFRAME_SIZE)!;
    expect([f.readInt32LE(0), f.readInt32LE(8), f.readBigUInt64LE(0x10)]).toEqual([11, SEGV_MAPERR, 0xdead0n]);
    expect([f.readBigUInt64LE(0x80), f.readBigUInt64LE(0x88)]).toEqual([0n, 0n]);
    expect([f.readBigUInt64LE(0x90), f.readInt32LE(0x98), f.readUInt32LE(0x9c), f.readBigUInt64LE(0xa0)])
      .toEqual([ALT, 0, 0xaaaaaaaa, 0x4000n]); // ss_flags pad is not written
    expect(f.readBigUInt64LE(0xa8)).toBe(sigmask(SIGINT));
    expect(f.readBigUInt64LE(0xb0)).toBe(0xaaaaaaaaaaaaaaaan); // __unused untouched
    expect(f.readBigUInt64LE(0x130)).toBe(0xdead0n);
    expect([f.readBigUInt64LE(0x138), f.readBigUInt64LE(0x138 + 30 * 8)]).toEqual([0x1000n, 0x101en]);
    expect([f.readBigUInt64LE(0x230), f.readBigUInt64LE(0x238), f.readBigUInt64LE(0x240)])
      .toEqual([STACK_END - 8n, 0x400abcn, 0x60000000n]);
    expect(f.readBigUInt64LE(0x248)).toBe(0xaaaaaaaaaaaaaaaan);
    expect([f.readUInt32LE(0x250), f.readUInt32LE(0x254), f.readUInt32LE(0x258), f.readUInt32LE(0x25c)])
      .toEqual([0x46508001, 528, 0x08000010, 0x03c00000]);
    expect([f.readBigUInt64LE(0x260 + 16 * 5), f.readBigUInt64LE(0x268 + 16 * 5)]).toEqual([5n, 0xfedcba9876543210n]);
    expect([f.readUInt32LE(0x460), f.readUInt32LE(0x464), f.readBigUInt64LE(0x468)]).toEqual([0x45535201, 16, 0x92000046n]);
    expect([f.readUInt32LE(0x470), f.readUInt32LE(0x474), f.readUInt32LE(0x478)]).toEqual([0, 0, 0xaaaaaaaa]);
  });

  it('without SA_SIGINFO: no siginfo, x1/x2 untouched; no esr_context when fault_code is 0; SA_RESTORER', () => {
    const { k, cpu } = machine();
    expect(setupRtFrame(k, SIGUSR1, { signo: SIGUSR1, errno: 0, code: SI_USER }, ka(SA_RESTORER, { restorer: 0x401234n }), VDSO)).toBe(true);
    expect([cpu.x(0), cpu.x(1), cpu.x(2), cpu.x(30)]).toEqual([10n, 0x1001n, 0x1002n, 0x401234n]);
    expect(u64at(cpu, FRAME)).toBe(0xaaaaaaaaaaaaaaaan);
    expect([u32at(cpu, FRAME + 0x460n), u32at(cpu, FRAME + 0x464n), u32at(cpu, FRAME + 0x468n)]).toEqual([0, 0, 0xaaaaaaaa]);
  });

  it('SA_ONSTACK puts the frame at the top of the alternate stack, unless already on it', () => {
    const { k, cpu, task } = machine();
    task.sas = { sp: ALT, size: 0x4000n, flags: 0 };
    expect(setupRtFrame(k, SIGUSR1, { signo: SIGUSR1, errno: 0, code: SI_USER }, ka(SA_ONSTACK), VDSO)).toBe(true);
    expect([cpu.sp, cpu.x(29)]).toEqual([ALT + 0x4000n - 0x10n - 0x1250n, ALT + 0x3ff0n]);
    expect(u64at(cpu, cpu.sp + 0x230n)).toBe(STACK_END - 8n);
    const onAlt = cpu.sp;
    expect(setupRtFrame(k, SIGUSR1, { signo: SIGUSR1, errno: 0, code: SI_USER }, ka(SA_ONSTACK), VDSO)).toBe(true);
    expect(cpu.sp).toBe(onAlt - 0x1260n); // nested: below the current (alternate) sp
  });

  it('grows the stack vma for the frame, and fails without touching registers when it cannot write', () => {
    const { k, cpu, mm, task } = machine();
    cpu.sp = STACK_START + 0x100n;
    expect(setupRtFrame(k, SIGUSR1, { signo: SIGUSR1, errno: 0, code: SI_USER }, ka(0), VDSO)).toBe(true);
    expect(cpu.sp).toBe(0x7fefffeea0n); // below the vma as it was
    expect(mm.vmaAt(cpu.sp)!.name).toBe('[stack]');
    expect(u64at(cpu, cpu.sp + 0x230n)).toBe(STACK_START + 0x100n);
    task.sas = { sp: ALT, size: 0x1000n, flags: 0 }; // too small for 4688 bytes: runs into unmapped memory
    cpu.sp = STACK_END - 8n;
    expect(setupRtFrame(k, SIGUSR1, { signo: SIGUSR1, errno: 0, code: SI_USER }, ka(SA_ONSTACK), VDSO)).toBe(false);
    expect([cpu.sp, cpu.pc, cpu.x(0)]).toEqual([STACK_END - 8n, HANDLER, 10n]);
  });
});

describe('rt_sigreturn', () => {
  function delivered() {
    const m = machine();
    m.task.blocked = sigmask(SIGINT);
    m.task.thread = { faultAddress: 0n, faultCode: 0x92000046n };
    expect(setupRtFrame(m.k, SIGSEGV, { signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: 8n }, ka(SA_SIGINFO), VDSO)).toBe(true);
    m.task.blocked = 0x5555n;
    for (let i = 0; i < 31; i++) m.cpu.setX(i, 0n);
    m.cpu.setV(7, 0n);
    m.cpu.nzcv = 0n;
    return m;
  }

  it('restores x0–x30, sp, pc, NZCV, v0–v31, fpsr/fpcr, the mask, and returns x0', () => {
    const { k, cpu, task } = delivered();
    expect(sysCallTable[139][0]).toBe('rt_sigreturn');
    expect(sysRtSigreturn(k)).toBe(0x1000n);
    expect([cpu.x(5), cpu.x(30), cpu.sp, cpu.pc, cpu.nzcv]).toEqual([0x1005n, 0x101en, STACK_END - 8n, 0x400abcn, 0x60000000n]);
    expect(cpu.v(7)).toBe((0xfedcba9876543210n << 64n) | 7n);
    expect([cpu.fpsr, cpu.fpcr]).toEqual([0x08000010, 0x03c00000]);
    expect(task.blocked).toBe(sigmask(SIGINT));
    expect(task.pending.signal).toBe(0n);
  });

  it('accepts an ESR record and a well-formed extra_context', () => {
    const { k, cpu } = delivered();
    const ex = FRAME + 0x470n; // after fpsimd + esr
    const b = Buffer.alloc(48);
    b.writeUInt32LE(S.EXTRA_MAGIC, 0); b.writeUInt32LE(32, 4);
    b.writeBigUInt64LE(ex + 48n, 8); b.writeUInt32LE(16, 16); // datap right after the terminator
    cpu.write(ex, b);
    cpu.write(ex + 48n, Buffer.alloc(16));
    expect(parseUserSigframe(k.mm, FRAME)).toEqual({ fpsimd: FRAME + 0x250n, size: 528 });
    b.writeBigUInt64LE(ex + 64n, 8);
    cpu.write(ex, b);
    expect(parseUserSigframe(k.mm, FRAME)).toBeNull();
  });

  const bad: [string, (c: Cpu) => void][] = [
    ['missing fpsimd', (c) => c.write(FRAME + 0x250n, Buffer.alloc(8))],
    ['fpsimd size 512', (c) => c.write(FRAME + 0x254n, Buffer.from([0, 2, 0, 0]))],
    ['duplicate fpsimd', (c) => c.write(FRAME + 0x460n, c.read(FRAME + 0x250n, 16)!)],
    ['unknown magic', (c) => c.write(FRAME + 0x470n, Buffer.from([1, 2, 3, 4, 16, 0, 0, 0]))],
    ['SVE on a CPU without SVE', (c) => c.write(FRAME + 0x470n, Buffer.from([1, 0x45, 0x56, 0x53, 16, 0, 0, 0]))],
    ['terminator with size', (c) => c.write(FRAME + 0x470n, Buffer.from([0, 0, 0, 0, 16, 0, 0, 0]))],
    ['record size 4 (too small)', (c) => c.write(FRAME + 0x464n, Buffer.from([4, 0, 0, 0]))],
    ['pstate EL1h', (c) => c.write(FRAME + 0x240n, Buffer.from([5, 0, 0, 0x60, 0, 0, 0, 0]))],
    ['pstate AArch32', (c) => c.write(FRAME + 0x240n, Buffer.from([0x10, 0, 0, 0x60, 0, 0, 0, 0]))],
    ['pstate DAIF.I', (c) => c.write(FRAME + 0x240n, Buffer.from([0x80, 0, 0, 0x60, 0, 0, 0, 0]))],
  ];
  for (const [name, corrupt] of bad) {
    it(`bad frame (${name}) → forced SIGSEGV at the restored sp, SEGV_ACCERR, fault info cleared, x0 = 0`, () => {
      const { k, cpu, task } = delivered();
      corrupt(cpu);
      expect(sysRtSigreturn(k)).toBe(0n);
      expect(task.pending.list.map((q) => q.info)).toEqual([{ signo: SIGSEGV, errno: 0, code: SEGV_ACCERR, addr: STACK_END - 8n }]);
      expect(task.thread).toEqual({ faultAddress: 0n, faultCode: 0n });
      if (name.startsWith('pstate')) expect(cpu.nzcv).toBe(0x60000000n);
    });
  }

  it('misaligned sp → SIGSEGV with si_addr = sp; SEGV_MAPERR when no vma lies above it', () => {
    const a = delivered();
    a.cpu.sp = FRAME + 8n;
    expect(sysRtSigreturn(a.k)).toBe(0n);
    expect(a.task.pending.list[0].info).toEqual({ signo: SIGSEGV, errno: 0, code: SEGV_ACCERR, addr: FRAME + 8n });
    const b = delivered();
    b.cpu.sp = 0x7fff00000008n;
    sysRtSigreturn(b.k);
    expect(b.task.pending.list[0].info).toEqual({ signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: 0x7fff00000008n });
  });

  it('validNativeRegs drops RES0 bits silently and rejects EL1/AArch32/DAIF', () => {
    expect(validNativeRegs(0x60000000n | (1n << 40n) | (1n << 22n))).toEqual({ ok: true, pstate: 0x60000000n });
    expect(validNativeRegs(0x600003c5n)).toEqual({ ok: false, pstate: 0x60000000n });
    expect(validNativeRegs(0x1000n)).toEqual({ ok: true, pstate: 0x1000n }); // SSBS is not RES0
  });
});

describe('doSignal', () => {
  const withHandler = (m: ReturnType<typeof machine>, sig: number, flags = 0, handler = HANDLER) => {
    m.task.action[sig] = { handler, flags, restorer: 0n, mask: 0n };
  };

  it('sigsuspend path: -ERESTARTNOHAND becomes -EINTR in the frame, uc_sigmask is the saved mask', () => {
    const m = machine();
    withHandler(m, SIGUSR1);
    m.task.blocked = sigmask(SIGUSR1);
    sendSignal(m.k, { signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'tgid', 'external');
    m.task.savedSigmask = sigmask(SIGUSR1) | sigmask(SIGINT);
    m.task.blocked = 0n;
    m.cpu.setX(0, BigInt(-514));
    expect(doSignal(m.k, VDSO, { origX0: 0x10000n })).toEqual({ kind: 'handler', signo: SIGUSR1, delivered: [SIGUSR1] });
    expect([u64at(m.cpu, FRAME + 0x138n), u64at(m.cpu, FRAME + 0x238n), u64at(m.cpu, FRAME + 0xa8n)])
      .toEqual([BigInt.asUintN(64, -4n), 0x400abcn, sigmask(SIGUSR1) | sigmask(SIGINT)]);
    expect([m.task.blocked, m.task.savedSigmask]).toEqual([sigmask(SIGUSR1), null]);
  });

  it('no handler: the syscall is restarted (pc - 4, x0 = orig_x0) and the saved mask restored', () => {
    const m = machine();
    m.task.blocked = sigmask(SIGUSR1);
    sendSignal(m.k, { signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'tgid', 'external');
    m.task.action[SIGUSR1].handler = SIG_IGN;
    m.task.savedSigmask = sigmask(SIGUSR1);
    m.task.blocked = 0n;
    m.cpu.setX(0, BigInt(-514));
    expect(doSignal(m.k, VDSO, { origX0: 0x10000n })).toEqual({ kind: 'none' });
    expect([m.cpu.pc, m.cpu.x(0), m.task.blocked]).toEqual([0x400ab8n, 0x10000n, sigmask(SIGUSR1)]);
  });

  it('-ERESTARTSYS with SA_RESTART restarts under the handler; rt_sigreturn forgets the syscall', () => {
    const m = machine();
    withHandler(m, SIGUSR1, SA_RESTART);
    m.task.blocked = sigmask(SIGUSR1);
    sendSignal(m.k, { signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'tgid', 'external');
    m.task.blocked = 0n;
    m.cpu.setX(0, BigInt(-512));
    doSignal(m.k, VDSO, { origX0: 3n });
    expect([u64at(m.cpu, FRAME + 0x138n), u64at(m.cpu, FRAME + 0x238n)]).toEqual([3n, 0x400ab8n]);
    m.cpu.sp = FRAME;
    m.cpu.setX(0, sysRtSigreturn(m.k) as bigint);
    m.cpu.pc = 0x400abcn;
    m.cpu.setX(0, BigInt(-512));
    expect(doSignal(m.k, VDSO, { origX0: 3n })).toEqual({ kind: 'none' });
    expect(m.cpu.pc).toBe(0x400abcn);
  });

  it('stacks frames for several pending signals; the last set up runs first', () => {
    const m = machine();
    withHandler(m, SIGUSR1, 0, 0x401000n);
    withHandler(m, SIGUSR2, 0, 0x402000n);
    m.task.blocked = sigmask(SIGUSR1) | sigmask(SIGUSR2);
    for (const s of [SIGUSR2, SIGUSR1]) sendSignal(m.k, { signo: s, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'tgid', 'kill');
    m.task.blocked = 0n;
    expect(doSignal(m.k, VDSO)).toEqual({ kind: 'handler', signo: SIGUSR2, delivered: [SIGUSR1, SIGUSR2] });
    expect([m.cpu.pc, u64at(m.cpu, m.cpu.sp + 0x238n)]).toEqual([0x402000n, 0x401000n]);
  });

  it('frame failure: SIGUSR1 → forced SIGSEGV (SI_KERNEL) whose frame fails too → fatal SIGSEGV with core', () => {
    const m = machine();
    withHandler(m, SIGUSR1);
    withHandler(m, SIGSEGV);
    m.cpu.sp = 0x1000_0000n; // nothing mapped: every write faults
    m.task.blocked = sigmask(SIGUSR1);
    sendSignal(m.k, { signo: SIGUSR1, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'tgid', 'kill');
    m.task.blocked = 0n;
    expect(doSignal(m.k, VDSO)).toEqual({ kind: 'fatal', signo: SIGSEGV, coredump: true, delivered: [],
      info: { signo: SIGSEGV, errno: 0, code: SI_KERNEL, pid: 0, uid: 0 } });
    expect([m.cpu.pc, m.task.action[SIGSEGV].handler]).toEqual([0x400abcn, 0n]);
  });

  it('a fault signal with SIG_DFL is fatal with core; SIGINT without', () => {
    const m = machine();
    forceSigFault(m.k, SIGSEGV, SEGV_MAPERR, 0n);
    expect(doSignal(m.k, VDSO)).toMatchObject({ kind: 'fatal', signo: SIGSEGV, coredump: true });
    const n = machine();
    sendSignal(n.k, { signo: SIGINT, errno: 0, code: SI_USER, pid: 1, uid: 0 }, 'tgid', 'external');
    expect(doSignal(n.k, VDSO)).toMatchObject({ kind: 'fatal', signo: SIGINT, coredump: false });
  });
});
