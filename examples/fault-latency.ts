// Fault-to-signal latency in instructions, from the trace's instruction counts. A synchronous fault is
// generated and delivered at the very instruction that faulted (latency 0); a signal from another process
// waits for the next return to user space; a handler's work shows up as instructions until rt_sigreturn.
// Run: npx tsx examples/fault-latency.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { collect, type TraceEvent } from '../src/trace.ts';
import { PROGRAMS_DIR } from '../src/harness/scenario.ts';

const NR_RT_SIGRETURN = 139;
const runs: [string, string, string[], Partial<MachineOptions>][] = [
  ['NULL load, no handler', 'segv_maperr_null', [], {}],
  ['misaligned LDXR, no handler', 'bus_adraln_ldxr', [], {}],
  ['SIGUSR1 from outside at insn 5000', 'spin', [], { signals: [{ signo: 10, insns: 5000n }] }],
  ['handler skips the load (pc += 4)', 'sig_recover', ['skip'], {}],
  ['nested: SIGSEGV handler raises SIGUSR1', 'sig_recover', ['nested'], {}],
];
const first = (ev: TraceEvent[], pred: (e: TraceEvent) => boolean, from = 0) => ev.find((e) => (e.icount ?? -1) >= from && pred(e));

console.log('scenario                                   fault  generate  deliver  sigreturn  (instruction counts; Δ from the fault)');
for (const [what, prog, args, opts] of runs) {
  const { sink, events } = collect();
  const exe = join(PROGRAMS_DIR, prog);
  new Machine(exe, { root: mkdtempSync(join(tmpdir(), 'lat-')), rlimitCore: 0n, argv: [exe, ...args], ...opts }, sink).run();
  const gen = events.find((e) => e.name === 'signal_generate');
  if (!gen) continue;
  const t0 = gen.icount!;
  // a synchronous fault's exception_entry has the same count; an external signal has none
  const exc = first(events, (e) => e.name === 'exception_entry', t0);
  const del = first(events, (e) => e.name === 'signal_deliver', t0);
  // sys_enter carries nr and args (its trace name is not relied on here)
  const ret = first(events, (e) => e.nr === NR_RT_SIGRETURN && Array.isArray(e.args), t0);
  const cell = (e: TraceEvent | undefined) => (e ? `${e.icount} (+${e.icount! - t0})` : '-');
  console.log(`${what.padEnd(42)} ${(exc?.icount === t0 ? String(t0) : '-').padEnd(6)} ${String(t0).padEnd(9)} ${cell(del).padEnd(8)} ${cell(ret)}`);
}
