// What gdb's memory and breakpoint packets reach: m/M/X read and write guest memory as ptrace's PEEKDATA and
// POKEDATA do; Z/z set and clear breakpoints and watchpoints in the machine's debug hooks (cpu/debug.ts).
import type { Machine } from '../machine.ts';
import type { WatchKind } from '../cpu/debug.ts';

const WATCH: Record<string, WatchKind> = { 2: 'write', 3: 'read', 4: 'access' };

/** A Z or z packet applied to a machine (the live one; replay.ts applies them to its replay machines). */
export function applyPoint(m: Machine, t: string): string {
  const [type, a, kind] = t.slice(1).split(',');
  const addr = BigInt(`0x${a}`);
  const d = m.cpu.debug;
  const insert = t[0] === 'Z';
  if (type === '0' || type === '1') {
    if (insert) d.addBreakpoint(addr);
    else d.removeBreakpoint(addr);
    return 'OK';
  }
  const w = WATCH[type];
  if (!w) return '';
  const len = BigInt(`0x${kind}`);
  if (insert) d.addWatchpoint(addr, len, w);
  else d.removeWatchpoint(addr, len, w);
  return 'OK';
}

/** What ptrace's PEEKDATA reaches: the mapped part of [a, a+len) from a on (gdb takes a short read). */
export function readMemory(m: Machine, a: bigint, len: number): Buffer | null {
  let end = a;
  while (end < a + BigInt(len)) {
    const v = m.mm.vmaAt(end);
    if (!v) break;
    end = v.end;
  }
  if (end === a) return null;
  const n = Number((end < a + BigInt(len) ? end : a + BigInt(len)) - a);
  return m.cpu.read(a, n);
}

/** POKEDATA writes through any protection (FOLL_FORCE); code written there is translated afresh. */
export function writeMemory(m: Machine, a: bigint, data: Buffer): boolean {
  if (!m.mm.vmaAt(a) || !m.mm.vmaAt(a + BigInt(Math.max(data.length, 1)) - 1n)) return false;
  if (!m.cpu.write(a, data)) return false;
  m.cpu.invalidateCode(a, a + BigInt(data.length));
  return true;
}
