// The public API of arm64-fault: everything a script or a test suite needs, and nothing else.
//
//   import { createMachine, runProgram, SIGSEGV } from 'arm64-fault';
//   const m = createMachine({ program: 'programs/build/segv_maperr_null', rlimitCore: 0n });
//   m.on('signal_generate', (e) => console.log(e.sig, e.code, e.icount));
//   const at = m.runUntil({ symbol: 'fault_insn' });      // stopped before the faulting load
//   m.setReg('x0', m.symbol('fault_insn'));                 // make it load from its own code instead
//   m.run().exit;                                           // → exited normally, or however it ends
import { Machine } from './machine.ts';
import { ScriptMachine } from './scripting.ts';
import type { MachineOptions } from './options.ts';
import type { RunReport } from './report.ts';
import type { TraceSink } from './trace.ts';
import { assemble } from './harness/scenario.ts';
import { OptionError } from './errors.ts';

export { Machine, type StopAt, type Stopped } from './machine.ts';
export { ScriptMachine } from './scripting.ts';
export type { MachineOptions } from './options.ts';
export type { RunReport, SignalRecord, CoreRecord, InjectedRecord } from './report.ts';
export { parseInject, type InjectSpec } from './arch/arm64/inject.ts';
export { renderText, shellStatus, shellLine } from './report.ts';
export { collect, type TraceEvent, type TraceSink } from './trace.ts';
export { EmulatorError, LoaderError, OptionError, StateError, UnicornError, InternalError } from './errors.ts';
export { runScenario, runScenarioSafe, type ScenarioResult } from './harness/run.ts';
export { runBatch } from './harness/batch.ts';
export { loadScenario, parseScenario, type Scenario } from './harness/scenario.ts';
export { runMatrix, formatMatrix } from './harness/matrix.ts';
export { renderRunHtml, type RunPictures } from './html/run.ts';
export { renderMatrixHtml } from './html/matrix.ts';
export { timelineCollector } from './html/timeline.ts';
export type { Captures, SigframeCapture, MapsCapture } from './capture.ts';
export {
  SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE,
  SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP, SIGSYS, SIGRTMIN, SIGRTMAX, signalName, signalByName, siCodeName,
} from './kernel/sigdefs.ts';

export interface CreateMachineOptions extends Partial<MachineOptions> {
  /** a static AArch64 ELF executable (host path) … */
  program?: string;
  /** … or AArch64 assembly, assembled and linked statically with the cross binutils (`_start` is added if missing) */
  asm?: string;
  /** receives every kernel-path event (see trace.ts) */
  trace?: TraceSink;
}

/**
 * A machine with the program loaded and stopped before its first instruction. Drive it with runUntil() and
 * run(); read and change it with regs()/setReg()/readMemory()/writeMemory(); send signals with kill().
 */
export function createMachine(o: CreateMachineOptions): ScriptMachine {
  const { program, asm, trace, ...options } = o;
  if ((program === undefined) === (asm === undefined)) {
    throw new OptionError('createMachine needs exactly one of `program` (an ELF file) or `asm` (assembly text)');
  }
  return new ScriptMachine(program ?? assemble(asm!), options, trace);
}

/** Loads and runs a program to its end: the report of DESIGN.md §4. */
export function runProgram(program: string, options: Partial<MachineOptions> = {}, trace?: TraceSink): RunReport {
  return new Machine(program, options, trace).run();
}
