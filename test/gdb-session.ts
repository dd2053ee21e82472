// A gdb session against the installed command: `arm64-fault run --gdb 0 …` started in the background (resolved
// once it announces its port), and gdb-multiarch in batch mode. Every stub and gdb has a timeout: a hung
// session fails its test instead of hanging the suite.
import { spawn, spawnSync } from 'node:child_process';
import { BIN } from './bin.ts';

export interface Stub { port: number; done: Promise<{ status: number | null; stdout: string; stderr: string }> }

/** Starts `arm64-fault run ARGS` (ARGS hold --gdb 0) and resolves once it names its port. */
export function startStub(args: string[]): Promise<Stub> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['run', ...args], { env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });
    let stdout = '', stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => child.on('close', (status) => {
      clearTimeout(killer);
      res({ status, stdout, stderr });
    }));
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /waiting for gdb on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve({ port: Number(m[1]), done });
    });
    done.then((r) => reject(new Error(`the stub ended before announcing a port: ${r.stderr}`)));
  });
}

/** gdb-multiarch -batch: connects, runs the commands; `file`: the program for gdb (else it reads it through the stub). */
export function gdbBatch(port: number, cmds: string[], file?: string): string {
  const r = spawnSync('gdb-multiarch', ['-nx', '-batch', '-ex', 'set confirm off', '-ex', `target remote 127.0.0.1:${port}`,
    ...cmds.flatMap((c) => ['-ex', c]), ...(file ? [file] : [])], { encoding: 'utf8', timeout: 60_000 });
  return r.stdout + r.stderr;
}
