// The installed command, as users run it: bin/arm64-fault.js, which runs the compiled dist/cli.js
// (test/global-setup.ts builds it when it is missing or stale).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', 'bin', 'arm64-fault.js');

export const af = (...args: string[]): SpawnSyncReturns<string> =>
  spawnSync(BIN, args, { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });

export const afIn = (cwd: string, ...args: string[]): SpawnSyncReturns<string> =>
  spawnSync(BIN, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ARM64_FAULT_FROM_SOURCE: '' } });
