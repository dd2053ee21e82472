// Fault injection (--inject KIND@insns=N[,addr=A][,fetch][,fnv]): the kinds as data and the one parser the CLI,
// scenarios and the API share. What an injected abort then does is inject-entry.ts; the kernel path is fault.ts.
//
// A KIND is one of the 64 fault_info rows (arch/arm64/mm/fault.c, v6.17, read from ColinIanKing/linux-next
// @536f8fe8 as fault.ts; kernel.md §3), named by its
// DFSC/IFSC number ("0x10", "16") or a short name below, or one of three exceptions that are not rows:
//   memory-failure  a synchronous external abort (DFSC 0x10) that firmware-first RAS claims (apei_claim_sea):
//                   memory_failure() then sends SIGBUS BUS_MCEERR_AR with si_addr_lsb = PAGE_SHIFT
//   sp-alignment    an SP alignment fault (EC 0x26) on the next memory access: do_sp_pc_abort(regs->sp)
//   pc-alignment    a PC alignment fault (EC 0x22) on the next instruction: do_sp_pc_abort(FAR = its pc)
import { OptionError } from '../../errors.ts';

/** One injection: before the instruction with count `insns`, the next memory access (or fetch) faults. */
export interface InjectSpec {
  /** a fault_info row ("0x10", "16", "sea"…) or memory-failure, sp-alignment, pc-alignment */
  kind: string;
  /** instruction count (absolute, since exec) from which the next memory access takes the fault */
  insns: bigint;
  /** FAR to report instead of the access's address */
  addr?: bigint;
  /** the instruction fetch faults (an instruction abort, EC 0x20) instead of the instruction's data access */
  fetch?: boolean;
  /** set ESR.FnV (FAR not valid): only for DFSC 0x10, where the architecture defines it; si_addr is then 0 */
  fnv?: boolean;
}

export type SpecialKind = 'memory-failure' | 'sp-alignment' | 'pc-alignment';
export const SPECIAL_KINDS: readonly SpecialKind[] = ['memory-failure', 'sp-alignment', 'pc-alignment'];

const levels = (prefix: string, first: number, from = 0): [string, number][] =>
  [0, 1, 2, 3].slice(from).map((l) => [`${prefix}-l${l}`, first + l]);

/** Short names of the fault_info rows that have a meaning (the others are "unknown N": use the number). */
export const KIND_NAMES: ReadonlyMap<string, number> = new Map<string, number>([
  ...levels('address-size', 0x00), ['address-size-l-1', 0x29],
  ...levels('translation', 0x04), ['translation-l-1', 0x2b],
  ...levels('access-flag', 0x08),
  ...levels('permission', 0x0c),
  ['sea', 0x10], ['tag-check', 0x11],
  ['sea-ttw-l-1', 0x13], ...levels('sea-ttw', 0x14),
  ['parity', 0x18], ['parity-ttw-l-1', 0x1b], ...levels('parity-ttw', 0x1c),
  ['alignment', 0x21],
  ['tlb-conflict', 0x30], ['atomic-hw-update', 0x31], ['lockdown', 0x34], ['exclusive', 0x35],
  ['section-domain', 0x3d], ['page-domain', 0x3e],
]);

/** What a KIND resolves to: a fault_info row, or one of the special exceptions. */
export type ResolvedKind = { fsc: number; special: null } | { fsc: null; special: SpecialKind };

export function resolveKind(kind: string): ResolvedKind {
  if ((SPECIAL_KINDS as readonly string[]).includes(kind)) return { fsc: null, special: kind as SpecialKind };
  const named = KIND_NAMES.get(kind);
  if (named !== undefined) return { fsc: named, special: null };
  if (/^(0x[0-9a-f]{1,2}|\d{1,2})$/i.test(kind) && Number(kind) < 64) return { fsc: Number(kind), special: null };
  throw new OptionError(`inject: unknown kind "${kind}" (a fault_info row 0x00..0x3f, a name such as sea, ` +
    'access-flag-l3, translation-l0, or memory-failure, sp-alignment, pc-alignment)');
}

/** Every kind the matrix's `inject=all` runs: the 64 rows by number, then the three special ones. */
export const ALL_KINDS: readonly string[] = [
  ...Array.from({ length: 64 }, (_, i) => `0x${i.toString(16).padStart(2, '0')}`), ...SPECIAL_KINDS,
];

const num = (v: string): bigint | null => (/^(\d+|0x[0-9a-f]+)$/i.test(v) ? BigInt(v) : null);
export const INJECT_USAGE = 'KIND@insns=N[,addr=A][,fetch][,fnv]';

/** Checks a spec (from the API, or parsed); returns it normalised or throws a one-line OptionError. */
export function checkInject(s: InjectSpec): InjectSpec {
  const k = resolveKind(s.kind);
  if (typeof s.insns !== 'bigint' || s.insns < 0n) throw new OptionError(`inject ${s.kind}: insns must be a non-negative instruction count (a bigint)`);
  if (s.addr !== undefined && (typeof s.addr !== 'bigint' || s.addr < 0n || s.addr >= 1n << 64n)) {
    throw new OptionError(`inject ${s.kind}: addr must be a 64-bit address`);
  }
  if (s.fnv && k.fsc !== 0x10 && k.special !== 'memory-failure') {
    throw new OptionError(`inject ${s.kind}: fnv is defined only for a synchronous external abort (DFSC 0x10)`);
  }
  if (s.fetch && k.special !== null && k.special !== 'memory-failure') throw new OptionError(`inject ${s.kind}: fetch does not apply to ${k.special}`);
  return { kind: s.kind, insns: s.insns, ...(s.addr !== undefined ? { addr: s.addr } : {}), ...(s.fetch ? { fetch: true } : {}), ...(s.fnv ? { fnv: true } : {}) };
}

/** Parses `KIND@insns=N[,addr=A][,fetch][,fnv]`; throws a one-line OptionError naming what is wrong. */
export function parseInject(text: string): InjectSpec {
  const at = text.indexOf('@');
  if (at <= 0) throw new OptionError(`inject: "${text}" is not ${INJECT_USAGE} (e.g. sea@insns=100)`);
  const spec: InjectSpec = { kind: text.slice(0, at), insns: -1n };
  for (const part of text.slice(at + 1).split(',')) {
    const [key, value] = part.split('=', 2);
    if ((key === 'insns' || key === 'addr') && value !== undefined) {
      const n = num(value);
      if (n === null) throw new OptionError(`inject: ${key}="${value}" in "${text}" is not a number (decimal or 0x…)`);
      if (key === 'insns') spec.insns = n;
      else spec.addr = n;
    } else if ((key === 'fetch' || key === 'fnv') && value === undefined) spec[key] = true;
    else throw new OptionError(`inject: "${part}" in "${text}" is not insns=N, addr=A, fetch or fnv`);
  }
  if (spec.insns < 0n) throw new OptionError(`inject: "${text}" has no insns=N (${INJECT_USAGE})`);
  return checkInject(spec);
}

/** The spec written back in the CLI syntax (reports, matrix rows). */
export function formatInject(s: InjectSpec): string {
  return `${s.kind}@insns=${s.insns}${s.addr !== undefined ? `,addr=0x${s.addr.toString(16)}` : ''}${s.fetch ? ',fetch' : ''}${s.fnv ? ',fnv' : ''}`;
}
