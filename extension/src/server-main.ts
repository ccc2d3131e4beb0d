/**
 * dist/server.mjs: the Skene language server (packages/language-server's bin: `--node-ipc` or
 * `--stdio`); with `--skene-worker`, the worker the extension forks for the starter and the plan;
 * and, in a render thread core starts (dist/render-worker.js imports this bundle), that thread.
 * One bundle holds core and its dependencies once for all three (the .vsix stays small); each
 * mode loads only its own code.
 */
import './runtime-modules.js';
import { isMainThread, workerData } from 'node:worker_threads';

// First: a render thread of the worker process inherits its `--skene-worker` argument.
if (!isMainThread && (workerData as { skeneRenderWorker?: boolean } | undefined)?.skeneRenderWorker) {
  await import('./render-thread.js');
} else if (process.argv.includes('--skene-worker')) {
  await import('./worker.js');
} else {
  await import('../../packages/language-server/src/bin.js');
}
