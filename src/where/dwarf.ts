// Source lines for reports: elfutils' libdw (Debian libdw1, installed with elfutils) through koffi, never a
// hand-written DWARF parser. Loaded on first use only; each program's DWARF is opened once per process.
import type * as Koffi from 'koffi';
import { loadKoffi } from '../cpu/koffi.ts';
import * as fs from 'node:fs';

const DWARF_C_READ = 0;
/** sizeof(Dwarf_Die) in libdw.h: addr, cu, abbrev, padding__ */
const DWARF_DIE_SIZE = 32;
/** sizeof(Dwarf_Attribute): code, form, valp, cu */
const DWARF_ATTRIBUTE_SIZE = 24;
const DW_AT_comp_dir = 0x1b;

interface Libdw {
  begin(fd: number): unknown;
  line(dw: unknown, addr: bigint): string | null;
}

let libdw: Libdw | null | undefined;

function load(): Libdw | null {
  const koffi = loadKoffi();
  let so: Koffi.IKoffiLib;
  try {
    so = koffi.load('libdw.so.1');
  } catch {
    return null;
  }
  const dwarfBegin = so.func('void *dwarf_begin(int fd, int cmd)');
  const dwarfAddrdie = so.func('void *dwarf_addrdie(void *dbg, uint64_t addr, void *result)');
  const dwarfGetsrcDie = so.func('void *dwarf_getsrc_die(void *cudie, uint64_t addr)');
  const dwarfLinesrc = so.func('const char *dwarf_linesrc(void *line, void *mtime, void *length)');
  const dwarfLineno = so.func('int dwarf_lineno(void *line, _Out_ int *lineno)');
  const dwarfAttr = so.func('void *dwarf_attr(void *die, unsigned int name, void *result)');
  const dwarfFormstring = so.func('const char *dwarf_formstring(void *attr)');
  return {
    begin: (fd) => dwarfBegin(fd, DWARF_C_READ),
    line(dw, addr) {
      const die = Buffer.alloc(DWARF_DIE_SIZE);
      if (!dwarfAddrdie(dw, addr, die)) return null;
      const line = dwarfGetsrcDie(die, addr);
      if (!line) return null;
      const file = dwarfLinesrc(line, null, null) as string | null;
      const n = [0];
      if (!file || (dwarfLineno(line, n) as number) !== 0) return null;
      // relative to the compilation directory, as gdb names it, so the text does not depend on where it was built
      const attr = Buffer.alloc(DWARF_ATTRIBUTE_SIZE);
      const compDir = dwarfAttr(die, DW_AT_comp_dir, attr) ? (dwarfFormstring(attr) as string | null) : null;
      const rel = compDir && file.startsWith(`${compDir.replace(/\/$/, '')}/`) ? file.slice(compDir.replace(/\/$/, '').length + 1) : file;
      return `${rel}:${n[0]}`;
    },
  };
}

/** host path → its libdw handle (null: no DWARF, or unreadable) */
const opened = new Map<string, unknown>();

/** `file:line` of `addr` (a link-time address) in the ELF at `hostPath`, from its DWARF line table; null when
 *  the program has no debug information for it or libdw is not installed. */
export function sourceLine(hostPath: string, addr: bigint): string | null {
  if (libdw === undefined) libdw = load();
  if (!libdw) return null;
  let dw = opened.get(hostPath);
  if (dw === undefined) {
    dw = null;
    try {
      const fd = fs.openSync(hostPath, 'r'); // stays open while the handle lives (the process)
      dw = libdw.begin(fd) ?? null;
      if (!dw) fs.closeSync(fd);
    } catch {
      dw = null;
    }
    opened.set(hostPath, dw);
  }
  return dw ? libdw.line(dw, addr) : null;
}
