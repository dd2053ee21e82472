import { describe, it, expect } from 'vitest';
import { checksum, escape, unescape, frame } from './packets.ts';
import { gdbSignal, linuxSignal, TARGET_XML, regSize, NUM_REGS } from './target.ts';

describe('remote protocol framing', () => {
  it('checksums modulo 256 and frames with two lower-case hex digits', () => {
    expect(checksum(Buffer.from('OK'))).toBe(0x9a);
    expect(frame(Buffer.from('OK')).toString()).toBe('$OK#9a');
    expect(frame(Buffer.from('')).toString()).toBe('$#00');
  });

  it('escapes $ # } and * as } then the byte xor 0x20, and back', () => {
    const raw = Buffer.from([0x24, 0x23, 0x7d, 0x2a, 0x41]);
    expect([...escape(raw)]).toEqual([0x7d, 0x04, 0x7d, 0x03, 0x7d, 0x5d, 0x7d, 0x0a, 0x41]);
    expect([...unescape(escape(raw))]).toEqual([...raw]);
  });
});

describe('target description and signals', () => {
  it("maps Linux signals to gdb's numbering (gdb/signals.def), and back", () => {
    // SIGBUS, SIGUSR1, SIGUSR2, SIGCHLD, SIGCONT, SIGSTOP, SIGSYS, SIGIO, SIGPWR differ; SIGSEGV does not
    expect([7, 10, 12, 17, 18, 19, 31, 29, 30, 11].map(gdbSignal)).toEqual([10, 30, 31, 20, 19, 17, 12, 23, 32, 11]);
    expect([32, 33, 63, 64].map(gdbSignal)).toEqual([77, 45, 75, 78]); // real-time signals
    for (let s = 1; s <= 64; s++) if (s !== 16) expect(linuxSignal(gdbSignal(s))).toBe(s);
    expect(linuxSignal(gdbSignal(16))).toBe(0); // SIGSTKFLT: no gdb name
  });

  it("describes gdb's own aarch64 features, with the registers numbered as gdb numbers them", () => {
    for (const f of ['core', 'fpu', 'tls']) expect(TARGET_XML).toContain(`<feature name="org.gnu.gdb.aarch64.${f}">`);
    expect(TARGET_XML).toContain('<reg name="pc" bitsize="64" type="code_ptr" regnum="32"/>');
    expect(TARGET_XML).toContain('<reg name="v31" bitsize="128" type="aarch64v" regnum="65"/>');
    expect(TARGET_XML).toContain('<reg name="tpidr" bitsize="64" type="data_ptr" regnum="68"/>');
    const g = Array.from({ length: NUM_REGS }, (_, n) => regSize(n)).reduce((a, b) => a + b);
    expect(g).toBe(31 * 8 + 8 + 8 + 4 + 32 * 16 + 4 + 4 + 8);
  });
});
