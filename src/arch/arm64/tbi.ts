// Top-byte ignore (TCR_EL1.TBI0, which Linux sets for EL0): a load or store through a pointer with a tag in
// bits 63:56 must access the untagged address. Unicorn runs with the MMU off and cannot ignore the tag, so the
// access faults there; this file performs the faulting load/store itself on the untagged address, as the
// hardware would have, and retires it. DIVERGENCE: only single-register and pair loads/stores (GPR and
// SIMD&FP, every addressing mode) are emulated; a tagged exclusive, atomic or SIMD structure access still
// ends as an emulator error that names it.
import type { Cpu } from '../../cpu/cpu.ts';
import type { Mm } from '../../mm/mm.ts';
import { decodeMemAccess } from './insn.ts';
import { copyFromUser, copyToUser, untaggedAddr } from '../../mm/uaccess.ts';
import { EmulatorError } from '../../errors.ts';


/** Sign- or zero-extends a little-endian value of `bytes` bytes. */
function extend(v: bigint, bytes: number, signed: boolean, sf: boolean): bigint {
  const bits = BigInt(bytes * 8);
  if (!signed) return v;
  const s = BigInt.asIntN(Number(bits), v);
  return BigInt.asUintN(sf ? 64 : 32, s);
}

/**
 * Emulates the instruction at the pc if it is a plain load/store whose address carries a tag. Returns false when
 * it is not such an access (the caller then handles the fault normally); a fault on the untagged address is
 * left to the caller too (false), since the guest then faults as on Linux.
 */
export function emulateTaggedAccess(cpu: Cpu, mm: Mm): boolean {
  const pc = cpu.pc;
  const insn = cpu.read(pc, 4)?.readUInt32LE(0);
  if (insn === undefined) return false;
  const m = decodeMemAccess(insn);
  if (!m || (m.kind !== 'load' && m.kind !== 'store') || m.rn < 0 || m.rn > 31) return false;
  const reg = (n: number) => (n === 31 ? 0n : cpu.x(n));
  const tagged = m.address(reg, cpu.sp, pc);
  if (untaggedAddr(tagged) === tagged) return false;
  if (m.form === 'simd-multiple' || m.form === 'simd-single') {
    throw new EmulatorError(`tagged-pointer SIMD structure access at pc 0x${pc.toString(16)} is not emulated (TBI)`);
  }
  const addr = untaggedAddr(tagged);
  const regs = m.rt2 >= 0 ? [m.rt, m.rt2] : [m.rt];
  const n = m.elemSize;
  if (m.kind === 'load') {
    const data = copyFromUser(mm, addr, n * regs.length);
    if (!data) return false;
    regs.forEach((r, i) => {
      const b = data.subarray(i * n, (i + 1) * n);
      let v = 0n;
      for (let j = b.length - 1; j >= 0; j--) v = (v << 8n) | BigInt(b[j]);
      if (m.fp) cpu.setV(r, v);
      else if (r !== 31) cpu.setX(r, extend(v, n, m.signed, m.sf));
    });
  } else {
    const data = Buffer.alloc(n * regs.length);
    regs.forEach((r, i) => {
      let v = m.fp ? cpu.v(r) : reg(r);
      for (let j = 0; j < n; j++, v >>= 8n) data[i * n + j] = Number(v & 0xffn);
    });
    if (!copyToUser(mm, addr, data)) return false;
  }
  if (m.writeback !== 'none') {
    const base = m.rn === 31 ? cpu.sp : cpu.x(m.rn);
    const next = base + m.imm; // pre: the address itself; post: base + imm (tag bits kept, as the CPU does)
    if (m.rn === 31) cpu.sp = next;
    else cpu.setX(m.rn, next);
  }
  cpu.pc = pc + 4n;
  cpu.retireOne();
  return true;
}
