// The raw engine: runs a freestanding static AArch64 program (bench_store, bench_reg) on the same
// libunicorn.so.2 that arm64-fault loads, with no hooks at all and one uc_emu_start, until its first svc (the
// exit). What arm64-fault's own overhead is measured against. Run: npx tsx bench/raw-engine.ts <program> [N]
import { readFileSync } from 'node:fs';
import { unicorn, UC_CPU_ARM64_MAX, UC_ARM64_REG_SP } from '../src/cpu/unicorn.ts';

const PT_LOAD = 1;
const STACK_TOP = 0x7ff0000000n;
const STACK_SIZE = 0x100000n;

function main(path: string, arg: string | undefined): void {
  const U = unicorn();
  const uc = U.open();
  if (U.setCpuModel(uc, UC_CPU_ARM64_MAX) !== 0) throw new Error('uc_ctl(CPU_MODEL)');
  const elf = readFileSync(path);
  const entry = elf.readBigUInt64LE(24);
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  for (let i = 0; i < elf.readUInt16LE(56); i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== PT_LOAD) continue;
    const off = Number(elf.readBigUInt64LE(ph + 8));
    const vaddr = elf.readBigUInt64LE(ph + 16);
    const filesz = Number(elf.readBigUInt64LE(ph + 32));
    const memsz = elf.readBigUInt64LE(ph + 40);
    const start = vaddr & ~0xfffn;
    const end = (vaddr + memsz + 0xfffn) & ~0xfffn;
    if (U.memMap(uc, start, end - start, 7) !== 0) throw new Error(`uc_mem_map 0x${start.toString(16)}`);
    U.memWrite(uc, vaddr, elf.subarray(off, off + filesz), filesz);
  }
  // the initial stack: argc, argv[], NULL, envp NULL, auxv AT_NULL, then the strings
  U.memMap(uc, STACK_TOP - STACK_SIZE, STACK_SIZE, 3);
  const args = [path, ...(arg === undefined ? [] : [arg])];
  const strings = Buffer.concat(args.map((a) => Buffer.from(`${a}\0`)));
  const strAt = STACK_TOP - 0x1000n;
  U.memWrite(uc, strAt, strings, strings.length);
  const words: bigint[] = [BigInt(args.length)];
  let o = 0n;
  for (const a of args) {
    words.push(strAt + o);
    o += BigInt(Buffer.byteLength(a) + 1);
  }
  words.push(0n, 0n, 0n, 0n);
  const sp = STACK_TOP - 0x2000n;
  const block = Buffer.alloc(words.length * 8);
  words.forEach((w, i) => block.writeBigUInt64LE(w, i * 8));
  U.memWrite(uc, sp, block, block.length);
  const spBuf = Buffer.alloc(8);
  spBuf.writeBigUInt64LE(sp);
  U.regWrite(uc, UC_ARM64_REG_SP, spBuf);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const err = U.emuStart(uc, entry, 0xfffffffffffffffcn, 0); // ends at the exit svc: UC_ERR_EXCEPTION (21)
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  const cpuMs = (c.user + c.system) / 1000;
  if (err !== 21) throw new Error(`raw engine: uc_emu_start returned ${err} before the exit svc`);
  process.stdout.write(`${JSON.stringify({ engine: U.engine, ms, cpuMs })}\n`);
}

main(process.argv[2], process.argv[3]);
