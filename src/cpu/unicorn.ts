// The only FFI file: binds Unicorn 2 with koffi. It loads the project's copy of the official Unicorn 2.1.4
// (.engine/lib/libunicorn.so.2, installed by scripts/engine.sh from the `unicorn` wheel) and, when that is
// absent, Debian's libunicorn2 (2.0.1). Constants were checked against .engine/include/unicorn/{unicorn,arm64}.h
// of 2.1.4 by compiling a program that prints them (they equal 2.0.1's; 2.1.4 only adds UC_ERR_OVERFLOW);
// nothing above this file sees a koffi type.
import type * as Koffi from 'koffi';
import { existsSync, readFileSync } from 'node:fs';
import { loadKoffi } from './koffi.ts';

export const UC_ARCH_ARM64 = 2;
export const UC_MODE_ARM = 0;
export const UC_CPU_ARM64_MAX = 3;

export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_CODE = 1 << 2;
export const UC_HOOK_MEM_INVALID = 0x3f0; // READ/WRITE/FETCH × UNMAPPED/PROT
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;

export const UC_MEM_WRITE = 17; // a valid write, as UC_HOOK_MEM_WRITE reports it
export const UC_MEM_READ_UNMAPPED = 19;
export const UC_MEM_WRITE_UNMAPPED = 20;
export const UC_MEM_FETCH_UNMAPPED = 21;
export const UC_MEM_WRITE_PROT = 22;
export const UC_MEM_READ_PROT = 23;
export const UC_MEM_FETCH_PROT = 24;

export const UC_PROT_NONE = 0;
export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_EXEC = 4;

// uc_arm64_reg
export const UC_ARM64_REG_X29 = 1;
export const UC_ARM64_REG_X30 = 2;
export const UC_ARM64_REG_NZCV = 3;
export const UC_ARM64_REG_SP = 4;
export const UC_ARM64_REG_Q0 = 104;
export const UC_ARM64_REG_X0 = 199; // X0..X28 are consecutive
export const UC_ARM64_REG_PC = 260;
export const UC_ARM64_REG_CPACR_EL1 = 261;
export const UC_ARM64_REG_TPIDR_EL0 = 262;
export const UC_ARM64_REG_PSTATE = 265;
export const UC_ARM64_REG_CP_REG = 290;
export const UC_ARM64_REG_FPCR = 291;
export const UC_ARM64_REG_FPSR = 292;

export const UC_CTL_CPU_MODEL_WRITE = (7 | (1 << 26) | (1 << 30)) >>> 0; // UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1)
export const UC_CTL_TCG_BUFFER_SIZE_WRITE = 0x4400000d; // UC_CTL_WRITE(UC_CTL_TCG_BUFFER_SIZE, 1), Unicorn >= 2.0.2
export const UC_CTL_TB_REMOVE_CACHE = (9 | (2 << 26) | (1 << 30)) >>> 0; // UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2)

export const UC_ERR_NAMES = [
  'UC_ERR_OK', 'UC_ERR_NOMEM', 'UC_ERR_ARCH', 'UC_ERR_HANDLE', 'UC_ERR_MODE', 'UC_ERR_VERSION',
  'UC_ERR_READ_UNMAPPED', 'UC_ERR_WRITE_UNMAPPED', 'UC_ERR_FETCH_UNMAPPED', 'UC_ERR_HOOK',
  'UC_ERR_INSN_INVALID', 'UC_ERR_MAP', 'UC_ERR_WRITE_PROT', 'UC_ERR_READ_PROT', 'UC_ERR_FETCH_PROT',
  'UC_ERR_ARG', 'UC_ERR_READ_UNALIGNED', 'UC_ERR_WRITE_UNALIGNED', 'UC_ERR_FETCH_UNALIGNED',
  'UC_ERR_HOOK_EXIST', 'UC_ERR_RESOURCE', 'UC_ERR_EXCEPTION', 'UC_ERR_OVERFLOW',
] as const;

export type UcHandle = unknown;
export type IntrCallback = (intno: number) => void;
export type MemInvalidCallback = (type: number, address: bigint, size: number) => boolean;
export type CodeCallback = (address: bigint, size: number) => void;
export type MemCallback = (type: number, address: bigint, size: number, value: bigint) => void;

/** The uc_* functions this project uses, with koffi types hidden. */
export interface UnicornLib {
  open(): UcHandle;
  close(uc: UcHandle): void;
  setCpuModel(uc: UcHandle, model: number): number;
  /** the JIT code buffer's size, before the engine initialises (Unicorn's default is 1 GiB); an error code on
   *  engines without the control */
  setTcgBufferSize(uc: UcHandle, bytes: number): number;
  /** drops the translated blocks covering [begin, end) (cheap, unlike UC_CTL_TB_FLUSH, which clears the whole
   *  1 GiB code buffer of Unicorn 2.0.1: seconds and 1 GiB of RSS) */
  removeTbCache(uc: UcHandle, begin: bigint, end: bigint): number;
  regRead(uc: UcHandle, reg: number, out: Buffer): number;
  regWrite(uc: UcHandle, reg: number, value: Buffer): number;
  memMap(uc: UcHandle, addr: bigint, size: bigint, perms: number): number;
  memProtect(uc: UcHandle, addr: bigint, size: bigint, perms: number): number;
  memUnmap(uc: UcHandle, addr: bigint, size: bigint): number;
  memRead(uc: UcHandle, addr: bigint, out: Buffer, size: number): number;
  memWrite(uc: UcHandle, addr: bigint, data: Buffer, size: number): number;
  emuStart(uc: UcHandle, begin: bigint, until: bigint, count: number): number;
  emuStop(uc: UcHandle): number;
  hookIntr(uc: UcHandle, cb: IntrCallback): void;
  hookMemInvalid(uc: UcHandle, cb: MemInvalidCallback): void;
  hookCode(uc: UcHandle, cb: CodeCallback, begin: bigint, end: bigint): bigint;
  /** A code or memory (UC_HOOK_MEM_READ/WRITE) callback registered once for many hooks: the debugger adds and
   *  removes its breakpoints and watchpoints at every stop, and koffi's registered callbacks are a finite pool. */
  codeCallback(cb: CodeCallback): unknown;
  memCallback(cb: MemCallback): unknown;
  /** uc_hook_add of such a callback on [begin, end] (a memory hook fires for accesses starting there) */
  hookAdd(uc: UcHandle, type: number, callback: unknown, begin: bigint, end: bigint): bigint;
  hookDel(uc: UcHandle, hh: bigint): number;
  version(): string;
  /** which library is in use: its version, host path, and whether it is the project copy or the system one */
  engine: EngineInfo;
  /** Exact instruction counter (native/icount.c); null when the helper library is not built. */
  icount: IcountLib | null;
}

export interface EngineInfo {
  /** uc_version() as "2.1.4" */
  version: string;
  /** the shared library's host path, as the dynamic loader mapped it */
  path: string;
  /** 'project': .engine/ (scripts/engine.sh); 'system': the dynamic loader's search (Debian's libunicorn2) */
  source: 'project' | 'system';
}

/** native/libaficount.so: a C UC_HOOK_CODE callback that counts retired instructions and stops at a limit. */
export const AF_FAULT_SP = 1n << 62n;

export interface IcountLib {
  create(uc: UcHandle): unknown;
  get(c: unknown): bigint;
  set(c: unknown, v: bigint): void;
  limit(c: unknown, limit: bigint): void;
  /** Address of the last instruction the hook saw: the faulting one when a memory access faults. */
  pc(c: unknown): bigint;
  /** hook the instruction at address to start SP alignment checking when SP is misaligned there */
  spSite(uc: UcHandle, c: unknown, address: bigint): number;
  spWatch(c: unknown, on: boolean): void;
  /** the alignment fault that stopped the engine (and clears it): 0n, or its pc with the kind in bits 63:62
   *  (AF_FAULT_SP; otherwise an alignment site) */
  takeFault(c: unknown): bigint;
  /** hook the instruction at address to check its natural alignment (arch/arm64/align.ts encodeAlignSite: arg) */
  alignSite(uc: UcHandle, c: unknown, address: bigint, arg: bigint): number;
  /** the stop hooks and a counting scheme (AF_COUNT_*) in C; the engine's intr/mem hooks then live there */
  createWith(uc: UcHandle, mode: number): unknown;
  /** the scheme in force (AF_COUNT_BLOCK falls back to AF_COUNT_INSN on Unicorn < 2.1) */
  mode(c: unknown): number;
  /** frees createWith's state, after uc_close */
  free(c: unknown): void;
  /** one call per stop (native/run.c): io holds the registers (AF_REGS order) and the stop record (AF_IO_*) */
  run(uc: UcHandle, c: unknown, io: Buffer): number;
  regsRead(uc: UcHandle, io: Buffer): void;
  regsWrite(uc: UcHandle, io: Buffer, mask: bigint): number;
  vregsRead(uc: UcHandle, out: Buffer): void;
  vregsWrite(uc: UcHandle, data: Buffer): number;
  /** a host hook (breakpoint) stopped the engine before the instruction at pc: it did not retire */
  stoppedBefore(uc: UcHandle, c: unknown, pc: bigint): void;
  /** native/tlb.c: guest memory in a pool of few engine regions, translated by a TLB fill hook; 1 on engines
   *  older than 2.1 (every mapping is then its own engine region) */
  vtlbEnable(uc: UcHandle, c: unknown): number;
  /** guest memory in either scheme (native/tlb.c af_map …): Unicorn's error codes */
  map(uc: UcHandle, c: unknown, start: bigint, size: bigint, perms: number): number;
  protect(uc: UcHandle, c: unknown, start: bigint, size: bigint, perms: number): number;
  unmap(uc: UcHandle, c: unknown, start: bigint, size: bigint): number;
  read(uc: UcHandle, c: unknown, addr: bigint, out: Buffer, len: number): number;
  write(uc: UcHandle, c: unknown, addr: bigint, data: Buffer, len: number): number;
  /** the n spans of data (pairs {offset, length}) written at addr + offset, in one call: 0 or the first error */
  writeSpans(uc: UcHandle, c: unknown, addr: bigint, data: Buffer, spans: Uint32Array, n: number): number;
  /** drops the translated code of [start, end) */
  invalidate(uc: UcHandle, c: unknown, start: bigint, end: bigint): number;
  /** copies every mapping of src's memory into dst's engine (which has none): 0, or -1 without the pool */
  cloneMemory(uc: UcHandle, dst: unknown, src: unknown): number;
  /** the engine regions the pool uses */
  engineRegions(c: unknown): number;
  /** native/tlb.c af_phys: the engine ("physical") address of a guest address, into out[0], and the bytes that
   *  stay contiguous from there, into out[1] (out: 16 bytes); false when unmapped (out[1]: bytes to the next
   *  mapping, 0 when none) */
  phys(c: unknown, vaddr: bigint, out: Buffer): boolean;
  /** a memory hook came or went: drops translated code and the TLB (so loads and stores take the hooked path) */
  hooksChanged(uc: UcHandle, c: unknown): number;
  /** native/interrupt.c: catch SIGINT/SIGTERM (stopping a running engine), or restore the previous handlers */
  interrupts(on: boolean): void;
  /** the signal caught since interrupts(true), or 0 */
  interrupted(): number;
  /** native/scan.c: the indexes (into out) of the n words that match any (mask, value) pair of patterns; the
   *  count */
  scanWords(words: Buffer, n: number, patterns: Uint32Array, out: Uint32Array): number;
}

export const AF_COUNT_NONE = 0;
export const AF_COUNT_INSN = 1;
export const AF_COUNT_BLOCK = 2;
/** native/run.c's register file: x0..x30, then these */
export const AF_REG_SP = 31, AF_REG_PC = 32, AF_REG_NZCV = 33, AF_REG_FPSR = 34, AF_REG_FPCR = 35, AF_REG_TPIDR = 36;
export const AF_NREGS = 37;
/** native/run.c's stop record, as u64 indexes into io after the registers */
export const AF_IO_DIRTY = 37, AF_IO_LIMIT = 38, AF_IO_ERR = 39, AF_IO_PENDING = 40, AF_IO_CODE = 41, AF_IO_ADDR = 42,
  AF_IO_SIZE = 43, AF_IO_FAULT = 44, AF_IO_ICOUNT = 45, AF_IO_PC = 46, AF_IO_CODE_AT = 47, AF_IO_CODE_LEN = 48,
  AF_IO_WORDS = 49, AF_IO_VREGS_OK = 51, AF_IO_VREGS = 52, AF_IO_LEN = 116;
export const AF_PENDING_INTR = 1, AF_PENDING_MEM = 2;

// src/cpu/unicorn.ts in a checkout, dist/cli.js in the bundled CLI: both reach native/ and .engine/ from the
// package root.
const fromRoot = (rel: string): string | undefined => [`../../${rel}`, `../${rel}`]
  .map((r) => new URL(r, import.meta.url).pathname)
  .find((p) => existsSync(p));
const NATIVE_ICOUNT = fromRoot('native/libaficount.so');

/** The host path of the loaded libunicorn.so.2 (from /proc/self/maps: koffi does not say where dlopen found it). */
function mappedPath(fallback: string): string {
  try {
    const line = readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => l.endsWith('/libunicorn.so.2'));
    return line ? line.slice(line.indexOf('/')) : fallback;
  } catch {
    return fallback;
  }
}

function loadIcount(): IcountLib | null {
  if (!NATIVE_ICOUNT) return null;
  const koffi = loadKoffi();
  let so: Koffi.IKoffiLib;
  try {
    so = koffi.load(NATIVE_ICOUNT);
  } catch {
    return null;
  }
  // a helper built from older sources has another stop record: native/run.c would write past Cpu's
  let ioLen = -1;
  try {
    ioLen = so.func('int af_io_len(void)')() as number;
  } catch { /* older still: no such function */ }
  if (ioLen !== AF_IO_LEN) throw new Error(`${NATIVE_ICOUNT} is out of date: rebuild it with \`make -C native\``);
  const create = so.func('void *af_icount_new(void *uc)');
  const get = so.func('uint64_t af_icount_get(void *c)');
  const set = so.func('void af_icount_set(void *c, uint64_t v)');
  const limit = so.func('void af_icount_limit(void *c, uint64_t l)');
  const pc = so.func('uint64_t af_icount_pc(void *c)');
  const spSite = so.func('int af_sp_site(void *uc, void *c, uint64_t address)');
  const spWatch = so.func('void af_sp_watch(void *c, int on)');
  const takeFault = so.func('uint64_t af_take_fault(void *c)');
  const alignSite = so.func('int af_align_site(void *uc, void *c, uint64_t address, uint64_t arg)');
  const createWith = so.func('void *af_new(void *uc, int mode)');
  const mode = so.func('int af_mode(void *c)');
  const free = so.func('void af_free(void *c)');
  const run = so.func('int af_run(void *uc, void *c, void *io)');
  const regsRead = so.func('void af_regs_read(void *uc, void *regs)');
  const regsWrite = so.func('int af_regs_write(void *uc, const void *regs, uint64_t mask)');
  const vregsRead = so.func('void af_vregs_read(void *uc, void *out)');
  const vregsWrite = so.func('int af_vregs_write(void *uc, const void *data)');
  const stoppedBefore = so.func('void af_stopped_before(void *uc, void *c, uint64_t pc)');
  const vtlbEnable = so.func('int af_vtlb_enable(void *uc, void *c)');
  const map = so.func('int af_map(void *uc, void *c, uint64_t start, uint64_t size, int perms)');
  const protect = so.func('int af_protect(void *uc, void *c, uint64_t start, uint64_t size, int perms)');
  const unmap = so.func('int af_unmap(void *uc, void *c, uint64_t start, uint64_t size)');
  const read = so.func('int af_read(void *uc, void *c, uint64_t addr, void *out, uint64_t len)');
  const write = so.func('int af_write(void *uc, void *c, uint64_t addr, const void *data, uint64_t len)');
  const writeSpans = so.func('int af_write_spans(void *uc, void *c, uint64_t addr, const void *data, const void *spans, int n)');
  const invalidate = so.func('int af_invalidate(void *uc, void *c, uint64_t start, uint64_t end)');
  const cloneMemory = so.func('int af_clone_memory(void *uc, void *dst, void *src)');
  const engineRegions = so.func('int af_engine_regions(void *c)');
  const phys = so.func('int af_phys(void *c, uint64_t vaddr, void *out)');
  const hooksChanged = so.func('int af_hooks_changed(void *uc, void *c)');
  const interrupts = so.func('void af_interrupts(int on)');
  const interrupted = so.func('int af_interrupted(void)');
  const scanWords = so.func('int64_t af_scan_words(const void *words, int64_t n, const void *pat, int npat, void *out)');
  return {
    createWith(uc, m) {
      const c = createWith(uc, m);
      if (!c) throw new Error('af_new failed');
      return c;
    },
    mode: (c) => mode(c) as number,
    free: (c) => void free(c),
    run: (uc, c, io) => run(uc, c, io) as number,
    regsRead: (uc, io) => void regsRead(uc, io),
    regsWrite: (uc, io, m) => regsWrite(uc, io, m) as number,
    vregsRead: (uc, out) => void vregsRead(uc, out),
    vregsWrite: (uc, data) => vregsWrite(uc, data) as number,
    stoppedBefore: (uc, c, pc) => void stoppedBefore(uc, c, pc),
    vtlbEnable: (uc, c) => vtlbEnable(uc, c) as number,
    map: (uc, c, start, size, perms) => map(uc, c, start, size, perms) as number,
    protect: (uc, c, start, size, perms) => protect(uc, c, start, size, perms) as number,
    unmap: (uc, c, start, size) => unmap(uc, c, start, size) as number,
    read: (uc, c, addr, out, len) => read(uc, c, addr, out, len) as number,
    write: (uc, c, addr, data, len) => write(uc, c, addr, data, len) as number,
    writeSpans: (uc, c, addr, data, spans, n) => writeSpans(uc, c, addr, data, spans, n) as number,
    invalidate: (uc, c, start, end) => invalidate(uc, c, start, end) as number,
    cloneMemory: (uc, dst, src) => cloneMemory(uc, dst, src) as number,
    engineRegions: (c) => engineRegions(c) as number,
    phys: (c, v, out) => (phys(c, v, out) as number) === 1,
    hooksChanged: (uc, c) => hooksChanged(uc, c) as number,
    interrupts: (on) => void interrupts(on ? 1 : 0),
    interrupted: () => interrupted() as number,
    scanWords: (words, n, patterns, out) => Number(scanWords(words, n, patterns, patterns.length >> 1, out)),
    create(uc) {
      const c = create(uc);
      if (!c) throw new Error('af_icount_new failed');
      return c;
    },
    get: (c) => BigInt(get(c) as number | bigint),
    set: (c, v) => void set(c, v),
    limit: (c, l) => void limit(c, l),
    pc: (c) => BigInt(pc(c) as number | bigint),
    spSite: (uc, c, a) => spSite(uc, c, a) as number,
    spWatch: (c, on) => void spWatch(c, on ? 1 : 0),
    takeFault: (c) => BigInt(takeFault(c) as number | bigint),
    alignSite: (uc, c, a, arg) => alignSite(uc, c, a, arg) as number,
  };
}

let lib: UnicornLib | undefined;


/**
 * Loads libunicorn.so.2 once: the project copy in .engine/ first, then the system one. Throws a plain Error
 * naming the set-up step and the package when neither loads.
 */
export function unicorn(): UnicornLib {
  if (lib) return lib;
  const koffi = loadKoffi();
  let so: Koffi.IKoffiLib | undefined;
  const project = fromRoot('.engine/lib/libunicorn.so.2');
  let source: EngineInfo['source'] = 'project';
  if (project) {
    try {
      so = koffi.load(project);
    } catch {
      so = undefined;
    }
  }
  if (!so) {
    source = 'system';
    try {
      so = koffi.load('libunicorn.so.2');
    } catch (e) {
      throw new Error(`cannot load libunicorn.so.2 (bash scripts/setup.sh, or apt-get install libunicorn2): ${(e as Error).message}`);
    }
  }
  koffi.opaque('uc_engine'); // registers the type name the prototypes below use
  const IntrProto = koffi.proto('void uc_cb_intr(uc_engine *uc, uint32_t intno, void *user)');
  const MemProto = koffi.proto(
    'bool uc_cb_mem(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user)');
  const CodeProto = koffi.proto('void uc_cb_code(uc_engine *uc, uint64_t address, uint32_t size, void *user)');

  const ucOpen = so.func('int uc_open(int arch, int mode, _Out_ uc_engine **uc)');
  const ucClose = so.func('int uc_close(uc_engine *uc)');
  const ucCtl = so.func('int uc_ctl(uc_engine *uc, uint32_t control, ...)');
  const ucRegRead = so.func('int uc_reg_read(uc_engine *uc, int regid, _Out_ void *value)');
  const ucRegWrite = so.func('int uc_reg_write(uc_engine *uc, int regid, const void *value)');
  const ucMemMap = so.func('int uc_mem_map(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)');
  const ucMemProtect = so.func('int uc_mem_protect(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)');
  const ucMemUnmap = so.func('int uc_mem_unmap(uc_engine *uc, uint64_t address, size_t size)');
  const ucMemRead = so.func('int uc_mem_read(uc_engine *uc, uint64_t address, _Out_ void *bytes, size_t size)');
  const ucMemWrite = so.func('int uc_mem_write(uc_engine *uc, uint64_t address, const void *bytes, size_t size)');
  const ucEmuStart = so.func(
    'int uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)');
  const ucEmuStop = so.func('int uc_emu_stop(uc_engine *uc)');
  const ucHookAdd = so.func(
    'int uc_hook_add(uc_engine *uc, _Out_ uint64_t *hh, int type, void *callback, void *user, uint64_t begin, uint64_t end, ...)');
  const ucHookDel = so.func('int uc_hook_del(uc_engine *uc, uint64_t hh)');
  const ucVersion = so.func('unsigned int uc_version(unsigned int *major, unsigned int *minor)');

  // Registered callbacks must outlive the engine; koffi frees them only on unregister.
  const addHook = (uc: UcHandle, type: number, fn: Koffi.IKoffiRegisteredCallback, b: bigint, e: bigint) => {
    const hh = [0n];
    const err = ucHookAdd(uc, hh, type, fn, null, b, e) as number;
    if (err !== 0) throw new Error(`uc_hook_add: ${UC_ERR_NAMES[err] ?? err}`);
    return BigInt(hh[0]);
  };
  lib = {
    open() {
      const out: unknown[] = [null];
      const err = ucOpen(UC_ARCH_ARM64, UC_MODE_ARM, out) as number;
      if (err !== 0) throw new Error(`uc_open: ${UC_ERR_NAMES[err] ?? err}`);
      return out[0];
    },
    close: (uc) => void ucClose(uc),
    setCpuModel: (uc, model) => ucCtl(uc, UC_CTL_CPU_MODEL_WRITE, 'int', model) as number,
    setTcgBufferSize: (uc, bytes) => ucCtl(uc, UC_CTL_TCG_BUFFER_SIZE_WRITE, 'uint32_t', bytes) as number,
    removeTbCache: (uc, b, e) => ucCtl(uc, UC_CTL_TB_REMOVE_CACHE, 'uint64_t', b, 'uint64_t', e) as number,
    regRead: (uc, reg, out) => ucRegRead(uc, reg, out) as number,
    regWrite: (uc, reg, value) => ucRegWrite(uc, reg, value) as number,
    memMap: (uc, a, s, p) => ucMemMap(uc, a, s, p) as number,
    memProtect: (uc, a, s, p) => ucMemProtect(uc, a, s, p) as number,
    memUnmap: (uc, a, s) => ucMemUnmap(uc, a, s) as number,
    memRead: (uc, a, out, size) => ucMemRead(uc, a, out, size) as number,
    memWrite: (uc, a, data, size) => ucMemWrite(uc, a, data, size) as number,
    emuStart: (uc, begin, until, count) => ucEmuStart(uc, begin, until, 0, count) as number,
    emuStop: (uc) => ucEmuStop(uc) as number,
    hookIntr(uc, cb) {
      const fn = koffi.register((_u: unknown, intno: number) => cb(intno), koffi.pointer(IntrProto));
      addHook(uc, UC_HOOK_INTR, fn, 1n, 0n);
    },
    hookMemInvalid(uc, cb) {
      const fn = koffi.register(
        (_u: unknown, type: number, address: number | bigint, size: number) => cb(type, BigInt(address), size),
        koffi.pointer(MemProto));
      addHook(uc, UC_HOOK_MEM_INVALID, fn, 1n, 0n);
    },
    hookCode(uc, cb, begin, end) {
      const fn = koffi.register(
        (_u: unknown, address: number | bigint, size: number) => cb(BigInt(address), size),
        koffi.pointer(CodeProto));
      return addHook(uc, UC_HOOK_CODE, fn, begin, end);
    },
    codeCallback: (cb) => koffi.register(
      (_u: unknown, address: number | bigint, size: number) => cb(BigInt(address), size), koffi.pointer(CodeProto)),
    memCallback: (cb) => koffi.register(
      (_u: unknown, t: number, address: number | bigint, size: number, value: number | bigint) => {
        cb(t, BigInt(address), size, BigInt(value));
        return true;
      }, koffi.pointer(MemProto)),
    hookAdd: (uc, type, callback, begin, end) => addHook(uc, type, callback as Koffi.IKoffiRegisteredCallback, begin, end),
    hookDel: (uc, hh) => ucHookDel(uc, hh) as number,
    version() {
      const v = ucVersion(null, null) as number;
      return `${(v >> 24) & 0xff}.${(v >> 16) & 0xff}.${(v >> 8) & 0xff}`;
    },
    engine: { version: '', path: '', source },
    icount: null,
  };
  lib.engine = { version: lib.version(), path: source === 'project' ? project! : mappedPath('libunicorn.so.2'), source };
  lib.icount = loadIcount();
  return lib;
}
