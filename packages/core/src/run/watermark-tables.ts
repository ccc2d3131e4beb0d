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
import { parseDuration } from '../plan/clock.js';
import { datetimeZoneWarnings, refuseCoarseTime, refuseUnorderedKey } from './watermark-checks.js';

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
  /** A DATETIME (no time zone: read as UTC, see watermark-checks.ts), not a TIMESTAMP. */
  datetime: boolean;
}

export interface WatermarkTable {
  /** As the config's database trigger writes it. */
  table: string;
  /**
   * `schema.table` as the catalog spells it: event ids and positions use it, so writing the
   * trigger's table as `users` or `app.users` is the same table and the same events.
   */
  resolved: string;
  /** How far behind a time watermark each drain reads again (`overlap`, default DEFAULT_OVERLAP). */
  overlapMicros: number;
  /** The primary key column, as the catalog spells it. */
  key: string;
  /**
   * `time`: a TIMESTAMP/DATETIME key, read as ISO text with microseconds whatever the runner's zone;
   * `integer`: compared as an exact number (it may pass 2^53); `other`: as it is.
   */
  keyKind: 'time' | 'integer' | 'other';
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

/**
 * How far behind a time watermark every drain reads again, unless `database.capture.<table>.overlap`
 * says otherwise: a transaction commits rows dated when its statement ran, and TiDB lets one run
 * for up to an hour (max-txn-ttl, default 60 min); 5 more minutes for the TiDB servers' clocks.
 */
export const DEFAULT_OVERLAP = '65m';
/** DEFAULT_OVERLAP in microseconds. */
export const OVERLAP_MICROS = 65 * 60 * 1_000_000;

const TIME_TYPES = new Set(['timestamp', 'datetime']);
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

/** Opens a connection reading in UTC, with errors that never carry the password. */
export async function connectWatermark(url: string): Promise<mysql.Connection> {
  const { connection } = await connectMysql(url);
  try {
    // TIMESTAMP columns are read and compared in UTC, as `at` is.
    await connection.query("SET SESSION time_zone = '+00:00'");
  } catch (error) {
    await connection.end().catch(() => {});
    throw error;
  }
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

/** A column of a watched table, as the catalog describes it. */
interface CatalogColumn {
  name: string;
  type: string;
  /** Fractional-second digits of a TIMESTAMP/DATETIME (0–6). */
  precision: number;
  autoIncrement: boolean;
}

/**
 * Every table a database trigger names, with the columns its watched operations are read by.
 * Throws one line naming the table, the column and `database.capture` when a column is missing,
 * or cannot give each change its own event id (see watermark-checks.ts).
 */
export async function watermarkTables(connection: mysql.Connection, config: WatermarkConfig): Promise<WatermarkTable[]> {
  const tables: WatermarkTable[] = [];
  const sorted = [...watchedTables(config).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [table, ops] of sorted) {
    if (ops.has('delete')) throw new Error(`${table}: a database trigger watches deletes. ${TIDB_DELETE_MESSAGE}`);
    const [schema, name] = splitTable(table);
    const [columnRows] = await connection.query(
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS type, DATETIME_PRECISION AS prec, EXTRA AS extra, TABLE_SCHEMA AS db, TABLE_NAME AS tbl FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [schema ?? null, name],
    );
    const columns = new Map<string, CatalogColumn>(
      (columnRows as Row[]).map((r) => [
        String(r.name).toLowerCase(),
        {
          name: String(r.name),
          type: String(r.type).toLowerCase(),
          precision: Number(r.prec ?? 0),
          autoIncrement: String(r.extra ?? '')
            .toLowerCase()
            .includes('auto_increment'),
        },
      ]),
    );
    if (!columns.size) throw new Error(`${table}: no such table in the database, which a database trigger watches`);
    const first = (columnRows as Row[])[0]!;
    const resolved = `${String(first.db)}.${String(first.tbl)}`;
    const [keyRows] = await connection.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      [schema ?? null, name],
    );
    const keys = (keyRows as Row[]).map((r) => String(r.name));
    if (keys.length !== 1)
      throw new Error(
        `${table}: ${keys.length ? 'a primary key of several columns' : 'no primary key'}: Skene keys each captured change by one primary key column`,
      );
    const key = columns.get(keys[0]!.toLowerCase())!;
    const wanted = config.database?.capture?.[table] ?? {};
    const cursors: WatermarkCursor[] = [];
    for (const op of ['insert', 'update'] as const) {
      if (!ops.has(op)) continue;
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
      if (kind === 'time') refuseCoarseTime({ table, column: found, op });
      else await refuseUnorderedKey({ connection, table, column: found, isKey: found.name === key.name, fix });
      cursors.push({ op, column: found.name, kind, datetime: found.type === 'datetime' });
    }
    const createdWritten = wanted.createdAt ?? DEFAULT_CREATED_COLUMN;
    const created = columns.get(createdWritten.toLowerCase());
    const createdTime = created && TIME_TYPES.has(created.type) ? created : undefined;
    // Updates are told from the insert by comparing with it: a coarser creation time never equals the update time.
    if (createdTime && ops.has('update')) refuseCoarseTime({ table, column: createdTime, op: 'insert' });
    const overlapMs = wanted.overlap === undefined ? undefined : parseDuration(wanted.overlap);
    if (wanted.overlap !== undefined && overlapMs === undefined)
      throw new Error(`${table}: database.capture overlap '${wanted.overlap}' is not a duration such as '65m' or '2h'`);
    tables.push({
      table,
      resolved,
      overlapMicros: overlapMs === undefined ? OVERLAP_MICROS : overlapMs * 1000,
      key: key.name,
      keyKind: TIME_TYPES.has(key.type) ? 'time' : INTEGER_TYPES.has(key.type) ? 'integer' : 'other',
      cursors,
      ...(createdTime ? { createdTime: createdTime.name } : {}),
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
    const tables = await watermarkTables(connection, options.config);
    // A DATETIME on a server that is not in UTC is refused here too, before anything runs.
    await datetimeZoneWarnings(connection, tables);
    return tables.map(describeTable);
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
