/**
 * Opens the data source a plan reads, by URL: none → embedded PGlite. Each adapter (and its
 * driver) is loaded only when used: planning on PGlite never loads pg, mysql2 or ioredis.
 * Seeds never run in the database a URL names: with seeds and a URL, the source is a scratch
 * database created on that server, seeded, and dropped when the source closes (scratch.ts).
 */
import { openScratchSource } from './scratch.js';
import { collectSeedFiles } from './seed.js';
import { maskUrl, sourceKindOf } from './url.js';
import type { DataSource, SourceKind } from './types.js';

export * from './types.js';
export { maskUrl, redact, sourceKindOf } from './url.js';
export { collectSeedFiles } from './seed.js';
export { pinPostgresClock } from './postgres-clock.js';
export { createPglite, setPgliteAssets, snapshotPath, type PgliteAssets } from './pglite-snapshot.js';
export { parseCommandFile, isReadCommand } from './redis-commands.js';
export {
  SCRATCH_PREFIX,
  dropScratchDatabases,
  dropScratchOnSignals,
  scratchDatabasesInUse,
  type ScratchSignalHandler,
  type ScratchSignalOptions,
} from './scratch.js';

export interface OpenSourceOptions {
  /** postgres://, mysql://, redis://, rediss://, or an Upstash REST URL; absent → embedded PGlite. */
  url?: string;
  /** The Upstash REST token. */
  token?: string;
  /**
   * Seed files or folders, run before planning: in the embedded PostgreSQL, or — with a URL — in a
   * scratch database created on the URL's server and dropped by `close()` (never in the URL's database).
   */
  seeds?: string[];
  cwd?: string;
  /** Redis only: a prefix for every key (tests). */
  keyPrefix?: string;
  connectTimeoutMs?: number;
}

export async function openSource(options: OpenSourceOptions = {}): Promise<DataSource> {
  const url = options.url?.trim() || undefined;
  const kind: SourceKind = url ? sourceKindOf(url) : 'pglite';
  // Read the seed files before connecting: a typo in a path fails fast, without a connection.
  const seeds = options.seeds?.length ? await collectSeedFiles(options.seeds, kind, options.cwd) : [];
  if (url && seeds.length) {
    return openScratchSource(kind as Exclude<SourceKind, 'pglite'>, url, seeds, {
      token: options.token,
      keyPrefix: options.keyPrefix,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  }
  let source: DataSource;
  if (!url) source = await (await import('./pglite.js')).openPglite();
  else if (kind === 'postgres') source = await (await import('./postgres.js')).openPostgres(url, options);
  else if (kind === 'mysql') source = await (await import('./mysql.js')).openMysql(url, options);
  else if (kind === 'redis') source = await (await import('./redis.js')).openRedis(url, options);
  else source = await (await import('./redis.js')).openUpstash(url, options.token, options);
  try {
    if (seeds.length) await source.seed(seeds);
  } catch (error) {
    await source.close();
    throw error;
  }
  return source;
}

export function describeSource(url: string | undefined): string {
  return url ? maskUrl(url) : 'embedded PostgreSQL (PGlite)';
}
