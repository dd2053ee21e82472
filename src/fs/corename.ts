// Mirrors coredump_parse / cn_esc_printf / proc_dostring_coredump of Linux v6.17 fs/coredump.c.
// Source read: ColinIanKing/linux-next fs/coredump.c @ 202bb2e8e4f228aa2f857669439bd0876c7a50d5 (≈v6.17),
// kernel/sysctl.c @ 45f6cf1b30aef6c3c4cacc902cdf8df7a95f75db (_proc_do_string), include/linux/coredump.h
// (__COREDUMP_PRINTK), include/linux/binfmts.h (CORENAME_MAX_SIZE 128), include/linux/fs.h
// (name_contains_dotdot).

/** Everything the core-dump decision needs; all deterministic inputs (DESIGN.md §3 "Determinism"). */
export interface CoredumpParams {
  signo: number; pid: number; tid: number; uid: number; gid: number; fsuid: number;
  comm: string; exePath: string | null /* guest path */; hostname: string; time: bigint /* seconds */; cpu: number;
  dumpable: 0 | 1 | 2; corePattern: string; coreUsesPid: boolean; corePipeLimit: number; pipeDumpsInFlight: number;
  rlimitCore: bigint /* RLIM_INFINITY = 0xffffffffffffffffn */; cwd: string /* guest path */;
  groupExiting?: boolean;
}

/**
 * The expanded core_pattern. `path` is the corename exactly as the kernel hands it to filp_open (file mode,
 * relative to the guest cwd unless absolute) or the socket path (socket mode); `argv` is the helper's argv.
 */
export interface Corename {
  kind: 'file' | 'pipe' | 'socket';
  path?: string;
  argv?: string[];
  /** pipe mode with %F: the helper gets a pidfd of the crashing process as fd 3 (cprm->pid set). */
  pidfd?: boolean;
  /** socket mode `@@path`: the coredump_req/coredump_ack protocol (COREDUMP_SOCK_REQ). */
  requestAck?: boolean;
}

export const CORENAME_MAX_SIZE = 128;
export { RLIM_INFINITY } from '../kernel/task.ts';
/** include/uapi/linux/un.h: sizeof(sun_path). */
export const UNIX_PATH_MAX = 108;
/** fs/coredump.c: fd number of the pidfd installed in the helper for %F. */
export const COREDUMP_PIDFD_NUMBER = 3;

/** coredump_parse's result: a target, or failure with the messages coredump_parse itself logged. */
export type CoredumpParseResult =
  | { ok: true; cn: Corename }
  | { ok: false; messages: string[]; why: string };

/** The kernel's isspace() for the ASCII range (lib/ctype.c marks \t \n \v \f \r and space as _S). */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/**
 * cn_esc_printf's rules for one expansion (%h %e %f %E): an expansion that is exactly "." or ".." gets
 * its first character replaced by '!', an empty one becomes "!", then every '/' becomes '!'.
 */
export function cnEscape(s: string): string {
  let out = s;
  if (out === '.' || out === '..') out = '!' + out.slice(1);
  if (out === '') out = '!';
  return out.replaceAll('/', '!');
}

/** cn_print_exe_file: d_path of the exe (or its basename); no exe → "<comm> (path unknown)". */
function cnPrintExeFile(p: CoredumpParams, nameOnly: boolean): string {
  if (p.exePath === null) return cnEscape(`${p.comm} (path unknown)`);
  let path = p.exePath;
  if (nameOnly) {
    const slash = path.lastIndexOf('/');
    if (slash >= 0) path = path.slice(slash + 1);
  }
  return cnEscape(path);
}

/** Unsigned decimal of a 64-bit value, as "%lu" prints rlimit(RLIMIT_CORE). */
function u64(v: bigint): string {
  return BigInt.asUintN(64, v).toString();
}

/**
 * coredump_parse: select the mode by the first character, then expand the pattern.
 * In pipe mode the pattern is split on whitespace BEFORE expansion, so an expansion containing spaces
 * (%e, %E, %h) stays one argument. Whitespace only separates once something has been output
 * (`cn->used != 0`), so leading whitespace — and whitespace after expansions that produced nothing
 * while nothing else was output yet — is swallowed.
 */
export function coredumpParse(p: CoredumpParams): CoredumpParseResult {
  const pat = p.corePattern;
  const first = pat.charAt(0);
  if (first === '@') return parseSocket(pat);
  const pipe = first === '|';
  let i = pipe ? 1 : 0;
  if (pipe && i >= pat.length) return { ok: false, messages: [], why: 'the pipe command after "|" is empty' };

  const args: string[] = [''];
  let used = 0; // bytes output so far, the NUL separators included (cn->used)
  let wasSpace = false;
  let pidInPattern = false;
  let pidfd = false;
  const emit = (s: string): void => {
    args[args.length - 1] += s;
    used += s.length;
  };

  while (i < pat.length) {
    const c = pat[i];
    if (pipe) {
      if (isSpace(c)) {
        if (used !== 0) wasSpace = true;
        i++;
        continue;
      } else if (wasSpace) {
        wasSpace = false;
        args.push('');
        used++; // the '\0' between arguments
      }
    }
    if (c !== '%') {
      emit(c);
      i++;
      continue;
    }
    const spec = pat.charAt(++i);
    if (spec === '') break; // single % at the end: dropped ("goto out", core_uses_pid still applies)
    switch (spec) {
      case '%': emit('%'); break;
      case 'p': pidInPattern = true; emit(String(p.pid)); break;
      // DIVERGENCE: the emulator has a single PID namespace, so %P == %p and %I == %i.
      case 'P': emit(String(p.pid)); break;
      case 'i': emit(String(p.tid)); break;
      case 'I': emit(String(p.tid)); break;
      case 'u': emit(String(p.uid >>> 0)); break;
      case 'g': emit(String(p.gid >>> 0)); break;
      case 'd': emit(String(p.dumpable)); break;
      case 's': emit(String(p.signo)); break;
      case 't': emit(p.time.toString()); break;
      case 'h': emit(cnEscape(p.hostname)); break;
      case 'e': emit(cnEscape(p.comm)); break;
      case 'f': emit(cnPrintExeFile(p, true)); break;
      case 'E': emit(cnPrintExeFile(p, false)); break;
      case 'c': emit(u64(p.rlimitCore)); break;
      case 'C': emit(String(p.cpu)); break;
      case 'F':
        // A pidfd only makes sense for a usermode helper; in file mode %F expands to nothing.
        if (pipe) {
          pidfd = true;
          emit(String(COREDUMP_PIDFD_NUMBER));
        }
        break;
      default: break; // unknown specifier: both characters dropped
    }
    i++;
  }

  if (pipe) {
    const cn: Corename = { kind: 'pipe', argv: args };
    if (pidfd) cn.pidfd = true;
    return { ok: true, cn };
  }
  // core_uses_pid: file mode only, and only when the pattern has no %p.
  let path = args[0];
  if (!pidInPattern && p.coreUsesPid) path += `.${p.pid}`;
  return { ok: true, cn: { kind: 'file', path } };
}

/** include/linux/fs.h name_contains_dotdot: ".." as a whole path component. */
export function nameContainsDotdot(name: string): boolean {
  return name === '..' || name.startsWith('../') || name.includes('/../') || name.endsWith('/..');
}

/** The COREDUMP_SOCK branch of coredump_parse: no %-expansion, absolute, no spaces, no "..", < 108 bytes. */
function parseSocket(pat: string): CoredumpParseResult {
  let rest = pat.slice(1);
  let requestAck = false;
  if (rest === '') return { ok: false, messages: [], why: 'the socket path after "@" is empty' };
  if (rest.startsWith('@')) {
    rest = rest.slice(1);
    if (rest === '') return { ok: false, messages: [], why: 'the socket path after "@@" is empty' };
    requestAck = true;
  }
  if (!rest.startsWith('/')) return { ok: false, messages: [], why: `the socket path ${rest} is not absolute` };
  if (rest.includes(' ')) {
    return { ok: false, messages: [`Coredump socket may not ${rest} contain spaces`], why: `the socket path ${rest} contains spaces` };
  }
  if (nameContainsDotdot(rest)) {
    // The kernel's message really says "contain '..' spaces".
    return { ok: false, messages: [`Coredump socket may not ${rest} contain '..' spaces`], why: `the socket path ${rest} contains ".."` };
  }
  if (Buffer.byteLength(rest) >= UNIX_PATH_MAX) {
    return { ok: false, messages: [`Coredump socket path ${rest} too long`], why: `the socket path ${rest} is ${Buffer.byteLength(rest)} bytes (limit ${UNIX_PATH_MAX - 1})` };
  }
  const cn: Corename = { kind: 'socket', path: rest };
  if (requestAck) cn.requestAck = true;
  return { ok: true, cn };
}

/** format_corename (the old name of coredump_parse): the target, or why the kernel would abort the core. */
export function formatCorename(p: CoredumpParams): Corename | { error: string } {
  const r = coredumpParse(p);
  return r.ok ? r.cn : { error: `format_corename failed: ${r.why}` };
}

/**
 * printk's %pE with no flags (ESCAPE_ANY_NP): only non-printable bytes are escaped —
 * \t \n \v \f \r \a \e by name, NUL as \0, the rest as 3-digit octal. Used for comm in log lines.
 */
function escapeNonPrintable(s: string): string {
  const named: Record<number, string> = { 7: '\\a', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 0: '\\0' };
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    // lib/ctype.c: 0x20–0x7e and 0xa0–0xff (Latin-1) are printable.
    if ((b >= 0x20 && b <= 0x7e) || b >= 0xa0) out += String.fromCharCode(b);
    else out += named[b] ?? '\\' + b.toString(8).padStart(3, '0');
  }
  // Bytes ≥ 0xa0 were copied one by one; reassemble them as UTF-8 text for display.
  return Buffer.from(out, 'latin1').toString('utf8');
}

/** TASK_COMM_LEN is 16: comm holds at most 15 bytes. */
function commOf(comm: string): string {
  const b = Buffer.from(comm, 'utf8');
  return b.length <= 15 ? comm : b.subarray(0, 15).toString('utf8');
}

/** __COREDUMP_PRINTK: "coredump: <tgid>(<comm>): <message>" (KERN_WARNING, ratelimited). */
export function coredumpLogLine(pid: number, comm: string, message: string): string {
  return `coredump: ${pid}(${escapeNonPrintable(commOf(comm))}): ${message}`;
}

export type CorePatternWrite =
  | { ok: true; value: string; truncated: boolean; warning: string | null }
  | { ok: false; error: 'EINVAL'; reason: string };

/**
 * What writing `value` to /proc/sys/kernel/core_pattern (sysctl -w, at file position 0) does.
 * _proc_do_string copies bytes until NUL or '\n' and at most CORENAME_MAX_SIZE - 1 = 127 bytes:
 * a longer pattern is silently TRUNCATED, not rejected. Only check_coredump_socket rejects (EINVAL,
 * old value kept): "@" patterns that are not absolute, have a path ≥ 108 bytes or contain "..".
 * validate_coredump_safety then warns (but accepts) a relative file pattern with fs.suid_dumpable=2.
 */
export function validateCorePattern(value: string, suidDumpable: 0 | 1 | 2 = 0): CorePatternWrite {
  let bytes = Buffer.from(value, 'utf8');
  const stop = bytes.findIndex((b) => b === 0 || b === 0x0a);
  if (stop >= 0) bytes = bytes.subarray(0, stop);
  const truncated = bytes.length > CORENAME_MAX_SIZE - 1;
  if (truncated) bytes = bytes.subarray(0, CORENAME_MAX_SIZE - 1);
  const pat = bytes.toString('utf8');

  if (pat.startsWith('@')) {
    // The kernel also requires the writer to be in the initial mount namespace; the CLI always is.
    let path: string;
    if (pat.charAt(1) === '/') path = pat.slice(1);
    else if (pat.charAt(1) === '@' && pat.charAt(2) === '/') path = pat.slice(2);
    else return { ok: false, error: 'EINVAL', reason: `core_pattern ${JSON.stringify(pat)}: a coredump socket must be "@/absolute/path" or "@@/absolute/path"` };
    if (Buffer.byteLength(path) >= UNIX_PATH_MAX) {
      return { ok: false, error: 'EINVAL', reason: `core_pattern ${JSON.stringify(pat)}: the socket path is ${Buffer.byteLength(path)} bytes, at most ${UNIX_PATH_MAX - 1} fit in sun_path` };
    }
    if (nameContainsDotdot(pat)) {
      return { ok: false, error: 'EINVAL', reason: `core_pattern ${JSON.stringify(pat)}: a coredump socket path may not contain ".."` };
    }
  }
  const unsafe = suidDumpable === 2 && !['/', '|', '@'].includes(pat.charAt(0));
  const warning = unsafe
    ? 'Unsafe core_pattern used with fs.suid_dumpable=2: pipe handler or fully qualified core dump path required. Set kernel.core_pattern before fs.suid_dumpable.'
    : null;
  return { ok: true, value: pat, truncated, warning };
}
