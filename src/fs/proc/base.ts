// Mirrors fs/proc/base.c (and fd.c) of Linux v6.17: the /proc/PID and /proc/PID/task/TID directories
// (tgid_base_stuff, tid_base_stuff), their files (cmdline, environ, auxv, limits, comm, coredump_filter) and links
// (cwd, root, exe, fd/N). Source read: ColinIanKing/linux-next fs/proc/base.c @
// 39efa92f9e5fceb44edef5536c58e3750b9d638d. The entries are the kernel's, in its order; those we do not
// model (mem, mounts, smaps, ns/, oom_*, …) are absent (DIVERGENCE, README).
import { dPath } from '../d_path.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Task } from '../../kernel/task.ts';
import { RLIM_INFINITY } from '../../kernel/task.ts';
import { EINVAL, ENOENT, ERANGE, EACCES } from '../../kernel/errno.ts';
import { copyFromUser } from '../../mm/uaccess.ts';
import { doTaskStat, procPidStatus, threadGroup } from './array.ts';
import { procPidMaps, taskStatm } from './task_mmu.ts';
import {
  type ProcNode, type ProcDir, S_IFDIR, S_IFREG, S_IFLNK, DT_DIR, DT_LNK, dumpOwner, dtype, seqRead,
} from './inode.ts';

/** A node without the fields every entry gets from its table row and its task (path, mode, owner). */
type Part<N> = N extends ProcNode ? Omit<N, 'path' | 'uid' | 'gid' | 'mode'> : never;
type EntryPart = Part<ProcNode>;

interface PidEntry {
  name: string;
  mode: number;
  /** what the entry is, for task t reached as `path` */
  make: (k: Kernel, t: Task, path: string) => EntryPart;
}

const REG = S_IFREG, DIR = S_IFDIR, LNK = S_IFLNK | 0o777;
const seq = (show: (k: Kernel, t: Task) => string | Buffer): PidEntry['make'] => (k, t) =>
  ({ kind: 'file', read: seqRead(() => show(k, t)) });
const link = (target: (k: Kernel, t: Task) => string | number): PidEntry['make'] => (k, t) =>
  ({ kind: 'link', target: () => (linkAllowed(k, t) ? target(k, t) : -EACCES) });

/** tgid_base_stuff, in order, the entries we model. */
const TGID_BASE: PidEntry[] = [
  { name: 'task', mode: DIR | 0o555, make: (k, t, path) => taskDir(k, t, path) },
  { name: 'fd', mode: DIR | 0o500, make: (k, t, path) => fdDir(k, t, path) },
  { name: 'environ', mode: REG | 0o400, make: seq((k, t) => mmRange(t, t.mm.envStart, t.mm.envEnd)) },
  { name: 'auxv', mode: REG | 0o400, make: seq((k, t) => (t.exitState ? Buffer.alloc(0) : savedAuxv(t))) },
  { name: 'status', mode: REG | 0o444, make: seq(procPidStatus) },
  { name: 'limits', mode: REG | 0o444, make: seq((k, t) => procPidLimits(t)) },
  { name: 'comm', mode: REG | 0o644, make: (k, t) => commFile(k, t) },
  { name: 'cmdline', mode: REG | 0o444, make: seq((k, t) => getMmCmdline(t)) },
  { name: 'stat', mode: REG | 0o444, make: seq((k, t) => doTaskStat(k, t, true)) },
  { name: 'statm', mode: REG | 0o444, make: seq((k, t) => (t.exitState ? '0 0 0 0 0 0 0\n' : taskStatm(t.mm, { start: t.mm.startCode, end: t.mm.endCode }))) },
  { name: 'maps', mode: REG | 0o444, make: seq((k, t) => (t.exitState ? '' : procPidMaps(t.mm))) },
  { name: 'cwd', mode: LNK, make: link((k, t) => (t.exitState ? -ENOENT : t.cwd)) },
  { name: 'root', mode: LNK, make: link((k, t) => (t.exitState ? -ENOENT : '/')) },
  { name: 'exe', mode: LNK, make: link((k, t) => (t.exitState ? -ENOENT : t.exePath)) },
  { name: 'coredump_filter', mode: REG | 0o644, make: (k, t) => coredumpFilterFile(t) },
];

/** tid_base_stuff: the same files for one thread, without task/ and coredump_filter; stat is the thread's own. */
const TID_BASE: PidEntry[] = TGID_BASE.filter((e) => e.name !== 'task' && e.name !== 'coredump_filter')
  .map((e) => (e.name === 'stat' ? { ...e, make: seq((k, t) => doTaskStat(k, t, false)) } : e));

/** /proc/PID (tgid) or /proc/PID/task/TID (tid): a directory of the entries for task t. */
export function pidDir(k: Kernel, t: Task, path: string, tid = false): ProcDir {
  const table = tid ? TID_BASE : TGID_BASE;
  const mode = S_IFDIR | 0o555;
  return {
    kind: 'dir', path, mode, ...dumpOwner(t, mode),
    entries: () => table.map((e) => ({ name: e.name, type: dtype(e.mode) })),
    lookup: (name) => {
      const e = table.find((x) => x.name === name);
      if (!e) return -ENOENT;
      return { ...e.make(k, t, `${path}/${name}`), path: `${path}/${name}`, mode: e.mode, ...dumpOwner(t, e.mode) } as ProcNode;
    },
  };
}

/** /proc/PID/task: the threads of the group, in thread-list order. */
function taskDir(k: Kernel, t: Task, path: string): Omit<ProcDir, 'path' | 'uid' | 'gid' | 'mode'> {
  return {
    kind: 'dir',
    entries: () => threadGroup(k, t).map((x) => ({ name: String(x.tid), type: DT_DIR })),
    lookup: (name) => {
      const x = threadGroup(k, t).find((y) => String(y.tid) === name);
      return x ? pidDir(k, x, `${path}/${name}`, true) : -ENOENT;
    },
  };
}

/**
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS), as proc_fd_access_allowed asks it for the links: the own thread
 * group always; root; otherwise the same uids and gids and a dumpable mm.
 */
export function linkAllowed(k: Kernel, t: Task): boolean {
  const c = k.task;
  if (c.signal === t.signal || c.euid === 0) return true;
  const ids = [t.uid, t.euid, t.suid].every((u) => u === c.fsuid) && [t.gid, t.egid, t.sgid].every((g) => g === c.fsgid);
  return ids && t.dumpable === 1;
}

/** /proc/PID/fd: one link per open descriptor, ascending; each links to what d_path prints for the file. */
function fdDir(k: Kernel, t: Task, path: string): Omit<ProcDir, 'path' | 'uid' | 'gid' | 'mode'> {
  const open = (): number[] => t.files.fds.flatMap((f, i) => (f ? [i] : []));
  return {
    kind: 'dir',
    entries: () => open().map((i) => ({ name: String(i), type: DT_LNK })),
    lookup: (name) => {
      const fd = /^(0|[1-9][0-9]*)$/.test(name) ? Number(name) : -1;
      const f = t.files.get(fd);
      if (!f) return -ENOENT;
      // tid_fd_update_inode: S_IFLNK with r-x / -wx for the owner by the file's f_mode
      const acc = f.flags & 3;
      const mode = S_IFLNK | (acc !== 1 ? 0o500 : 0) | (acc !== 0 ? 0o300 : 0);
      return {
        kind: 'link', path: `${path}/${name}`, mode, ...dumpOwner(t, mode), fd: { task: t, fd },
        // a stdio stream is a pipe to the emulator (fstat says S_IFIFO, inode 0)
        target: () => (!linkAllowed(k, t) ? -EACCES : f.kind === 'stdio' ? 'pipe:[0]' : dPath(f)),
      };
    },
  };
}

/** access_remote_vm over [start, end) of t's memory (FOLL_ANON), stopping at the first unreadable byte. */
function mmRange(t: Task, start: bigint, end: bigint): Buffer {
  if (t.exitState || t.mm.envEnd === 0n || end <= start) return Buffer.alloc(0);
  return copyFromUser(t.mm, start, Number(end - start)) ?? Buffer.alloc(0);
}

/** auxv_read: the saved pairs up to and including AT_NULL. */
function savedAuxv(t: Task): Buffer {
  const a = t.mm.savedAuxv;
  for (let o = 0; o + 16 <= a.length; o += 16) if (a.readBigUInt64LE(o) === 0n) return a.subarray(0, o + 16);
  return a;
}

/**
 * get_mm_cmdline: [arg_start, arg_end) — unless the byte before arg_end is not NUL (setproctitle overwrote the
 * strings), then get_mm_proctitle: up to one page from arg_start, ending after the first NUL.
 */
function getMmCmdline(t: Task): Buffer {
  const mm = t.mm;
  if (t.exitState || mm.envEnd === 0n || mm.argStart >= mm.argEnd) return Buffer.alloc(0);
  const last = copyFromUser(mm, mm.argEnd - 1n, 1);
  if (last && last[0] !== 0) {
    const page = copyFromUser(mm, mm.argStart, 4096) ?? mmRange(t, mm.argStart, mm.envEnd);
    const nul = page.indexOf(0);
    return nul < 0 ? page : page.subarray(0, nul + 1);
  }
  return mmRange(t, mm.argStart, mm.argEnd);
}

/** lnames[]: the rows of /proc/PID/limits. */
const LNAMES: [string, string | null][] = [
  ['Max cpu time', 'seconds'], ['Max file size', 'bytes'], ['Max data size', 'bytes'], ['Max stack size', 'bytes'],
  ['Max core file size', 'bytes'], ['Max resident set', 'bytes'], ['Max processes', 'processes'],
  ['Max open files', 'files'], ['Max locked memory', 'bytes'], ['Max address space', 'bytes'],
  ['Max file locks', 'locks'], ['Max pending signals', 'signals'], ['Max msgqueue size', 'bytes'],
  ['Max nice priority', null], ['Max realtime priority', null], ['Max realtime timeout', 'us'],
];

/** proc_pid_limits: "%-25s %-20s %-20s %-10s\n" per limit ("unlimited" for RLIM_INFINITY). */
export function procPidLimits(t: Task): string {
  const v = (x: bigint): string => (x === RLIM_INFINITY ? 'unlimited' : x.toString()).padEnd(20);
  let s = 'Limit                     Soft Limit           Hard Limit           Units     \n';
  LNAMES.forEach(([name, unit], i) => {
    const r = t.rlim[i];
    s += `${name.padEnd(25)} ${v(r.cur)} ${v(r.max)} ${unit === null ? '\n' : `${unit.padEnd(10)}\n`}`;
  });
  return s;
}

/**
 * comm: comm_show prints the name and a newline; comm_write copies at most TASK_COMM_LEN - 1 = 15 bytes into a
 * zeroed buffer and set_task_comm keeps them up to the first NUL — a trailing newline included, as `echo name >`
 * writes it — for a task of the writer's own thread group (-EINVAL for any other).
 */
function commFile(k: Kernel, t: Task): EntryPart {
  return {
    kind: 'file',
    read: seqRead(() => `${t.comm}\n`),
    write: (data) => {
      if (k.task.signal !== t.signal) return -EINVAL;
      const b = data.subarray(0, 15);
      const nul = b.indexOf(0);
      t.comm = (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
      return data.length;
    },
  };
}

/**
 * coredump_filter: "%08lx\n" of the mm's filter bits; a write is kstrtouint_from_user (base 0: 0x… hex, 0…
 * octal, an optional '+' and one trailing newline; -EINVAL for anything else, -ERANGE past 32 bits) and sets the
 * MMF_DUMP_FILTER_BITS (9) of the mm, which every thread of the process (and, after fork, the child) shares.
 */
function coredumpFilterFile(t: Task): EntryPart {
  return {
    kind: 'file',
    read: seqRead(() => (t.exitState ? '' : `${t.mm.coredumpFilter.toString(16).padStart(8, '0')}\n`)),
    write: (data) => {
      const v = kstrtouint(data.subarray(0, 66).toString('latin1'));
      if (v < 0) return v;
      if (t.exitState) return -ENOENT;
      t.mm.coredumpFilter = v & 0x1ff;
      return data.length;
    },
  };
}

/** lib/kstrtox.c kstrtouint, base 0: the value, or -EINVAL / -ERANGE. */
export function kstrtouint(s: string): number {
  let str = s.startsWith('+') ? s.slice(1) : s;
  if (str.endsWith('\n')) str = str.slice(0, -1);
  const m = /^(?:0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(str);
  if (!m) return -EINVAL;
  const v = m[1] !== undefined ? BigInt(`0x${m[1]}`) : m[2] !== undefined ? (m[2] ? BigInt(`0o${m[2]}`) : 0n) : BigInt(m[3]);
  return v > 0xffffffffn ? -ERANGE : Number(v);
}
