/** PostgreSQL over the network (`pg`): Supabase, Neon, Hasura's database, any PostgreSQL. */
import pg from 'pg';
import { pgReadOnly } from './postgres-session.js';
import { PG_PARSERS } from './pglite-snapshot.js';
import { retryDrop, scratchName, serverLabel, type ScratchDatabase } from './scratch-database.js';
import { seedLocation } from './seed.js';
import { describe, maskUrl, passwordOf, redact } from './url.js';
import type { Row, SeedFile, SqlSource } from './types.js';

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const custom = PG_PARSERS[oid];
    return custom ?? pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PostgresOptions {
  connectTimeoutMs?: number;
  /** The database is a scratch database the plan created and seeded (privilege warnings only for a superuser). */
  scratch?: boolean;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<SqlSource> {
  const label = maskUrl(url);
  const password = passwordOf(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types: types as unknown as pg.CustomTypesConfig,
    application_name: 'skene plan',
  });
  // A dropped connection emits 'error' on the client; without a listener node would crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
  }
  const warnings = await postgresPrivilegeWarnings(client, options.scratch ?? false);
  return {
    kind: 'postgres',
    dialect: 'postgres',
    label,
    ...(warnings.length ? { warnings } : {}),
    async seed(files: SeedFile[]) {
      for (const file of files) {
        try {
          await client.query(file.text);
        } catch (error) {
          const position = Number((error as { position?: string }).position);
          throw new Error(`seed ${seedLocation(file, position)} failed: ${(error as Error).message}`);
        }
      }
    },
    readOnly(fn) {
      return pgReadOnly(
        {
          control: async (sql) => {
            await client.query(sql);
          },
          // Passing `values` (even empty) makes pg use the extended protocol: one statement only.
          query: async (sql, params) => (await client.query<Row>({ text: sql, values: params })).rows,
          queryArrays: async (sql, params) => {
            const result = await client.query<unknown[]>({ text: sql, values: params, rowMode: 'array' });
            return { fields: result.fields.map((f) => f.name), rows: result.rows };
          },
        },
        fn,
      );
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/** Objects a role can write, listed in a warning (the rest are counted). */
const LISTED = 3;

/**
 * Least privilege: the plan only reads (READ ONLY transactions), but a role that cannot write is
 * the guarantee that does not depend on Skene. Warns when the role is a superuser, a member of
 * pg_write_all_data, or may INSERT/UPDATE/DELETE/TRUNCATE a table or CREATE in a schema outside
 * the system schemas. In a scratch database (which the role created and owns) only a superuser is
 * worth a warning. A server that cannot answer (a PostgreSQL-compatible one) gets no warning.
 */
export async function postgresPrivilegeWarnings(client: pg.Client, scratch: boolean): Promise<string[]> {
  let row: { role: string; superuser: boolean; write_all: boolean; tables: string[]; table_count: number; schemas: string[] } | undefined;
  try {
    const result = await client.query(`
      WITH writable AS (
        SELECT format('%I.%I', n.nspname, c.relname) AS name
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'f') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
          AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') OR has_any_column_privilege(c.oid, 'INSERT, UPDATE'))
      )
      SELECT current_user AS role, r.rolsuper AS superuser,
        EXISTS (SELECT 1 FROM pg_catalog.pg_roles w WHERE w.rolname = 'pg_write_all_data' AND pg_has_role(current_user, w.oid, 'MEMBER')) AS write_all,
        ARRAY(SELECT name FROM writable ORDER BY name LIMIT ${LISTED}) AS tables,
        (SELECT count(*)::int FROM writable) AS table_count,
        ARRAY(SELECT quote_ident(n.nspname) FROM pg_catalog.pg_namespace n
              WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND has_schema_privilege(n.oid, 'CREATE')
              ORDER BY 1) AS schemas
      FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`);
    row = result.rows[0];
  } catch {
    return [];
  }
  if (!row) return [];
  const role = quoteRole(row.role);
  if (row.superuser) {
    return [
      scratch
        ? `connected as role ${role}, a superuser: a plan with --seed needs only a role that may create databases (ALTER ROLE … CREATEDB) — see docs/read-only.md`
        : `connected as role ${role}, a superuser, which can write anything: the plan only reads (READ ONLY transactions), but plan with a read-only role (see docs/read-only.md)`,
    ];
  }
  if (scratch) return [];
  const reasons: string[] = [];
  if (row.write_all) reasons.push('member of pg_write_all_data');
  if (row.table_count > 0) {
    const more = row.table_count - row.tables.length;
    reasons.push(`INSERT/UPDATE/DELETE/TRUNCATE on ${row.tables.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (row.schemas.length) reasons.push(`CREATE on schema ${row.schemas.join(', ')}`);
  if (!reasons.length) return [];
  return [
    `connected as role ${role}, which can write (${reasons.join('; ')}): the plan only reads (READ ONLY transactions), but plan with a read-only role (see docs/read-only.md)`,
  ];
}

/** A role name as SQL writes it: `app`, `"App-Reader"`. */
function quoteRole(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * `CREATE DATABASE skene_scratch_<hex>` on the URL's server, through a connection to the URL's
 * database (which is only used for that, and to drop it). Dropping terminates whatever is still
 * connected to it (`WITH (FORCE)` from PostgreSQL 13, pg_terminate_backend before).
 */
export async function createPostgresScratch(url: string, options: { connectTimeoutMs?: number } = {}): Promise<ScratchDatabase> {
  const label = maskUrl(url);
  const password = passwordOf(url);
  const name = scratchName();
  const connect = async () => {
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      application_name: 'skene plan (scratch)',
    });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
    }
    return client;
  };
  let admin: pg.Client | undefined = await connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const role = await admin.query<{ u: string }>('SELECT current_user AS u').then(
      (r) => r.rows[0]?.u,
      () => undefined,
    );
    await admin.end().catch(() => {});
    if (code === '42501') {
      throw new Error(
        `cannot seed: role ${quoteRole(role ?? 'current_user')} may not create databases on ${serverLabel(url)}. ` +
          'A plan with --seed never seeds the database a URL names: it creates a scratch database on that server, seeds and plans there, and drops it. ' +
          `Grant it: ALTER ROLE ${quoteRole(role ?? '<role>')} CREATEDB; or seed a throwaway database yourself and plan against it without --seed.`,
      );
    }
    throw new Error(`cannot create a scratch database on ${serverLabel(url)}: ${redact(describe(error), [password])}`);
  }
  const version = await admin.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v").then(
    (r) => r.rows[0]?.v ?? 0,
    () => 0,
  );
  await admin
    .query(`COMMENT ON DATABASE ${name} IS 'skene plan scratch database (created ${new Date().toISOString()}, pid ${process.pid}): dropped when the plan ends'`)
    .catch(() => {});
  const scratchUrl = new URL(url);
  scratchUrl.pathname = `/${name}`;

  return {
    url: scratchUrl.toString(),
    name: `database ${name}`,
    async drop() {
      try {
        // The connection may have died during a long plan (idle timeouts): then a new one.
        await retryDrop(
          async () => {
            admin ??= await connect();
            if (version >= 130000) {
              await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            } else {
              await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
              await admin.query(`DROP DATABASE IF EXISTS ${name}`);
            }
          },
          {
            // 55006: still in use (a backend not yet gone) — wait a moment; a lost connection — a new one.
            retry: (error) => {
              const code = (error as { code?: string }).code;
              if (code === '55006') return 'wait';
              return !code || code.startsWith('08') || code === '57P01' ? 'reconnect' : false;
            },
            reconnect: async () => {
              await admin?.end().catch(() => {});
              admin = undefined;
            },
          },
        ).catch((error: unknown) => {
          throw new Error(
            `could not drop the scratch database ${name} on ${serverLabel(url)}: ${redact(describe(error), [password])} — drop it by hand: DROP DATABASE ${name}${version >= 130000 ? ' WITH (FORCE)' : ''};`,
          );
        });
      } finally {
        await admin?.end().catch(() => {});
        admin = undefined;
      }
    },
  };
}
