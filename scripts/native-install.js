#!/usr/bin/env node
// postinstall: makes sure native/libaficount.so (exact instruction counting, native/icount.c) exists. The package
// ships one built for x86-64 Linux; when it is missing it is built with make and a C compiler against
// libunicorn.so.2. Installation never fails here: without the helper, a run says how to build it.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const native = fileURLToPath(new URL('../native/', import.meta.url));
if (!existsSync(`${native}libaficount.so`)) {
  const r = spawnSync('make', ['-s', '-C', native], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-3).join('\n');
    process.stderr.write(
      `arm64-fault: could not build ${native}libaficount.so (exact instruction counting):\n${why}\n` +
      'Install a C compiler, make and Unicorn 2 (Debian: apt-get install gcc make libunicorn-dev), then run\n' +
      `  make -C ${native}\n`);
  }
}
