/**
 * What TiDB's watermark capture checks of a watched table before it reads anything, so that each
 * change gets its own event id and none is skipped (capture-watermark.ts):
 *
 * - **Microseconds.** An id is `<key>:<column µs>`: two updates of a row within one tick of a
 *   coarser column would share an id, and the second would be lost. A TIMESTAMP/DATETIME read by
 *   the capture must have 6 fractional digits.
 * - **An ordered key.** TiDB hands out AUTO_INCREMENT values from a cache of 30000 per TiDB server
 *   (a smaller id can commit long after a larger one), and AUTO_RANDOM values in no order: an
 *   integer column is read only when it is the table's AUTO_INCREMENT primary key and the table
 *   was created with AUTO_ID_CACHE=1 (one allocator for the cluster, ids in order).
 * - **DATETIME's time zone.** A DATETIME holds the writer's wall clock, read here as UTC: refused
 *   when the server's own zone (what `CURRENT_TIMESTAMP` writes in) is not UTC, else a warning that
 *   every writer must write UTC.
 */
import type mysql from 'mysql2/promise';
import type { Row } from '../sources/types.js';
import { quoteIdent } from '../sql/identifiers.js';
import type { WatermarkTable } from './watermark-tables.js';

const MICROSECONDS = 6;

/** Refuses a TIMESTAMP/DATETIME with fewer than 6 fractional digits: its ticks would merge changes. */
export function refuseCoarseTime(options: { table: string; column: { name: string; type: string; precision: number }; op: 'insert' | 'update' }): void {
  const { table, column, op } = options;
  if (column.precision >= MICROSECONDS) return;
  const type = column.type.toUpperCase();
  const written = column.precision ? `${type}(${column.precision})` : type;
  throw new Error(
    `${table}.${column.name} is ${written}: two ${op}s of a row within one tick of it would share an event id and the second be lost — give it microseconds: ALTER TABLE ${table} MODIFY ${column.name} ${type}(6) … (keeping its NULL, DEFAULT and ON UPDATE, as CURRENT_TIMESTAMP(6))`,
  );
}

/**
 * Refuses an integer creation column TiDB does not hand out in order: anything but the
 * AUTO_INCREMENT primary key of a table created with AUTO_ID_CACHE=1.
 */
export async function refuseUnorderedKey(options: {
  connection: mysql.Connection;
  table: string;
  column: { name: string; autoIncrement: boolean };
  isKey: boolean;
  fix: string;
}): Promise<void> {
  const { connection, table, column, isKey, fix } = options;
  const refuse = (why: string) =>
    new Error(`${table}.${column.name} ${why}: name a TIMESTAMP(6) creation column in database.capture — ${fix} — or create the table with AUTO_ID_CACHE=1`);
  if (!isKey || !column.autoIncrement)
    throw refuse('is not the AUTO_INCREMENT primary key, so its values do not follow the order of inserts (AUTO_RANDOM has none)');
  const [rows] = await connection.query(`SHOW CREATE TABLE ${quoteIdent('mysql', table)}`);
  const text = String(Object.values((rows as Row[])[0] ?? {})[1] ?? '');
  if (autoIdCacheOf(text) !== 1)
    throw refuse(
      'is an AUTO_INCREMENT key without AUTO_ID_CACHE=1: each TiDB server hands out ids from its own cache of 30000, so a smaller id can commit after a larger one was read',
    );
}

/**
 * AUTO_ID_CACHE as SHOW CREATE TABLE shows it, undefined when absent. TiDB writes
 * `/*T![auto_id_cache] AUTO_ID_CACHE=1 *\/` after the column list; MariaDB, which the tests stand
 * in for TiDB with, keeps it as an ignored table option (sql_mode IGNORE_BAD_TABLE_OPTIONS) and
 * writes `` `AUTO_ID_CACHE`='1' ``. Only the table options are read, with quoted text (a COMMENT)
 * left out: a comment that mentions the option does not count.
 */
export function autoIdCacheOf(createTable: string): number | undefined {
  const options = createTable.slice(createTable.lastIndexOf('\n)') + 2);
  const outsideQuotes = options.replace(/'(?:[^'\\]|\\.|'')*'/g, (quoted) => (/^'\d+'$/.test(quoted) ? quoted : "''"));
  const found = /(?:^|[\s*/])`?AUTO_ID_CACHE`?\s*=\s*'?(\d+)'?/i.exec(outsideQuotes);
  return found ? Number(found[1]) : undefined;
}

/** `+00:00`, `UTC`, `Etc/UTC`, … : a zone that is UTC. */
export function isUtcZone(zone: string): boolean {
  const z = zone.trim().toUpperCase();
  return ['+00:00', '-00:00', '+0:00', 'UTC', 'GMT', 'Z', 'ETC/UTC', 'ETC/GMT', 'UNIVERSAL', 'ETC/UNIVERSAL', 'ZULU', 'GMT0', 'ETC/GMT0'].includes(z);
}

/** The server's own time zone: `@@global.time_zone`, or the system's when that is `SYSTEM`. */
export function serverZone(globalZone: string, systemZone: string): string {
  return globalZone.toUpperCase() === 'SYSTEM' ? systemZone : globalZone;
}

/**
 * The DATETIME columns' time zone: throws one line when the server's zone is not UTC (every
 * `CURRENT_TIMESTAMP` written in it would be read hours off: rows lost or late), else returns a
 * warning per DATETIME column — a writer whose session is in another zone is still misread.
 */
export async function datetimeZoneWarnings(connection: mysql.Connection, tables: WatermarkTable[]): Promise<string[]> {
  const columns = tables.flatMap((t) => t.cursors.filter((c) => c.datetime).map((c) => `${t.table}.${c.column}`));
  if (!columns.length) return [];
  const [rows] = await connection.query('SELECT @@global.time_zone AS g, @@system_time_zone AS s');
  const zone = serverZone(String((rows as Row[])[0]?.g ?? ''), String((rows as Row[])[0]?.s ?? ''));
  if (!isUtcZone(zone))
    throw new Error(
      `${columns.join(', ')} ${columns.length > 1 ? 'are' : 'is'} DATETIME, which holds the writer's local time, and the server's time zone is ${zone}: Skene reads a DATETIME as UTC and would miss or delay its rows — make it TIMESTAMP(6) (stored in UTC), or run the server in UTC`,
    );
  return columns.map(
    (column) =>
      `${column} is DATETIME, read as UTC: a writer whose session time zone is not UTC (SET time_zone, an ORM's local time) writes times Skene reads hours off, and those rows are missed or late — TIMESTAMP(6) is stored in UTC whatever the session`,
  );
}
