// What a handler sees in its frame: sig_info takes one fault of each kind in a SA_SIGINFO handler and prints
// si_code, si_addr, fault_address, pc and the esr_context (kernel.md §9.5). The trace shows the kernel side
// of each: the exception, the signal generated and its delivery, at the same instruction count.
// Run: npx tsx examples/handler-frame.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import { collect } from '../src/trace.ts';
import { PROGRAMS_DIR } from '../src/harness/scenario.ts';

const { sink, events } = collect();
const r = new Machine(join(PROGRAMS_DIR, 'sig_info'), { root: mkdtempSync(join(tmpdir(), 'frame-')) }, sink).run();

// the handler's own lines, by step
const steps = r.stdout.split(/^step /m).slice(1);
// the kernel's events for each delivered signal (the first exception is glibc's MIDR_EL1 read, emulated)
const delivered = events.filter((e) => e.name === 'signal_deliver');

steps.forEach((text, i) => {
  const [what, ...lines] = text.trimEnd().split('\n');
  const d = delivered[i];
  const at = d ? events.filter((e) => e.icount === d.icount && ['exception_entry', 'signal_generate'].includes(e.name)) : [];
  console.log(`\n── step ${what}`);
  for (const e of at) {
    console.log(`   kernel  ${e.name}${e.esr ? ` esr=${e.esr}` : ''}${e.class ? ` (${e.class})` : ''}${e.sig ? ` sig=${e.sig} code=${e.code} source=${e.source}` : ''}`);
  }
  if (d) console.log(`   kernel  signal_deliver sig=${d.sig} → handler ${d.sa_handler} at insn ${d.icount}`);
  for (const l of lines.filter((x) => !x.startsWith('blocked'))) console.log(`   handler ${l}`);
});
console.log(`\n${r.exit.kind} ${r.exit.code}; ${r.signals.length} signals`);
