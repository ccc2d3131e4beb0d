/**
 * `skene run` on a source that cannot hold the runner's state itself: MySQL and MariaDB (trigger
 * capture), TiDB (watermarks), Redis and Upstash (keyspace notifications and SCAN). The loops'
 * data is read from the source, with the plan's read-only code; the changes come from the source's
 * capture (capture.ts); the jobs, the ledger and the cursors live in the state store — a
 * PostgreSQL named by `--state-url`, shared by every runner on every machine, or the embedded
 * PGlite in `.skene/state` for one machine.
 */
import { resolve } from 'node:path';
import { openSource } from '../sources/index.js';
import { maskUrl, passwordOf, sourceKindOf } from '../sources/url.js';
import type { DataSource } from '../sources/types.js';
import type { LoadedConfig } from '../plan/load-config.js';
import { postgresBackend, type RunBackend } from './backend.js';
import { wakeableWait, watchedTables, type Capture } from './capture.js';
import { openEmbeddedBackend } from './embedded.js';

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

async function openState(options: SourceBackendOptions): Promise<RunBackend> {
  const stateUrl = options.stateUrl?.trim();
  if (!stateUrl) {
    // Only Skene's own tables: no loops to capture here, the source captures.
    return openEmbeddedBackend({ dir: resolve(options.cwd, EMBEDDED_STATE_DIR), seeds: [], config: { loops: [] } });
  }
  const kind = sourceKindOf(stateUrl);
  if (kind === 'postgres') return postgresBackend(stateUrl);
  throw new Error(`--state-url ${maskUrl(stateUrl)}: the runner keeps its state in PostgreSQL (postgres://) or, without --state-url, in ${EMBEDDED_STATE_DIR}`);
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

export async function openSourceBackend(options: SourceBackendOptions): Promise<RunBackend> {
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
  // The state backend opened a read-only source on its own database, which nothing reads.
  await state.source.close().catch(() => {});
  return {
    label: `${source.label} (state: ${state.label})`,
    db: state.db,
    source,
    capture,
    startJobs: state.startJobs,
    secrets: [...state.secrets, url, passwordOf(url), options.token],
    close: async () => {
      await capture?.close().catch(() => {});
      await source?.close().catch(() => {});
      await state.close();
    },
  };
}
