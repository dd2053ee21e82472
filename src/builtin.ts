// Node built-ins that only some runs need, loaded synchronously on first use instead of at start-up: an ES
// import of node:child_process costs a cold start ~5 ms (it loads net, dgram and streams). (node:crypto, ~10 ms,
// is not loaded by a run at all: System hashes with @noble/hashes.) Any layer may use it: it imports nothing of ours.
import { createRequire } from 'node:module';

const req = createRequire(import.meta.url);

export const childProcess = (): typeof import('node:child_process') => req('node:child_process');
