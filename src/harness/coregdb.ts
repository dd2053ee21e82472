// expect.core.gdb: gdb-multiarch run on the scenario's core, the natural regression check ("bt shows walk"). One
// gdb for all the commands; a marker echoed before each command cuts its output out of the whole.
import { spawnSync } from 'node:child_process';

const MARK = '@@arm64-fault core.gdb@@';

/** Each command's output lines, in order; or why gdb could not run. */
export function gdbOnCore(program: string, core: string, commands: string[]): { outputs: string[][] } | { error: string } {
  const args = ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', `core-file ${core}`];
  for (const c of commands) args.push('-ex', `echo ${MARK}\\n`, '-ex', c);
  const r = spawnSync('gdb-multiarch', [...args, program], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { error: `gdb-multiarch did not run: ${r.error.message}` };
  const parts = r.stdout.split(`${MARK}\n`).slice(1);
  if (parts.length !== commands.length) return { error: `gdb-multiarch failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` };
  return { outputs: parts.map((p) => (p.endsWith('\n') ? p.slice(0, -1) : p).split('\n').filter((l, i, a) => a.length > 1 || l !== '')) };
}
