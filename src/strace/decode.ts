// How strace prints syscall arguments and results on arm64 (strace 6.x defaults: -s 32, -e abbrev=all):
// strings quoted and escaped, flags by name, fds and signals by name, errors as `-1 ENOENT (No such file or
// directory)`. Constants are the arm64 uapi values (asm-generic, arm64's own fcntl.h for O_*).
import * as errno from '../kernel/errno.ts';
import { signalName } from '../kernel/sigdefs.ts';

/** One argument's printer; `a` are all arguments, `mem` reads guest memory (null when unmapped). */
export type Mem = (addr: bigint, len: number) => Buffer | null;

const hex = (v: bigint) => `0x${v.toString(16)}`;
const s32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const s64 = (v: bigint) => BigInt.asIntN(64, v);

export const STRING_LIMIT = 32;

/** strace's quoting: \n \t \r \v \f \\ \" escaped, other non-printables as octal; `...` when cut at limit. */
export function quote(b: Buffer, limit = STRING_LIMIT, more = false): string {
  let out = '"';
  const n = Math.min(b.length, limit);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    const esc: Record<number, string> = { 10: '\\n', 9: '\\t', 13: '\\r', 11: '\\v', 12: '\\f', 92: '\\\\', 34: '\\"' };
    if (esc[c]) out += esc[c];
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else {
      const next = i + 1 < n ? b[i + 1] : -1;
      out += next >= 0x30 && next <= 0x37 ? `\\${c.toString(8).padStart(3, '0')}` : `\\${c.toString(8)}`;
    }
  }
  return `${out}"${b.length > limit || more ? '...' : ''}`;
}

/** A NUL-terminated guest string. */
export function cString(mem: Mem, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  const chunks: Buffer[] = [];
  for (let a = addr, total = 0; total <= STRING_LIMIT; a += 16n, total += 16) {
    const b = mem(a, 16) ?? mem(a, 1);
    if (!b) return chunks.length ? quote(Buffer.concat(chunks), STRING_LIMIT, true) : hex(addr);
    const z = b.indexOf(0);
    if (z >= 0) return quote(Buffer.concat([...chunks, b.subarray(0, z)]));
    chunks.push(b);
  }
  return quote(Buffer.concat(chunks));
}

export function buffer(mem: Mem, addr: bigint, len: bigint): string {
  if (len <= 0n) return '""';
  const n = Number(len > BigInt(STRING_LIMIT) ? BigInt(STRING_LIMIT) : len);
  const b = mem(addr, n);
  return b ? quote(b, STRING_LIMIT, len > BigInt(STRING_LIMIT)) : hex(addr);
}

function flags(v: number, names: [number, string][], zero = '0'): string {
  const out: string[] = [];
  let rest = v;
  for (const [bit, name] of names) {
    if (bit !== 0 && (rest & bit) === bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${(rest >>> 0).toString(16)}`);
  return out.length ? out.join('|') : zero;
}

const O_FLAGS: [number, string][] = [[0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'], [0o4000, 'O_NONBLOCK'], [0o4010000, 'O_SYNC'], [0o10000, 'O_DSYNC'], [0o40000, 'O_DIRECTORY'],
  [0o100000, 'O_NOFOLLOW'], [0o200000, 'O_DIRECT'], [0o400000, 'O_LARGEFILE'], [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH']];
export function openFlags(v: bigint): string {
  const n = Number(v & 0xffffffffn);
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '0x3'][n & 3];
  const rest = flags(n & ~3, O_FLAGS, '');
  return rest ? `${acc}|${rest}` : acc;
}

export const prot = (v: bigint) => flags(Number(v), [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC'], [0x10, 'PROT_BTI'],
  [0x20, 'PROT_MTE'], [0x01000000, 'PROT_GROWSDOWN'], [0x02000000, 'PROT_GROWSUP']], 'PROT_NONE');

export function mapFlags(v: bigint): string {
  const n = Number(v);
  const type = ['0', 'MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE'][n & 3] ?? hex(BigInt(n & 0xf));
  const rest = flags(n & ~0xf, [[0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'], [0x100, 'MAP_GROWSDOWN'],
    [0x800, 'MAP_DENYWRITE'], [0x1000, 'MAP_EXECUTABLE'], [0x2000, 'MAP_LOCKED'], [0x4000, 'MAP_NORESERVE'],
    [0x8000, 'MAP_POPULATE'], [0x10000, 'MAP_NONBLOCK'], [0x20000, 'MAP_STACK'], [0x40000, 'MAP_HUGETLB'],
    [0x100000, 'MAP_FIXED_NOREPLACE']], '');
  return rest ? `${type}|${rest}` : type;
}

export const dirfd = (v: bigint) => (s32(v) === -100 ? 'AT_FDCWD' : String(s32(v)));
export const atFlags = (v: bigint) => flags(Number(v), [[0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'],
  [0x400, 'AT_SYMLINK_FOLLOW'], [0x800, 'AT_NO_AUTOMOUNT'], [0x1000, 'AT_EMPTY_PATH']]);
export const sig = (v: bigint) => {
  const n = s32(v);
  return n > 0 && n < 65 ? signalName(n).replace(/^SIGRTMIN\+?/, (m) => (m === 'SIGRTMIN' ? 'SIGRTMIN' : 'SIGRT_')) : String(n);
};
export const how = (v: bigint) => ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'][Number(v)] ?? String(s32(v));
export const clock = (v: bigint) => ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW', 'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME'][Number(v)] ?? String(s32(v));
export const rlimit = (v: bigint) => ['RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS',
  'RLIMIT_NPROC', 'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME'][Number(v)] ?? String(s32(v));
export const whence = (v: bigint) => ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][Number(v)] ?? String(s32(v));
export const itimer = (v: bigint) => ['ITIMER_REAL', 'ITIMER_VIRTUAL', 'ITIMER_PROF'][Number(v)] ?? String(s32(v));
export const grnd = (v: bigint) => flags(Number(v), [[1, 'GRND_NONBLOCK'], [2, 'GRND_RANDOM'], [4, 'GRND_INSECURE']]);
export const ptr = (v: bigint) => (v === 0n ? 'NULL' : hex(v));
export const int = (v: bigint) => String(s32(v));
export const long = (v: bigint) => String(s64(v));
export const ulong = (v: bigint) => String(BigInt.asUintN(64, v));
export const octal = (v: bigint) => `0${(Number(v) & 0o7777).toString(8)}`;
export { hex };

/** errno number → name (the first name of a number: EAGAIN, not EWOULDBLOCK). */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(errno)) {
  if (typeof value === 'number' && /^E[A-Z0-9_]+$/.test(name) && !ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name);
}

/** strace's text for the kernel-internal restart codes, which only a tracer sees */
const RESTART: Record<number, string> = {
  512: 'ERESTARTSYS (To be restarted if SA_RESTART is set)', 513: 'ERESTARTNOINTR (To be restarted)',
  514: 'ERESTARTNOHAND (To be restarted if no handler)', 516: 'ERESTART_RESTARTBLOCK (Interrupted by signal)',
};

/** `= 3`, `= 0x7f0000`, `= -1 ENOENT (No such file or directory)`, `= ? ERESTARTSYS (…)` */
export function result(ret: bigint, asHex: boolean, strerror: (n: number) => string): string {
  const r = s64(ret);
  if (r < 0n && r >= -4095n) {
    const n = Number(-r);
    if (RESTART[n]) return `? ${RESTART[n]}`;
    const name = ERRNO_NAMES.get(n);
    return name ? `-1 ${name} (${strerror(n)})` : `-1 ERRNO_${n} (${strerror(n)})`;
  }
  return asHex ? hex(BigInt.asUintN(64, ret)) : String(r);
}

/** strace's sigset: `[SEGV USR1]`, or `~[KILL STOP]` when most signals are in it */
export function sigset(mem: Mem, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  const b = mem(addr, 8);
  if (!b) return hex(addr);
  const set = b.readBigUInt64LE(0);
  const bits = Array.from({ length: 64 }, (_, i) => ((set >> BigInt(i)) & 1n) === 1n);
  const inverted = bits.filter(Boolean).length > 32;
  const names = bits.map((on, i) => (on !== inverted ? sig(BigInt(i + 1)).replace(/^SIG/, '') : null)).filter((n) => n !== null);
  return `${inverted ? '~' : ''}[${names.join(' ')}]`;
}

const SA_FLAGS: [number, string][] = [[0x04000000, 'SA_RESTORER'], [0x08000000, 'SA_ONSTACK'], [0x10000000, 'SA_RESTART'],
  [0x40000000, 'SA_NODEFER'], [0x80000000, 'SA_RESETHAND'], [1, 'SA_NOCLDSTOP'], [2, 'SA_NOCLDWAIT'], [4, 'SA_SIGINFO']];

/** struct sigaction (arm64 kernel layout: handler, flags, restorer, mask) */
export function sigaction(mem: Mem, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  const b = mem(addr, 32);
  if (!b) return hex(addr);
  const handler = b.readBigUInt64LE(0);
  const fl = Number(b.readBigUInt64LE(8) & 0xffffffffn);
  const h = handler === 0n ? 'SIG_DFL' : handler === 1n ? 'SIG_IGN' : hex(handler);
  const restorer = fl & 0x04000000 ? `, sa_restorer=${hex(b.readBigUInt64LE(16))}` : '';
  return `{sa_handler=${h}, sa_mask=${sigset(mem, addr + 24n)}, sa_flags=${flags(fl >>> 0, SA_FLAGS)}${restorer}}`;
}

/** struct timespec */
export function timespec(mem: Mem, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  const b = mem(addr, 16);
  return b ? `{tv_sec=${b.readBigInt64LE(0)}, tv_nsec=${b.readBigInt64LE(8)}}` : hex(addr);
}
