// What the Recorder keeps for the pictures of a run (`run --html`, src/html/): the signal frames as
// setup_rt_frame wrote them and the memory map at each fault. Not part of the JSON report (DESIGN.md §4): the
// frame bytes are 4.7 KB each. Only the first few are kept, so a handler that refaults a million times costs
// nothing more than a counter.
import type { Mm } from './mm/mm.ts';
import { vmaName, vmaPerms } from './fs/proc/task_mmu.ts';

/** One rt_sigframe as setup_rt_frame left it in guest memory. */
export interface SigframeCapture {
  signo: number;
  /** the process and thread it was delivered to */
  pid: number;
  tid: number;
  /** instruction count of the delivery (null in --fast mode) */
  icount: number | null;
  /** the frame's base: the handler's sp; the frame record {fp, lr} follows the rt_sigframe */
  frame: bigint;
  /** sa_flags of the handler (SA_SIGINFO: the siginfo part was written) */
  flags: number;
  /** an esr_context record follows fpsimd_context */
  esr: boolean;
  /** RT_SIGFRAME_SIZE + FRAME_RECORD_SIZE bytes from `frame` */
  bytes: Buffer;
}

/** One VMA as /proc/PID/maps shows it. */
export interface VmaSnapshot { start: bigint; end: bigint; perms: string; name: string | null }

/** The memory map when a fault signal was raised, and the faulting address. */
export interface MapsCapture {
  signo: number;
  name: string;
  codeName: string;
  pid: number;
  icount: number | null;
  addr: bigint | null;
  pc: bigint | null;
  vmas: VmaSnapshot[];
}

export const MAX_FRAMES = 8;
export const MAX_MAPS = 4;

export class Captures {
  readonly frames: SigframeCapture[] = [];
  readonly maps: MapsCapture[] = [];
  /** how many there were in all (those past the limits are counted, not kept) */
  framesSeen = 0;
  mapsSeen = 0;

  frame(c: Omit<SigframeCapture, 'bytes'>, read: () => Buffer | null): void {
    if (this.framesSeen++ >= MAX_FRAMES) return;
    const bytes = read();
    if (bytes) this.frames.push({ ...c, bytes });
  }

  /** the next fault's map is kept (else fault() only counts it: the caller may skip building its record) */
  wantsFault(): boolean {
    return this.mapsSeen < MAX_MAPS;
  }

  fault(c: Omit<MapsCapture, 'vmas'>, mm: Mm): void {
    if (this.mapsSeen++ >= MAX_MAPS) return;
    this.maps.push({ ...c, vmas: mm.vmas.map((v) => ({ start: v.start, end: v.end, perms: vmaPerms(v), name: vmaName(mm, v) })) });
  }
}
