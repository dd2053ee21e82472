// Where a signal came from, for the report (DESIGN.md §4 wave 2): the pc of the instruction that raised it, the
// mapped object and the offset in it, symbol+offset, the source line (when the program has DWARF) and the
// instruction, disassembled. Capstone and libdw load on the first signal only; a run without one never pays.
import { VM_EXEC } from '../mm/vma-flags.ts';
import type { Vma } from '../mm/mm.ts';
import { disassemble } from './capstone.ts';
import { sourceLine } from './dwarf.ts';
import { symbolsOf } from './symtab.ts';

export interface SignalLocation {
  /** the instruction that raised the signal: the faulting one, or the svc of the syscall that raised it */
  pc: string;
  /** the mapping that holds pc: the file as the process maps it (its guest path), `[vdso]`, `[stack]`, `[heap]`,
   *  `[anon]`; null when pc is not mapped */
  object: string | null;
  /** pc − the object's load address (its lowest mapping), as backtraces and tombstones show it: `0x…` */
  offset: string | null;
  /** `symbol+0xoff` from the object's .symtab (the nearest symbol at or before pc, as gdb names it) */
  symbol: string | null;
  /** `file:line` from the program's DWARF line table; null without debug information */
  line: string | null;
  /** the instruction at pc, disassembled (Capstone); null when pc is not an executable, aligned, readable word or
   *  the word is not an instruction */
  insn: string | null;
}

/** What the locator needs from the machine. */
export interface LocateView {
  /** the program's host path (for libdw) and its guest path (how its mappings are named) */
  programPath: string;
  exePath: string;
  mm: { vmas: Vma[]; vmaAt(addr: bigint): Vma | undefined };
  cpu: { read(addr: bigint, len: number): Buffer | null };
}

const ET_DYN = 3;
const hex = (v: bigint) => `0x${v.toString(16)}`;

export function locateSignal(k: LocateView, pc: bigint): SignalLocation {
  const where: SignalLocation = { pc: hex(pc), object: null, offset: null, symbol: null, line: null, insn: null };
  const vma = k.mm.vmaAt(pc);
  if (!vma || pc < vma.start) return where;
  if (vma.file) {
    const data = vma.file.data;
    const base = k.mm.vmas.filter((v) => v.file?.data === data).reduce((lo, v) => (v.start - v.pgoff < lo ? v.start - v.pgoff : lo), vma.start - vma.pgoff);
    where.object = vma.file.path;
    where.offset = hex(pc - base);
    // link-time address: a static-pie (ET_DYN) is linked at 0 and loaded at base; an ET_EXEC where it runs
    const linked = data.length > 18 && data.readUInt16LE(16) === ET_DYN ? pc - base : pc;
    where.symbol = symbolsOf(data).lookup(linked);
    if (vma.file.path === k.exePath) where.line = lineOf(k.programPath, linked); // only the program has a host path
  } else {
    where.object = vma.name ?? '[anon]';
    where.offset = hex(pc - vma.start);
  }
  if ((vma.flags & VM_EXEC) !== 0 && (pc & 3n) === 0n) {
    const word = k.cpu.read(pc, 4);
    if (word) where.insn = insnText(word, pc);
  }
  return where;
}

// A handler that returns to its faulting instruction raises the same signal at the same pc again and again (a
// benchmark or a refault loop: 100,000 times). The text of an (instruction word, pc) and the line of a (program,
// address) never change while the process runs, so each is computed once; the maps are bounded.
const MEMO_MAX = 4096;
const insnMemo = new Map<string, string>();
const lineMemo = new Map<string, string | null>();
function memo<V>(m: Map<string, V>, key: string, make: () => V): V {
  const hit = m.get(key);
  if (hit !== undefined || m.has(key)) return hit as V;
  if (m.size >= MEMO_MAX) m.clear();
  const v = make();
  m.set(key, v);
  return v;
}
function insnText(word: Buffer, pc: bigint): string {
  const w = word.readUInt32LE(0);
  return memo(insnMemo, `${w}@${pc}`, () => disassemble(word, pc) ?? undecoded(w));
}
function lineOf(programPath: string, linked: bigint): string | null {
  return memo(lineMemo, `${linked}@${programPath}`, () => sourceLine(programPath, linked));
}

/** What Capstone 4 cannot decode: UDF #imm16 (0x0000xxxx, permanently undefined), else the raw word as objdump
 *  prints it. */
function undecoded(word: number): string {
  return word >>> 16 === 0 ? `udf #${word}` : `.inst 0x${word.toString(16).padStart(8, '0')}`;
}
