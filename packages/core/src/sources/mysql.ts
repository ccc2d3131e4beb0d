/**
 * The MySQL dialect (`mysql2`): TiDB, PlanetScale, MySQL, MariaDB. Reads run in
 * `START TRANSACTION READ ONLY` and are rolled back; the clock is pinned with `SET timestamp`
 * (NOW(), CURRENT_TIMESTAMP, CURDATE() follow it); the deadline is `max_execution_time`
 * (MySQL, TiDB) or `max_statement_time` (MariaDB).
 */
import mysql from 'mysql2/promise';
import { formatMs } from './postgres-session.js';
import { retryDrop, SCRATCH_PREFIX, scratchName, serverLabel, type ScratchDatabase } from './scratch-database.js';
import type { Connection as CoreConnection } from 'mysql2';
import { runMysqlSeed } from './mysql-seed.js';
import { describe, maskUrl, redact } from './url.js';
import { SourceError, type QueryOptions, type Row, type SeedFile, type SqlSession, type SqlSource } from './types.js';

export type MysqlFlavor = 'mysql' | 'mariadb' | 'tidb';
type Flavor = MysqlFlavor;

/**
 * The statement that opens a plan's read-only transaction. TiDB accepts `START TRANSACTION READ
 * ONLY` but does not enforce it (a write inside succeeds); a stale read (`AS OF TIMESTAMP`) is
 * read-only in TiDB itself, so TiDB reads through a snapshot taken at the start of the transaction.
 */
export function beginReadOnlyStatement(flavor: MysqlFlavor): string {
  return flavor === 'tidb' ? 'START TRANSACTION READ ONLY AS OF TIMESTAMP NOW(6)' : 'START TRANSACTION READ ONLY';
}

/**
 * Which server speaks: `VERSION()` names MariaDB and TiDB (`8.0.11-TiDB-v7.5.0`); a TiDB whose
 * version string is configured to look like MySQL's still answers `tidb_version()`.
 */
export function mysqlFlavor(version: string, answersTidbVersion: boolean): MysqlFlavor {
  if (/mariadb/i.test(version)) return 'mariadb';
  if (/tidb/i.test(version) || answersTidbVersion) return 'tidb';
  return 'mysql';
}

// BOOLEAN is TINYINT(1): read it as true/false, as PostgreSQL gives it.
const typeCast = (field: { type: string; length: number; string(): string | null }, next: () => unknown) => {
  if (field.type === 'TINY' && field.length === 1) {
    const value = field.string();
    return value === null ? null : value !== '0';
  }
  return next();
};

/** mysql2 options for a `mysql://` (`mariadb://`, `tidb://`) URL: UTC, booleans as true/false, TLS when the URL asks. */
export function connectionOptions(url: string, connectTimeoutMs: number, multipleStatements: boolean) {
  const parsed = new URL(url.replace(/^(mariadb|tidb):/i, 'mysql:'));
  const ssl = parsed.searchParams.get('ssl') ?? parsed.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(parsed.hostname) || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    ssl: ssl && !/^(false|disable|0)$/i.test(ssl) ? { rejectUnauthorized: true, minVersion: 'TLSv1.2' } : undefined,
    timezone: 'Z',
    dateStrings: ['DATE'] as 'DATE'[],
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: connectTimeoutMs,
    multipleStatements,
    typeCast: typeCast as never,
  };
}

export interface MysqlOptions {
  connectTimeoutMs?: number;
  /** The database is a scratch database the plan created and seeded (privilege warnings only for global grants). */
  scratch?: boolean;
}

export async function openMysql(url: string, options: MysqlOptions = {}): Promise<SqlSource> {
  const label = maskUrl(url);
  let password: string | undefined;
  let connection: mysql.Connection;
  try {
    const config = connectionOptions(url, options.connectTimeoutMs ?? 5000, false);
    password = config.password;
    connection = await mysql.createConnection(config);
  } catch (error) {
    throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
  }
  connection.on('error', () => {});
  const [versionRows] = await connection.query('SELECT VERSION() AS v');
  const version = String((versionRows as Row[])[0]?.v ?? '');
  const answersTidbVersion = /mariadb|tidb/i.test(version)
    ? false
    : await connection.query('SELECT tidb_version() AS v').then(
        () => true,
        () => false,
      );
  const flavor = mysqlFlavor(version, answersTidbVersion);
  await connection.query("SET SESSION time_zone = '+00:00'");
  await useGuardQuoting(connection);
  const warnings = await mysqlPrivilegeWarnings(connection, options.scratch ?? false);

  return {
    kind: 'mysql',
    dialect: 'mysql',
    label,
    ...(warnings.length ? { warnings } : {}),
    async seed(files: SeedFile[]) {
      // Seeding is the one place several statements per call are allowed: a separate connection.
      const seeder = await mysql.createConnection(connectionOptions(url, options.connectTimeoutMs ?? 5000, true));
      try {
        // The callback connection underneath: its query reports each statement as it completes.
        const core = (seeder as unknown as { connection: CoreConnection }).connection;
        for (const file of files) await runMysqlSeed(core, file);
      } finally {
        await seeder.end().catch(() => {});
      }
    },
    readOnly(fn) {
      return mysqlReadOnly(connection, flavor, fn);
    },
    async close() {
      await connection.end().catch(() => {});
    },
  };
}

async function mysqlReadOnly<T>(connection: mysql.Connection, flavor: Flavor, fn: (session: SqlSession) => Promise<T>): Promise<T> {
  let open = false;
  let currentTimeout = -1;
  let currentAt = '';
  const rollback = async () => {
    if (!open) return;
    open = false;
    try {
      await connection.query('ROLLBACK');
    } catch {
      // connection lost: nothing was written
    }
  };
  const session: SqlSession = {
    async query(sql: string, params: unknown[], options: QueryOptions): Promise<Row[]> {
      const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
      try {
        if (currentTimeout !== timeoutMs) {
          await connection.query(
            flavor === 'mariadb' ? `SET SESSION max_statement_time = ${timeoutMs / 1000}` : `SET SESSION max_execution_time = ${timeoutMs}`,
          );
          currentTimeout = timeoutMs;
        }
        if (!open) {
          // TiDB's snapshot is `NOW(6)`, which follows a pinned `timestamp`: take it at the real time.
          if (flavor === 'tidb' && currentAt !== '') {
            await connection.query('SET timestamp = DEFAULT');
            currentAt = '';
          }
          await connection.query(beginReadOnlyStatement(flavor));
          open = true;
        }
        const at = (options.at.getTime() / 1000).toFixed(6);
        if (currentAt !== at) {
          await connection.query(`SET timestamp = ${at}`);
          currentAt = at;
        }
        const [rows] = await connection.query({ sql, values: params, timeout: timeoutMs + 5000 });
        return rows as Row[];
      } catch (error) {
        await rollback();
        throw classifyMysqlError(error, timeoutMs);
      }
    },
  };
  try {
    return await fn(session);
  } finally {
    await rollback();
  }
}

const TRANSIENT_ERRNOS = new Set([1205, 1213, 1040, 1053, 2006, 2013]);

export function classifyMysqlError(error: unknown, timeoutMs?: number): SourceError {
  if (error instanceof SourceError) return error;
  const e = error as { errno?: number; code?: string; message?: string };
  const message = e.message ?? String(error);
  // 3024 MySQL max_execution_time, 1969 MariaDB max_statement_time, 1317 interrupted, PROTOCOL_SEQUENCE_TIMEOUT client backstop
  if (e.errno === 3024 || e.errno === 1969 || e.errno === 1317 || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return new SourceError(`query timed out after ${formatMs(timeoutMs)} (${message})`, true, e.code, 'timeout');
  }
  if (e.errno === 1792 || e.errno === 1290) {
    return new SourceError(`refused: ${message} — plan queries run in a READ ONLY transaction and never write`, false, e.code, 'read-only');
  }
  if ((e.errno !== undefined && TRANSIENT_ERRNOS.has(e.errno)) || /^(PROTOCOL_CONNECTION_LOST|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE)$/.test(e.code ?? '')) {
    return new SourceError(message, true, e.code, 'connection');
  }
  return new SourceError(message, false, e.code, 'query');
}

/** Privileges that let a user change data or schema (or bypass read_only). */
const WRITE_PRIVILEGES = new Set([
  'ALL',
  'ALL PRIVILEGES',
  'INSERT',
  'UPDATE',
  'DELETE',
  'DROP',
  'CREATE',
  'ALTER',
  'INDEX',
  'CREATE VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'TRIGGER',
  'EVENT',
  'FILE',
  'SUPER',
  'DELETE HISTORY',
  'CREATE TABLESPACE',
  'CREATE USER',
]);

/**
 * The write grants among `SHOW GRANTS` lines, as `INSERT, UPDATE ON shop.*`. Grants on the
 * system schemas and on scratch databases (`skene\_scratch\_%`) do not count; with `scratch`,
 * only global grants (`ON *.*`) do: a plan with --seed reads only the database it created.
 */
export function mysqlWriteGrants(lines: string[], scratch: boolean): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const m = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE)\s+)?((?:`(?:[^`]|``)*`|[^\s.`]+|\*)(?:\.(?:`(?:[^`]|``)*`|[^\s`]+|\*))?)\s+TO\s/is.exec(
      line.trim(),
    );
    if (!m) continue; // role grants (`GRANT r TO u`), SET DEFAULT ROLE, …
    const privileges = m[1]!
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((p) => p.trim().replace(/\s+/g, ' ').toUpperCase())
      .filter((p) => WRITE_PRIVILEGES.has(p));
    if (!privileges.length) continue;
    const target = m[2]!;
    const database = /^`((?:[^`]|``)*)`/.exec(target)?.[1]?.replace(/``/g, '`') ?? target.split('.')[0]!;
    if (target === '*.*' || target === '*') {
      found.push(`${privileges.join(', ')} ON *.*`);
      continue;
    }
    if (scratch) continue;
    const plain = database.replace(/\\(.)/g, '$1').toLowerCase();
    if (plain === 'information_schema' || plain === 'performance_schema' || plain.startsWith(SCRATCH_PREFIX)) continue;
    found.push(`${privileges.join(', ')} ON ${target}`);
  }
  return found;
}

/** Least privilege (see postgresPrivilegeWarnings): a user with write grants gets a warning. */
async function mysqlPrivilegeWarnings(connection: mysql.Connection, scratch: boolean): Promise<string[]> {
  let lines: string[];
  let user: string;
  try {
    const [rows] = await connection.query('SHOW GRANTS');
    lines = (rows as Row[]).map((r) => String(Object.values(r)[0] ?? ''));
    const [who] = await connection.query('SELECT CURRENT_USER() AS u');
    user = quoteAccount(String((who as Row[])[0]?.u ?? ''));
  } catch {
    return [];
  }
  const grants = mysqlWriteGrants(lines, scratch);
  if (!grants.length) return [];
  const listed = grants.slice(0, 3).join('; ') + (grants.length > 3 ? `; and ${grants.length - 3} more` : '');
  return [
    scratch
      ? `connected as ${user}, which can write (${listed}): a plan with --seed needs only GRANT ALL ON \`skene\\_scratch\\_%\`.* TO ${user} — see docs/read-only.md`
      : `connected as ${user}, which can write (${listed}): the plan only reads (READ ONLY transactions), but plan with a read-only user (see docs/read-only.md)`,
  ];
}

/** `root@127.0.0.1` → `'root'@'127.0.0.1'`. */
function quoteAccount(account: string): string {
  const at = account.lastIndexOf('@');
  const user = at === -1 ? account : account.slice(0, at);
  const host = at === -1 ? '%' : account.slice(at + 1);
  return `'${user.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
}

/** Error numbers for a missing privilege (database, table, global). */
const DENIED = new Set([1044, 1045, 1142, 1227, 1370]);

/**
 * `CREATE DATABASE \`skene_scratch_<hex>\`` on the URL's server (with the URL's database's
 * character set, so the seed behaves as it would there). Dropping it first ends the connections
 * still using it, so no open transaction holds the DROP.
 */
export async function createMysqlScratch(url: string, options: { connectTimeoutMs?: number } = {}): Promise<ScratchDatabase> {
  const label = maskUrl(url);
  const config = connectionOptions(url, options.connectTimeoutMs ?? 5000, false);
  const password = config.password;
  const name = scratchName();
  const connect = async () => {
    try {
      const c = await mysql.createConnection(config);
      c.on('error', () => {});
      return c;
    } catch (error) {
      throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
    }
  };
  let admin: mysql.Connection | undefined = await connect();
  try {
    const [charset] = await admin.query(
      'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
    );
    const row = (charset as Row[])[0];
    const safe = (v: unknown) => (typeof v === 'string' && /^\w+$/.test(v) ? v : undefined);
    const cs = safe(row?.cs);
    const co = safe(row?.co);
    await admin.query(`CREATE DATABASE \`${name}\`${cs ? ` CHARACTER SET ${cs}` : ''}${co ? ` COLLATE ${co}` : ''}`);
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    const [who] = await admin.query('SELECT CURRENT_USER() AS u').catch(() => [[]]);
    await admin.end().catch(() => {});
    const user = quoteAccount(String((who as Row[])[0]?.u ?? 'user@%'));
    if (errno !== undefined && DENIED.has(errno)) {
      throw new Error(
        `cannot seed: ${user} may not create databases on ${serverLabel(url)}. ` +
          'A plan with --seed never seeds the database a URL names: it creates a scratch database on that server, seeds and plans there, and drops it. ' +
          `Grant it: GRANT ALL ON \`skene\\_scratch\\_%\`.* TO ${user}; or seed a throwaway database yourself and plan against it without --seed.`,
      );
    }
    throw new Error(`cannot create a scratch database on ${serverLabel(url)}: ${redact(describe(error), [password])}`);
  }
  const scratchUrl = new URL(url);
  scratchUrl.pathname = `/${name}`;
  return {
    url: scratchUrl.toString(),
    name: `database ${name}`,
    async drop() {
      try {
        await retryDrop(
          async () => {
            admin ??= await connect();
            const [threads] = await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name]);
            for (const t of threads as Row[]) await admin.query(`KILL ${Number(t.id)}`).catch(() => {});
            await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
          },
          {
            retry: (error) => {
              const code = (error as { code?: string }).code ?? '';
              const lost = !code || /^(PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(code) || (error as { errno?: number }).errno === 2006;
              return lost ? 'reconnect' : false;
            },
            reconnect: async () => {
              await admin?.end().catch(() => {});
              admin = undefined;
            },
          },
        ).catch((error: unknown) => {
          throw new Error(
            `could not drop the scratch database ${name} on ${serverLabel(url)}: ${redact(describe(error), [password])} — drop it by hand: DROP DATABASE \`${name}\`;`,
          );
        });
      } finally {
        await admin?.end().catch(() => {});
        admin = undefined;
      }
    },
  };
}

/** sql_mode flags that change how the server reads quotes and backslashes (composite modes carry ANSI_QUOTES). */
const QUOTING_MODES = new Set(['ANSI_QUOTES', 'NO_BACKSLASH_ESCAPES', 'ANSI', 'ORACLE', 'MSSQL', 'DB2', 'POSTGRESQL', 'MAXDB']);

/**
 * The read-only guard lexes conditions with MySQL's default quoting: "…" a string, a backslash an
 * escape. A server or user whose sql_mode says otherwise would read the same text differently, so
 * the plan's session sets those flags off — and refuses to plan when they do not stay off.
 */
export async function useGuardQuoting(connection: mysql.Connection): Promise<void> {
  const read = async () => String(((await connection.query('SELECT @@SESSION.sql_mode AS mode'))[0] as Row[])[0]?.mode ?? '');
  const modes = (await read()).split(',').filter(Boolean);
  if (modes.some((m) => QUOTING_MODES.has(m.toUpperCase()))) {
    await connection.query('SET SESSION sql_mode = ?', [modes.filter((m) => !QUOTING_MODES.has(m.toUpperCase())).join(',')]);
    const after = (await read()).split(',').map((m) => m.toUpperCase());
    const kept = after.filter((m) => QUOTING_MODES.has(m));
    if (kept.length)
      throw new Error(
        `refused: the session keeps sql_mode ${kept.join(', ')}, which changes how the server reads quotes and backslashes — plan as a user whose sql_mode can be set`,
      );
  }
}
