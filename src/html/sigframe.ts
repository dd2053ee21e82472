// One rt_sigframe drawn field by field from the bytes setup_rt_frame left in guest memory (capture.ts): offset,
// address, raw bytes as they lie in memory (little-endian), and the decoded value. The layout is the kernel's
// (arch/arm64/sigcontext.ts); the records in __reserved are walked from their magic/size heads, as
// parse_user_sigframe walks them, so the picture shows what is there, not what should be.
import type { SigframeCapture } from '../capture.ts';
import * as S from '../arch/arm64/sigcontext.ts';
import { esrGetClassString } from '../arch/arm64/esr.ts';
import { signalName, siCodeName, siginfoLayout, isFaultLayout, SA_SIGINFO } from '../kernel/sigdefs.ts';
import { esc, hex } from './page.ts';

type Part = 'siginfo' | 'ucontext' | 'sigcontext' | 'reserved' | 'record';

interface Field {
  part: Part;
  off: number;
  size: number;
  name: string;
  /** the value as people read it */
  text: string;
  /** the value as the JSON report writes it (data-value), when there is one */
  value?: string;
  /** drawn highlighted: what a fault is about */
  key?: boolean;
}

const MAGICS: Record<number, string> = {
  [S.FPSIMD_MAGIC]: 'FPSIMD_MAGIC', [S.ESR_MAGIC]: 'ESR_MAGIC', [S.EXTRA_MAGIC]: 'EXTRA_MAGIC', [S.SVE_MAGIC]: 'SVE_MAGIC',
  [S.TPIDR2_MAGIC]: 'TPIDR2_MAGIC', [S.ZA_MAGIC]: 'ZA_MAGIC', [S.ZT_MAGIC]: 'ZT_MAGIC', [S.FPMR_MAGIC]: 'FPMR_MAGIC',
  [S.POE_MAGIC]: 'POE_MAGIC', [S.GCS_MAGIC]: 'GCS_MAGIC', 0: 'end (terminator)',
};

/** The fields of one frame, in address order. */
export function frameFields(f: SigframeCapture): Field[] {
  const b = f.bytes;
  const out: Field[] = [];
  const u64 = (part: Part, off: number, name: string, key = false, text?: (v: bigint) => string): void => {
    const v = b.readBigUInt64LE(off);
    out.push({ part, off, size: 8, name, text: text ? text(v) : hex(v), value: hex(v), key });
  };
  const u32 = (part: Part, off: number, name: string, text?: (v: number) => string, key = false): void => {
    const v = b.readUInt32LE(off);
    out.push({ part, off, size: 4, name, text: text ? text(v) : hex(v), value: hex(v), key });
  };
  const block = (part: Part, off: number, size: number, name: string, text: string): void => {
    if (size > 0) out.push({ part, off, size, name, text });
  };

  // siginfo_t (128 bytes): written only for an SA_SIGINFO handler
  if (f.flags & SA_SIGINFO) {
    const signo = b.readInt32LE(0), code = b.readInt32LE(8);
    out.push({ part: 'siginfo', off: 0, size: 4, name: 'si_signo', text: `${signo} (${signalName(signo)})`, value: String(signo), key: true });
    out.push({ part: 'siginfo', off: 4, size: 4, name: 'si_errno', text: String(b.readInt32LE(4)), value: String(b.readInt32LE(4)) });
    out.push({ part: 'siginfo', off: 8, size: 4, name: 'si_code', text: `${code} (${siCodeName(signo, code)})`, value: String(code), key: true });
    block('siginfo', 12, 4, '(padding)', 'zero');
    const layout = siginfoLayout(signo, code);
    if (isFaultLayout(layout)) {
      u64('siginfo', 0x10, 'si_addr', true);
      block('siginfo', 0x18, 0x80 - 0x18, `_sigfault rest (${layout}), SI_EXPANSION`, 'zero unless the layout uses it');
    } else if (layout === 'kill' || layout === 'rt' || layout === 'chld') {
      out.push({ part: 'siginfo', off: 0x10, size: 4, name: 'si_pid', text: String(b.readInt32LE(0x10)), value: String(b.readInt32LE(0x10)) });
      out.push({ part: 'siginfo', off: 0x14, size: 4, name: 'si_uid', text: String(b.readUInt32LE(0x14)), value: String(b.readUInt32LE(0x14)) });
      block('siginfo', 0x18, 0x80 - 0x18, `_${layout} rest, SI_EXPANSION`, layout === 'rt' ? `si_value ${hex(b.readBigUInt64LE(0x18))}` : 'see bytes');
    } else {
      block('siginfo', 0x10, 0x70, `union (${layout})`, 'see bytes');
    }
  } else {
    block('siginfo', 0, 0x80, 'siginfo (not written)', 'the handler has no SA_SIGINFO: old stack bytes');
  }

  // struct ucontext
  u64('ucontext', S.UC_FLAGS, 'uc_flags');
  u64('ucontext', S.UC_LINK, 'uc_link');
  u64('ucontext', S.UC_STACK_SS_SP, 'uc_stack.ss_sp');
  u32('ucontext', S.UC_STACK_SS_FLAGS, 'uc_stack.ss_flags', (v) => `${v}${v === 2 ? ' (SS_DISABLE)' : v === 1 ? ' (SS_ONSTACK)' : ''}`);
  block('ucontext', S.UC_STACK_SS_FLAGS + 4, 4, '(padding)', 'not written');
  u64('ucontext', S.UC_STACK_SS_SIZE, 'uc_stack.ss_size');
  u64('ucontext', S.UC_SIGMASK, 'uc_sigmask', false, (v) => `${hex(v)}${blockedNames(v)}`);
  block('ucontext', S.UC_SIGMASK + 8, S.UC_MCONTEXT - 8 - S.UC_SIGMASK - 8, '__unused (glibc sigset rest)', 'not written');
  block('ucontext', S.UC_MCONTEXT - 8, 8, '(padding to uc_mcontext)', 'not written');

  // struct sigcontext
  u64('sigcontext', S.SC_FAULT_ADDRESS, 'fault_address', true);
  for (let i = 0; i < 31; i++) u64('sigcontext', S.SC_REGS + 8 * i, `x${i}`, false, (v) => hex(v) + (i === 29 ? ' (fp)' : i === 30 ? ' (lr)' : ''));
  u64('sigcontext', S.SC_SP, 'sp', true);
  u64('sigcontext', S.SC_PC, 'pc', true);
  u64('sigcontext', S.SC_PSTATE, 'pstate', true, pstateText);
  block('sigcontext', S.SC_PSTATE + 8, S.SC_RESERVED - S.SC_PSTATE - 8, '(padding to __reserved)', 'not written');
  walkRecords(b, out, u32, u64, block);

  // the frame record above the rt_sigframe: x29 of the handler points at it
  u64('record', S.RT_SIGFRAME_SIZE, 'frame record: fp', false, (v) => `${hex(v)} (the interrupted x29)`);
  u64('record', S.RT_SIGFRAME_SIZE + 8, 'frame record: lr', false, (v) => `${hex(v)} (the interrupted x30)`);
  return out;
}

/** __reserved[4096]: {magic, size} records until the terminator, as parse_user_sigframe reads them. */
function walkRecords(b: Buffer, out: Field[],
  u32: (part: Part, off: number, name: string, text?: (v: number) => string, key?: boolean) => void,
  u64: (part: Part, off: number, name: string, key?: boolean, text?: (v: bigint) => string) => void,
  block: (part: Part, off: number, size: number, name: string, text: string) => void): void {
  const end = S.SC_RESERVED + S.SIGCONTEXT_RESERVED_SIZE;
  let off = S.SC_RESERVED;
  while (off + 8 <= end) {
    const magic = b.readUInt32LE(off), size = b.readUInt32LE(off + 4);
    const what = MAGICS[magic] ?? 'unknown';
    const rec = what.split(/[_ ]/)[0].toLowerCase();
    u32('reserved', off, `${rec}: magic`, (v) => `${hex(v)} (${what})`, true);
    u32('reserved', off + 4, `${rec}: size`, (v) => String(v), true);
    if (magic === 0) {
      // the terminator: 16 bytes reserved, the head written; the rest of __reserved is not written
      block('reserved', off + 8, end - off - 8, '__reserved (unused)', 'not written');
      return;
    }
    if (size < 8 || off + size > end) {
      block('reserved', off + 8, end - off - 8, '__reserved (after a bad record)', 'the size is out of range: the walk stops here');
      return;
    }
    if (magic === S.FPSIMD_MAGIC && size === S.FPSIMD_CONTEXT_SIZE) {
      u32('reserved', off + S.FPSIMD_FPSR, 'fpsimd: fpsr');
      u32('reserved', off + S.FPSIMD_FPCR, 'fpsimd: fpcr');
      for (let i = 0; i < 32; i++) {
        const at = off + S.FPSIMD_VREGS + 16 * i;
        out.push({ part: 'reserved', off: at, size: 16, name: `fpsimd: v${i}`, text: `0x${b.readBigUInt64LE(at + 8).toString(16).padStart(16, '0')}${b.readBigUInt64LE(at).toString(16).padStart(16, '0')}` });
      }
    } else if (magic === S.ESR_MAGIC && size === S.ESR_CONTEXT_SIZE) {
      u64('reserved', off + S.ESR_CONTEXT_ESR, 'esr', true, (v) => `${hex(v)} (${esrGetClassString(Number(v & 0xffffffffn))})`);
    } else {
      block('reserved', off + 8, size - 8, `${rec}: body`, 'not decoded');
    }
    off += size;
  }
}

const PSTATE_FLAGS: [bigint, string][] = [[1n << 31n, 'N'], [1n << 30n, 'Z'], [1n << 29n, 'C'], [1n << 28n, 'V']];

function pstateText(v: bigint): string {
  const nzcv = PSTATE_FLAGS.map(([bit, c]) => (v & bit ? c : c.toLowerCase())).join('');
  return `${hex(v)} (${nzcv}, ${(v & 0xfn) === 0n ? 'EL0t' : `mode ${v & 0xfn}`})`;
}

function blockedNames(mask: bigint): string {
  const names: string[] = [];
  for (let s = 1; s <= 64; s++) if (mask & (1n << BigInt(s - 1))) names.push(signalName(s));
  return names.length ? ` (${names.join(' ')})` : '';
}

const PART_NAMES: Record<Part, string> = {
  siginfo: 'siginfo_t info', ucontext: 'struct ucontext uc', sigcontext: 'uc_mcontext (struct sigcontext)',
  reserved: '__reserved[4096] records', record: 'struct frame_record',
};

/** the bytes of a field as they lie in memory: all of a small one, the first 16 of a block */
function bytesText(b: Buffer, off: number, size: number): string {
  const n = Math.min(size, 16);
  const s = [...b.subarray(off, off + n)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return size > n ? `${s} … (${size} bytes)` : s;
}

/** The frame as a table: one row per field, grouped by the struct it belongs to. */
export function renderSigframe(f: SigframeCapture, index: number): string {
  const fields = frameFields(f);
  const rows: string[] = [];
  let part: Part | null = null;
  for (const x of fields) {
    if (x.part !== part) {
      part = x.part;
      rows.push(`<tr class="group"><th colspan="6">${esc(PART_NAMES[part])}</th></tr>`);
    }
    const addr = f.frame + BigInt(x.off);
    const value = x.value === undefined ? '' : ` data-value="${esc(x.value)}"`;
    rows.push(`<tr class="${x.part}${x.key ? ' key' : ''}" data-field="${esc(x.name)}"><td class="part mono">+${hex(x.off)}</td>` +
      `<td class="mono">${hex(addr)}</td><td>${x.size}</td><td class="mono">${esc(x.name)}</td>` +
      `<td class="bytes">${bytesText(f.bytes, x.off, x.size)}</td><td class="value mono"${value}>${esc(x.text)}</td></tr>`);
  }
  const head = `<h3 id="frame-${index}">${esc(signalName(f.signo))} to pid ${f.pid} tid ${f.tid}` +
    `${f.icount !== null ? ` at insn ${f.icount}` : ''}: rt_sigframe at ${hex(f.frame)}</h3>` +
    `<p class="muted">sp of the handler = ${hex(f.frame)}; ${S.RT_SIGFRAME_SIZE} bytes of rt_sigframe, then the ` +
    `${S.FRAME_RECORD_SIZE}-byte frame record at ${hex(f.frame + BigInt(S.RT_SIGFRAME_SIZE))}. Bytes in memory order (little-endian).</p>`;
  return `${head}\n<table class="sigframe" data-frame="${hex(f.frame)}"><thead><tr><th>offset</th><th>address</th>` +
    `<th>size</th><th>field</th><th>bytes</th><th>value</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export function renderSigframes(frames: SigframeCapture[], seen: number): string {
  if (frames.length === 0) return '<p>No signal handler ran: no rt_sigframe was written.</p>';
  const more = seen > frames.length ? `<p class="muted">${seen} frames were written; the first ${frames.length} are drawn.</p>` : '';
  return more + frames.map((f, i) => renderSigframe(f, i)).join('\n');
}
