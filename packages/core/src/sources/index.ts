/** Opens the data source a plan reads, by URL: none → embedded PGlite. */
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { openMysql } from './mysql.js';
import { openRedis, openUpstash } from './redis.js';
import { collectSeedFiles } from './seed.js';
import { maskUrl, sourceKindOf } from './url.js';
import type { DataSource, SourceKind } from './types.js';

export * from './types.js';
export { maskUrl, redact, sourceKindOf } from './url.js';
export { collectSeedFiles } from './seed.js';
export { pinPostgresClock } from './postgres-clock.js';
export { createPglite, snapshotPath } from './pglite.js';
export { parseCommandFile, isReadCommand } from './redis-commands.js';

export interface OpenSourceOptions {
  /** postgres://, mysql://, redis://, rediss://, or an Upstash REST URL; absent → embedded PGlite. */
  url?: string;
  /** The Upstash REST token. */
  token?: string;
  /** Seed files or folders, run before planning. */
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
  let source: DataSource;
  if (!url) source = await openPglite();
  else if (kind === 'postgres') source = await openPostgres(url, options);
  else if (kind === 'mysql') source = await openMysql(url, options);
  else if (kind === 'redis') source = await openRedis(url, options);
  else source = await openUpstash(url, options.token, options);
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
