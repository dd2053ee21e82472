// The static symbol table (.symtab) of an ELF64 file: name → address. For stops at a symbol and for reports
// that name addresses; a stripped program simply has none.
const SHT_SYMTAB = 2;

export function elfSymbols(file: Buffer): Map<string, bigint> {
  const syms = new Map<string, bigint>();
  if (file.length < 64) return syms;
  const shoff = Number(file.readBigUInt64LE(0x28));
  const shentsize = file.readUInt16LE(0x3a);
  const shnum = file.readUInt16LE(0x3c);
  if (shoff === 0 || shentsize < 64 || shoff + shnum * shentsize > file.length) return syms;
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
      const shndx = file.readUInt16LE(o + 6);
      if (nameOff === 0 || shndx === 0) continue; // unnamed or undefined
      const start = str.offset + nameOff;
      const end = file.indexOf(0, start);
      if (start >= file.length || end < 0) continue;
      const name = file.toString('latin1', start, end);
      if (!syms.has(name)) syms.set(name, file.readBigUInt64LE(o + 8));
    }
  }
  return syms;
}
