// Typed trace events: kernel tracepoint names where they exist (signal_generate, signal_deliver,
// sys_enter, sys_exit), QEMU linux-user names next (user_setup_rt_frame), ours last (exception_entry,
// mem_abort). Every event carries the instruction count, never wall time, so traces diff cleanly.
export interface TraceEvent {
  name: string;
  icount: number | null;
  [field: string]: unknown;
}

export type TraceSink = (e: TraceEvent) => void;

export class Tracer {
  /** the machine's own listener (event stops, `on()` subscriptions); null when nobody listens */
  watcher: TraceSink | null = null;

  constructor(private readonly sink: TraceSink | undefined, private readonly icount: () => number | null) {}

  /** One branch when nobody listens. */
  emit(name: string, data: Record<string, unknown>): void {
    if (!this.sink && !this.watcher) return;
    const e = { name, icount: this.icount(), ...data };
    this.sink?.(e);
    this.watcher?.(e);
  }
}

/** A sink that keeps every event, for tests and scripts. */
export function collect(): { sink: TraceSink; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  return { sink: (e) => events.push(e), events };
}
