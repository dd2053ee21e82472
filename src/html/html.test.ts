// The pure parts of the pictures: escaping, the record walk of a frame whose bytes say something unusual, the map
// marker outside every segment, the deciding core step, and a matrix with columns the renderer has never heard of.
import { describe, it, expect } from 'vitest';
import { esc } from './page.ts';
import { frameFields } from './sigframe.ts';
import { renderMap } from './maps.ts';
import { decidingStep } from './coredump.ts';
import { renderMatrixTable, type MatrixRowLike } from './matrix.ts';
import * as S from '../arch/arm64/sigcontext.ts';
import { SA_SIGINFO } from '../kernel/sigdefs.ts';
import type { RunReport } from '../report.ts';

describe('esc', () => {
  it('escapes every character that could open markup or end an attribute', () => {
    expect(esc(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect(esc(null)).toBe('');
    expect(esc(12n)).toBe('12');
  });
});

describe('frameFields', () => {
  const frame = (fill: (b: Buffer) => void) => {
    const bytes = Buffer.alloc(S.RT_SIGFRAME_SIZE + S.FRAME_RECORD_SIZE);
    fill(bytes);
    return frameFields({ signo: 11, pid: 1, tid: 1, icount: 0, frame: 0x1000n, flags: SA_SIGINFO, esr: false, bytes });
  };
  const field = (fs: ReturnType<typeof frameFields>, name: string) => fs.find((f) => f.name === name);

  it('decodes siginfo by its layout and walks the records from their heads', () => {
    const fs = frame((b) => {
      b.writeInt32LE(11, 0); b.writeInt32LE(2, 8); b.writeBigUInt64LE(0xdeadn, 0x10);
      b.writeUInt32LE(S.FPSIMD_MAGIC, S.FPSIMD_OFFSET); b.writeUInt32LE(S.FPSIMD_CONTEXT_SIZE, S.FPSIMD_OFFSET + 4);
      b.writeUInt32LE(S.ESR_MAGIC, S.ESR_OFFSET); b.writeUInt32LE(S.ESR_CONTEXT_SIZE, S.ESR_OFFSET + 4);
      b.writeBigUInt64LE(0x9200004fn, S.ESR_OFFSET + 8);
    });
    expect(field(fs, 'si_code')?.text).toBe('2 (SEGV_ACCERR)');
    expect(field(fs, 'si_addr')?.value).toBe('0xdead');
    expect(field(fs, 'esr')).toMatchObject({ off: S.ESR_OFFSET + 8, value: '0x9200004f' });
    expect(field(fs, 'end: magic')?.off).toBe(S.ESR_OFFSET + S.ESR_CONTEXT_SIZE);
    // the fields tile the frame: each starts where the one before ended
    for (let i = 1; i < fs.length; i++) expect(fs[i].off).toBe(fs[i - 1].off + fs[i - 1].size);
    expect(fs.at(-1)!.off + fs.at(-1)!.size).toBe(S.RT_SIGFRAME_SIZE + S.FRAME_RECORD_SIZE);
  });

  it('a record whose size runs past __reserved stops the walk, as parse_user_sigframe stops', () => {
    const fs = frame((b) => {
      b.writeUInt32LE(0x12345678, S.FPSIMD_OFFSET); b.writeUInt32LE(0x10000, S.FPSIMD_OFFSET + 4);
    });
    expect(field(fs, 'unknown: magic')?.text).toBe('0x12345678 (unknown)');
    expect(field(fs, '__reserved (after a bad record)')?.size).toBe(S.SIGCONTEXT_RESERVED_SIZE - 8);
    expect(field(fs, 'esr')).toBeUndefined();
  });
});

describe('renderMap', () => {
  it('marks an address above TASK_SIZE outside every segment, and one in a VMA inside it', () => {
    const vmas = [{ start: 0x400000n, end: 0x401000n, perms: 'r-xp', name: '/prog' }];
    const m = { signo: 11, name: 'SIGSEGV', codeName: 'SEGV_MAPERR', pid: 1, icount: 5, pc: 0x400000n, vmas };
    expect(renderMap({ ...m, addr: 1n << 52n }, 0)).toContain('above TASK_SIZE');
    const inside = renderMap({ ...m, addr: 0x400010n }, 0);
    expect(inside).toMatch(/<tr class="vma fault">.*\/prog/);
    expect(inside).toContain('+0x10 into this VMA');
  });
});

describe('decidingStep', () => {
  it('the first stop, else the last step', () => {
    expect(decidingStep([{ step: 'a', ok: true, detail: '' }, { step: 'b', ok: false, detail: '' }, { step: 'c', ok: false, detail: '' }])).toBe(1);
    expect(decidingStep([{ step: 'a', ok: true, detail: '' }, { step: 'w', ok: true, detail: '' }])).toBe(1);
    expect(decidingStep([])).toBe(-1);
  });
});

describe('renderMatrixTable', () => {
  it('draws every settings key and every text column a row has, escaped', () => {
    const report = { core: { dumped: false }, exit: { kind: 'exited' }, signals: [{ action: 'handler' }] } as unknown as RunReport;
    const html = renderMatrixTable([
      { settings: { inject: 'efault@read' }, columns: { dfsc: '0x10' }, outcome: 'exited 0', injected: '<1 fault>', report } as MatrixRowLike,
      { settings: { inject: 'none' }, outcome: 'exited 0' } as MatrixRowLike,
    ]);
    expect(html).toContain('<th>inject</th><th>dfsc</th><th>outcome</th><th>injected</th>');
    expect(html).toContain('<td class="mono" data-column="dfsc">0x10</td>');
    expect(html).toContain('&#60;1 fault&#62;');
    expect(html).toContain('<tr data-outcome="handled">');
    expect(html).toContain('<tr data-outcome="other">');
  });
});
