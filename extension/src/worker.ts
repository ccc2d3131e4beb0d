/**
 * `dist/server.mjs --skene-worker`: core work forked from the extension host, one request per process — the starter
 * for the detected stack, and the plan (embedded PostgreSQL or the configured database). Answers
 * one IPC message and exits.
 */
import { dropScratchOnSignals } from '@skene/core';
import { runPlanRequest } from './worker-plan.js';
import { starterRequest } from './worker-starter.js';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.kind) {
    case 'starter':
      return starterRequest(request.folder);
    case 'plan':
      return runPlanRequest(request);
    default:
      throw new Error(`unknown request ${(request as { kind: string }).kind}`);
  }
}

// Cancelling kills this process (SIGTERM): a plan seeding a scratch database drops it first.
dropScratchOnSignals({ log: (line) => console.error(line) });

process.once('message', (request: WorkerRequest) => {
  const send = (response: WorkerResponse) => process.send!(response, () => process.exit(0));
  handle(request).then(
    (result) => send({ ok: true, result }),
    (error: unknown) =>
      send({ ok: false, error: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined }),
  );
});
