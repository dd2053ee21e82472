// A batch worker thread: runs the scenario files it is sent, one at a time, and posts each result back.
import { parentPort } from 'node:worker_threads';
import { runScenarioSafe } from './run.ts';

parentPort!.on('message', (msg: { id: number; file: string } | null) => {
  if (msg === null) return parentPort!.close();
  parentPort!.postMessage({ id: msg.id, result: runScenarioSafe(msg.file) });
});
parentPort!.postMessage({ ready: true });
