/**
 * `skene migrate`: installs (or, with `down`, removes) change capture in the database a URL
 * names, or returns the SQL for a migrations folder. PostgreSQL here, in one transaction: a failure
 * (a table without a primary key, a missing privilege) leaves the database as it was; PGlite
 * through `migratePglite`, for the embedded runner; MySQL and MariaDB in migrate-mysql.ts (TiDB,
 * which has no triggers, is captured by watermark and needs nothing installed).
 */
import type { PGlite } from '@electric-sql/pglite';
import { describe, maskUrl, passwordOf, redact, sourceKindOf } from '../sources/url.js';
import type { LoadedConfig } from '../plan/load-config.js';
import { captureSql, captureStatements, downSql, downStatements, type CaptureConfig } from './capture-postgres.js';

export interface MigrateOptions {
  /** The loops' database triggers; `database` for TiDB's flavor and watermark columns. */
  config: CaptureConfig & { database?: LoadedConfig['database'] };
  /** The Upstash REST token. */
  token?: string;
  /** A postgres:// or mysql:// URL; not needed with `print` for PostgreSQL (MySQL's keys are read from it). */
  databaseUrl?: string;
  /** Return the SQL without connecting. */
  print?: boolean;
  /** Remove capture instead of installing it. */
  down?: boolean;
  /** Skene's schema (default `skene`). */
  schema?: string;
  connectTimeoutMs?: number;
}

export interface MigrateResult {
  /** The SQL: printed (with BEGIN/COMMIT), or the statements that were applied. */
  sql: string;
  applied: boolean;
  /** The database, as it may be shown (password masked); absent when printing without a URL. */
  target?: string;
  /** The database's kind: PostgreSQL (events in `skene.events`, NOTIFY) or MySQL/MariaDB (`skene_events`, polled). */
  kind: 'postgres' | 'mysql' | 'tidb' | 'redis';
  /** MySQL/MariaDB: how many tables capture is installed on (names that resolve to one table count once). */
  tables?: number;
  /** What changed, one line per table (`crm.users: capturing insert (key id)`), from the database's notices. */
  changes: string[];
}

/** The prefix of Skene's own notices and errors raised by the SQL. */
const PREFIX = 'skene: ';

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const url = options.databaseUrl?.trim() || undefined;
  const kind = url ? sourceKindOf(url) : 'postgres';
  // Loaded here: core's index exports this module, and importing core must not load a driver.
  if (url && kind === 'mysql') {
    const watermark = await import('./capture-watermark.js');
    if (await watermark.isTidb({ url, config: options.config })) return migrateTidb({ ...options, databaseUrl: url });
    const { migrateMysql } = await import('./migrate-mysql.js');
    return migrateMysql({ ...options, databaseUrl: url });
  }
  if (url && (kind === 'redis' || kind === 'upstash')) {
    if (options.print) throw new Error(`${maskUrl(url)} is Redis: there is no SQL to print — run skene migrate with the URL`);
    const { migrateRedis } = await import('./capture-redis.js');
    const { changes } = await migrateRedis({ url, token: options.token, config: options.config, down: options.down });
    return { sql: '', applied: true, target: maskUrl(url), kind: 'redis', changes };
  }
  if (options.print) {
    const sql = options.down ? downSql({ schema: options.schema }) : captureSql({ config: options.config, schema: options.schema });
    return { sql, applied: false, target: url && maskUrl(url), kind: 'postgres', changes: [] };
  }
  if (!url) throw new Error('no database URL: pass --database-url, set DATABASE_URL or database.url in the config (or --print to write the SQL)');
  const statements = options.down ? downStatements({ schema: options.schema }) : captureStatements({ config: options.config, schema: options.schema });
  const label = maskUrl(url);
  const password = passwordOf(url);
  // Loaded here: core's index exports this module, and importing core must not load a driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000, application_name: 'skene migrate' });
  // A dropped connection emits 'error' on the client; without a listener node would crash.
  client.on('error', () => {});
  const changes: string[] = [];
  client.on('notice', (notice) => {
    if (notice.message?.startsWith(PREFIX)) changes.push(notice.message.slice(PREFIX.length));
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
  }
  try {
    await client.query('BEGIN');
    await client.query(statements);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw failure(error, { label, password, down: options.down });
  } finally {
    await client.end().catch(() => {});
  }
  return { sql: statements, applied: true, target: label, kind: 'postgres', changes };
}

export interface MigratePgliteOptions {
  config: CaptureConfig;
  down?: boolean;
  schema?: string;
}

/** The same capture in an embedded PGlite (the runner's `--seed` mode), in one transaction. */
export async function migratePglite(db: PGlite, options: MigratePgliteOptions): Promise<MigrateResult> {
  const statements = options.down ? downStatements({ schema: options.schema }) : captureStatements({ config: options.config, schema: options.schema });
  try {
    await db.transaction(async (tx) => {
      await tx.exec(statements);
    });
  } catch (error) {
    throw failure(error, { label: 'the embedded PostgreSQL (PGlite)', down: options.down });
  }
  return { sql: statements, applied: true, target: 'embedded PostgreSQL (PGlite)', kind: 'postgres', changes: [] };
}

/**
 * TiDB has no triggers: its changes are read by watermark columns, so there is nothing to
 * install or remove. Migrate checks those columns exist and says, per table, what it reads.
 */
async function migrateTidb(options: MigrateOptions & { databaseUrl: string }): Promise<MigrateResult> {
  const target = maskUrl(options.databaseUrl);
  if (options.down) return { sql: '', applied: false, target, kind: 'tidb', changes: [] };
  const { describeWatermarks } = await import('./capture-watermark.js');
  const changes = await describeWatermarks({ url: options.databaseUrl, config: options.config });
  const sql = `-- ${target} is TiDB, which has no triggers: skene run reads its changes by watermark columns.\n${changes.map((c) => `-- ${c}`).join('\n')}\n`;
  return { sql, applied: false, target, kind: 'tidb', changes: options.print ? [] : changes };
}

/** One line, password-free; Skene's own exceptions (no primary key, no such table) read as they are. */
function failure(error: unknown, ctx: { label: string; password?: string; down?: boolean }): Error {
  const raw = redact(error instanceof Error ? error.message : String(error), [ctx.password]);
  const own = raw.startsWith(PREFIX) ? raw.slice(PREFIX.length) : undefined;
  const message = redact(describe(error), [ctx.password]);
  const doing = ctx.down ? 'remove change capture from' : 'install change capture in';
  return new Error(`${own ?? `cannot ${doing} ${ctx.label}: ${message}`} — nothing was changed`);
}
