// Runs fuzz cases in-process and classifies each: a named error (the emulator refused the input and said why),
// a guest outcome (the program ran and ended somehow), or a host crash (anything else: a bug). For path
// escapes, also whether anything outside the root changed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Machine } from '../../src/machine.ts';
import { assemble } from '../../src/harness/scenario.ts';
import { EmulatorError, InternalError, UnicornError } from '../../src/errors.ts';
import { pathProgram, type ElfCase, type PathCase } from './cases.ts';
import { decodeMemAccess } from '../../src/arch/arm64/insn.ts';
import { alignCheckerOf } from '../../src/arch/arm64/align.ts';

export type Outcome = { kind: 'error' | 'guest' | 'crash' | 'escape' | 'same' | 'differs'; detail: string };

function classify(fn: () => string): Outcome {
  try {
    return { kind: 'guest', detail: fn() };
  } catch (e) {
    const named = e instanceof EmulatorError && !(e instanceof InternalError) && !(e instanceof UnicornError);
    return { kind: named ? 'error' : 'crash', detail: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export function runElfCase(c: ElfCase, dir: string): Outcome {
  const file = join(dir, 'prog');
  writeFileSync(file, c.file, { mode: 0o755 });
  return classify(() => {
    const r = new Machine(file, { root: dir, maxInsns: 200_000n, rlimitCore: 0n }).run();
    return r.exit.kind === 'signaled' ? r.exit.signal! : r.exit.kind;
  });
}

/** Everything below dir, with sizes, to compare before and after. */
function listing(dir: string): string {
  return readdirSync(dir, { recursive: true }).map(String).sort()
    .map((f) => { const st = statSync(join(dir, f), { throwIfNoEntry: false }); return `${f}:${st?.isDirectory() ? 'd' : st?.size}`; })
    .join('\n');
}

/**
 * A path case in a fresh sandbox: <sandbox>/root is the guest's "/", <sandbox>/outside a directory with a file
 * in it, and the sandbox itself must hold nothing else afterwards.
 */
export function runPathCase(c: PathCase): Outcome {
  const sandbox = mkdtempSync(join(tmpdir(), 'af-fuzz-path-'));
  try {
    const root = join(sandbox, 'root');
    const outside = join(sandbox, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'escape'), 'outside');
    if (c.plant) symlinkSync(c.plant[1].replace('/OUTSIDE', outside), join(root, c.plant[0]));
    const before = listing(outside);
    const exe = assemble(pathProgram(c), c.name);
    const out = classify(() => {
      const o = c.op === 'core' ? { corePattern: c.path } : {};
      const r = new Machine(exe, { root, maxInsns: 10_000n, ...o }).run();
      return c.op === 'core' ? `core ${r.core.dumped ? 'dumped' : 'refused'}` : r.exit.kind;
    });
    const extra = readdirSync(sandbox).filter((f) => f !== 'root' && f !== 'outside');
    if (listing(outside) !== before || extra.length > 0) return { kind: 'escape', detail: `outside changed: ${extra.join(',')}` };
    return out;
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/** STGP, STG, STZG, ST2G, STZ2G, LDG and the tag instructions: MTE, which our CPU (and AT_HWCAP2) does not have. */
const isMte = (w: number): boolean => [0x1a2, 0x1a4, 0x1a6].includes(w >>> 22) || ((w >>> 24) === 0xd9 && (w & 0x00200000) !== 0)
  || (w & 0xffe0fc00) >>> 0 === 0x9ac00000 /* IRG */ || (w & 0xffe0fc00) >>> 0 === 0x9ac01400 /* GMI */
  || (w & 0xff800000) >>> 0 === 0x91800000 /* ADDG */ || (w & 0xff800000) >>> 0 === 0xd1800000; /* SUBG */

/** LDAPR (no MO_ALIGN in qemu 7.2) and the store-exclusives (qemu compares the monitor first): align.ts's
 *  'emulator' classes that qemu 7.2 does not check either (it does check LDAR/STLR/LDAPUR/STLUR/LDLAR/STLLR). */
function qemuRunsMisaligned(w: number): boolean {
  const m = decodeMemAccess(w);
  return m !== null && alignCheckerOf(m) === 'emulator' && (m.kind === 'store-exclusive' || (m.form === 'ordered' && (w & 0x3f000000) === 0x38000000));
}

/**
 * Why our first signal and qemu-aarch64's (-cpu max without SVE/SME/PAC) differ, by name; 'unclassified'
 * for a difference nobody has explained yet.
 */
export function differenceClass(ours: string, qemu: string, faultWord: number | null, inImageGap = false,
  frameFailed = false): string {
  if (ours === '04 01' && qemu === '04 02') return 'qemu reports unallocated encodings as ILL_ILLOPN, Linux as ILL_ILLOPC';
  if (ours === '04 01' && faultWord !== null && isMte(faultWord)) return 'MTE instruction: qemu -cpu max has MTE (7.2 cannot turn it off), our CPU does not';
  if (qemu === '04 02' && faultWord !== null && (faultWord & 0x3f000000) >>> 0 === 0x08000000) {
    return 'exclusive with Rt/Rt2/Rs equal to Rn or each other (CONSTRAINED UNPREDICTABLE): qemu makes it UNDEFINED, we perform it';
  }
  if (ours === '07 01' && faultWord !== null && qemuRunsMisaligned(faultWord)) {
    return 'misaligned LDAPR or store-exclusive: qemu 7.2 does not check their alignment (Linux: SIGBUS BUS_ADRALN)';
  }
  if (ours === 'signaled SIGSEGV' && frameFailed && /^signaled SIG/.test(qemu) && qemu !== ours) {
    return 'the signal frame cannot be written (SP unusable): Linux force_sigsegv ends in SIGSEGV, qemu 7.2 dies of the first signal';
  }
  if (ours === '11 01' && qemu === '11 02' && inImageGap) {
    return 'access between the program\'s segments: qemu reserves the image\'s gaps PROT_NONE (ACCERR), Linux leaves them unmapped (MAPERR)';
  }
  return 'unclassified';
}

/** One instruction stream under arm64-fault and qemu-aarch64: "<signo> <si_code>" or "none" from each. */
export function runInsnCase(exe: string, qemu: (exe: string) => string): { ours: string; qemu: string; cls: string | null; crash?: string } {
  let ours: string;
  let word: number | null = null;
  let addr: bigint | null = null;
  let frameFailed = false;
  try {
    const m = new Machine(exe, { root: tmpdir(), maxInsns: 20_000n, rlimitCore: 0n });
    const r = m.run();
    ours = r.exit.kind === 'limit' ? 'limit' : r.stdout.trim() || `${r.exit.kind} ${r.exit.signal}`;
    const s = r.signals[0];
    // force_sigsegv after a failed setup_rt_frame: SIGSEGV SI_KERNEL generated by the kernel itself
    frameFailed = r.signals.some((x) => x.name === 'SIGSEGV' && x.codeName === 'SI_KERNEL' && x.source === 'kernel');
    if (s?.addr) {
      addr = BigInt(s.addr);
      // the faulting instruction: the report's pc, or else si_addr (SIGILL, PC alignment: si_addr is the pc)
      word = wordAt(exe, s.pc ? BigInt(s.pc) : s.name === 'SIGSEGV' ? m.cpu.pc : addr);
    }
  } catch (e) {
    return { ours: 'crash', qemu: '', cls: null, crash: `${(e as Error).name}: ${(e as Error).message}` };
  }
  const q = qemu(exe);
  if (ours === q || ours === 'limit' || q === 'timeout') return { ours, qemu: q, cls: null };
  return { ours, qemu: q, cls: differenceClass(ours, q, word, addr !== null && inImageGap(exe, addr), frameFailed) };
}

/** Is addr between the first and the last PT_LOAD of the executable, in no segment? */
function inImageGap(exe: string, addr: bigint): boolean {
  const loads = ptLoads(readFileSync(exe));
  const inside = loads.some((l) => addr >= l.vaddr && addr < l.vaddr + l.memsz);
  return !inside && addr >= loads[0].vaddr && addr < loads.at(-1)!.vaddr + loads.at(-1)!.memsz;
}

function ptLoads(f: Buffer): { vaddr: bigint; offset: bigint; filesz: bigint; memsz: bigint }[] {
  const phoff = Number(f.readBigUInt64LE(32));
  return Array.from({ length: f.readUInt16LE(56) }, (_, i) => phoff + 56 * i)
    .filter((p) => f.readUInt32LE(p) === 1)
    .map((p) => ({ vaddr: f.readBigUInt64LE(p + 16), offset: f.readBigUInt64LE(p + 8), filesz: f.readBigUInt64LE(p + 32), memsz: f.readBigUInt64LE(p + 40) }));
}

/** The instruction word at a text address of a static executable made by assemble() (text at 0x400000 + 0x..). */
function wordAt(exe: string, addr: bigint): number | null {
  const f = readFileSync(exe);
  const l = ptLoads(f).find((x) => addr >= x.vaddr && addr + 4n <= x.vaddr + x.filesz);
  return l ? f.readUInt32LE(Number(l.offset + addr - l.vaddr)) : null;
}

/** qemu-aarch64 with the CPU closest to ours: -cpu max without SVE, SME and pointer authentication. */
export function qemuFirstSignal(exe: string): string {
  const q = spawnSync('qemu-aarch64', ['-cpu', 'max,sve=off,sme=off,pauth=off', exe], { encoding: 'utf8', timeout: 3000 });
  if (q.error && (q.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('qemu-aarch64 is not installed');
  return q.error ? 'timeout' : q.stdout.trim() || `signaled ${q.signal}`;
}
