/**
 * Change capture on MySQL and MariaDB: the triggers `skene migrate` installs (migrate-mysql.ts)
 * write each change to `skene_events`; the runner polls it. A drain claims a page of rows with
 * `FOR UPDATE SKIP LOCKED` (several runners share the table, each row goes to one of them), hands
 * them to `enqueue`, and deletes them in the same transaction only after the jobs are stored: a
 * crash or an error before COMMIT leaves the rows for the next drain, whose jobs are the same.
 *
 * The transactions are READ COMMITTED: REPEATABLE READ's gap locks would make the application's
 * own inserts (through the triggers) wait while a drain holds its page.
 */
import type { Connection } from 'mysql2/promise';
import type { LoadedConfig } from '../plan/load-config.js';
import { describe, redact } from '../sources/url.js';
import { watchedTables, wakeableWait, type Capture, type CapturedEvent, type CaptureOp, type DrainContext } from './capture.js';
import { MYSQL_EVENTS_TABLE } from './migrate-mysql-sql.js';
import { connectionLost, connectMysql, type MysqlTarget } from './mysql-connection.js';

export interface MysqlCaptureOptions {
  /** mysql:// (or mariadb://) naming the database `skene migrate` installed capture in. */
  url: string;
  config: Pick<LoadedConfig, 'loops'>;
  /** How often to look for changes (default 1 s): MySQL has no LISTEN. */
  pollMs?: number;
  /** Events claimed per transaction (default 500). */
  pageSize?: number;
  connectTimeoutMs?: number;
}

interface EventRow {
  seq: number | string;
  id: string;
  table_schema: string;
  table_name: string;
  op: CaptureOp;
  row_key: string;
  key_type: string;
  occurred_at: Date;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
/** ER_NO_SUCH_TABLE */
const NO_SUCH_TABLE = 1146;

export async function openMysqlCapture(options: MysqlCaptureOptions): Promise<Capture> {
  const pollMs = options.pollMs ?? 1000;
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
  const first = await open(options);
  const { label, database, password } = first;
  let current: MysqlTarget | undefined = first;
  const spellings = await configSpellings(first.connection, { config: options.config, database }).catch(async (error: unknown) => {
    await first.connection.end().catch(() => {});
    throw error;
  });
  const waiter = wakeableWait();
  const missing = () => new Error(`no change capture in ${label}: run \`skene migrate\` first`);

  /** The drain's connection, opened again after one was lost. */
  const connection = async (): Promise<Connection> => {
    current ??= await open(options);
    return current.connection;
  };

  const drainPage = async (ctx: DrainContext): Promise<{ rows: number; events: number }> => {
    const conn = await connection();
    // What the driver was asked to do when it failed: its own message names neither that nor the server.
    let doing = `start a transaction in ${label}`;
    let enqueueing = false;
    try {
      await conn.query('START TRANSACTION');
      doing = `claim events from ${MYSQL_EVENTS_TABLE} in ${label}`;
      const [result] = await conn.query(
        `SELECT seq, id, table_schema, table_name, op, row_key, key_type, occurred_at FROM \`${MYSQL_EVENTS_TABLE}\`
         ORDER BY seq LIMIT ${pageSize} FOR UPDATE SKIP LOCKED`,
      );
      const rows = result as EventRow[];
      const events = rows.flatMap((row) => toEvents(row, spellings));
      enqueueing = true;
      if (events.length) await ctx.enqueue(events);
      enqueueing = false;
      doing = `delete ${handedOver(rows.length)} from ${MYSQL_EVENTS_TABLE} in ${label}`;
      // Rows of tables no database trigger names any more start nothing: consumed all the same.
      if (rows.length) await conn.query(deleteRows(rows));
      doing = `commit the deletion of ${handedOver(rows.length)} in ${label}`;
      await conn.query('COMMIT');
      return { rows: rows.length, events: events.length };
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => {});
      if (connectionLost(error)) {
        await current?.connection.end().catch(() => {});
        current = undefined;
      }
      // The jobs' own store failed: its message is the runner's to tell.
      if (enqueueing) throw error;
      if ((error as { errno?: number }).errno === NO_SUCH_TABLE) throw missing();
      throw new Error(`cannot ${doing}: ${redact(describe(error), [password])}`, { cause: error });
    }
  };

  return {
    label: `${MYSQL_EVENTS_TABLE} in ${label}`,
    async drain(ctx) {
      let total = 0;
      for (;;) {
        const page = await drainPage(ctx);
        total += page.events;
        if (page.rows < pageSize) return total;
      }
    },
    waitForChange(ms, signal) {
      return waiter.wait(Math.min(ms, pollMs), signal);
    },
    async close() {
      waiter.wake();
      await current?.connection.end().catch(() => {});
      current = undefined;
    },
  };

  async function open(o: MysqlCaptureOptions): Promise<MysqlTarget> {
    // Several statements per call: a page's deletes go in one round trip (see deleteRows).
    const target = await connectMysql(o.url, { connectTimeoutMs: o.connectTimeoutMs, multipleStatements: true });
    try {
      await target.connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await target.connection.query(`SELECT 1 FROM \`${MYSQL_EVENTS_TABLE}\` LIMIT 0`);
    } catch (error) {
      await target.connection.end().catch(() => {});
      if ((error as { errno?: number }).errno === NO_SUCH_TABLE) throw new Error(`no change capture in ${target.label}: run \`skene migrate\` first`);
      throw new Error(`cannot open change capture in ${target.label}: ${redact(describe(error), [target.password])}`, { cause: error });
    }
    return target;
  }
}

function handedOver(rows: number): string {
  return `${rows} handed-over ${rows === 1 ? 'row' : 'rows'}`;
}

/** The config's spellings of the table a row records (its database and name, as the server has them). */
type Spellings = (schema: string, table: string) => string[];

/**
 * `users` names a table of the URL's database, `crm.users` one of `crm`. Names compare as the
 * server compares them: without case when lower_case_table_names is set.
 */
async function configSpellings(connection: Connection, options: { config: Pick<LoadedConfig, 'loops'>; database: string }): Promise<Spellings> {
  const [rows] = await connection.query('SELECT @@lower_case_table_names AS v');
  const fold = Number((rows as { v: unknown }[])[0]?.v) !== 0;
  const id = (schema: string, table: string) => (fold ? `${schema.toLowerCase()}\0${table.toLowerCase()}` : `${schema}\0${table}`);
  const byTable = new Map<string, string[]>();
  for (const spelling of watchedTables(options.config).keys()) {
    const dot = spelling.indexOf('.');
    const key = dot === -1 ? id(options.database, spelling) : id(spelling.slice(0, dot), spelling.slice(dot + 1));
    byTable.set(key, [...(byTable.get(key) ?? []), spelling]);
  }
  return (schema, table) => byTable.get(id(schema, table)) ?? [];
}

/** A row as the events of each spelling of its table: one id, so every spelling's jobs share it. */
function toEvents(row: EventRow, spellings: Spellings): CapturedEvent[] {
  const integer = INTEGER_TYPES.has(row.key_type) && /^-?\d+$/.test(row.row_key) && Number.isSafeInteger(Number(row.row_key));
  const key = integer ? Number(row.row_key) : row.row_key;
  return spellings(row.table_schema, row.table_name).map((table) => ({ id: row.id, table, op: row.op, key, occurredAt: row.occurred_at }));
}

/**
 * One DELETE per row, by its key: `seq IN (…)` may be run as a scan (a small table), and a DELETE
 * that scans waits for the rows another runner holds — a key lookup touches only its own row.
 */
function deleteRows(rows: EventRow[]): string {
  return rows
    .map((row) => {
      const seq = String(row.seq);
      if (!/^\d+$/.test(seq)) throw new Error(`skene_events holds a seq that is not a number: ${seq}`);
      return `DELETE FROM \`${MYSQL_EVENTS_TABLE}\` WHERE seq = ${seq}`;
    })
    .join(';\n');
}
