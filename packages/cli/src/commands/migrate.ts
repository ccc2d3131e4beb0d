// Subpaths, not the whole of core: `skene migrate` should not load the editor analysis.
import { ConfigError, findConfig, loadConfig } from '@skene/core/plan';
import { captureChannel, captureTargets, DEFAULT_CAPTURE_SCHEMA, migrate } from '@skene/core/run';
import { EXIT, parseOptions } from '../io.js';
import type { Command } from '../main.js';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: `Usage: skene migrate [--config file] [--database-url url] [--print] [--down]

  --config        the config (default: skene.config.ts in the current folder)
  --database-url  the database to install change capture in: PostgreSQL (also Supabase,
                  Hasura, Neon), MySQL/MariaDB/TiDB (mysql://), Redis or Upstash
                  default: DATABASE_URL, then database.url in the config
  --print         write the SQL to standard output instead of running it, for a migrations
                  folder (Prisma, Supabase, Hasura, NestJS); PostgreSQL needs no database,
                  MySQL/MariaDB reads the tables' primary keys from it (and changes nothing)
  --down          remove change capture: Skene's triggers and the events (the skene schema;
                  skene_events on MySQL/MariaDB)

Installs change capture for every table a database trigger in the config names: an events
table, and triggers on each table that record the changes the config asks for (PostgreSQL
also notifies \`skene run\`; on MySQL/MariaDB it polls). Idempotent: run it on every deploy.
On any error (a table without a primary key, a missing privilege) nothing is changed:
PostgreSQL runs it in one transaction; MySQL/MariaDB checks first and undoes a failure.
TiDB has no triggers: \`skene run\` captures it by watermark columns (created_at,
updated_at; database.capture in the config), which migrate checks, installing nothing. Redis
and Upstash: turns on keyspace notifications (CONFIG SET notify-keyspace-events, adding Khgx);
without them, or over Upstash's REST API, \`skene run\` finds new keys by SCAN alone.
Exit status: 0 done, 1 it could not be done, 2 bad usage.`,
  async run(args, io) {
    const { values } = parse(args);
    const config = await loadFor(values.config, { cwd: io.cwd, optional: values.down === true });
    const databaseUrl = values['database-url'] ?? (io.env.DATABASE_URL || undefined) ?? config.database?.url;
    const token = config.database?.token ?? io.env.UPSTASH_REDIS_REST_TOKEN ?? io.env.SKENE_DATABASE_TOKEN;
    const result = await migrate({ config, databaseUrl, token, print: values.print, down: values.down });
    if (values.print) {
      io.stdout(result.sql);
      return EXIT.ok;
    }
    for (const change of result.changes) io.stdout(`${change}\n`);
    if (result.kind === 'tidb') {
      io.stdout(
        `${result.target} is TiDB, which has no triggers: nothing to ${values.down ? 'remove' : 'install'}; skene run reads its changes by watermark columns.\n`,
      );
      return EXIT.ok;
    }
    if (result.kind === 'redis') {
      io.stdout(
        values.down
          ? `Skene's seen-key records removed from ${result.target}.\n`
          : `Redis capture is ready in ${result.target}: skene run reconciles with SCAN, and follows keyspace notifications where they are on.\n`,
      );
      return EXIT.ok;
    }
    const mysql = result.kind === 'mysql';
    if (values.down) {
      io.stdout(`Change capture removed from ${result.target}: Skene's triggers and ${mysql ? 'skene_events' : `the ${DEFAULT_CAPTURE_SCHEMA} schema`}.\n`);
      return EXIT.ok;
    }
    const tables = captureTargets(config).length;
    if (mysql) {
      const installed = result.tables ?? tables;
      io.stdout(
        installed === 0
          ? `No database trigger in the config names a table: ${result.target} has skene_events and nothing to capture.\n`
          : `Change capture is installed in ${result.target}: ${installed} table${installed === 1 ? '' : 's'}, events in skene_events, which skene run polls.\n`,
      );
      return EXIT.ok;
    }
    io.stdout(
      tables === 0
        ? `No database trigger in the config names a table: ${result.target} has the ${DEFAULT_CAPTURE_SCHEMA} schema and nothing to capture.\n`
        : `Change capture is installed in ${result.target}: ${tables} table${tables === 1 ? '' : 's'}, events in ${DEFAULT_CAPTURE_SCHEMA}.events, NOTIFY on ${captureChannel()}.\n`,
    );
    return EXIT.ok;
  },
};

type Loaded = Awaited<ReturnType<typeof loadConfig>> | { loops: []; database?: undefined };

/** The config; for `--down` without `--config` a missing one is fine (removal needs no table list). */
async function loadFor(given: string | undefined, options: { cwd: string; optional: boolean }): Promise<Loaded> {
  let file: string;
  try {
    file = await findConfig(given, options.cwd);
  } catch (error) {
    if (options.optional && !given && error instanceof ConfigError) return { loops: [] };
    throw error;
  }
  return loadConfig(file);
}

function parse(args: string[]) {
  return parseOptions({
    args,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'database-url': { type: 'string' },
      print: { type: 'boolean' },
      down: { type: 'boolean' },
    },
  });
}
