// Why is there no core? A tour over the settings that decide it: one NULL dereference, run under each
// setting in turn, with the step of the core-dump decision chain that stopped it (kernel.md §10–14).
// Run: npx tsx examples/why-no-core.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import type { MachineOptions } from '../src/options.ts';
import { PROGRAMS_DIR } from '../src/harness/scenario.ts';

const tour: [string, string, Partial<MachineOptions>][] = [
  ['defaults (ulimit -c unlimited, core_pattern "core")', 'segv_maperr_null', {}],
  ['ulimit -c 0', 'segv_maperr_null', { rlimitCore: 0n }],
  ['ulimit -c 4096: one page, so a truncated core', 'segv_maperr_null', { rlimitCore: 4096n }],
  ['core_pattern into a missing directory', 'segv_maperr_null', { corePattern: 'nodir/core.%p' }],
  ['core_pattern pipes to a host program', 'segv_maperr_null', { corePattern: '|/usr/lib/systemd/systemd-coredump %P' }],
  ['core_pattern pipes to the built-in collector', 'segv_maperr_null', { corePattern: '|arm64-fault-collect %p %s' }],
  ['SIGUSR1 from outside: its default action does not dump', 'spin', { signals: [{ signo: 10, insns: 100n }] }],
  ['the program exits normally', 'exit42', {}],
];

for (const [what, program, opts] of tour) {
  const root = mkdtempSync(join(tmpdir(), 'why-no-core-'));
  try {
    const r = new Machine(join(PROGRAMS_DIR, program), { root, ...opts }).run();
    console.log(`\n== ${what} (${program})`);
    if (r.exit.kind !== 'signaled') {
      console.log(`   ${r.exit.kind} ${r.exit.code ?? ''}: no signal, so no core dump is even considered`);
      continue;
    }
    const stop = r.core.steps.find((s) => !s.ok);
    for (const s of r.core.steps) console.log(`   ${s.ok ? 'ok  ' : 'STOP'} ${s.step.padEnd(14)} ${s.detail}`);
    console.log(r.core.dumped
      ? `   → core dumped: ${r.core.path!.replace(root, '<root>')}, ${r.core.size} bytes${r.core.truncated ? ' (truncated)' : ''}`
      : `   → no core${stop ? ` (stopped at ${stop.step})` : ''}: ${r.core.reason}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
