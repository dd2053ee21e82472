// ELF64 constants and byte encoders/decoders, from torvalds/linux include/uapi/linux/elf.h (v6.17).
// Simplified: only what the arm64 loader and the ELF core writer (binfmt_elf_core.ts) use; 64-bit LE only.
//
// Note numbers: kernel.md §13.6 (UELF). Struct layouts: Elf64_Ehdr / Elf64_Phdr / Elf64_Shdr / Elf64_Nhdr
// (System V gABI), little-endian as on arm64.

/* e_ident[] indexes and values */
export const EI_MAG0 = 0;
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_NIDENT = 16;
export const ELFMAG = Buffer.from([0x7f, 0x45, 0x4c, 0x46]); // "\177ELF"
export const SELFMAG = 4;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ELFOSABI_NONE = 0;

/* e_type */
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

/* e_machine */
export const EM_ARM = 40;
export const EM_AARCH64 = 183;

/* p_type */
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;
export const PT_AARCH64_MEMTAG_MTE = 0x70000002;

/* p_flags */
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

/* Extended numbering: e_phnum == PN_XNUM means the real count is in section header 0's sh_info. */
export const PN_XNUM = 0xffff;
export const SHT_NULL = 0;
export const SHN_UNDEF = 0;

/* Note types (n_type). "CORE" notes first, then the "LINUX" arm64 regset notes. */
export const NT_PRSTATUS = 1;
export const NT_PRFPREG = 2; // a.k.a. NT_FPREGSET
export const NT_PRPSINFO = 3;
export const NT_TASKSTRUCT = 4;
export const NT_AUXV = 6;
export const NT_SIGINFO = 0x53494749; // "SIGI"
export const NT_FILE = 0x46494c45; // "FILE"
export const NT_ARM_VFP = 0x400; // AArch32 only
export const NT_ARM_TLS = 0x401;
export const NT_ARM_HW_BREAK = 0x402;
export const NT_ARM_HW_WATCH = 0x403;
export const NT_ARM_SYSTEM_CALL = 0x404;
export const NT_ARM_SVE = 0x405;
export const NT_ARM_PAC_MASK = 0x406;
export const NT_ARM_PACA_KEYS = 0x407;
export const NT_ARM_PACG_KEYS = 0x408;
export const NT_ARM_TAGGED_ADDR_CTRL = 0x409;
export const NT_ARM_PAC_ENABLED_KEYS = 0x40a;
export const NT_ARM_SSVE = 0x40b;
export const NT_ARM_ZA = 0x40c;
export const NT_ARM_ZT = 0x40d;
export const NT_ARM_FPMR = 0x40e;
export const NT_ARM_POE = 0x40f;
export const NT_ARM_GCS = 0x410;

/* Note names (NN_*): the kernel derives them per note type; only two strings occur on arm64. */
export const NN_CORE = 'CORE';
export const NN_LINUX = 'LINUX';

/*
 * Elf64_Ehdr (64 bytes)
 *   0x00 e_ident[16]   0x10 e_type u16   0x12 e_machine u16   0x14 e_version u32
 *   0x18 e_entry u64   0x20 e_phoff u64  0x28 e_shoff u64
 *   0x30 e_flags u32   0x34 e_ehsize u16 0x36 e_phentsize u16 0x38 e_phnum u16
 *   0x3a e_shentsize u16  0x3c e_shnum u16  0x3e e_shstrndx u16
 */
export const EHDR_SIZE = 64;
const E_TYPE = 0x10, E_MACHINE = 0x12, E_VERSION = 0x14, E_ENTRY = 0x18, E_PHOFF = 0x20, E_SHOFF = 0x28;
const E_FLAGS = 0x30, E_EHSIZE = 0x34, E_PHENTSIZE = 0x36, E_PHNUM = 0x38, E_SHENTSIZE = 0x3a;
const E_SHNUM = 0x3c, E_SHSTRNDX = 0x3e;

/*
 * Elf64_Phdr (56 bytes)
 *   0x00 p_type u32  0x04 p_flags u32  0x08 p_offset u64  0x10 p_vaddr u64  0x18 p_paddr u64
 *   0x20 p_filesz u64  0x28 p_memsz u64  0x30 p_align u64
 */
export const PHDR_SIZE = 56;
const P_TYPE = 0x00, P_FLAGS = 0x04, P_OFFSET = 0x08, P_VADDR = 0x10, P_PADDR = 0x18;
const P_FILESZ = 0x20, P_MEMSZ = 0x28, P_ALIGN = 0x30;

/*
 * Elf64_Shdr (64 bytes)
 *   0x00 sh_name u32  0x04 sh_type u32  0x08 sh_flags u64  0x10 sh_addr u64  0x18 sh_offset u64
 *   0x20 sh_size u64  0x28 sh_link u32  0x2c sh_info u32  0x30 sh_addralign u64  0x38 sh_entsize u64
 */
export const SHDR_SIZE = 64;
const SH_TYPE = 0x04, SH_SIZE = 0x20, SH_LINK = 0x28, SH_INFO = 0x2c;

/*
 * Elf64_Nhdr + payload:
 *   0x00 n_namesz u32 (incl. NUL)  0x04 n_descsz u32 (exact)  0x08 n_type u32
 *   0x0c name[n_namesz], zero-padded to 4    then desc[n_descsz], zero-padded to 4
 */
export const NHDR_SIZE = 12;

/** Elf64_Ehdr as plain fields (C names: this is an ABI-shaped object). */
export interface Elf64Ehdr {
  e_ident: Buffer;
  e_type: number;
  e_machine: number;
  e_version: number;
  e_entry: bigint;
  e_phoff: bigint;
  e_shoff: bigint;
  e_flags: number;
  e_ehsize: number;
  e_phentsize: number;
  e_phnum: number;
  e_shentsize: number;
  e_shnum: number;
  e_shstrndx: number;
}

/** Elf64_Phdr as plain fields. */
export interface Elf64Phdr {
  p_type: number;
  p_flags: number;
  p_offset: bigint;
  p_vaddr: bigint;
  p_paddr: bigint;
  p_filesz: bigint;
  p_memsz: bigint;
  p_align: bigint;
}

/** e_ident for a 64-bit little-endian SysV ELF file (fill_elf_header's values). */
export function elf64Ident(): Buffer {
  const id = Buffer.alloc(EI_NIDENT);
  ELFMAG.copy(id, EI_MAG0);
  id[EI_CLASS] = ELFCLASS64;
  id[EI_DATA] = ELFDATA2LSB;
  id[EI_VERSION] = EV_CURRENT;
  id[EI_OSABI] = ELFOSABI_NONE;
  return id;
}

export function encodeEhdr(eh: Elf64Ehdr): Buffer {
  const b = Buffer.alloc(EHDR_SIZE);
  eh.e_ident.copy(b, 0, 0, EI_NIDENT);
  b.writeUInt16LE(eh.e_type, E_TYPE);
  b.writeUInt16LE(eh.e_machine, E_MACHINE);
  b.writeUInt32LE(eh.e_version, E_VERSION);
  b.writeBigUInt64LE(eh.e_entry, E_ENTRY);
  b.writeBigUInt64LE(eh.e_phoff, E_PHOFF);
  b.writeBigUInt64LE(eh.e_shoff, E_SHOFF);
  b.writeUInt32LE(eh.e_flags, E_FLAGS);
  b.writeUInt16LE(eh.e_ehsize, E_EHSIZE);
  b.writeUInt16LE(eh.e_phentsize, E_PHENTSIZE);
  b.writeUInt16LE(eh.e_phnum, E_PHNUM);
  b.writeUInt16LE(eh.e_shentsize, E_SHENTSIZE);
  b.writeUInt16LE(eh.e_shnum, E_SHNUM);
  b.writeUInt16LE(eh.e_shstrndx, E_SHSTRNDX);
  return b;
}

export function encodePhdr(ph: Elf64Phdr): Buffer {
  const b = Buffer.alloc(PHDR_SIZE);
  b.writeUInt32LE(ph.p_type, P_TYPE);
  b.writeUInt32LE(ph.p_flags, P_FLAGS);
  b.writeBigUInt64LE(ph.p_offset, P_OFFSET);
  b.writeBigUInt64LE(ph.p_vaddr, P_VADDR);
  b.writeBigUInt64LE(ph.p_paddr, P_PADDR);
  b.writeBigUInt64LE(ph.p_filesz, P_FILESZ);
  b.writeBigUInt64LE(ph.p_memsz, P_MEMSZ);
  b.writeBigUInt64LE(ph.p_align, P_ALIGN);
  return b;
}

/**
 * The single SHT_NULL section header of extended numbering (fill_extnum_info): sh_size = e_shnum (1),
 * sh_link = e_shstrndx (0), sh_info = real segment count.
 */
export function encodeExtnumShdr(segs: number): Buffer {
  const b = Buffer.alloc(SHDR_SIZE);
  b.writeUInt32LE(SHT_NULL, SH_TYPE);
  b.writeBigUInt64LE(1n, SH_SIZE);
  b.writeUInt32LE(SHN_UNDEF, SH_LINK);
  b.writeUInt32LE(segs >>> 0, SH_INFO);
  return b;
}

export const roundUp4 = (n: number): number => (n + 3) & ~3;

/** Size of a whole note in the file (notesize() in binfmt_elf.c). */
export function noteSize(name: string, descsz: number): number {
  return NHDR_SIZE + roundUp4(Buffer.byteLength(name) + 1) + roundUp4(descsz);
}

/** Elf64_Nhdr of a note: namesz counts the NUL. */
export function encodeNhdr(name: string, type: number, descsz: number): Buffer {
  const b = Buffer.alloc(NHDR_SIZE);
  b.writeUInt32LE(Buffer.byteLength(name) + 1, 0);
  b.writeUInt32LE(descsz, 4);
  b.writeUInt32LE(type >>> 0, 8);
  return b;
}

/** A complete note, name and desc each zero-padded to 4 bytes. */
export function encodeNote(name: string, type: number, desc: Buffer): Buffer {
  const b = Buffer.alloc(noteSize(name, desc.length));
  encodeNhdr(name, type, desc.length).copy(b, 0);
  b.write(name, NHDR_SIZE, 'latin1');
  desc.copy(b, NHDR_SIZE + roundUp4(Buffer.byteLength(name) + 1));
  return b;
}

/** Decodes an Elf64_Ehdr. Validates nothing: the loader checks magic, class and machine itself. */
export function parseEhdr(buf: Buffer): Elf64Ehdr {
  return {
    e_ident: Buffer.from(buf.subarray(0, EI_NIDENT)),
    e_type: buf.readUInt16LE(E_TYPE),
    e_machine: buf.readUInt16LE(E_MACHINE),
    e_version: buf.readUInt32LE(E_VERSION),
    e_entry: buf.readBigUInt64LE(E_ENTRY),
    e_phoff: buf.readBigUInt64LE(E_PHOFF),
    e_shoff: buf.readBigUInt64LE(E_SHOFF),
    e_flags: buf.readUInt32LE(E_FLAGS),
    e_ehsize: buf.readUInt16LE(E_EHSIZE),
    e_phentsize: buf.readUInt16LE(E_PHENTSIZE),
    e_phnum: buf.readUInt16LE(E_PHNUM),
    e_shentsize: buf.readUInt16LE(E_SHENTSIZE),
    e_shnum: buf.readUInt16LE(E_SHNUM),
    e_shstrndx: buf.readUInt16LE(E_SHSTRNDX),
  };
}

/** Decodes e_phnum program headers at e_phoff, e_phentsize apart. Validates nothing (reads throw if out of range). */
export function parsePhdrs(buf: Buffer, eh: Elf64Ehdr): Elf64Phdr[] {
  const out: Elf64Phdr[] = [];
  for (let i = 0; i < eh.e_phnum; i++) {
    const o = Number(eh.e_phoff) + i * eh.e_phentsize;
    out.push({
      p_type: buf.readUInt32LE(o + P_TYPE),
      p_flags: buf.readUInt32LE(o + P_FLAGS),
      p_offset: buf.readBigUInt64LE(o + P_OFFSET),
      p_vaddr: buf.readBigUInt64LE(o + P_VADDR),
      p_paddr: buf.readBigUInt64LE(o + P_PADDR),
      p_filesz: buf.readBigUInt64LE(o + P_FILESZ),
      p_memsz: buf.readBigUInt64LE(o + P_MEMSZ),
      p_align: buf.readBigUInt64LE(o + P_ALIGN),
    });
  }
  return out;
}

/* PT_GNU_PROPERTY (include/uapi/linux/elf.h, include/linux/elf.h) */
export const NT_GNU_PROPERTY_TYPE_0 = 5;
export const GNU_PROPERTY_AARCH64_FEATURE_1_AND = 0xc0000000;
export const GNU_PROPERTY_AARCH64_FEATURE_1_BTI = 1 << 0;
const ELF_GNU_PROPERTY_ALIGN = 8;
const NOTE_DATA_SZ = 1024;

/**
 * parse_elf_properties + parse_elf_property + arm64's arch_parse_elf_property (fs/binfmt_elf.c, v6.17): the
 * checks that fail an exec. Returns null when the note is acceptable, else why it is not. The BTI bit is read
 * but ignored by the caller (the emulated CPU has no BTI, so system_supports_bti() is false).
 */
export function parseElfProperties(file: Buffer, offset: bigint, filesz: bigint): string | null {
  if (filesz > BigInt(NOTE_DATA_SZ)) return `the property note is larger than ${NOTE_DATA_SZ} bytes`;
  const note = file.subarray(Number(offset), Number(offset + filesz));
  const n = note.length;
  if (n < 12 + 4) return 'the property note is truncated (EIO)';
  if (note.readUInt32LE(8) !== NT_GNU_PROPERTY_TYPE_0 || note.readUInt32LE(0) !== 4 || note.toString('latin1', 12, 16) !== 'GNU\0') {
    return 'not an NT_GNU_PROPERTY_TYPE_0 "GNU" note';
  }
  let off = 16; // round_up(sizeof(nhdr) + 4, 8)
  const descsz = note.readUInt32LE(4);
  if (descsz > n - off) return 'n_descsz runs past the segment';
  const datasz = off + descsz;
  let prev = -1;
  while (off !== datasz) {
    if (off > datasz || off % ELF_GNU_PROPERTY_ALIGN) return 'misaligned property (EIO)';
    if (datasz - off < 8) return 'truncated property header';
    const type = note.readUInt32LE(off);
    const size = note.readUInt32LE(off + 4);
    const left = datasz - off - 8;
    if (size > left) return 'pr_datasz runs past the note';
    const step = (size + ELF_GNU_PROPERTY_ALIGN - 1) & ~(ELF_GNU_PROPERTY_ALIGN - 1);
    if (step > left) return 'property padding runs past the note';
    if (type <= prev) return 'properties are not sorted by pr_type';
    prev = type;
    if (type === GNU_PROPERTY_AARCH64_FEATURE_1_AND && size !== 4) return 'GNU_PROPERTY_AARCH64_FEATURE_1_AND is not 4 bytes';
    off += 8 + step;
  }
  return null;
}
