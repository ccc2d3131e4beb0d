/**
 * The tables TiDB's watermark capture reads (capture-watermark.ts): for each table a database
 * trigger names, its primary key and the columns that show its inserts (`created_at`, or an
 * AUTO_INCREMENT key) and updates (`updated_at`), checked against the database's catalog so a
 * missing column is one clear line before anything runs. Also what `skene migrate` prints.
 */
import { connectMysql } from './mysql-connection.js';
import type mysql from 'mysql2/promise';
import type { LoadedConfig } from '../plan/load-config.js';
import type { CaptureConfig } from './capture-postgres.js';
import type { Row } from '../sources/types.js';
import { quoteIdent } from '../sql/identifiers.js';
import { watchedTables } from './capture.js';

export const DEFAULT_CREATED_COLUMN = 'created_at';
export const DEFAULT_UPDATED_COLUMN = 'updated_at';

export type WatermarkConfig = CaptureConfig & Pick<LoadedConfig, 'database'>;

/** One watched operation of a table: the column it is read by, in (column, key) order. */
export interface WatermarkCursor {
  op: 'insert' | 'update';
  /** The column as the catalog spells it. */
  column: string;
  /** `time`: a TIMESTAMP/DATETIME; `sequence`: an increasing integer (an AUTO_INCREMENT key). */
  kind: 'time' | 'sequence';
}

export interface WatermarkTable {
  /** As the config's database trigger writes it. */
  table: string;
  /** The primary key column, as the catalog spells it. */
  key: string;
  cursors: WatermarkCursor[];
  /**
   * The creation column when it is a time: an update read where the update column still equals it
   * is the insert itself (`DEFAULT CURRENT_TIMESTAMP` sets both), not an update.
   */
  createdTime?: string;
}

/** The error a delete trigger on TiDB gets, here and from `skene check` (SKN044). */
export const TIDB_DELETE_MESSAGE =
  "TiDB has no triggers: Skene captures TiDB changes by watermark, which cannot see deletes. Mark rows deleted instead — a `deleted_at` column set by the delete, watched with event: 'update' and a condition on `deleted_at IS NOT NULL` — or stream deletes with TiCDC.";

const TIME_TYPES = new Set(['timestamp', 'datetime']);
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

/** Opens a connection reading in UTC, with errors that never carry the password. */
export async function connectWatermark(url: string): Promise<mysql.Connection> {
  const { connection } = await connectMysql(url);
  // TIMESTAMP columns are read and compared in UTC, as `at` is.
  await connection.query("SET SESSION time_zone = '+00:00'");
  return connection;
}

/** `shop.users` → ['shop', 'users']; `users` → [undefined, 'users'] (the connection's database). */
function splitTable(table: string): [string | undefined, string] {
  const dot = table.indexOf('.');
  return dot === -1 ? [undefined, table] : [table.slice(0, dot), table.slice(dot + 1)];
}

/** The table's quoted name for SQL. */
export function quotedTable(table: string): string {
  return quoteIdent('mysql', table);
}

/**
 * Every table a database trigger names, with the columns its watched operations are read by.
 * Throws one line naming the table, the column and `database.capture` when a column is missing.
 */
export async function watermarkTables(connection: mysql.Connection, config: WatermarkConfig): Promise<WatermarkTable[]> {
  const tables: WatermarkTable[] = [];
  const sorted = [...watchedTables(config).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [table, ops] of sorted) {
    if (ops.has('delete')) throw new Error(`${table}: a database trigger watches deletes. ${TIDB_DELETE_MESSAGE}`);
    const [schema, name] = splitTable(table);
    const [columnRows] = await connection.query(
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [schema ?? null, name],
    );
    const columns = new Map((columnRows as Row[]).map((r) => [String(r.name).toLowerCase(), { name: String(r.name), type: String(r.type).toLowerCase() }]));
    if (!columns.size) throw new Error(`${table}: no such table in the database, which a database trigger watches`);
    const [keyRows] = await connection.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      [schema ?? null, name],
    );
    const keys = (keyRows as Row[]).map((r) => String(r.name));
    if (keys.length !== 1)
      throw new Error(
        `${table}: ${keys.length ? 'a primary key of several columns' : 'no primary key'}: Skene keys each captured change by one primary key column`,
      );
    const wanted = config.database?.capture?.[table] ?? {};
    const column = (op: 'insert' | 'update') => {
      const option = op === 'insert' ? 'createdAt' : 'updatedAt';
      const written = wanted[option] ?? (op === 'insert' ? DEFAULT_CREATED_COLUMN : DEFAULT_UPDATED_COLUMN);
      const found = columns.get(written.toLowerCase());
      const fix = `defineConfig({ database: { capture: { '${table}': { ${option}: '<column>' } } } })`;
      if (!found)
        throw new Error(
          `${table} has no column ${written}, which Skene's TiDB capture reads ${op}s by${wanted[option] ? '' : ' (the default)'}: name the column in database.capture — ${fix}`,
        );
      const kind = TIME_TYPES.has(found.type) ? 'time' : op === 'insert' && INTEGER_TYPES.has(found.type) ? 'sequence' : undefined;
      if (!kind)
        throw new Error(
          `${table}.${found.name} is ${found.type}: Skene's TiDB capture reads ${op}s by a TIMESTAMP or DATETIME column${op === 'insert' ? ' (or an AUTO_INCREMENT key)' : ''} — name one in database.capture: ${fix}`,
        );
      return { op, column: found.name, kind } satisfies WatermarkCursor;
    };
    const cursors = (['insert', 'update'] as const).filter((op) => ops.has(op)).map(column);
    const createdWritten = wanted.createdAt ?? DEFAULT_CREATED_COLUMN;
    const created = columns.get(createdWritten.toLowerCase());
    tables.push({
      table,
      key: keys[0]!,
      cursors,
      ...(created && TIME_TYPES.has(created.type) ? { createdTime: created.name } : {}),
    });
  }
  return tables;
}

/** One line per table, for `skene migrate`: "users: inserts by created_at, updates by updated_at (watermark; TiDB has no triggers)". */
export function describeTable(table: WatermarkTable): string {
  const parts = table.cursors.map((c) => `${c.op}s by ${c.column}${c.kind === 'sequence' ? ' (increasing key)' : ''}`);
  return `${table.table}: ${parts.join(', ')} (watermark; TiDB has no triggers)`;
}

/**
 * What `skene migrate` prints for TiDB, where there is nothing to install: checks that every
 * watched table has its columns (throws the one-line error otherwise) and describes each.
 */
export async function describeWatermarks(options: { url: string; config: WatermarkConfig }): Promise<string[]> {
  const connection = await connectWatermark(options.url);
  try {
    return (await watermarkTables(connection, options.config)).map(describeTable);
  } finally {
    await connection.end().catch(() => {});
  }
}

/** 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) ↔ microseconds since the epoch: a Date keeps only milliseconds. */
export function parseMicros(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`not a timestamp: ${text}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return ms * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
}

export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-03-02T09:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros - Math.floor(micros / 1_000_000) * 1_000_000).padStart(6, '0')}`;
}
