// `arm64-fault coredumps`: what the built-in pipe collector stored, like coredumpctl list/info.
import * as path from 'node:path';
import { Command } from 'commander';
import { listCollected, showCollected, formatCollectedList, formatCollectedInfo } from '../fs/coredump_pipe.ts';

const COLLECT_SUBDIR = 'var/lib/arm64-fault/coredumps';

/** The collection directory: --dir, else <--root>/var/lib/arm64-fault/coredumps, as `run` stores it. */
function collectDir(o: { dir?: string; root?: string }): string {
  return path.resolve(o.dir ?? path.join(o.root ?? '.', COLLECT_SUBDIR));
}

const where = (c: Command) => c
  .option('--root <dir>', `the --root the program ran with (default: the current directory); cores are looked up in <root>/${COLLECT_SUBDIR}`)
  .option('--dir <dir>', 'the collection directory itself (the --collect-dir of run)');

export function coredumpsCommand(): Command {
  const cmd = new Command('coredumps')
    .description('list and show the cores that core_pattern "|arm64-fault-collect …" stored (like coredumpctl)');
  where(cmd.command('list').description('one line per stored core, oldest first'))
    .action((o: { dir?: string; root?: string }) => {
      const dir = collectDir(o);
      const all = listCollected(dir);
      if (all.length === 0) {
        process.stderr.write(`arm64-fault: no coredumps found in ${dir}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(formatCollectedList(all));
    });
  where(cmd.command('info').description('the details of one stored core'))
    .argument('<pid|file>', 'a pid (its newest core) or a core file name from `list`')
    .action((what: string, o: { dir?: string; root?: string }) => {
      const dir = collectDir(o);
      const e = showCollected(dir, /^\d+$/.test(what) ? Number(what) : what);
      if (!e) {
        process.stderr.write(`arm64-fault: no collected core matches "${what}" in ${dir}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(formatCollectedInfo(e));
    });
  return cmd;
}
