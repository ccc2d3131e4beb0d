/**
 * `dist/server.mjs --skene-worker`: core work forked from the extension host, one request per process — the starter
 * for the detected stack, and the plan (embedded PostgreSQL or the configured database). Answers
 * one IPC message and exits.
 */
import { detectStack, dropScratchOnSignals, starterProject } from '@skene/core';
import { runPlanRequest } from './worker-plan.js';
import type { StarterResult, WorkerRequest, WorkerResponse } from './worker-protocol.js';

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.kind) {
    case 'starter': {
      const detection = detectStack(request.folder);
      if (detection.empty || !detection.stack) return { stack: null, message: detection.message ?? 'no stack detected', files: [], next: [] } satisfies StarterResult;
      const starter = starterProject(detection);
      return { stack: detection.stack, pattern: starter.pattern, files: starter.files, seed: starter.seed, at: starter.at, next: starter.next } satisfies StarterResult;
    }
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
    (error: unknown) => send({ ok: false, error: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined }),
  );
});
