// What a core file says about its process, read from its notes only (a core can be gigabytes; only the headers
// and the PT_NOTE segment are read): pid, uid, gid and command from NT_PRPSINFO, the signal from NT_SIGINFO,
// the executable from NT_FILE, and whether the file is shorter than its PT_LOAD segments (truncated).
import * as fs from 'node:fs';
import { ET_CORE, EM_AARCH64, PT_LOAD, PT_NOTE, NT_FILE, NT_PRPSINFO, NT_SIGINFO, parseEhdr, parsePhdrs } from '../fs/elf.ts';

export interface CoreInfo {
  pid: number;
  uid: number;
  gid: number;
  signal: number;
  /** pr_fname (the comm, 15 characters at most) and pr_psargs (the start of the command line) */
  comm: string;
  args: string;
  /** the first file NT_FILE maps: the executable, as the process saw its path */
  exe: string | null;
  size: number;
  truncated: boolean;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  const n = fs.readSync(fd, b, 0, length, offset);
  return b.subarray(0, n);
}

const cstr = (b: Buffer) => {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z < 0 ? b.length : z);
};

/** The notes of an ELF64 AArch64 core; null when the file is not one. */
export function readCoreInfo(file: string): CoreInfo | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = readAt(fd, 0, 64);
    if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return null;
    const eh = parseEhdr(head);
    if (eh.e_type !== ET_CORE || eh.e_machine !== EM_AARCH64) return null;
    let phnum = eh.e_phnum;
    if (phnum === 0xffff) phnum = readAt(fd, Number(eh.e_shoff), 64).readUInt32LE(0x2c); // PN_XNUM: sh_info of section 0
    const phoff = Number(eh.e_phoff);
    const phdrs = parsePhdrs(readAt(fd, 0, phoff + phnum * eh.e_phentsize), { ...eh, e_phnum: phnum });
    const end = phdrs.filter((p) => p.p_type === PT_LOAD).reduce((m, p) => Math.max(m, Number(p.p_offset + p.p_filesz)), 0);
    const info: CoreInfo = { pid: 0, uid: 0, gid: 0, signal: 0, comm: '', args: '', exe: null, size, truncated: size < end };
    for (const ph of phdrs.filter((p) => p.p_type === PT_NOTE)) {
      const notes = readAt(fd, Number(ph.p_offset), Number(ph.p_filesz));
      for (let o = 0; o + 12 <= notes.length;) {
        const namesz = notes.readUInt32LE(o);
        const descsz = notes.readUInt32LE(o + 4);
        const type = notes.readUInt32LE(o + 8);
        const desc = notes.subarray(o + 12 + ((namesz + 3) & ~3), o + 12 + ((namesz + 3) & ~3) + descsz);
        o += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
        if (type === NT_PRPSINFO && desc.length >= 136) {
          // struct elf_prpsinfo (64-bit): pr_uid 16, pr_gid 20, pr_pid 24, pr_fname[16] 40, pr_psargs[80] 56
          info.uid = desc.readUInt32LE(16);
          info.gid = desc.readUInt32LE(20);
          info.pid = desc.readInt32LE(24);
          info.comm = cstr(desc.subarray(40, 56));
          info.args = cstr(desc.subarray(56, 136)).trimEnd();
        } else if (type === NT_SIGINFO && desc.length >= 4) {
          info.signal = desc.readInt32LE(0);
        } else if (type === NT_FILE && desc.length >= 16 && info.exe === null) {
          // count, page_size, count × (start, end, pgoff), then the names
          const count = Number(desc.readBigUInt64LE(0));
          const names = desc.subarray(16 + count * 24);
          if (count > 0) info.exe = cstr(names);
        }
      }
    }
    return info;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
