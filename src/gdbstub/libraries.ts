// qXfer:libraries-svr4:read: the shared libraries of a dynamically linked process, as gdbserver's
// linux_process_target::qxfer_libraries_svr4 finds them. The program's PT_DYNAMIC (found through AT_PHDR: its
// PT_PHDR gives the load bias) has a DT_DEBUG entry that ld.so fills with the address of its struct r_debug,
// whose r_map is the link_map chain: the program first (main-lm), then ld.so's own list (the vDSO,
// libc.so.6, ld-linux-aarch64.so.1, dlopen'ed ones). Until ld.so has run, DT_DEBUG is 0 and the list is empty
// (gdb asks again at ld.so's r_brk breakpoint, which it finds through AT_BASE and the interpreter's file); a
// program without PT_DYNAMIC (static) has no list: an error, on which gdb falls back to reading memory itself.
const AT_PHDR = 3n, AT_PHENT = 4n, AT_PHNUM = 5n;
const PT_DYNAMIC = 2, PT_PHDR = 6;
const DT_NULL = 0n, DT_DEBUG = 21n;
/** a chain longer than this is taken as corrupt (gdbserver checks l_prev for the same reason) */
const MAX_LIBS = 4096;

/** Reads guest memory: null where nothing is mapped (the stub's PEEKDATA). */
export type Peek = (addr: bigint, len: number) => Buffer | null;

const u64 = (peek: Peek, a: bigint): bigint | null => {
  const b = peek(a, 8);
  return b && b.length === 8 ? b.readBigUInt64LE(0) : null;
};

/** The address of the program's PT_DYNAMIC in memory, or null (no program headers, or no PT_DYNAMIC). */
function dynamicSection(auxv: Buffer, peek: Peek): bigint | null {
  const aux = new Map<bigint, bigint>();
  for (let o = 0; o + 16 <= auxv.length; o += 16) aux.set(auxv.readBigUInt64LE(o), auxv.readBigUInt64LE(o + 8));
  const phdr = aux.get(AT_PHDR), phent = Number(aux.get(AT_PHENT) ?? 56n), phnum = Number(aux.get(AT_PHNUM) ?? 0n);
  if (phdr === undefined || phent < 56) return null;
  const headers = Array.from({ length: phnum }, (_, i) => peek(phdr + BigInt(i * phent), 56));
  if (headers.some((h) => !h || h.length < 56)) return null;
  // Elf64_Phdr: p_type at 0, p_vaddr at 16
  const find = (type: number) => headers.find((h) => h!.readUInt32LE(0) === type);
  const self = find(PT_PHDR);
  const dyn = find(PT_DYNAMIC);
  if (!dyn) return null;
  const bias = self ? phdr - self.readBigUInt64LE(16) : 0n;
  return BigInt.asUintN(64, dyn.readBigUInt64LE(16) + bias);
}

/** r_debug's address from DT_DEBUG: 0 while ld.so has not filled it in, null when there is no DT_DEBUG. */
function rDebug(dynamic: bigint, peek: Peek): bigint | null {
  for (let a = dynamic; ; a += 16n) {
    const tag = u64(peek, a);
    if (tag === null || tag === DT_NULL) return null;
    if (tag === DT_DEBUG) return u64(peek, a + 8n);
  }
}

/** A NUL-terminated string in guest memory (at most 4096 bytes, as PATH_MAX). */
function cString(peek: Peek, a: bigint): string {
  const b = a === 0n ? null : peek(a, 4096);
  if (!b) return '';
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('latin1');
}

const xmlEscape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const x = (n: bigint): string => `0x${n.toString(16)}`;

/** The <library-list-svr4> document, or null when the program has no DT_DEBUG (static: gdbserver's E01). */
export function librariesSvr4(auxv: Buffer, peek: Peek): Buffer | null {
  const dynamic = dynamicSection(auxv, peek);
  const r = dynamic === null ? null : rDebug(dynamic, peek);
  if (r === null) return null;
  // struct r_debug: int r_version; struct link_map *r_map (at 8); …
  let lm = r === 0n ? 0n : (u64(peek, r + 8n) ?? 0n);
  let doc = '<library-list-svr4 version="1.0"';
  let prev = 0n;
  const libs: string[] = [];
  for (let i = 0; lm !== 0n && i < MAX_LIBS; i++) {
    // struct link_map: l_addr, l_name, l_ld, l_next, l_prev
    const f = peek(lm, 40);
    if (!f || f.length < 40 || f.readBigUInt64LE(32) !== prev) break;
    const [addr, name, ld, next] = [0, 8, 16, 24].map((o) => f.readBigUInt64LE(o));
    if (prev === 0n) doc += ` main-lm="${x(lm)}"`; // the program itself, whatever its name
    else {
      const path = cString(peek, name);
      if (path !== '') libs.push(`<library name="${xmlEscape(path)}" lm="${x(lm)}" l_addr="${x(addr)}" l_ld="${x(ld)}" lmid="0x0"/>`); // one namespace: LM_ID_BASE
    }
    prev = lm;
    lm = next;
  }
  doc += prev === 0n ? '/>' : `>${libs.join('')}</library-list-svr4>`;
  return Buffer.from(doc);
}
