// /proc/sys: the sysctls a core-dump experiment reads and writes (fs/proc/proc_sysctl.c proc_sys_call_handler,
// kernel/sysctl.c _proc_do_string / __do_proc_dointvec / proc_dointvec_minmax with sysctl_writes_strict = 1,
// kernel/utsname_sysctl.c proc_do_uts_string, fs/coredump.c coredump_sysctls and fs/exec.c fs_exec_sysctls,
// kernel/pid.c pid_max, mm/mmap.c max_map_count; Linux v6.17). Source read: ColinIanKing/linux-next
// fs/coredump.c @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 and the v6.17 stable patch "coredump: fix
// core_pattern input validation" (upstream a779e27f24ae), whose context is v6.17's own code.
//
// A write changes k.sysctl at once, so the next core dump uses it, exactly as the --core-pattern & co. options
// would; every stored write is the tracepoint proc_sys_write (who, old and new value), which the report keeps.
import type { Kernel, Sysctl } from '../../kernel/kernel.ts';
import { EINVAL, ENOENT } from '../../kernel/errno.ts';
import { UTS } from '../../kernel/sys.ts';
import { CORENAME_MAX_SIZE, UNIX_PATH_MAX, nameContainsDotdot, coredumpLogLine } from '../corename.ts';
import { type ProcNode, type ProcFile, S_IFDIR, S_IFREG, DT_DIR, DT_REG } from './inode.ts';

const INT_MAX = 0x7fffffff;
/** include/uapi/linux/utsname.h __NEW_UTS_LEN + 1 */
const UTS_LEN = 65;
/** kernel/sysctl.c proc_get_long's TMPBUFLEN */
const TMPBUFLEN = 22;
/** kernel/pid.c: RESERVED_PIDS + 1 and PID_MAX_LIMIT (4M on 64-bit); the default for a machine with ≤ 32 CPUs */
const PID_MAX_MIN = 301, PID_MAX_LIMIT = 4 * 1024 * 1024, PID_MAX_DEFAULT = 0x8000;
/** include/linux/mm.h DEFAULT_MAX_MAP_COUNT: USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN */
export const DEFAULT_MAX_MAP_COUNT = 65530;

type IntHandler = { kind: 'int'; min?: number; max?: number; get: (s: Sysctl) => number; set: (s: Sysctl, v: number) => void };
type StrHandler = { kind: 'string'; maxlen: number; get: (s: Sysctl) => string; set?: (s: Sysctl, v: string) => void };

interface CtlTable {
  dir: 'kernel' | 'fs' | 'vm';
  procname: string;
  mode: number;
  handler: IntHandler | StrHandler;
  /** proc_dostring_coredump / proc_dointvec_minmax_coredump: what v6.17 checks after a *read* (see below) */
  coredump?: 'pattern' | 'suid';
}

/** The table, as the kernel registers it (register_sysctl_init of each subsystem's ctl_table). */
const SYSCTLS: CtlTable[] = [
  // fs/coredump.c coredump_sysctls
  { dir: 'kernel', procname: 'core_uses_pid', mode: 0o644,
    handler: { kind: 'int', get: (s) => s.coreUsesPidValue ?? (s.coreUsesPid ? 1 : 0),
      set: (s, v) => { s.coreUsesPidValue = v; s.coreUsesPid = v !== 0; } } },
  { dir: 'kernel', procname: 'core_pattern', mode: 0o644, coredump: 'pattern',
    handler: { kind: 'string', maxlen: CORENAME_MAX_SIZE, get: (s) => s.corePattern, set: (s, v) => { s.corePattern = v; } } },
  { dir: 'kernel', procname: 'core_pipe_limit', mode: 0o644,
    handler: { kind: 'int', min: 0, max: INT_MAX, get: (s) => s.corePipeLimit, set: (s, v) => { s.corePipeLimit = v; } } },
  // fs/exec.c fs_exec_sysctls
  { dir: 'fs', procname: 'suid_dumpable', mode: 0o644, coredump: 'suid',
    handler: { kind: 'int', min: 0, max: 2, get: (s) => s.suidDumpable, set: (s, v) => { s.suidDumpable = v as 0 | 1 | 2; } } },
  // kernel/utsname_sysctl.c uts_kern_table
  { dir: 'kernel', procname: 'hostname', mode: 0o644,
    handler: { kind: 'string', maxlen: UTS_LEN, get: (s) => s.hostname, set: (s, v) => { s.hostname = v; } } },
  { dir: 'kernel', procname: 'osrelease', mode: 0o444, handler: { kind: 'string', maxlen: UTS_LEN, get: () => UTS.release } },
  // kernel/pid.c pid_table
  { dir: 'kernel', procname: 'pid_max', mode: 0o644,
    handler: { kind: 'int', min: PID_MAX_MIN, max: PID_MAX_LIMIT, get: (s) => s.pidMax ?? PID_MAX_DEFAULT, set: (s, v) => { s.pidMax = v; } } },
  // mm/mmap.c mmap_table
  { dir: 'vm', procname: 'max_map_count', mode: 0o644,
    handler: { kind: 'int', min: 0, get: (s) => s.maxMapCount ?? DEFAULT_MAX_MAP_COUNT, set: (s, v) => { s.maxMapCount = v; } } },
];

/** The core-dump sysctls the report shows, by their sysctl(8) names. */
export const CORE_SYSCTLS = ['kernel.core_pattern', 'kernel.core_uses_pid', 'kernel.core_pipe_limit', 'fs.suid_dumpable'];

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A sysctl's value as reading its file shows it (without the newline), by its sysctl(8) name. */
export function sysctlValue(s: Sysctl, name: string): string | null {
  const t = SYSCTLS.find((e) => `${e.dir}.${e.procname}` === name);
  return t ? String(t.handler.get(s)) : null;
}

/** Lookup under /proc/sys: `rest` are the components after "sys". */
export function sysctlLookup(k: Kernel, rest: string[]): ProcNode | number {
  const path = ['/proc/sys', ...rest].join('/');
  const dir = (entries: () => { name: string; type: number }[]): ProcNode =>
    ({ kind: 'dir', path, mode: S_IFDIR | 0o555, uid: 0, gid: 0, sysctl: true, entries,
      lookup: (name) => sysctlLookup(k, [...rest, name]) });
  if (rest.length === 0) {
    return dir(() => [...new Set(SYSCTLS.map((t) => t.dir))].sort(byteOrder).map((name) => ({ name, type: DT_DIR })));
  }
  const tables = SYSCTLS.filter((t) => t.dir === rest[0]);
  if (tables.length === 0) return -ENOENT;
  if (rest.length === 1) return dir(() => tables.map((t) => t.procname).sort(byteOrder).map((name) => ({ name, type: DT_REG })));
  const t = tables.find((e) => e.procname === rest[1]);
  if (!t || rest.length > 2) return -ENOENT;
  const file: ProcFile = {
    kind: 'file', path, mode: S_IFREG | t.mode, uid: 0, gid: 0, sysctl: true,
    read: (pos, len) => sysctlRead(k, t, pos, len),
    write: (data, pos) => sysctlWrite(k, t, data, pos),
  };
  return file;
}

// ---- reads -------------------------------------------------------------------------------------------------

/** proc_sys_call_handler(write = 0): the handler fills at most len bytes from *ppos. */
function sysctlRead(k: Kernel, t: CtlTable, pos: bigint, len: number): Buffer | number {
  if (len === 0) return Buffer.alloc(0);
  const h = t.handler;
  let out: Buffer;
  if (h.kind === 'string') {
    // _proc_do_string (read): the data from *ppos, then a newline if it fits
    const data = Buffer.from(h.get(k.sysctl)).subarray(0, h.maxlen);
    if (pos > BigInt(data.length)) return Buffer.alloc(0);
    const part = data.subarray(Number(pos), Number(pos) + len);
    out = part.length < len ? Buffer.concat([part, Buffer.from('\n')]) : part;
  } else {
    // __do_proc_dointvec (read): nothing at all once *ppos is not 0, so a value is read in one go
    if (pos !== 0n) return Buffer.alloc(0);
    out = Buffer.from(`${h.get(k.sysctl)}\n`).subarray(0, len);
  }
  const err = coredumpChecksAfter(k, t, false);
  return err < 0 ? err : out;
}

/**
 * v6.17's proc_dostring_coredump and proc_dointvec_minmax_coredump run their checks after a READ, not a write:
 * be1e0283021e ("coredump: don't pointlessly check and spew warnings", v6.17-rc3) meant to skip them on reads
 * but inverted the test (`if (write) return proc_dostring(...)`, `if (!error && !write) validate_...`); the fix
 * a779e27f24ae reached v6.18-rc2 and 6.17.5. So in v6.17 a write of "@relative" is stored, and the next read of
 * core_pattern fails with EINVAL (check_coredump_socket: the "old" pattern it restores is the same one); and the
 * fs.suid_dumpable=2 warning is logged when either file is read while the pair is unsafe, by the reader.
 */
function coredumpChecksAfter(k: Kernel, t: CtlTable, write: boolean): number {
  if (!t.coredump || write) return 0;
  if (t.coredump === 'pattern' && !checkCoredumpSocket(k.sysctl.corePattern)) return -EINVAL;
  validateCoredumpSafety(k);
  return 0;
}

/** fs/coredump.c check_coredump_socket (the caller is always in the initial mount namespace here). */
function checkCoredumpSocket(p: string): boolean {
  if (p[0] !== '@') return true;
  let path: string;
  if (p[1] !== '/') {
    if (p[1] !== '@' || p[2] !== '/') return false;
    path = p.slice(2);
  } else path = p.slice(1);
  if (Buffer.byteLength(path) >= UNIX_PATH_MAX) return false;
  return !nameContainsDotdot(p);
}

/** fs/coredump.c validate_coredump_safety: coredump_report_failure (KERN_WARNING, "coredump: pid(comm): …"). */
function validateCoredumpSafety(k: Kernel): void {
  const s = k.sysctl;
  if (s.suidDumpable === 2 && !['/', '|', '@'].includes(s.corePattern[0])) {
    k.printk(coredumpLogLine(k.task.pid, k.task.comm, 'Unsafe core_pattern used with fs.suid_dumpable=2: ' +
      'pipe handler or fully qualified core dump path required. Set kernel.core_pattern before fs.suid_dumpable.'));
  }
}

// ---- writes ------------------------------------------------------------------------------------------------

/** proc_sys_call_handler(write = 1): the bytes consumed (the new position is pos + them), or -errno. */
function sysctlWrite(k: Kernel, t: CtlTable, data: Buffer, pos: bigint): number {
  const h = t.handler;
  if (h.kind === 'string') {
    if (!h.set) return -EINVAL; // a 0444 entry cannot be opened for writing (test_perm); never reached
    const old = h.get(k.sysctl);
    const next = doStringWrite(old, h.maxlen, data, pos);
    if (next !== null) store(k, t, old, next, () => h.set!(k.sysctl, next));
    return data.length;
  }
  const r = doIntvecWrite(data, pos);
  if (typeof r === 'number') return r;
  if (r.value !== null) {
    const v = r.value;
    if ((h.min !== undefined && v < h.min) || (h.max !== undefined && v > h.max)) return -EINVAL;
    const old = h.get(k.sysctl);
    store(k, t, String(old), String(v), () => h.set(k.sysctl, v));
  }
  return r.consumed;
}

function store(k: Kernel, t: CtlTable, old: string, next: string, apply: () => void): void {
  apply();
  k.trace('proc_sys_write', { sysctl: `${t.dir}.${t.procname}`, old, new: next, pid: k.task.pid, comm: k.task.comm });
}

/**
 * _proc_do_string (write, SYSCTL_WRITES_STRICT): a write continues the string at *ppos (a write past its end is
 * ignored, yet reported as done), copies bytes until a NUL or a newline, at most maxlen - 1 in all — a longer
 * value is silently truncated, never rejected — and ends the string there. null: nothing stored.
 */
export function doStringWrite(old: string, maxlen: number, data: Buffer, pos: bigint): string | null {
  const cur = Buffer.from(old);
  const len = Math.min(cur.length, maxlen - 1);
  if (pos > BigInt(len)) return null;
  const out = Buffer.alloc(maxlen);
  cur.copy(out, 0, 0, Number(pos));
  let n = Number(pos);
  for (let i = 0; i < data.length && n < maxlen - 1; i++) {
    if (data[i] === 0 || data[i] === 0x0a) break;
    out[n++] = data[i];
  }
  return out.subarray(0, n).toString('utf8');
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * __do_proc_dointvec (write) for one int: a write at a non-zero position is ignored (strict mode, reported as
 * done); otherwise skip spaces, proc_get_long (an optional '-', digits in base 0 — 0x… hex, 0… octal — followed
 * by the end or one of " \t\n", at most 21 characters), do_proc_dointvec_conv's range, then the trailing spaces.
 * Returns the bytes consumed (what write(2) returns) and the value, or -EINVAL.
 */
export function doIntvecWrite(data: Buffer, pos: bigint): { value: number | null; consumed: number } | number {
  if (pos !== 0n) return { value: null, consumed: data.length };
  let left = Math.min(data.length, 4095); // PAGE_SIZE - 1
  let p = 0;
  while (left > 0 && isSpace(data[p])) { p++; left--; }
  if (left === 0) return -EINVAL; // nothing parsed: `first` is still set
  const tmp = data.subarray(p, p + Math.min(left, TMPBUFLEN - 1)).toString('latin1');
  const neg = tmp[0] === '-' && left > 1;
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(neg ? tmp.slice(1) : tmp);
  if (!m) return -EINVAL;
  const len = m[1].length + (neg ? 1 : 0);
  if (len === TMPBUFLEN - 1) return -EINVAL;
  if (len < left && !' \t\n'.includes(tmp[len] ?? '\0')) return -EINVAL;
  const lval = BigInt(m[1].length > 1 && m[1][0] === '0' && !/[xX]/.test(m[1]) ? `0o${m[1].slice(1)}` : m[1]);
  if (lval > 0xffffffffffffffffn) return -EINVAL; // strtoul_lenient overflow
  if (neg ? lval > BigInt(INT_MAX) + 1n : lval > BigInt(INT_MAX)) return -EINVAL;
  p += len;
  left -= len;
  while (left > 0 && isSpace(data[p])) { p++; left--; }
  return { value: neg ? -Number(lval) : Number(lval), consumed: data.length - left };
}
