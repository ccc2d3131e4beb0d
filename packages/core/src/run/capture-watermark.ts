/**
 * TiDB change capture by watermark: TiDB has no triggers, so each watched table is read by the
 * column that shows its changes — inserts by the creation column (`created_at`, or an
 * AUTO_INCREMENT key), updates by the update column (`updated_at`) — in (column, primary key)
 * order, from a watermark kept in the runner's state (`ctx.positions`).
 *
 * - **Advanced after the jobs are stored.** A page's watermark is written only after
 *   `ctx.enqueue` resolved: a crash in between re-reads the page, never skips it.
 * - **An overlap behind the watermark.** A transaction that commits late can carry a creation time
 *   equal to, or earlier than, rows already read. Every drain re-reads 60 s behind the watermark,
 *   and once a minute the table's whole overlap (`database.capture.<table>.overlap`, default 65 min:
 *   TiDB's longest transaction) — OVERLAP_KEYS values of an increasing key; a re-read event has the
 *   same id, so its jobs are the same jobs and the runner stores them once. Ids this capture
 *   enqueued are also remembered (at most MAX_REMEMBERED a cursor), so a steady drain hands over
 *   only what is new.
 * - **Ids for ever.** `w:<schema.table>:insert:<key>:<created µs>` (`…:insert:<key>` for an
 *   increasing key) and `w:<schema.table>:update:<key>:<updated µs>`: the same on every runner and
 *   every re-read, and a key handed out again later is another event. The columns have
 *   microseconds and an increasing key is in order (watermark-checks.ts), so no two changes share one.
 * - **First start** (no watermark): rows created or updated in the hour before `at`
 *   (FIRST_START_WINDOW_MS) are changes, older ones are not: a deploy loses no signup, and a first
 *   run never mails the table's history. (An increasing key starts at its current maximum.)
 * - **The run's clock.** Nothing created or updated after `ctx.at` is read (an increasing key has
 *   no time: all its committed rows are read).
 * - Deletes cannot be seen (`watermarkTables` refuses a delete trigger; `skene check`: SKN044).
 */
import type mysql from 'mysql2/promise';
import type { Row } from '../sources/types.js';
import { describe, maskUrl, passwordOf, redact } from '../sources/url.js';
import { wakeableWait, type Capture, type CapturedEvent, type DrainContext } from './capture.js';
import { datetimeZoneWarnings } from './watermark-checks.js';
import {
  connectWatermark,
  formatMicros,
  parseMicros,
  quotedTable,
  watermarkTables,
  type WatermarkConfig,
  type WatermarkCursor,
  type WatermarkTable,
} from './watermark-tables.js';

export { describeWatermarks, OVERLAP_MICROS } from './watermark-tables.js';
export { isTidb, mysqlCaptureMode, tidbFromConfig } from './capture-mode.js';

/**
 * How far behind a time watermark an ordinary poll reads again. The whole overlap (65 min by
 * default) is read again once every SWEEP_EVERY_MS: re-reading an hour of rows every second costs
 * a busy table most of that second (36,000 rows an hour: ~0.7 s a poll), and a row committed that
 * late is still found, within a minute.
 */
export const RECENT_OVERLAP_MICROS = 60_000_000;
/** How often (by the run's clock) a cursor reads its whole overlap again. */
export const SWEEP_EVERY_MS = 60_000;
/** How far behind an increasing-key watermark every drain reads again (ids taken by transactions not yet committed). */
export const OVERLAP_KEYS = 1000n;
/**
 * The most ids a cursor remembers as enqueued. The overlap re-read is bounded by time, not rows:
 * beyond this many the oldest are forgotten, and a re-read hands them over again under the same
 * ids (the runner stores their jobs once), so memory stays bounded on a busy table.
 */
export const MAX_REMEMBERED = 100_000;
/**
 * The first start (no watermark yet) reads what was created or updated this long before `at`, as
 * schedules catch up one hour of missed occurrences: the rows written while no runner ran (a
 * deploy, the time between the first migration and the first run) are changes, the table's
 * history is not. An increasing key has no time: it starts at its current largest value.
 */
export const FIRST_START_WINDOW_MS = 60 * 60 * 1000;
/** Rows per statement. */
const PAGE = 500;
const DEFAULT_POLL_MS = 1000;

/**
 * A table's watermark, stored as JSON. `after`: the (column, key) of the last row enqueued; `since`:
 * the first start's position — rows at or before it existed before capture and are never changes.
 * Column values are 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) for a time, numbers for an increasing key.
 */
interface Watermark {
  after: [string, string | number | null];
  since: string;
}

export interface WatermarkCaptureOptions {
  url: string;
  config: WatermarkConfig;
  /** The longest wait between two drains (default 1000 ms). */
  pollMs?: number;
}

/** Opens TiDB's capture: checks every watched table's columns now, so a missing one stops the start. */
export async function openWatermarkCapture(options: WatermarkCaptureOptions): Promise<Capture> {
  const label = `TiDB watermarks on ${maskUrl(options.url)}`;
  let connection: mysql.Connection | undefined = await connectWatermark(options.url);
  let tables: WatermarkTable[];
  let warnings: string[];
  try {
    tables = await watermarkTables(connection, options.config);
    warnings = await datetimeZoneWarnings(connection, tables);
  } catch (error) {
    await connection.end().catch(() => {});
    throw error;
  }
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const waiter = wakeableWait();
  /** Ids this capture enqueued, by cursor, with the column value they were read at (pruned behind the overlap). */
  const enqueued = new Map<string, Map<string, string>>();
  /** When (the run's clock) each cursor last read its whole overlap. */
  const swept = new Map<string, number>();
  const reader = async (): Promise<mysql.Connection> => (connection ??= await connectWatermark(options.url));

  return {
    label,
    ...(warnings.length ? { warnings } : {}),
    async drain(ctx) {
      let count = 0;
      for (const table of tables) {
        for (const cursor of table.cursors) {
          const name = positionName(table, cursor);
          if (!enqueued.has(name)) enqueued.set(name, new Map());
          const last = swept.get(name);
          const now = ctx.at.getTime();
          // A clock set back (another --at) sweeps too.
          const sweep = last === undefined || now - last >= SWEEP_EVERY_MS || now < last;
          for (let attempt = 1; ; attempt++) {
            try {
              count += await drainCursor({ db: await reader(), table, cursor, ctx, name, seen: enqueued.get(name)!, sweep });
              if (sweep) swept.set(name, now);
              break;
            } catch (error) {
              if (error instanceof RunnerError) throw error.inner;
              const lost = isConnectionLost(error);
              if (lost) {
                await connection?.end().catch(() => {});
                connection = undefined;
              }
              // A connection the server ended (TiDB Cloud closes idle ones) is opened again, once:
              // reading again from the watermark is harmless.
              if (lost && attempt === 1) continue;
              throw new Error(`${table.table}: reading ${cursor.op}s by ${cursor.column}: ${redact(describe(error), [passwordOf(options.url)])}`);
            }
          }
        }
      }
      return count;
    },
    waitForChange(ms, signal) {
      return waiter.wait(Math.min(ms, pollMs), signal);
    },
    async close() {
      waiter.wake();
      await connection?.end().catch(() => {});
      connection = undefined;
    },
  };
}

/** The position's name: a changed column starts a new watermark rather than misreading the old one. */
function positionName(table: WatermarkTable, cursor: WatermarkCursor): string {
  return `watermark:${table.resolved}/${cursor.op}/${cursor.column}`;
}

/** An error of the runner's (`ctx.enqueue`, `ctx.positions`): passed through as it is, not blamed on the table. */
class RunnerError extends Error {
  constructor(readonly inner: unknown) {
    super('runner failed');
  }
}

async function runnerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new RunnerError(error);
  }
}

interface CursorRead {
  db: mysql.Connection;
  table: WatermarkTable;
  cursor: WatermarkCursor;
  ctx: DrainContext;
  name: string;
  seen: Map<string, string>;
  /** Read the whole overlap again, not only RECENT_OVERLAP_MICROS of it. */
  sweep: boolean;
}

/** Reads one table's inserts or updates from behind its watermark to `at`, page by page; returns the events enqueued. */
async function drainCursor(read: CursorRead): Promise<number> {
  const { db, table, cursor, ctx, name, seen, sweep } = read;
  const time = cursor.kind === 'time';
  let mark = parseWatermark(await runnerCall(() => ctx.positions.get(name)));
  if (!mark) {
    const since = time ? formatMicros((ctx.at.getTime() - FIRST_START_WINDOW_MS) * 1000) : await maxValue(db, table, cursor);
    mark = { after: [since, null], since };
    // Recorded before reading: a start that fails after it reads the same window again.
    await runnerCall(() => ctx.positions.set(name, JSON.stringify(mark)));
  }
  const keyFrom = () => String(BigInt(mark!.after[0]) - OVERLAP_KEYS);
  const timeFrom = (micros: number) => formatMicros(parseMicros(mark!.after[0]) - micros);
  // What a sweep reads is remembered until it leaves the whole overlap.
  const remembered = time ? timeFrom(table.overlapMicros) : keyFrom();
  for (const [id, value] of seen) if (isBefore(cursor, value, remembered)) seen.delete(id);
  const overlapFrom = !time ? keyFrom() : sweep ? remembered : timeFrom(Math.min(table.overlapMicros, RECENT_OVERLAP_MICROS));
  const col = `\`${cursor.column.replace(/`/g, '``')}\``;
  const key = `\`${table.key.replace(/`/g, '``')}\``;
  const selected = time ? `DATE_FORMAT(${col}, '%Y-%m-%d %H:%i:%s.%f')` : `CAST(${col} AS CHAR)`;
  // A time key is read as ISO text with microseconds: the same id whatever the runner's zone.
  const selectedKey = table.keyKind === 'time' ? `DATE_FORMAT(${key}, '%Y-%m-%dT%H:%i:%s.%f')` : key;
  // An integer compared with text is compared as a double: exact only to 2^53. DECIMAL is exact.
  const exact = 'CAST(? AS DECIMAL(20, 0))';
  const value = time ? '?' : exact;
  const keyValue = table.keyKind === 'integer' ? exact : '?';
  const fixed: string[] = [`${col} > ${value}`, `${col} >= ${value}`];
  const fixedParams: unknown[] = [mark.since, overlapFrom];
  if (time) {
    fixed.push(`${col} <= ?`);
    fixedParams.push(formatMicros(ctx.at.getTime() * 1000));
  }
  if (cursor.op === 'update' && table.createdTime) {
    // The insert set both columns to one time: that is the insert, not an update.
    fixed.push(`NOT (${col} <=> \`${table.createdTime.replace(/`/g, '``')}\`)`);
  }
  let count = 0;
  let after: [string, string | number] | undefined;
  for (;;) {
    const where = [...fixed];
    const params = [...fixedParams];
    if (after) {
      where.push(`(${col} > ${value} OR (${col} = ${value} AND ${key} > ${keyValue}))`);
      params.push(after[0], after[0], after[1]);
    }
    const [rows] = await db.query(
      `SELECT ${selectedKey} AS k, ${selected} AS v FROM ${quotedTable(table.table)} WHERE ${where.join(' AND ')} ORDER BY ${col}, ${key} LIMIT ${PAGE}`,
      params,
    );
    const page = (rows as Row[]).map((r) => ({ key: r.k as string | number, value: String(r.v) }));
    const events = page.map((row) => toEvent(table, cursor, row, ctx.at));
    const fresh = events.filter((e) => !seen.has(e.id));
    if (fresh.length) {
      await runnerCall(() => ctx.enqueue(fresh));
      count += fresh.length;
    }
    // Only now, with the jobs stored, are these rows consumed.
    page.forEach((row, i) => remember(seen, events[i]!.id, row.value));
    const last = page.at(-1);
    // Moved on (an idle table re-reads up to the watermark's own row: no write for that).
    if (last && (isBefore(cursor, mark.after[0], last.value) || (last.value === mark.after[0] && last.key !== mark.after[1]))) {
      const next: Watermark = { after: [last.value, last.key], since: mark.since };
      await runnerCall(() => ctx.positions.set(name, JSON.stringify(next)));
      mark = next;
    }
    if (page.length < PAGE || !last) return count;
    after = [last.value, last.key];
  }
}

/** Whether column value `a` comes before `b`: times as their fixed-width text, keys as integers of any size. */
function isBefore(cursor: WatermarkCursor, a: string, b: string): boolean {
  return cursor.kind === 'time' ? a < b : BigInt(a) < BigInt(b);
}

/** Records an id as enqueued, forgetting the oldest beyond MAX_REMEMBERED (a Map keeps insertion order). */
function remember(seen: Map<string, string>, id: string, value: string): void {
  seen.delete(id);
  seen.set(id, value);
  if (seen.size > MAX_REMEMBERED) seen.delete(seen.keys().next().value!);
}

function toEvent(table: WatermarkTable, cursor: WatermarkCursor, row: { key: string | number; value: string }, at: Date): CapturedEvent {
  const micros = cursor.kind === 'time' ? parseMicros(row.value) : undefined;
  const id = `w:${table.resolved}:${cursor.op}:${row.key}${micros === undefined ? '' : `:${micros}`}`;
  // An increasing key carries no time: the change is dated when it is seen.
  const occurredAt = micros === undefined ? at : new Date(Math.floor(micros / 1000));
  return { id, table: table.table, op: cursor.op, key: row.key, occurredAt };
}

/** An increasing key's largest value now, as decimal text (it may pass 2^53): the first start's position ('0' for an empty table). */
async function maxValue(db: mysql.Connection, table: WatermarkTable, cursor: WatermarkCursor): Promise<string> {
  const [rows] = await db.query(`SELECT CAST(MAX(\`${cursor.column.replace(/`/g, '``')}\`) AS CHAR) AS m FROM ${quotedTable(table.table)}`);
  return String((rows as Row[])[0]?.m ?? '0');
}

/** A stored watermark, or undefined for none (or one this version cannot read: started afresh). */
function parseWatermark(value: string | undefined): Watermark | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as { after?: unknown[]; since?: unknown };
    // A key watermark was a number before it could pass 2^53: read as text either way.
    if (Array.isArray(parsed.after) && parsed.after.length === 2 && parsed.since !== undefined)
      return { after: [String(parsed.after[0]), parsed.after[1] as string | number | null], since: String(parsed.since) };
  } catch {
    // not ours
  }
  return undefined;
}

function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; fatal?: boolean };
  if (e.fatal === true || e.errno === 2006 || e.errno === 2013 || /^(PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code ?? '')) return true;
  // mysql2 refuses a query on a connection it already saw end, with no code.
  return /connection is in closed state/i.test((error as Error).message ?? '');
}
