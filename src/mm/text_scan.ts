// The alignment checks Unicorn does not make, found by scanning the code as it is mapped executable: the
// instructions that can misalign SP (arch/arm64/sp_align.ts) and those whose natural alignment only we check
// (arch/arm64/align.ts). The engine checks the armed sites natively (native/icount.c) in counted mode.
import type { Cpu } from '../cpu/cpu.ts';
import { spWriteKind, mayWriteSp, MAY_WRITE_SP_PATTERNS } from '../arch/arm64/sp_align.ts';
import { alignSiteOf, encodeAlignSite, mayNeedAlignSite, MAY_NEED_ALIGN_SITE_PATTERNS } from '../arch/arm64/align.ts';

/** the native pre-filter: the words mayNeedAlignSite or mayWriteSp can accept */
const SCAN_PATTERNS = Uint32Array.from([...MAY_NEED_ALIGN_SITE_PATTERNS, ...MAY_WRITE_SP_PATTERNS]);

/** An address space's armed sites. */
export class TextSites {
  private readonly spSites = new Set<bigint>();
  private readonly alignSites = new Set<bigint>();
  /** the armed sites, by kind, so that a fork child's engine gets them without a rescan (stale ones are inert) */
  private readonly armed = { sp: [] as bigint[], align: [] as { address: bigint; arg: bigint }[] };

  constructor(private readonly cpu: Cpu) {}

  /** dup_mm's part: the parent's armed sites, in a new engine with no code yet. */
  inherit(from: TextSites): void {
    for (const a of from.spSites) this.spSites.add(a);
    for (const a of from.alignSites) this.alignSites.add(a);
    this.armed.sp.push(...from.armed.sp);
    this.armed.align.push(...from.armed.align);
    this.cpu.watchSpWrites(this.armed.sp);
    this.cpu.watchAlignment(this.armed.align);
  }

  /**
   * Arms the alignment checks Unicorn does not make, for the code in [start, end): after every instruction
   * that can misalign SP, and on every instruction whose natural alignment only we check (arch/arm64/align.ts).
   */
  scan(start: bigint, end: bigint): void {
    if (!this.cpu.countsInsns) return; // the checks are armed in counted mode only (Cpu.watchAlignment)
    const code = this.cpu.read(start, Number(end - start));
    if (!code) return;
    const sp: bigint[] = [];
    const align: Array<{ address: bigint; arg: bigint }> = [];
    // The words either pre-filter can accept are found natively (native/scan.c); then classify (the address, a
    // BigInt, and the Set lookup only for the few candidates); the full decoder runs once per distinct word
    // (prologues repeat the same few STP/LDP encodings thousands of times).
    const misaligns = new Map<number, boolean>();
    const alignArgs = new Map<number, bigint | null>();
    for (const i of this.cpu.scanWords(code, SCAN_PATTERNS)) {
      const o = i * 4;
      const insn = code.readUInt32LE(o);
      if (mayNeedAlignSite(insn)) {
        let arg = alignArgs.get(insn);
        if (arg === undefined) {
          const site = alignSiteOf(insn);
          alignArgs.set(insn, arg = site && encodeAlignSite(insn, site));
        }
        const a = start + BigInt(o);
        if (arg !== null && !this.alignSites.has(a)) {
          align.push({ address: a, arg });
          this.alignSites.add(a);
        }
        continue;
      }
      if (!mayWriteSp(insn)) continue;
      let m = misaligns.get(insn);
      if (m === undefined) misaligns.set(insn, m = spWriteKind(insn) === 'may-misalign');
      const a = start + BigInt(o);
      if (!m || this.spSites.has(a)) continue;
      sp.push(a);
      this.spSites.add(a);
    }
    this.cpu.watchSpWrites(sp);
    this.cpu.watchAlignment(align);
    this.armed.sp.push(...sp);
    this.armed.align.push(...align);
    if (sp.length + align.length > 0) this.cpu.invalidateCode(start, end);
  }

  /** [start, end) was unmapped: code mapped there later is scanned again (stale native sites check their word, so
   *  they are inert). */
  forget(start: bigint, end: bigint): void {
    for (const set of [this.spSites, this.alignSites]) for (const a of set) if (a >= start && a < end) set.delete(a);
  }
}
