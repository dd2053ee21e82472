// The emulator's outside world at virtual times: signals from "another process" and gcores at a virtual time,
// the run's timeout, and what to do when the only task waits for something that can never happen. Machine calls
// scheduleOutside once, before the first instruction; System keeps the events as hrtimers, which also end a sleep.
import type { System } from './system.ts';
import type { MachineOptions } from './options.ts';
import { signalName } from './kernel/sigdefs.ts';

export interface OutsideActions {
  /** kill(2) from the parent */
  kill(signo: number): void;
  gcore(): void;
  /** a line for the report's notes */
  note(text: string): void;
  /** the timeout's signal was sent: the run ends once it has been dealt with */
  timeoutSignalSent(): void;
}

export function scheduleOutside(o: MachineOptions, sys: System, act: OutsideActions): void {
  for (const { signo, ns } of o.timedSignals) sys.addTimer(ns, () => act.kill(signo));
  for (const ns of o.gcoreTimes) sys.addTimer(ns, () => act.gcore(), false);
  if (o.timeout !== null) {
    sys.addTimer(o.timeout, () => {
      if (o.onTimeout === null) sys.timedOut = true;
      else {
        act.kill(o.onTimeout); // delivered on the way back to user mode; the run ends there if it survives
        act.timeoutSignalSent();
      }
    }, false);
  }
  const onStuck = o.onStuck;
  sys.onStuck = (reason) => {
    act.note(`stuck: ${reason}${onStuck === null ? '' : `; --on-stuck ${onStuck === 'gcore' ? 'gcore' : signalName(onStuck)}`}`);
    if (onStuck === 'gcore') act.gcore();
    else if (onStuck !== null) act.kill(onStuck);
    return typeof onStuck === 'number';
  };
}
