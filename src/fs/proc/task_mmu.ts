// Mirrors fs/proc/task_mmu.c of Linux v6.17: show_map_vma (/proc/PID/maps), task_mem (the Vm* lines of status),
// task_vsize and task_statm. Source read: ColinIanKing/linux-next fs/proc/task_mmu.c @
// 042acf45157ec6f1de2cd0dfffeec756c8186a67 (show_vma_header_prefix, get_vma_name, task_mem).
import type { Mm, Vma } from '../../mm/mm.ts';
import { VM_READ, VM_WRITE, VM_EXEC, VM_MAYSHARE, VM_SHARED, VM_GROWSDOWN, PAGE_SIZE, SHMEM_NAME, eofStart } from '../../mm/mm.ts';

const hex8 = (v: bigint): string => v.toString(16).padStart(8, '0');
/** seq_setwidth(m, 25 + sizeof(void *) * 6 - 1): the name column starts after the pad to 72 and one space */
const NAME_COLUMN = 25 + 8 * 6 - 1;

/**
 * show_map_vma: "start-end perms offset major:minor inode", padded (seq_pad) to the name column when there is a
 * name. The name is the file's path (d_path), the special mapping's name ([vdso]), [heap] for the VMA that
 * holds the initial brk area (vma_is_initial_heap) and [stack] for the one holding start_stack.
 * DIVERGENCE: a file mapping shows device 00:00 and inode 0 (the root's files live on the host, whose device
 * and inode numbers would make the output differ from machine to machine).
 */
export function showMapVma(mm: Mm, v: Vma): string {
  const perms = vmaPerms(v);
  const pgoff = v.file ? v.pgoff : 0n;
  const head = `${hex8(v.start)}-${hex8(v.end)} ${perms} ${hex8(pgoff)} 00:00 0 `;
  const name = vmaName(mm, v);
  return name === null ? `${head}\n` : `${head.padEnd(NAME_COLUMN)} ${name}\n`;
}

/** the "rwxp" column of show_map_vma */
export const vmaPerms = (v: Vma): string =>
  (v.flags & VM_READ ? 'r' : '-') + (v.flags & VM_WRITE ? 'w' : '-') + (v.flags & VM_EXEC ? 'x' : '-') + (v.flags & VM_MAYSHARE ? 's' : 'p');

/** get_vma_name */
export function vmaName(mm: Mm, v: Vma): string | null {
  if (v.file) return v.file.path;
  if (v.shmem) return SHMEM_NAME;
  if (v.name === '[vdso]') return v.name;
  // vma_is_initial_heap: vm_start < mm->brk && vm_end > mm->start_brk
  if (v.start < mm.brk && v.end > mm.startBrk) return '[heap]';
  // vma_is_initial_stack: vm_start <= mm->start_stack && vm_end >= mm->start_stack
  if (v.start <= mm.startStack && v.end >= mm.startStack) return '[stack]';
  return v.name;
}

/** /proc/PID/maps: every VMA in address order (arm64 has no gate VMA). */
export function procPidMaps(mm: Mm): string {
  return mm.vmas.map((v) => showMapVma(mm, v)).join('');
}

const pages = (v: Vma): bigint => (v.end - v.start) / PAGE_SIZE;

/** mm->total_vm, data_vm, exec_vm, stack_vm (vm_stat_account's classes; VM_STACK is VM_GROWSDOWN on arm64). */
export function vmCounters(mm: Mm): { total: bigint; data: bigint; exec: bigint; stack: bigint } {
  const c = { total: 0n, data: 0n, exec: 0n, stack: 0n };
  for (const v of mm.vmas) {
    const n = pages(v);
    c.total += n;
    if (v.flags & VM_GROWSDOWN) c.stack += n;
    else if ((v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE) c.data += n;
    else if ((v.flags & (VM_EXEC | VM_WRITE)) === VM_EXEC) c.exec += n;
  }
  return c;
}

/**
 * The resident pages (MM_ANONPAGES, MM_FILEPAGES). DIVERGENCE: the engine maps whole regions, so there is no
 * page table to count present pages in: a file page up to the end of the file counts as resident file memory,
 * an anonymous page (or a private file page past the file) counts when its contents are not all zero.
 */
export function rssCounters(mm: Mm): { anon: bigint; file: bigint } {
  const r = { anon: 0n, file: 0n };
  const zero = Buffer.alloc(Number(PAGE_SIZE));
  const CHUNK = 256n * PAGE_SIZE;
  for (const v of mm.vmas) {
    const eof = v.file ? eofStart(v) ?? v.end : v.start;
    if (v.file) r.file += (eof - v.start) / PAGE_SIZE;
    for (let a = eof; a < v.end; a += CHUNK) {
      const len = v.end - a < CHUNK ? v.end - a : CHUNK;
      const b = mm.cpu.read(a, Number(len));
      if (!b) continue;
      for (let o = 0; o < b.length; o += Number(PAGE_SIZE)) {
        if (!b.subarray(o, o + Number(PAGE_SIZE)).equals(zero)) r.anon++;
      }
    }
  }
  return r;
}

/**
 * mm_pgtables_bytes: the PTE and PMD tables (4 KiB each) that map the VMAs. DIVERGENCE: counted as if every page
 * of every VMA had been touched (Linux allocates a table on the first fault in its range).
 */
function pgtablesBytes(mm: Mm): bigint {
  const ptes = new Set<bigint>();
  const pmds = new Set<bigint>();
  for (const v of mm.vmas) {
    for (let a = v.start >> 21n; a <= (v.end - 1n) >> 21n; a++) ptes.add(a);
    for (let a = v.start >> 30n; a <= (v.end - 1n) >> 30n; a++) pmds.add(a);
  }
  return BigInt(ptes.size + pmds.size) * PAGE_SIZE;
}

const kb = (label: string, v: bigint, first = false): string => `${first ? '' : ' kB\n'}${label}:\t${v.toString().padStart(8)}`;

/**
 * task_mem: the Vm and Rss lines (SEQ_PUT_DEC: pages << (PAGE_SHIFT - 10), width 8) and hugetlb_report_usage.
 * VmPeak and VmHWM equal VmSize and VmRSS (hiwater_vm/hiwater_rss are only updated when the totals shrink, and
 * we do not follow them: DIVERGENCE for a process that unmapped memory).
 */
export function taskMem(mm: Mm, code: { start: bigint; end: bigint }): string {
  const c = vmCounters(mm);
  const rss = rssCounters(mm);
  const k = (p: bigint): bigint => p * (PAGE_SIZE / 1024n);
  const pageAlign = (a: bigint): bigint => (a + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);
  let text = pageAlign(code.end) - (code.start & ~(PAGE_SIZE - 1n));
  if (text > c.exec * PAGE_SIZE) text = c.exec * PAGE_SIZE;
  if (text < 0n) text = 0n;
  const lib = c.exec * PAGE_SIZE - text;
  return [
    kb('VmPeak', k(c.total), true), kb('VmSize', k(c.total)), kb('VmLck', 0n), kb('VmPin', 0n),
    kb('VmHWM', k(rss.anon + rss.file)), kb('VmRSS', k(rss.anon + rss.file)), kb('RssAnon', k(rss.anon)),
    kb('RssFile', k(rss.file)), kb('RssShmem', 0n), kb('VmData', k(c.data)), kb('VmStk', k(c.stack)),
    kb('VmExe', text >> 10n), kb('VmLib', lib >> 10n), kb('VmPTE', pgtablesBytes(mm) >> 10n), kb('VmSwap', 0n),
  ].join('') + ' kB\n' + `HugetlbPages:\t${'0'.padStart(8)} kB\n`;
}

/** task_statm: size resident shared text 0 data 0 (pages). */
export function taskStatm(mm: Mm, code: { start: bigint; end: bigint }): string {
  const c = vmCounters(mm);
  const rss = rssCounters(mm);
  const text = ((code.end + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n)) - (code.start & ~(PAGE_SIZE - 1n));
  return `${c.total} ${rss.anon + rss.file} ${rss.file} ${text > 0n ? text / PAGE_SIZE : 0n} 0 ${c.data + c.stack} 0\n`;
}
