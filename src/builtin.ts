// Node built-ins that only some runs need, loaded synchronously on first use instead of at start-up: an ES
// import of node:child_process costs a cold start ~5 ms (it loads net, dgram and streams), node:crypto ~4 ms
// (its ES facade loads webcrypto). Any layer may use it: it imports nothing of ours.
import { createRequire } from 'node:module';

const req = createRequire(import.meta.url);

export const childProcess = (): typeof import('node:child_process') => req('node:child_process');
export const crypto = (): typeof import('node:crypto') => req('node:crypto');
