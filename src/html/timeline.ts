// The kernel path of a run as a timeline: exception entry → do_mem_abort → the handler (do_page_fault…) →
// signal_generate → signal_deliver → the rt_sigframe written → rt_sigreturn, or the core-dump steps and the
// exit. Built from the run's tracepoints (trace.ts) and the frames the Recorder captured.
import type { TraceEvent, TraceSink } from '../trace.ts';
import type { SigframeCapture } from '../capture.ts';
import { signalName, siCodeName } from '../kernel/sigdefs.ts';
import { RT_SIGFRAME_SIZE } from '../arch/arm64/sigcontext.ts';
import { esc, hex } from './page.ts';

/** __NR_rt_sigreturn on arm64 */
const NR_RT_SIGRETURN = 139;

/** The tracepoints the timeline draws (a syscall only when it is rt_sigreturn). */
const DRAWN = new Set([
  'exception_entry', 'mem_abort', 'do_page_fault', 'emulate_mrs', 'die', 'signal_generate', 'signal_deliver', 'sigreturn_badframe',
  'signal_stop_ignored', 'signal_stop', 'coredump_begin', 'coredump_step', 'coredump_end', 'sched_process_exit',
  'task_newtask', 'sched_process_exec', 'sys_enter',
]);

/** The first MAX_EVENTS are drawn; a run that faults in a loop says how many more there were. */
export const MAX_EVENTS = 300;

/** A sink that keeps the timeline's events (and counts the ones past the limit). */
export function timelineCollector(): { sink: TraceSink; events: TraceEvent[]; dropped: () => number } {
  const events: TraceEvent[] = [];
  let dropped = 0;
  const sink: TraceSink = (e) => {
    if (!DRAWN.has(e.name) || (e.name === 'sys_enter' && e.nr !== NR_RT_SIGRETURN)) return;
    if (events.length < MAX_EVENTS) events.push(e);
    else dropped++;
  };
  return { sink, events, dropped: () => dropped };
}

interface Step { kind: string; step: string; title: string; detail: string }

const sig = (n: unknown): string => signalName(Number(n));
const code = (e: TraceEvent): string => siCodeName(Number(e.sig), Number(e.code));

/** One tracepoint as a step of the path, or null for one not drawn. */
function describe(e: TraceEvent): Step | null {
  switch (e.name) {
    case 'exception_entry':
      return { kind: 'exception', step: e.name, title: `Exception entry: EC 0x${Number(e.ec).toString(16)} (${e.class})`,
        detail: `el0t_64_sync_handler: ESR ${e.esr}, FAR ${e.far}, pc ${e.pc}` };
    case 'mem_abort':
      return { kind: 'fault', step: e.name, title: `do_mem_abort: ${e.fault}`,
        detail: `fault_info[FSC 0x${Number(e.fsc).toString(16)}] → ${e.handler} (ESR ${e.esr}, FAR ${e.far})` };
    case 'do_page_fault':
      return { kind: 'fault', step: e.name, title: `do_page_fault: ${e.vma === null ? 'no VMA' : `VMA ${e.vma}`}`,
        detail: `address ${e.addr}, si_code ${e.code}` };
    case 'emulate_mrs':
      return { kind: 'exception', step: e.name, title: `emulated MRS ${e.reg ?? '(unallocated register)'}`, detail: `value ${e.value}: no signal` };
    case 'die':
      return { kind: 'fault', step: e.name, title: `die: ${e.str}`, detail: `ESR ${e.esr}, address ${e.addr}` };
    case 'signal_generate':
      return { kind: 'signal', step: e.name, title: `signal_generate: ${sig(e.sig)} ${code(e)}`,
        detail: `to ${e.comm} (pid ${e.pid})${e.group ? ', process-directed' : ''}, source ${e.source}, result ${e.result}` };
    case 'signal_deliver': {
      const handler = BigInt(e.sa_handler as string);
      const to = handler === 0n ? 'default action (SIG_DFL)' : handler === 1n ? 'ignored (SIG_IGN)' : `handler ${e.sa_handler}`;
      return { kind: 'signal', step: e.name, title: `signal_deliver: ${sig(e.sig)} ${code(e)} → ${to}`,
        detail: `sa_flags 0x${Number(e.sa_flags).toString(16)}${e.addr ? `, si_addr ${e.addr}` : ''}` };
    }
    case 'sys_enter':
      return { kind: 'sigreturn', step: 'rt_sigreturn', title: 'rt_sigreturn', detail: 'restore_sigframe: registers, mask, fpsimd and altstack from the frame at sp' };
    case 'sigreturn_badframe':
      return { kind: 'sigreturn', step: e.name, title: 'rt_sigreturn: bad frame', detail: `pc ${e.pc}, sp ${e.sp}: SIGSEGV, si_code ${e.code}` };
    case 'signal_stop_ignored': case 'signal_stop':
      return { kind: 'signal', step: e.name, title: `${e.name}: ${sig(e.sig)}`, detail: e.name === 'signal_stop' ? (e.stopped ? 'stopped' : 'continued') : 'group stop with no parent: continued at once' };
    case 'coredump_begin':
      return { kind: 'coredump', step: e.name, title: `vfs_coredump: ${sig(e.signo)}`, detail: `core_pattern ${JSON.stringify(e.pattern)}, limit ${e.limit}` };
    case 'coredump_step':
      return { kind: 'coredump', step: e.name, title: `coredump ${e.ok ? 'ok' : 'STOP'}: ${e.step}`, detail: String(e.detail) };
    case 'coredump_end':
      return { kind: 'coredump', step: e.name, title: e.dumped ? 'core dumped' : 'no core',
        detail: e.dumped ? `${e.path ?? ''} (${e.size} bytes${e.truncated ? ', truncated' : ''})` : String(e.reason ?? '') };
    case 'sched_process_exit':
      return { kind: 'exit', step: e.name, title: `exit: ${e.comm} (${e.pid})`, detail: `wait status 0x${Number(e.status).toString(16)}` };
    case 'task_newtask':
      return { kind: 'exit', step: e.name, title: `new task ${e.pid} (${e.comm})`, detail: `clone_flags ${e.clone_flags}` };
    case 'sched_process_exec':
      return { kind: 'exit', step: e.name, title: `exec ${e.filename}`, detail: `pid ${e.pid}` };
  }
  return null;
}

function frameStep(f: SigframeCapture, index: number): Step {
  return { kind: 'frame', step: 'setup_rt_frame', title: `setup_rt_frame: ${signalName(f.signo)} frame at ${hex(f.frame)}`,
    detail: `rt_sigframe ${hex(f.frame)}…${hex(f.frame + BigInt(RT_SIGFRAME_SIZE))}, frame record at ${hex(f.frame + BigInt(RT_SIGFRAME_SIZE))}; ` +
      `<a href="#frame-${index}">drawn below</a>` };
}

/** Each delivery to a handler is followed by its frame: the capture of the same thread, signal and count. */
function withFrames(events: TraceEvent[], frames: SigframeCapture[]): { e: TraceEvent | null; step: Step }[] {
  const used = new Set<number>();
  const out: { e: TraceEvent | null; step: Step }[] = [];
  for (const e of events) {
    const step = describe(e);
    if (!step) continue;
    out.push({ e, step });
    if (e.name !== 'signal_deliver' || BigInt(e.sa_handler as string) <= 1n) continue;
    const i = frames.findIndex((f, j) => !used.has(j) && f.signo === e.sig && f.tid === (e.tid ?? f.tid) && f.icount === e.icount);
    if (i < 0) continue;
    used.add(i);
    out.push({ e: null, step: frameStep(frames[i], i) });
  }
  return out;
}

export function renderTimeline(events: TraceEvent[], frames: SigframeCapture[], dropped: number, processes: number): string {
  if (events.length === 0) return '<p>No kernel-path events in this run (no exception, signal or core dump).</p>';
  const items = withFrames(events, frames).map(({ e, step }) => {
    const at = e ? `insn ${e.icount ?? '?'}${processes > 1 ? `, pid ${e.tgid} tid ${e.tid}` : ''}` : '';
    // the frame step's detail carries a link of ours; every other detail is text from the run
    const detail = step.kind === 'frame' ? step.detail : esc(step.detail);
    return `<li class="${step.kind}" data-step="${esc(step.step)}"><span class="title">${esc(step.title)}</span>` +
      `<span class="at">${esc(at)}</span><br><span class="mono">${detail}</span></li>`;
  });
  const more = dropped ? `<p class="muted">… and ${dropped} more events not drawn (the first ${MAX_EVENTS} are).</p>` : '';
  return `<ol class="timeline">\n${items.join('\n')}\n</ol>${more}`;
}
