// The libraries' share of a cold start, timed inside one process (no subtraction of noisy process times): koffi's
// native module, then libunicorn.so.2's dlopen, then the rest of unicorn() (the prototypes, native/libaficount.so),
// then uc_open with the CPU model set and the engine initialised (32 MiB of JIT buffer, as the CLI's). A floor for arm64-fault: every run loads them. Run by bench/index.ts:
// npx tsx bench/libs.ts  → one JSON line of milliseconds (wall; CPU: user + system of this process's threads)
import { loadKoffi } from '../src/cpu/koffi.ts';
import { unicorn, UC_CPU_ARM64_MAX } from '../src/cpu/unicorn.ts';

const times: Record<string, { ms: number; cpuMs: number }> = {};
function timed<T>(name: string, f: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const c = process.cpuUsage(c0);
  times[name] = { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  return r;
}

const koffi = timed('koffi', loadKoffi);
// the library the CLI loads (the project copy, else the system one), dlopen'ed alone first
timed('dlopen', () => {
  const path = new URL('../.engine/lib/libunicorn.so.2', import.meta.url).pathname;
  try {
    koffi.load(path);
  } catch {
    koffi.load('libunicorn.so.2');
  }
});
const U = timed('unicorn', unicorn); // the library is mapped already: the prototypes and native/libaficount.so
timed('open', () => {
  const uc = U.open();
  if (U.setCpuModel(uc, UC_CPU_ARM64_MAX) !== 0) throw new Error('uc_ctl(CPU_MODEL)');
  // the engine initialises itself (the machine, the JIT and its code buffer) at its first mapping or hook
  if (U.setTcgBufferSize(uc, 32 << 20) !== 0) throw new Error('uc_ctl(TCG_BUFFER_SIZE)');
  if (U.memMap(uc, 0x10000n, 0x1000n, 7) !== 0) throw new Error('uc_mem_map');
});
process.stdout.write(`${JSON.stringify(times)}\n`);
