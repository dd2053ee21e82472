// Typed events. Tracepoints (TraceEventMap) are named after kernel tracepoints where they exist (signal_generate,
// signal_deliver, sys_enter, sys_exit), after the kernel function that emits them next (mem_abort,
// do_page_fault), ours last (exception_entry). Every tracepoint carries the instruction count, never wall time,
// so traces diff cleanly. Notices (NoticeMap) are for the kernel's observers (the report's Recorder): they
// carry what a report needs but a trace does not show, and are never written to a trace.
import type { KernelSiginfo } from './kernel/siginfo.ts';
import type { Task } from './kernel/task.ts';

type Hex = string;

export interface TraceEventMap {
  /** the EL0 synchronous exception and its synthesized syndrome */
  exception_entry: { ec: number; class: string; esr: Hex; far: Hex; pc: Hex };
  /** do_mem_abort: the fault_info row and its handler */
  mem_abort: { fsc: number; fault: string; handler: string; far: Hex; esr: Hex };
  do_page_fault: { addr: Hex; vma: string | null; code: number };
  /** --inject: the abort about to be taken instead of the access (kind, fault_info row or exception, address) */
  inject: { kind: string; fsc: number | null; fault: string; pc: Hex; far: Hex; esr: Hex };
  /** handle_mm_fault returned without VM_FAULT_ERROR for an injected abort: the access is retried */
  handle_mm_fault: { addr: Hex; fault: number };
  /** firmware-first RAS claimed a synchronous external abort; memory_failure() handles the page */
  memory_failure: { addr: Hex; action: string };
  /** an EL0 MRS of an ID or counter register, emulated as the kernel does */
  emulate_mrs: { reg: string | null; value: Hex };
  /** die(): a kernel-mode Oops */
  die: { str: string; esr: Hex; addr: Hex };
  signal_generate: {
    sig: number; errno: number; code: number; comm: string; pid: number; group: boolean; result: number; source: string;
  };
  signal_deliver: {
    sig: number; errno: number; code: number; sa_handler: Hex; sa_flags: number;
    /** the siginfo's address, sender and value (for --strace), where its layout has them */
    addr?: Hex | null; pid?: number | null; uid?: number | null; value?: Hex | null;
  };
  /** a stop signal at its default action (reported, not done: no parent continues the process) */
  signal_stop_ignored: { sig: number };
  /** rt_sigreturn found a bad frame */
  sigreturn_badframe: { pc: Hex; sp: Hex; code: number };
  /** a wait nothing can end */
  sleep_forever: { syscall: string; blocked?: Hex };
  sys_enter: { nr: number; syscall: string | null; args: Hex[] };
  sys_exit: { nr: number; ret: number };
  sys_ni_syscall: { nr: number };
  mmap: { addr: Hex; len: number; prot: number; flags: number };
  itimer_state: { which: number; value: string; interval: string };
  prctl_unsupported: { option: number };
  coredump_begin: { signo: number; pattern: string; limit: string };
  coredump_step: { step: string; ok: boolean; detail: string };
  coredump_end: { dumped: boolean; reason: string | null; path?: string | null; size?: number; truncated?: boolean };
  gcore: { path: string; size: number };
  /** copy_process made a task (task:task_newtask) */
  task_newtask: { pid: number; comm: string; clone_flags: Hex };
  /** exec loaded a new program into the task (sched:sched_process_exec) */
  sched_process_exec: { filename: string; pid: number; old_pid: number };
  /** do_exit (sched:sched_process_exit): the task's wait status */
  sched_process_exit: { comm: string; pid: number; status: number };
  /** a group stop took the process (do_signal_stop) or SIGCONT ended it */
  signal_stop: { sig: number; stopped: boolean };
  /** a write to a /proc/sys file stored a value (proc_sys_write): the sysctl, its old and new value, the writer */
  proc_sys_write: { sysctl: string; old: string; new: string; pid: number; comm: string };
}

export interface NoticeMap {
  /** every generated signal, with its siginfo, right after its signal_generate tracepoint */
  signal_generated: { task: Task; info: KernelSiginfo; source: string; result: 'queued' | 'ignored' | 'dropped' };
  /** arm64_force_sig_fault's `str`: the name of the fault that raised the signal about to be sent */
  arm64_force_sig_fault: { signo: number; str: string };
  /** the exception was handled without a signal (an emulated instruction): nothing of it is left to report */
  exception_return: Record<string, never>;
  /** setup_rt_frame wrote the frame: its base (the handler's sp), sa_flags, whether an esr_context is in it, and a
   *  reader of its bytes as they are now (the rt_sigframe and the frame record above it) */
  rt_sigframe: { signo: number; frame: bigint; flags: number; esr: boolean; read: () => Buffer | null };
  /** a task waits for something that cannot happen */
  blocked_forever: { reason: string };
  /** the guest asked for something not emulated: it got Linux's errno for it */
  unsupported: { what: string; errno: number };
}

export type TraceEventName = keyof TraceEventMap;
/** every event carries the instruction count of its process's engine and the task it happened in (tgid, tid) */
export type TraceEvent = { name: string; icount: number | null; tgid?: number; tid?: number; [field: string]: unknown };
export type TraceSink = (e: TraceEvent) => void;

/** What the Recorder implements: every tracepoint and every notice, as they happen. */
export interface Observer {
  /** the tracepoints it needs: the others cost it nothing */
  readonly wants: ReadonlySet<string>;
  event(e: TraceEvent): void;
  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void;
}

export class Tracer {
  /** the machine's own listener (event stops, `on()` subscriptions); null when nobody listens */
  watcher: TraceSink | null = null;
  observer: Observer | null = null;

  constructor(private readonly sink: TraceSink | undefined, private readonly icount: () => number | null,
    private readonly current: () => { tgid: number; tid: number } = () => ({ tgid: 0, tid: 0 })) {}

  /** Someone listens to this tracepoint (a hot path then builds its event; else it skips even that). */
  listens(name: TraceEventName): boolean {
    return this.sink !== undefined || this.watcher !== null || (this.observer?.wants.has(name) ?? false);
  }

  /** One branch when nobody listens. */
  emit<K extends TraceEventName>(name: K, data: TraceEventMap[K]): void {
    const observe = this.observer?.wants.has(name) ?? false;
    if (!this.sink && !this.watcher && !observe) return;
    // built key by key (no spreads), in the order the trace's JSON lines show: name, icount, tgid, tid, the fields
    const { tgid, tid } = this.current();
    const e: TraceEvent = { name, icount: this.icount(), tgid, tid };
    for (const key in data) e[key] = data[key as keyof typeof data];
    this.sink?.(e);
    if (observe) this.observer!.event(e);
    this.watcher?.(e);
  }

  notice<K extends keyof NoticeMap>(name: K, data: NoticeMap[K]): void {
    this.observer?.notice(name, data);
  }
}

/** A sink that keeps every event, for tests and scripts. */
export function collect(): { sink: TraceSink; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  return { sink: (e) => events.push(e), events };
}
