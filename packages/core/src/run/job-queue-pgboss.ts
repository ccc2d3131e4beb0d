/**
 * The job queue on PostgreSQL, or the embedded PGlite, through pg-boss 12: its tables in schema
 * `skene_jobs` beside Skene's `skene` state, in the same database. pg-boss inserts with ON
 * CONFLICT DO NOTHING (a known id is a no-op), hands a job to one fetcher (SKIP LOCKED), and
 * retries per the job's retry options. What pg-boss has no call for (counts of what is left,
 * reclaiming a dead worker's jobs at once) is read from its `job` table.
 */
import type { PgBoss, PGliteLike } from 'pg-boss';
import { jobsByQueue, type JobAttempt, type JobQueue, type Outstanding } from './job-queue.js';
import type { JobData } from './jobs.js';

/** pg-boss keeps its tables here, beside Skene's `skene` schema, in the same database. */
export const JOBS_SCHEMA = 'skene_jobs';

/** Where pg-boss connects: a PostgreSQL URL, or a PGlite (the embedded runner's, behind its lock). */
export type PgBossConnection = { connectionString: string } | { pglite: PGliteLike };

/** Starts pg-boss on the connection (creating or migrating its schema) and returns the queue on it. */
export async function startPgBossJobs(connection: PgBossConnection): Promise<JobQueue> {
  // Loaded here: core's index exports the runner, and importing core must not load a driver.
  const { PgBoss, fromPglite } = await import('pg-boss');
  // No cron of pg-boss's own: schedules are Skene's (enqueueSchedules), pinned to `--at`.
  const boss =
    'pglite' in connection
      ? new PgBoss({ db: fromPglite(connection.pglite), backend: 'pglite', schema: JOBS_SCHEMA, schedule: false, supervise: true })
      : new PgBoss({ connectionString: connection.connectionString, schema: JOBS_SCHEMA, schedule: false, max: 4, application_name: 'skene run' });
  // Errors of pg-boss's background work (supervision) are not the run's: a failed call rejects on its own.
  boss.on('error', () => {});
  await boss.start();
  return pgBossQueue(boss);
}

function pgBossQueue(boss: PgBoss): JobQueue {
  const sql = async <R>(text: string, values: unknown[]): Promise<R[]> => (await boss.getDb().executeSql(text, values)).rows as R[];
  return {
    ensureQueues: async (names) => {
      for (const name of names) await boss.createQueue(name);
    },
    insert: async (jobs) => {
      for (const [queue, list] of jobsByQueue(jobs)) {
        await boss.insert(
          queue,
          list.map((j) => ({
            id: j.id,
            data: j.data,
            expireInSeconds: j.expireInSeconds,
            heartbeatSeconds: j.heartbeatSeconds,
            ...j.retry,
          })),
        );
      }
    },
    fetch: async (queue, batchSize) => {
      const jobs = await boss.fetch<JobData>(queue, { batchSize, includeMetadata: true });
      return jobs.map((j) => ({ id: j.id, retryCount: j.retryCount, retryLimit: j.retryLimit, data: j.data }));
    },
    complete: async (queue, job) => void (await boss.complete(queue, attempt(job))),
    fail: async (queue, job, reason) => void (await boss.fail(queue, attempt(job), { error: reason })),
    heartbeat: async (queue, jobs) => void (await boss.touch(queue, jobs.map(attempt))),
    outstanding: (queues) => outstanding(sql, queues),
    reclaimDead: async (queues) => {
      const rows = await sql<{ name: string; id: string; retry_count: number; retry_limit: number; heartbeat_seconds: number; data: JobData }>(
        `SELECT name, id, retry_count, retry_limit, heartbeat_seconds, data FROM ${JOBS_SCHEMA}.job
         WHERE name = ANY($1) AND state = 'active' AND heartbeat_seconds IS NOT NULL
           AND heartbeat_on + heartbeat_seconds * interval '1 second' < now()`,
        [queues],
      );
      for (const name of new Set(rows.map((r) => r.name))) {
        const dead = rows.filter((r) => r.name === name);
        const error = `its worker stopped (no heartbeat for ${dead[0]!.heartbeat_seconds} s): retried`;
        // Fenced by attempt: a job another worker reclaimed, or its own worker settled, meanwhile is left alone.
        await boss.fail(
          name,
          dead.map((r) => ({ id: r.id, retryCount: r.retry_count })),
          { error },
        );
      }
      const lastAttempts = rows
        .filter((r) => r.retry_count >= r.retry_limit)
        .map((r) => ({ id: r.id, retryCount: r.retry_count, retryLimit: r.retry_limit, data: r.data }));
      return { count: rows.length, lastAttempts };
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

function attempt(job: JobAttempt): JobAttempt {
  return { id: job.id, retryCount: job.retryCount };
}

/**
 * A job held but silent for minutes (no heartbeat: enqueued before heartbeats) is a worker that
 * died: it is counted apart (`silent`), left to pg-boss's expiry. One that stopped beating only
 * seconds ago is still `active`: `reclaimDead` hands it back within seconds.
 */
async function outstanding(sql: <R>(text: string, values: unknown[]) => Promise<R[]>, queues: string[]): Promise<Outstanding> {
  const rows = await sql<Outstanding>(
    `SELECT count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now())::int AS ready,
            count(*) FILTER (WHERE state = 'active' AND coalesce(heartbeat_on, started_on) > now() - interval '2 minutes')::int AS active,
            count(*) FILTER (WHERE state = 'active' AND (coalesce(heartbeat_on, started_on) > now() - interval '2 minutes') IS NOT TRUE)::int AS silent,
            count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after > now())::int AS later,
            min(start_after) FILTER (WHERE state IN ('created', 'retry') AND start_after > now()) AS next
     FROM ${JOBS_SCHEMA}.job WHERE name = ANY($1)`,
    [queues],
  );
  const row = rows[0]!;
  // A PGlite without parsers may answer the instant as text.
  return { ...row, next: row.next === null ? null : new Date(row.next) };
}
