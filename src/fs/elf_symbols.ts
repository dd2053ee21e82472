// The static symbol table (.symtab) of an ELF64 file: name → address. For stops at a symbol and for reports
// that name addresses (where/symtab.ts); a stripped program simply has none.
const SHT_SYMTAB = 2;

/** One defined, named .symtab entry: its Elf64_Sym offset in the file and where its name starts. */
export interface SymtabEntry { sym: number; nameAt: number }

/** Calls fn for each named entry with a section index of every SHT_SYMTAB section (bounds checked throughout). */
export function forEachSymbol(file: Buffer, fn: (e: SymtabEntry) => void): void {
  if (file.length < 64 || file.readUInt32BE(0) !== 0x7f454c46) return;
  const shoff = Number(file.readBigUInt64LE(0x28));
  const shentsize = file.readUInt16LE(0x3a);
  const shnum = file.readUInt16LE(0x3c);
  if (shoff === 0 || shentsize < 64 || shoff + shnum * shentsize > file.length) return;
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: file.readUInt32LE(o + 4), offset: Number(file.readBigUInt64LE(o + 0x18)),
      size: Number(file.readBigUInt64LE(o + 0x20)), link: file.readUInt32LE(o + 0x28) };
  };
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    if (s.type !== SHT_SYMTAB || s.link >= shnum || s.offset + s.size > file.length) continue;
    const str = sh(s.link);
    for (let o = s.offset; o + 24 <= s.offset + s.size; o += 24) {
      const nameOff = file.readUInt32LE(o);
      const at = str.offset + nameOff;
      // unnamed or undefined (SHN_UNDEF) entries name nothing
      if (nameOff === 0 || file.readUInt16LE(o + 6) === 0 || at >= file.length) continue;
      fn({ sym: o, nameAt: at });
    }
  }
}

export function elfSymbols(file: Buffer): Map<string, bigint> {
  const syms = new Map<string, bigint>();
  forEachSymbol(file, ({ sym, nameAt }) => {
    const end = file.indexOf(0, nameAt);
    if (end < 0) return;
    const name = file.toString('latin1', nameAt, end);
    if (!syms.has(name)) syms.set(name, file.readBigUInt64LE(sym + 8));
  });
  return syms;
}
