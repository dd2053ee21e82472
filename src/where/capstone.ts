// Disassembly for reports: Capstone (Debian libcapstone4) through koffi, loaded on first use only, so a run
// without a signal never pays for it. The one other FFI file besides cpu/unicorn.ts; nothing outside sees koffi.
import type * as Koffi from 'koffi';
import { loadKoffi } from '../cpu/koffi.ts';

const CS_ARCH_ARM64 = 1;
const CS_MODE_ARM = 0;

interface Capstone {
  disasm(code: Buffer, address: bigint): string | null;
}

let cs: Capstone | null | undefined;
let loadError: string | null = null;

function load(): Capstone | null {
  const koffi = loadKoffi();
  let so: Koffi.IKoffiLib;
  try {
    so = koffi.load('libcapstone.so.4');
  } catch (e) {
    try {
      so = koffi.load('libcapstone.so.5');
    } catch {
      loadError = `cannot load libcapstone (apt-get install libcapstone4): ${(e as Error).message}`;
      return null;
    }
  }
  const csVersion = so.func('int cs_version(_Out_ int *major, _Out_ int *minor)');
  const major = [0];
  csVersion(major, [0]);
  // cs_insn: Capstone 4 keeps 16 instruction bytes, Capstone 5 keeps 24; the strings follow them
  const insnType = koffi.struct(`cs_insn_v${major[0]}`, {
    id: 'uint32', address: 'uint64', size: 'uint16', bytes: koffi.array('uint8', major[0] >= 5 ? 24 : 16),
    mnemonic: koffi.array('char', 32, 'String'), op_str: koffi.array('char', 160, 'String'), detail: 'void *',
  });
  const csOpen = so.func('int cs_open(int arch, int mode, _Out_ size_t *handle)');
  const csDisasm = so.func('size_t cs_disasm(size_t handle, const uint8_t *code, size_t size, uint64_t address, size_t count, _Out_ void **insn)');
  const csFree = so.func('void cs_free(void *insn, size_t count)');
  const handle = [0];
  if ((csOpen(CS_ARCH_ARM64, CS_MODE_ARM, handle) as number) !== 0) {
    loadError = 'cs_open(CS_ARCH_ARM64) failed';
    return null;
  }
  return {
    disasm(code, address) {
      const out: unknown[] = [null];
      const n = Number(csDisasm(handle[0], code, code.length, address, 1, out));
      if (n < 1) return null;
      const insn = koffi.decode(out[0], insnType) as { mnemonic: string; op_str: string };
      csFree(out[0], n);
      return insn.op_str ? `${insn.mnemonic} ${insn.op_str}` : insn.mnemonic;
    },
  };
}

/** The AArch64 instruction in `code` (4 bytes) at `address`, as text ("ldr x0, [x1]"); null when the bytes do
 *  not decode (an undefined instruction) or Capstone is not installed (capstoneError() says why). */
export function disassemble(code: Buffer, address: bigint): string | null {
  if (cs === undefined) cs = load();
  return cs ? cs.disasm(code, address) : null;
}

export function capstoneError(): string | null {
  return loadError;
}
