/**
 * `skene run` on a source that cannot hold the runner's state itself: MySQL and MariaDB (trigger
 * capture), TiDB (watermarks), Redis and Upstash (keyspace notifications and SCAN). The loops'
 * data is read from the source, with the plan's read-only code; the changes come from the source's
 * capture (capture.ts); the jobs, the ledger and the cursors live in the state store — a
 * PostgreSQL (pg-boss) or Redis (BullMQ) named by `--state-url`, shared by every runner on every
 * machine; for a Redis source without one, that same Redis; otherwise the embedded PGlite in
 * `.skene/state`, for one machine.
 */
import { resolve } from 'node:path';
import { openSource } from '../sources/index.js';
import { maskUrl, passwordOf, sourceKindOf } from '../sources/url.js';
import type { DataSource } from '../sources/types.js';
import type { LoadedConfig } from '../plan/load-config.js';
import { postgresBackend, type RunBackend } from './backend.js';
import { wakeableWait, watchedTables, type Capture } from './capture.js';
import { openEmbeddedBackend } from './embedded.js';
import { openRedisState } from './backend-redis.js';

/** The embedded state (jobs, ledger, cursors) of runners on one machine, beside `.skene/pglite`. */
export const EMBEDDED_STATE_DIR = '.skene/state';

export interface SourceBackendOptions {
  /** mysql://, redis://, rediss:// or an Upstash REST URL. */
  sourceUrl: string;
  /** The Upstash REST token. */
  token?: string;
  /** postgres:// for state shared by several runners; absent: the embedded state under `cwd`. */
  stateUrl?: string;
  cwd: string;
  config: Pick<LoadedConfig, 'loops' | 'database'>;
  /** How often a polled capture looks for changes (MySQL, TiDB; default 1 s). */
  pollMs?: number;
}

/** Whether `url` names a source whose changes are captured beside the state rather than in it. */
export function capturesBesideState(url: string | undefined): boolean {
  return !!url?.trim() && sourceKindOf(url.trim()) !== 'postgres';
}

/** Where the jobs and the ledger live, and what to say about it when the runner starts. */
type StateBackend = Pick<RunBackend, 'label' | 'store' | 'db' | 'startJobs' | 'secrets' | 'close'> & { warnings: string[]; oneMachine?: boolean };

/**
 * The state of the runners of a MySQL, TiDB or Redis source, alone (`skene status`, `skene
 * resume`): the same choice of store `skene run` makes.
 */
export async function openState(options: Pick<SourceBackendOptions, 'sourceUrl' | 'stateUrl' | 'cwd'>): Promise<StateBackend> {
  const stateUrl = options.stateUrl?.trim();
  const sourceKind = sourceKindOf(options.sourceUrl.trim());
  // A Redis user's state goes beside the data, on the same Redis (BullMQ and the ledger in keys).
  const url = stateUrl || (sourceKind === 'redis' ? options.sourceUrl.trim() : undefined);
  if (!url) {
    // Only Skene's own tables: no loops to capture here, the source captures.
    const embedded = await openEmbeddedBackend({ dir: resolve(options.cwd, EMBEDDED_STATE_DIR), seeds: [], config: { loops: [] } });
    return { ...embedded, warnings: [], oneMachine: true };
  }
  const kind = sourceKindOf(url);
  if (kind === 'redis') return openRedisState({ url });
  if (kind === 'postgres') {
    const postgres = await postgresBackend(url);
    // It opened a read-only source on its own database, which nothing reads here.
    await postgres.source.close().catch(() => {});
    return { ...postgres, warnings: [] };
  }
  throw new Error(
    `--state-url ${maskUrl(url)}: the runner keeps its state in PostgreSQL (postgres://) or Redis (redis://, rediss://), or without --state-url in ${EMBEDDED_STATE_DIR}`,
  );
}

/** A config with schedules only: nothing to capture, nothing to install (no `skene migrate` needed). */
function scheduleOnly(label: string): Capture {
  const { wait } = wakeableWait();
  return { label, drain: async () => 0, waitForChange: wait, close: async () => {} };
}

async function openCapture(options: SourceBackendOptions, source: DataSource): Promise<Capture> {
  const url = options.sourceUrl.trim();
  if (watchedTables(options.config).size === 0) return scheduleOnly(source.label);
  if (source.kind === 'redis' || source.kind === 'upstash') {
    const { openRedisCapture } = await import('./capture-redis.js');
    return openRedisCapture({ url, token: options.token, config: options.config });
  }
  const { isTidb, openWatermarkCapture } = await import('./capture-watermark.js');
  if (await isTidb({ url, config: options.config })) return openWatermarkCapture({ url, config: options.config, pollMs: options.pollMs });
  const { openMysqlCapture } = await import('./capture-mysql.js');
  return openMysqlCapture({ url, config: options.config, pollMs: options.pollMs });
}

export async function openSourceBackend(options: SourceBackendOptions): Promise<RunBackend & { warnings: string[]; oneMachine: boolean }> {
  const url = options.sourceUrl.trim();
  const state = await openState(options);
  let source: DataSource | undefined;
  let capture: Capture | undefined;
  try {
    source = await openSource({ url, token: options.token });
    capture = await openCapture(options, source);
  } catch (error) {
    await source?.close().catch(() => {});
    await state.close().catch(() => {});
    throw error;
  }
  return {
    label: `${source.label} (state: ${state.label})`,
    store: state.store,
    db: state.db,
    source,
    capture,
    warnings: [...state.warnings, ...(capture.warnings ?? [])],
    oneMachine: state.oneMachine === true,
    startJobs: state.startJobs,
    secrets: [...state.secrets, url, passwordOf(url), options.token],
    close: async () => {
      await capture?.close().catch(() => {});
      await source?.close().catch(() => {});
      await state.close();
    },
  };
}
