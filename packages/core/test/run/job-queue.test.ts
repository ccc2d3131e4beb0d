/**
 * The job queue contract (job-queue-contract.ts) for the pg-boss adapter: on the real PostgreSQL
 * (a database per test), and on the embedded PGlite (a folder per test), each opened as the
 * runner opens it (`RunBackend.startJobs`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { postgresBackend, type RunBackend } from '../../src/run/backend.js';
import { openEmbeddedBackend } from '../../src/run/embedded.js';
import type { JobQueue } from '../../src/run/job-queue.js';
import { tempPostgresDatabase } from '../plan/helpers.js';
import { jobQueueContract } from './job-queue-contract.js';

/**
 * Registers, before anything else of the test (hooks run in order), stopping every queue and then
 * closing the backend; returns how to connect to the backend once it is open: each call starts
 * one more queue on it (another worker).
 */
function stopAtEnd(t: TestContext): (backend: RunBackend) => () => Promise<JobQueue> {
  const started: JobQueue[] = [];
  let opened: RunBackend | undefined;
  t.after(async () => {
    await Promise.all(started.map((q) => q.stop().catch(() => {})));
    await opened?.close();
  });
  return (backend) => {
    opened = backend;
    return async () => {
      const queue = await backend.startJobs();
      started.push(queue);
      return queue;
    };
  };
}

jobQueueContract('pg-boss on PostgreSQL', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const connector = stopAtEnd(t);
  const url = await tempPostgresDatabase(t, server, 'skene_jobqueue');
  return connector(await postgresBackend(url));
});

jobQueueContract('pg-boss on PGlite', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-jobqueue-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const connector = stopAtEnd(t);
  return connector(await openEmbeddedBackend({ dir: join(dir, 'pglite'), seeds: [], config: { loops: [] } }));
});
