/**
 * One mysql2 connection for `skene migrate` and the runner's capture on MySQL and MariaDB. The
 * driver is loaded when a connection is opened: core's index exports the modules that use this,
 * and importing core must not load a driver. The URL is read as sources/mysql.ts reads it.
 */
import type { Connection } from 'mysql2/promise';
import type { MysqlFlavor } from '../sources/mysql.js';
import { describe, maskUrl, passwordOf, redact } from '../sources/url.js';

export interface MysqlTarget {
  connection: Connection;
  /** The URL as it may be shown (password masked). */
  label: string;
  /** The database the URL names: where `skene_events` lives. */
  database: string;
  /** To keep out of messages. */
  password?: string;
}

export async function connectMysql(url: string, options: { connectTimeoutMs?: number; multipleStatements?: boolean } = {}): Promise<MysqlTarget> {
  const label = maskUrl(url);
  const password = passwordOf(url);
  const parsed = new URL(url.replace(/^(mariadb|tidb):/i, 'mysql:'));
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`${label} names no database: add it to the URL (mysql://user@host:3306/app) — Skene's events table lives there`);
  const { default: mysql } = await import('mysql2/promise');
  // Read as the plan reads it (sources/mysql.ts): verified TLS on `ssl=`, UTC, booleans as booleans.
  const { connectionOptions } = await import('../sources/mysql.js');
  let connection: Connection;
  try {
    connection = await mysql.createConnection(connectionOptions(url, options.connectTimeoutMs ?? 5000, options.multipleStatements ?? false));
  } catch (error) {
    throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
  }
  // A dropped connection emits 'error'; without a listener node would crash.
  connection.on('error', () => {});
  return { connection, label, database, password };
}

/** Which server speaks (MySQL, MariaDB or TiDB), read as sources/mysql.ts reads it. */
export async function mysqlServerFlavor(connection: Connection): Promise<MysqlFlavor> {
  const [rows] = await connection.query('SELECT VERSION() AS v');
  const version = String((rows as { v?: unknown }[])[0]?.v ?? '');
  const answersTidbVersion = /mariadb/i.test(version)
    ? false
    : await connection.query('SELECT tidb_version() AS v').then(
        () => true,
        () => false,
      );
  // Loaded here for the same reason as the driver: sources/mysql.ts imports mysql2 at its top.
  const { mysqlFlavor } = await import('../sources/mysql.js');
  return mysqlFlavor(version, answersTidbVersion);
}

/** `mysql2` marks errors after which the connection is unusable as `fatal`. */
export function connectionLost(error: unknown): boolean {
  return (error as { fatal?: boolean }).fatal === true;
}
