// The family of alignment faults: every bus_adraln_* program, side by side. Two mechanisms give the same
// SIGBUS BUS_ADRALN: a data abort with DFSC 0x21 (exclusives, LSE atomics, load-acquire/store-release; WnR
// tells loads from stores) and the SP/PC alignment exceptions (EC 0x26 / 0x22, no ISS, si_addr = the misaligned sp or pc).
// Run: npx tsx examples/alignment-family.ts
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine.ts';
import { PROGRAMS_DIR } from '../src/harness/scenario.ts';

const EC: Record<number, string> = { 0x24: 'DABT_LOW', 0x20: 'IABT_LOW', 0x26: 'SP_ALIGN', 0x22: 'PC_ALIGN' };
const rows = [['program', 'signal', 'si_addr', 'ESR', 'EC', 'ISS', 'fault']];

for (const p of readdirSync(PROGRAMS_DIR).filter((f) => f.startsWith('bus_adraln_')).sort()) {
  const r = new Machine(join(PROGRAMS_DIR, p), { root: mkdtempSync(join(tmpdir(), 'align-')), rlimitCore: 0n }).run();
  const s = r.signals[0];
  const esr = Number(s.esr);
  const ec = esr >>> 26;
  // DFSC 0x21 is "alignment fault"; bit 6 (WnR) says the access was a write, bit 8 (CM) cache maintenance
  const iss = ec === 0x24 ? `DFSC=0x${(esr & 0x3f).toString(16)}${esr & 0x40 ? ' WnR' : ''}` : '-';
  rows.push([p, `${s.name} ${s.codeName}`, s.addr ?? '-', s.esr ?? '-', `0x${ec.toString(16)} ${EC[ec] ?? ''}`, iss, s.fault ?? '-']);
}

const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
