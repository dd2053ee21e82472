// A Kernel for the unit tests of kernel paths: a real Task with its own structs on the given mm, the
// tracepoints and notices kept in arrays, no timers and no other tasks. The whole machine (system.ts) is what integration tests use.
import type { Mm } from '../mm/mm.ts';
import type { Kernel, Sysctl } from './kernel.ts';
import type { CpuFeatures } from '../arch/arm64/cpufeature.ts';
import type { FileTable } from '../fs/files.ts';
import type { NoticeMap } from '../trace.ts';
import { Task, SignalStruct, SighandStruct, FsStruct, defaultRlimits } from './task.ts';
import { Itimers } from './itimer.ts';
import { Clock } from './time.ts';
import { InternalError } from '../errors.ts';

export interface TestKernel extends Kernel {
  traces: [string, Record<string, unknown>][];
  notices: [keyof NoticeMap, unknown][];
  log: string[];
}

/** A task (pid, comm) with RLIMIT_CORE 0 on mm, and a Kernel whose current it is. */
export function testKernel(mm: Mm, pid: number, comm: string, files = {} as FileTable): TestKernel {
  const clock = new Clock(0n, () => null);
  const signal = new SignalStruct(pid, defaultRlimits(0n, 8n << 20n), new Itimers({ now: () => 0n, cpu: () => 0n }));
  const ids = { uid: 1000, euid: 1000, suid: 1000, fsuid: 1000, gid: 1000, egid: 1000, sgid: 1000, fsgid: 1000 };
  const task = new Task(mm, files, signal, new SighandStruct(), new FsStruct(),
    { pid, ppid: 1, cred: ids, comm, exePath: `/${comm}` });
  const sysctl: Sysctl = {
    hostname: 'h', corePattern: 'core', coreUsesPid: false, corePipeLimit: 0, suidDumpable: 0, exceptionTrace: false,
    collectDir: '/nonexistent', allowHostPipe: false, oopsOnSyscall: null,
  };
  const k: TestKernel = {
    task, tasks: [task], cpu: mm.cpu, mm, clock, root: '/nonexistent', sysctl, features: {} as CpuFeatures,
    traces: [], notices: [], log: [],
    trace: (name, data) => void k.traces.push([name, data as Record<string, unknown>]),
    tracing: () => true,
    notice: (name, data) => void k.notices.push([name, data]),
    printk: (...lines) => void k.log.push(...lines),
    randomBytes: (n) => Buffer.alloc(n),
    init: task,
    allocPid: () => pid + 1,
    getNextIno: () => 20000,
    newCpu: () => { throw new InternalError('testKernel: no engines'); },
    wakeUpNewTask: () => {},
    releaseTask: () => {},
    savedContext: () => undefined,
    addTimer: () => {},
    cancelTimer: () => {},
    panic: () => {},
    bug: (msg) => { throw new InternalError(msg); },
  };
  return k;
}
