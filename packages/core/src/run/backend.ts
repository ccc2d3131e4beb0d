/**
 * Where the runner keeps its state and reads the loops' data: the application's PostgreSQL (a URL
 * where `skene migrate` installed capture) or the embedded one (embedded.ts). The runner itself
 * (runner.ts) is the same over both.
 */
import { openSource } from '../sources/index.js';
import type { DataSource } from '../sources/types.js';
import { maskUrl, passwordOf, sourceKindOf } from '../sources/url.js';
import type { Capture } from './capture.js';
import { startPgBossJobs } from './job-queue-pgboss.js';
import type { JobQueue } from './job-queue.js';
import type { Queryable } from './state.js';
import type { RunStateStore } from './state-store.js';
import { postgresStateStore } from './state-store-postgres.js';

export interface RunBackend {
  /** What the log says it runs on (never a password). */
  label: string;
  /** The runner's state: ledger, progress, cursors, pauses (state-store.ts). */
  store: RunStateStore;
  /**
   * The PostgreSQL (or PGlite) that holds the state, when it does: its `skene.events` and event
   * cursor (enqueue.ts) and `--backfill-since` read it. Absent when the state is elsewhere (Redis).
   */
  db?: Queryable;
  /** The plan's read-only source, for evaluating steps. */
  source: DataSource;
  /** The job queue beside the state (job-queue.ts), started; the caller stops it. */
  startJobs(): Promise<JobQueue>;
  /**
   * Where the changes come from when they are not in `skene.events` beside the state: a MySQL,
   * TiDB or Redis source's capture (capture.ts). Absent: PostgreSQL's own (enqueue.ts).
   */
  capture?: Capture;
  /** Secrets to keep out of messages (the URL, its password). */
  secrets: (string | undefined)[];
  close(): Promise<void>;
}

/** The application's PostgreSQL: a small pool for state, the job queue's own (pg-boss), and the plan's read-only source. */
export async function postgresBackend(databaseUrl: string): Promise<RunBackend> {
  const url = databaseUrl.trim();
  if (!url) throw new Error('no database URL: pass --database-url, set DATABASE_URL or database.url in the config');
  if (sourceKindOf(url) !== 'postgres') throw new Error(`${maskUrl(url)}: skene run supports PostgreSQL first (also Supabase, Hasura, Neon)`);
  // Loaded here: core's index exports the runner, and importing core must not load a driver.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'skene run' });
  pool.on('error', () => {}); // a dropped idle connection is replaced on the next query
  let source: DataSource | undefined;
  try {
    source = await openSource({ url });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return {
    label: maskUrl(url),
    store: postgresStateStore(pool as unknown as Queryable),
    db: pool as unknown as Queryable,
    source,
    secrets: [url, passwordOf(url)],
    startJobs: () => startPgBossJobs({ connectionString: url }),
    close: async () => {
      await source?.close().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
