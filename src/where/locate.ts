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
  /** the instruction word at pc (null when unreadable) */
  cpu: { insnWord(pc: bigint): number | null };
}

const ET_DYN = 3;
const hex = (v: bigint) => `0x${v.toString(16)}`;

export function locateSignal(k: LocateView, pc: bigint): SignalLocation {
  const where: SignalLocation = { pc: hex(pc), object: null, offset: null, symbol: null, line: null, insn: null };
  const vma = k.mm.vmaAt(pc);
  if (!vma || pc < vma.start) return where;
  if (vma.file) {
    const data = vma.file.data;
    let base = vma.start - vma.pgoff; // the object's lowest mapping's (a loop: 100,000 faults in a refault loop)
    for (const v of k.mm.vmas) if (v.file?.data === data && v.start - v.pgoff < base) base = v.start - v.pgoff;
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
    const word = k.cpu.insnWord(pc);
    if (word !== null) where.insn = insnText(word, pc);
  }
  return where;
}

// A handler that returns to its faulting instruction raises the same signal at the same pc again and again (a
// benchmark or a refault loop: 100,000 times). The text of an (instruction word, pc) and the line of a (program,
// address) never change while the process runs, so each is computed once; the maps are bounded.
// Keyed by address (no key string to build per signal): the text with its word, the line by program.
const MEMO_MAX = 4096;
const insnMemo = new Map<bigint, { word: number; text: string }>();
const lineMemo = new Map<string, Map<bigint, string | null>>();
function insnText(w: number, pc: bigint): string {
  const hit = insnMemo.get(pc);
  if (hit?.word === w) return hit.text;
  if (insnMemo.size >= MEMO_MAX) insnMemo.clear();
  const word = Buffer.alloc(4);
  word.writeUInt32LE(w);
  const text = disassemble(word, pc) ?? undecoded(w);
  insnMemo.set(pc, { word: w, text });
  return text;
}
function lineOf(programPath: string, linked: bigint): string | null {
  let m = lineMemo.get(programPath);
  if (!m || m.size >= MEMO_MAX) lineMemo.set(programPath, m = new Map());
  const hit = m.get(linked);
  if (hit !== undefined || m.has(linked)) return hit as string | null;
  const line = sourceLine(programPath, linked);
  m.set(linked, line);
  return line;
}

/** What Capstone 4 cannot decode: UDF #imm16 (0x0000xxxx, permanently undefined), else the raw word as objdump
 *  prints it. */
function undecoded(word: number): string {
  return word >>> 16 === 0 ? `udf #${word}` : `.inst 0x${word.toString(16).padStart(8, '0')}`;
}
