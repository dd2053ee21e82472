// koffi for every FFI file (cpu/unicorn.ts, where/, strace/): its native module, required directly and only
// when first needed. koffi's index.js loads https, zlib and crypto (for its build tools) before it loads that
// same file, which costs a cold start tens of milliseconds; its JS wrapper adds only deprecated aliases. Any
// other layout falls back to the package's entry point.
import type * as Koffi from 'koffi';
import { createRequire } from 'node:module';

let koffi: typeof Koffi | undefined;

export function loadKoffi(): typeof Koffi {
  if (koffi) return koffi;
  const req = createRequire(import.meta.url);
  try {
    const native = req(`koffi/build/koffi/${process.platform}_${process.arch}/koffi.node`) as typeof Koffi & { version: string };
    if (native.version === (req('koffi/package.json') as { version: string }).version) koffi = native;
  } catch {
    // fall through
  }
  koffi ??= req('koffi') as typeof Koffi;
  return koffi;
}
