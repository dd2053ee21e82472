// Issue 14 item 4: a written MAP_PRIVATE file page is anonymous memory (it has an anon_vma), so the core carries
// its current bytes (vma_dump_size: MMF_DUMP_ANON_PRIVATE, in the default filter 0x33), and a reader needs no
// file for it. programs/c/core_priv_unlinked writes one page of such a mapping, unlinks the file, then crashes.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { prog, run } from './helpers.ts';

const P = 'core_priv_unlinked';

/** The core's PT_LOADs: vaddr, file offset, filesz, memsz. */
function loads(core: Buffer): { vaddr: bigint; offset: bigint; filesz: bigint; memsz: bigint }[] {
  const phoff = Number(core.readBigUInt64LE(32));
  return Array.from({ length: core.readUInt16LE(56) }, (_, i) => phoff + 56 * i)
    .filter((p) => core.readUInt32LE(p) === 1)
    .map((p) => ({ offset: core.readBigUInt64LE(p + 8), vaddr: core.readBigUInt64LE(p + 16), filesz: core.readBigUInt64LE(p + 32), memsz: core.readBigUInt64LE(p + 40) }));
}

describe('core_priv_unlinked: the written page of a private file mapping is in the core, the file gone', () => {
  const { root, report } = run(P);
  const corePath = join(root, 'core');
  const core = readFileSync(corePath);
  const gdb = execFileSync('gdb-multiarch', ['-nx', '-batch', '-ex', `file ${prog(P)}`, '-ex', `core-file ${corePath}`,
    '-ex', 'p/x priv_written', '-ex', 'p/x priv_clean', '-ex', 'p/x priv_written[0]', '-ex', 'p/x priv_written[511]'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); // stderr: gdb warns that the mapped file is gone
  const values = [...gdb.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1]);

  it('the run: the file was unlinked before the crash, the core was dumped', () => {
    expect(report.stdout).toBe('ready\n');
    expect(report.signals.map((s) => [s.name, s.codeName, s.addr])).toEqual([['SIGSEGV', 'SEGV_MAPERR', '0x0']]);
    expect(report.core).toMatchObject({ dumped: true, path: corePath });
    expect(existsSync(join(root, `${P}.dat`))).toBe(false);
  });

  it('the written page is a whole PT_LOAD of the core with the written bytes; the clean page has none', () => {
    const written = BigInt(values[0]!.replace(/^\([^)]*\)\s*/, ''));
    const clean = BigInt(values[1]!.replace(/^\([^)]*\)\s*/, ''));
    const w = loads(core).find((l) => l.vaddr === written)!;
    expect([w.filesz, w.memsz]).toEqual([0x1000n, 0x1000n]);
    const page = core.subarray(Number(w.offset), Number(w.offset) + 0x1000);
    expect([page.readBigUInt64LE(0), page.readBigUInt64LE(511 * 8)]).toEqual([0x4444444444444444n, 0x4545454545454545n]);
    // the rest of the page is the file's bytes as they were mapped (0xa0), now only in the core
    expect(page.subarray(8, 511 * 8).every((b) => b === 0xa0)).toBe(true);
    const c = loads(core).find((l) => l.vaddr === clean)!;
    expect([c.filesz, c.memsz]).toEqual([0n, 0x1000n]); // MAPPED_PRIVATE (bit 2) is not in 0x33
  });

  it('gdb reads the written values from the core alone', () => {
    expect(values.slice(2)).toEqual(['0x4444444444444444', '0x4545454545454545']);
  });
});
