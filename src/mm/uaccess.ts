// copy_from_user / copy_to_user / strncpy_from_user (arch/arm64/include/asm/uaccess.h, lib/strncpy_from_user.c):
// the kernel side touching guest memory. A fault here is not a signal: the syscall returns -EFAULT.
import type { Mm } from './mm.ts';
import { VM_READ, VM_WRITE } from './vma-flags.ts';
import { eofStart } from './mm.ts';

/**
 * untagged_addr (arch/arm64/include/asm/memory.h): addr & sign_extend64(addr, 55). TBI0 is on for EL0, so a user
 * address loses its top byte; an address with bit 55 set (the kernel half) keeps all its bits.
 */
export function untaggedAddr(addr: bigint): bigint {
  return addr & BigInt.asUintN(64, BigInt.asIntN(56, addr));
}

function covered(mm: Mm, addr: bigint, len: number, need: number): boolean {
  if (len === 0) return true;
  let a = addr;
  const end = addr + BigInt(len);
  if (addr < 0n || end > 1n << 48n) return false;
  while (a < end) {
    const v = mm.vmaAt(a);
    if (!v || (v.flags & need) === 0) return false;
    const eof = v.file ? eofStart(v) : null; // a page past the end of a mapped file: the copy faults (-EFAULT)
    if (eof !== null && end > eof) return false;
    a = v.end;
  }
  return true;
}

/** Bytes at addr, or null where copy_from_user would fault (unmapped or unreadable). */
export function copyFromUser(mm: Mm, addr: bigint, len: number): Buffer | null {
  if (!covered(mm, addr, len, VM_READ)) return null;
  return mm.cpu.read(addr, len);
}

/** false where copy_to_user would fault (unmapped or not writable). */
export function copyToUser(mm: Mm, addr: bigint, data: Buffer): boolean {
  if (!covered(mm, addr, data.length, VM_WRITE)) return false;
  return mm.cpu.write(addr, data);
}

/** A NUL-terminated string of at most max bytes; null on a fault, 'toolong' when no NUL was found. */
export function strncpyFromUser(mm: Mm, addr: bigint, max: number): string | null | 'toolong' {
  const chunks: Buffer[] = [];
  let total = 0;
  let a = addr;
  while (total < max) {
    const v = mm.vmaAt(a);
    if (!v || !(v.flags & VM_READ)) return null;
    const n = Number(v.end - a < BigInt(max - total) ? v.end - a : BigInt(max - total));
    const step = Math.min(n, 4096);
    const b = mm.cpu.read(a, step);
    if (!b) return null;
    const z = b.indexOf(0);
    if (z >= 0) {
      chunks.push(b.subarray(0, z));
      return Buffer.concat(chunks).toString('utf8');
    }
    chunks.push(b);
    total += step;
    a += BigInt(step);
  }
  return 'toolong';
}

export function readU64(mm: Mm, addr: bigint): bigint | null {
  const b = copyFromUser(mm, addr, 8);
  return b ? b.readBigUInt64LE() : null;
}

