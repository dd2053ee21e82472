// The memory map at a fault: the VMAs (as /proc/PID/maps shows them) and the gaps between them, as a bar with
// log-scaled widths (a 48-bit address space spans 1 page to 2^36 of them) and as a table, with the fault address
// marked and the VMA or gap that holds it highlighted.
import type { MapsCapture, VmaSnapshot } from '../capture.ts';
import { esc, hex } from './page.ts';

/** TASK_SIZE with 48-bit VAs: the end of the user address space */
const TASK_END = 1n << 48n;

interface Segment { start: bigint; end: bigint; vma: VmaSnapshot | null }

/** The VMAs and the gaps between them, from 0 to TASK_SIZE. */
function segments(vmas: VmaSnapshot[]): Segment[] {
  const out: Segment[] = [];
  let at = 0n;
  for (const v of vmas) {
    if (v.start > at) out.push({ start: at, end: v.start, vma: null });
    out.push({ start: v.start, end: v.end, vma: v });
    at = v.end;
  }
  if (at < TASK_END) out.push({ start: at, end: TASK_END, vma: null });
  return out;
}

const holds = (s: Segment, a: bigint | null): boolean => a !== null && s.start <= a && a < s.end;
const label = (s: Segment): string => (s.vma ? s.vma.name ?? '[anon]' : 'gap');

function sizeText(n: bigint): string {
  const units: [bigint, string][] = [[1n << 40n, 'TiB'], [1n << 30n, 'GiB'], [1n << 20n, 'MiB'], [1n << 10n, 'KiB']];
  for (const [u, name] of units) if (n >= u) return `${Number((n * 10n) / u) / 10} ${name}`;
  return `${n} B`;
}

/** A strip: each segment's width grows with log2 of its size, so a page and a terabyte gap both show. */
function bar(segs: Segment[], addr: bigint | null): string {
  const weights = segs.map((s) => 1 + Math.log2(Number(s.end - s.start) / 4096 + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return `<div class="bar" role="img" aria-label="memory map, log-scaled">${segs.map((s, i) => {
    const cls = `${s.vma ? 'vma' : 'gap'}${holds(s, addr) ? ' fault' : ''}`;
    const title = `${hex(s.start)}-${hex(s.end)} ${s.vma ? `${s.vma.perms} ${label(s)}` : 'unmapped'}`;
    return `<div class="${cls}" style="width:${(100 * weights[i] / total).toFixed(3)}%" title="${esc(title)}">` +
      `${esc(holds(s, addr) ? `▼ ${label(s)}` : label(s))}</div>`;
  }).join('')}</div>`;
}

export function renderMap(m: MapsCapture, index: number): string {
  const segs = segments(m.vmas);
  const addr = m.addr;
  const rows: string[] = [];
  for (const s of segs) {
    const fault = holds(s, addr);
    const cls = `${s.vma ? 'vma' : 'gap'}${fault ? ' fault' : ''}`;
    rows.push(`<tr class="${cls}"><td class="mono">${hex(s.start)}</td><td class="mono">${hex(s.end)}</td>` +
      `<td>${esc(sizeText(s.end - s.start))}</td><td class="mono">${s.vma ? esc(s.vma.perms) : ''}</td>` +
      `<td class="mono">${esc(s.vma ? label(s) : 'unmapped gap')}</td></tr>`);
    if (fault && addr !== null) {
      rows.push(`<tr class="marker" data-addr="${hex(addr)}"><td class="mono" colspan="2">▲ ${hex(addr)}</td>` +
        `<td colspan="3">fault address: +${hex(addr - s.start)} into this ${s.vma ? 'VMA' : 'gap'}</td></tr>`);
    }
  }
  if (addr !== null && !segs.some((s) => holds(s, addr))) {
    rows.push(`<tr class="marker" data-addr="${hex(addr)}"><td class="mono" colspan="2">▲ ${hex(addr)}</td>` +
      '<td colspan="3">fault address: above TASK_SIZE (2^48), outside every user mapping</td></tr>');
  }
  const where = addr === null ? 'no fault address' : `fault address ${hex(addr)}`;
  const head = `<h3 id="map-${index}">${esc(m.name)} ${esc(m.codeName)} in pid ${m.pid}` +
    `${m.icount !== null ? ` at insn ${m.icount}` : ''}: ${esc(where)}${m.pc !== null ? `, pc ${hex(m.pc)}` : ''}</h3>`;
  return `${head}\n${bar(segs, addr)}\n<table class="maps" data-fault="${addr === null ? '' : hex(addr)}"><thead><tr><th>start</th>` +
    `<th>end</th><th>size</th><th>perms</th><th>mapping</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export function renderMaps(maps: MapsCapture[], seen: number): string {
  if (maps.length === 0) return '<p>No fault signal was raised: no memory map was taken.</p>';
  const more = seen > maps.length ? `<p class="muted">${seen} fault signals were raised; the maps at the first ${maps.length} are drawn.</p>` : '';
  return more + maps.map((m, i) => renderMap(m, i)).join('\n');
}
