// Address → `symbol+0xoffset` from an ELF64 file's static symbol table (.symtab), as gdb names an address: the
// nearest named symbol at or before it (a function, or an assembly label such as `fault_insn`); at one address
// a sized symbol wins. Mapping symbols ($x, $d) and section/file symbols never name code.
import { forEachSymbol } from '../fs/elf_symbols.ts';

const STT_SECTION = 3;
const STT_FILE = 4;

/** Symbols as parallel arrays (addresses fit a double: user space is 48 bits), names decoded only when asked. */
interface Syms {
  value: number[];
  size: number[];
  nameAt: number[];
}

export interface SymbolTable {
  /** `name+0xoff` of the nearest symbol at or before addr, or null when none precedes it */
  lookup(addr: bigint): string | null;
}

function readSymbols(file: Buffer): Syms {
  const out: Syms = { value: [], size: [], nameAt: [] };
  forEachSymbol(file, ({ sym, nameAt }) => {
    const type = file[sym + 4] & 0xf;
    if (file.readUInt16LE(sym + 6) >= 0xff00 || type === STT_SECTION || type === STT_FILE) return;
    if (file[nameAt] === 0x24) return; // $x/$d mapping symbols
    out.value.push(file.readUInt32LE(sym + 8) + file.readUInt32LE(sym + 12) * 2 ** 32);
    out.size.push(file.readUInt32LE(sym + 16) + file.readUInt32LE(sym + 20) * 2 ** 32);
    out.nameAt.push(nameAt);
  });
  return out;
}

export function symbolTable(file: Buffer): SymbolTable {
  const s = readSymbols(file);
  const name = (i: number) => file.toString('latin1', s.nameAt[i], file.indexOf(0, s.nameAt[i]));
  // by address; at one address the preferred name comes last (lookup takes the last): a sized symbol (a function
  // over a label), then the alphabetically first, so the choice never depends on the file's order
  const order = s.value.map((_, i) => i).sort((a, b) => s.value[a] - s.value[b] || Number(s.size[a] > 0) - Number(s.size[b] > 0)
    || (name(a) < name(b) ? 1 : name(a) > name(b) ? -1 : 0));
  const values = order.map((i) => s.value[i]);
  // a refault loop names the same address 100,000 times: each name is made once (bounded)
  const named = new Map<number, string | null>();
  return {
    lookup(addr) {
      const a = Number(addr);
      const hit = named.get(a);
      if (hit !== undefined) return hit;
      if (named.size >= 4096) named.clear();
      const n = nameOf(a);
      named.set(a, n);
      return n;
    },
  };
  function nameOf(a: number): string | null {
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] <= a) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return null;
    const i = order[lo - 1];
    return `${name(i)}+0x${(a - s.value[i]).toString(16)}`;
  }
}

const cache = new WeakMap<Buffer, SymbolTable>();

/** The symbol table of a file's contents, read once per buffer. */
export function symbolsOf(file: Buffer): SymbolTable {
  let t = cache.get(file);
  if (!t) cache.set(file, (t = symbolTable(file)));
  return t;
}
