/**
 * `skene run` with no database URL: the embedded PostgreSQL (PGlite), kept in a folder
 * (`.skene/pglite`), so a newcomer can watch loops run with nothing installed. The first start
 * installs capture, then runs the seed files, so the seeded rows are the captured changes; later
 * starts reuse the folder (its ledger too: a second run sends nothing twice). Delete the folder to
 * start over.
 *
 * PGlite has one connection, shared here by pg-boss, the ledger and the read-only evaluation. One
 * lock serialises them: a read-only session (BEGIN … READ ONLY … ROLLBACK) holds it from its
 * first statement to its rollback, so no write of the runner's can land inside it.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { importPglite } from '../sources/pglite-module.js';
import { PG_PARSERS } from '../sources/pglite-snapshot.js';
import { collectSeedFiles } from '../sources/seed.js';
import { pgReadOnly, type PgExecutor } from '../sources/postgres-session.js';
import type { Row, SeedFile, SqlSource } from '../sources/types.js';
import { migratePglite } from './migrate.js';
import { captureTargets, DEFAULT_CAPTURE_SCHEMA, type CaptureConfig } from './capture-postgres.js';
import { quoteIdent } from '../sql/identifiers.js';
import type { RunBackend } from './backend.js';
import { startPgBossJobs } from './job-queue-pgboss.js';
import type { Queryable } from './state.js';
import { postgresStateStore } from './state-store-postgres.js';

export const EMBEDDED_DIR = '.skene/pglite';

/** A promise chain as a lock: `run` waits for every earlier holder. */
function createLock() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn, fn);
    tail = result.catch(() => {});
    return result;
  };
}

/**
 * `skene run` with no URL: `.skene/pglite` under `cwd`, made and seeded from `seedPaths` (files or
 * folders) when it does not exist yet, reused when it does. Neither: an error saying how to give
 * the runner a database.
 */
export async function openEmbeddedRun(options: {
  cwd: string;
  seedPaths: string[];
  config: CaptureConfig;
}): Promise<RunBackend & { seeded: boolean; dir: string }> {
  const dir = resolve(options.cwd, EMBEDDED_DIR);
  if (!options.seedPaths.length && !existsSync(join(dir, 'PG_VERSION'))) {
    throw new Error(
      'no database URL: pass --database-url, set DATABASE_URL or database.url in the config, or pass --seed files to run on the embedded PostgreSQL',
    );
  }
  const seeds = await collectSeedFiles(options.seedPaths, 'pglite', options.cwd);
  return { ...(await openEmbeddedBackend({ dir, seeds, config: options.config })), dir };
}

export async function openEmbeddedBackend(options: { dir: string; seeds: SeedFile[]; config: CaptureConfig }): Promise<RunBackend & { seeded: boolean }> {
  const fresh = !existsSync(join(options.dir, 'PG_VERSION'));
  mkdirSync(options.dir, { recursive: true });
  const { PGlite } = await importPglite();
  // PGlite's own parsers (timestamps as Dates) for pg-boss and the state, as node-postgres gives them;
  // the evaluation reads with the plan's parsers (PG_PARSERS), so it sees rows as the plan does.
  const pglite = await PGlite.create({ dataDir: options.dir });
  try {
    if (fresh) {
      for (const file of options.seeds) {
        try {
          await pglite.exec(file.text);
        } catch (error) {
          throw new Error(`seed ${file.path} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    }
    await migratePglite(pglite, { config: options.config });
    // The seeds created the tables capture needs, so capture comes after them: their rows are
    // then recorded as the inserts they stand for, as an application's signups would be.
    if (fresh) await recordSeededRows(pglite, options.config);
  } catch (error) {
    await pglite.close().catch(() => {});
    // A half-made folder would be reused without its data: the next start makes it again.
    if (fresh) rmSync(options.dir, { recursive: true, force: true });
    throw error;
  }
  const lock = createLock();
  const raw: PgExecutor = {
    control: async (sql) => void (await pglite.exec(sql)),
    query: async (sql, params) => (await pglite.query<Row>(sql, params, { parsers: PG_PARSERS })).rows,
    queryArrays: async (sql, params) => {
      const r = await pglite.query<unknown[]>(sql, params, { rowMode: 'array', parsers: PG_PARSERS });
      return { fields: r.fields.map((f) => f.name), rows: r.rows };
    },
  };
  const source: SqlSource = {
    kind: 'pglite',
    dialect: 'postgres',
    label: `embedded PostgreSQL (PGlite) in ${options.dir}`,
    seed: async () => {
      throw new Error('the embedded runner seeds its database once, when it creates it');
    },
    readOnly: (fn) => lock(() => pgReadOnly(raw, fn)),
    close: async () => {},
  };
  const db = lockedQueryable(pglite, lock);
  return {
    label: source.label,
    seeded: fresh,
    store: postgresStateStore(db),
    db,
    source,
    startJobs: () => startPgBossJobs({ pglite: lockedPglite(pglite, lock) }),
    secrets: [],
    close: () => pglite.close(),
  };
}

/** The ledger's and state's queries, one at a time with everything else; a script without parameters runs whole. */
function lockedQueryable(pglite: PGlite, lock: ReturnType<typeof createLock>): Queryable {
  return {
    query: <R extends Record<string, unknown>>(sql: string, params?: unknown[]) =>
      lock(async () => {
        if (!params?.length && sql.includes(';')) {
          const results = await pglite.exec(sql);
          return { rows: results.flatMap((r) => r.rows) as R[], rowCount: results.at(-1)?.affectedRows ?? null };
        }
        const r = await pglite.query<R>(sql, params);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
      }),
  };
}

/** What the job queue's PGlite adapter (pg-boss's) calls, behind the same lock. */
function lockedPglite(pglite: PGlite, lock: ReturnType<typeof createLock>) {
  return {
    query: <T>(sql: string, params?: unknown[]) => lock(() => pglite.query<T>(sql, params)),
    exec: (sql: string) => lock(() => pglite.exec(sql)),
    listen: pglite.listen.bind(pglite),
    waitReady: pglite.waitReady,
  };
}

/** One insert event per seeded row of each table an insert trigger names, in key order. */
async function recordSeededRows(pglite: PGlite, config: CaptureConfig): Promise<void> {
  const events = `${quoteIdent('postgres', DEFAULT_CAPTURE_SCHEMA)}.events`;
  for (const target of captureTargets(config)) {
    if (!target.events.includes('insert')) continue;
    const table = quoteIdent('postgres', target.table);
    const { rows } = await pglite.query<{ schema: string; name: string; keys: string[] }>(
      `SELECT n.nspname AS schema, c.relname AS name,
              array(SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                    WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum))::text[] AS keys
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [table],
    );
    const found = rows[0];
    if (!found || found.keys.length === 0) continue; // migrate has already refused such a table
    const key =
      found.keys.length === 1
        ? `to_jsonb(t) -> ${quoteLiteral(found.keys[0]!)}`
        : `jsonb_build_object(${found.keys.map((k) => `${quoteLiteral(k)}, to_jsonb(t) -> ${quoteLiteral(k)}`).join(', ')})`;
    await pglite.query(
      `INSERT INTO ${events} (table_schema, table_name, op, "key", "row")
       SELECT $1, $2, 'insert', ${key}, to_jsonb(t) FROM ${table} AS t ORDER BY ${found.keys.map((k) => `t.${quoteIdent('postgres', k)}`).join(', ')}`,
      [found.schema, found.name],
    );
  }
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
