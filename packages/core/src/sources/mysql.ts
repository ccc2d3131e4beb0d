/**
 * The MySQL dialect (`mysql2`): TiDB, PlanetScale, MySQL, MariaDB. Reads run in
 * `START TRANSACTION READ ONLY` and are rolled back; the clock is pinned with `SET timestamp`
 * (NOW(), CURRENT_TIMESTAMP, CURDATE() follow it); the deadline is `max_execution_time`
 * (MySQL, TiDB) or `max_statement_time` (MariaDB).
 */
import mysql from 'mysql2/promise';
import { formatMs } from './postgres-session.js';
import { seedLocation } from './seed.js';
import { describe, maskUrl, redact } from './url.js';
import { SourceError, type QueryOptions, type Row, type SeedFile, type SqlSession, type SqlSource } from './types.js';

type Flavor = 'mysql' | 'mariadb' | 'tidb';

// BOOLEAN is TINYINT(1): read it as true/false, as PostgreSQL gives it.
const typeCast = (field: { type: string; length: number; string(): string | null }, next: () => unknown) => {
  if (field.type === 'TINY' && field.length === 1) {
    const value = field.string();
    return value === null ? null : value !== '0';
  }
  return next();
};

function connectionOptions(url: string, connectTimeoutMs: number, multipleStatements: boolean) {
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

export async function openMysql(url: string, options: { connectTimeoutMs?: number } = {}): Promise<SqlSource> {
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
  const flavor: Flavor = /mariadb/i.test(version) ? 'mariadb' : /tidb/i.test(version) ? 'tidb' : 'mysql';
  await connection.query("SET SESSION time_zone = '+00:00'");

  return {
    kind: 'mysql',
    dialect: 'mysql',
    label,
    async seed(files: SeedFile[]) {
      // Seeding is the one place several statements per call are allowed: a separate connection.
      const seeder = await mysql.createConnection(connectionOptions(url, options.connectTimeoutMs ?? 5000, true));
      try {
        for (const file of files) {
          try {
            await seeder.query(file.text);
          } catch (error) {
            throw new Error(`seed ${seedLocation(file, undefined)} failed: ${(error as Error).message}`);
          }
        }
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
        const at = (options.at.getTime() / 1000).toFixed(6);
        if (currentAt !== at) {
          await connection.query(`SET timestamp = ${at}`);
          currentAt = at;
        }
        if (!open) {
          await connection.query('START TRANSACTION READ ONLY');
          open = true;
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
