/**
 * `skene migrate` on MySQL 8 and MariaDB 10.6+: a `skene_events` table in the URL's database and,
 * on each table a database trigger of the config names, one AFTER trigger per operation asked for
 * that records the change there (capture-mysql.ts reads and consumes it).
 *
 * MySQL's DDL is not transactional, so the migration checks everything first (each table exists,
 * has a one-column primary key, no trigger of someone else's has Skene's name) and only then
 * changes anything, keeping the statements that undo each step: a failure part-way undoes what
 * this run did, and the database is as it was.
 *
 * A trigger body cannot read the catalog, so the key column is written into each trigger: the
 * keys are read from the database when the SQL is made — `--print` connects too, and changes
 * nothing there (see docs/run.md).
 */
import type { Connection } from 'mysql2/promise';
import { describe, maskUrl, redact } from '../sources/url.js';
import { watchedTables, type CaptureOp } from './capture.js';
import type { CaptureConfig } from './capture-postgres.js';
import type { MigrateResult } from './migrate.js';
import {
  createTriggerSql,
  dropEventsTableSql,
  dropTriggerSql,
  EVENTS_TABLE_COLUMNS,
  eventsTableSql,
  insertPrefix,
  MYSQL_EVENTS_TABLE,
  mysqlTriggerName,
  printedDown,
  printedInstall,
  ref,
  triggerFor,
  type Target,
  type Trigger,
} from './migrate-mysql-sql.js';
import { connectMysql, mysqlServerFlavor } from './mysql-connection.js';

export { MYSQL_EVENTS_TABLE, mysqlTriggerName } from './migrate-mysql-sql.js';

const OPS: CaptureOp[] = ['insert', 'update', 'delete'];
/** Key types whose values are not text: the events table could not hold them as written. */
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);

export function tidbRefusal(label: string): string {
  return `${label} is TiDB, which has no triggers: skene run captures it by watermark (created_at/updated_at), nothing to install`;
}

export interface MigrateMysqlOptions {
  config: CaptureConfig;
  databaseUrl: string;
  print?: boolean;
  down?: boolean;
  connectTimeoutMs?: number;
}

/** An error whose message is the whole line the user reads. */
class Final extends Error {}

/** A refusal found before anything changed. */
class Refusal extends Final {
  constructor(message: string) {
    super(`${message} — nothing was changed`);
  }
}

interface Context {
  connection: Connection;
  database: string;
  lowerCaseNames: boolean;
}

export async function migrateMysql(options: MigrateMysqlOptions): Promise<MigrateResult> {
  const url = options.databaseUrl;
  if (/^tidb:/i.test(url)) throw new Error(tidbRefusal(maskUrl(url)));
  const { connection, label, database, password } = await connectMysql(url, { connectTimeoutMs: options.connectTimeoutMs });
  try {
    const flavor = await mysqlServerFlavor(connection);
    if (flavor === 'tidb') throw new Final(tidbRefusal(label));
    const [lctn] = await connection.query('SELECT @@lower_case_table_names AS v');
    const ctx: Context = { connection, database, lowerCaseNames: Number((lctn as { v: unknown }[])[0]?.v) !== 0 };
    const plan = async () => {
      const events = await eventsTableState(ctx);
      // Not adopted: its triggers' inserts would fail the application's writes, and --down would drop its rows.
      if (events.foreign && !options.down) throw new Refusal(`${events.foreign}: rename it, or install Skene's capture in another database`);
      const targets = options.down ? [] : await resolveTargets(ctx, options.config);
      const existing = await skeneTriggers(ctx);
      const wanted = targets.flatMap((t) => t.ops.map((op) => triggerFor(t, op, database)));
      if (!options.down) checkNameClashes(await foreignTriggerNames(ctx, wanted), wanted);
      return { targets, existing, wanted, events };
    };
    if (options.print) {
      const { targets, existing, wanted, events } = await plan();
      const kept = events.foreign && `${events.foreign}: left as it is`;
      const sql = options.down ? printedDown({ existing, database, keptTable: kept }) : printedInstall({ targets, wanted, existing, database, label });
      return { sql, applied: false, target: label, kind: 'mysql', changes: [] };
    }
    const undo = new Undo(connection);
    const changes: string[] = [];
    // Checked and applied under the lock: a deploy migrating at the same time cannot change the triggers in between.
    const tables = await withMigrationLock(connection, database, async () => {
      const { targets, existing, wanted, events } = await plan();
      try {
        if (options.down) await remove({ ctx, existing, undo, changes, events });
        else await install({ ctx, targets, wanted, existing, undo, changes, replaceInPlace: flavor === 'mariadb', createEvents: !events.exists });
      } catch (error) {
        const undone = await undo.run();
        throw new Final(failureLine({ error, label, password, down: options.down, undone }));
      }
      return targets.length;
    });
    const sql = undo.applied.join(';\n\n') + (undo.applied.length ? ';\n' : '');
    return { sql, applied: true, target: label, kind: 'mysql', tables, changes };
  } catch (error) {
    if (error instanceof Final) throw new Error(error.message);
    throw new Error(failureLine({ error, label, password, down: options.down, undone: true }));
  } finally {
    await connection.end().catch(() => {});
  }
}

/** Every table a database trigger names, checked: it exists, is a table, has a one-column key. */
async function resolveTargets(ctx: Context, config: CaptureConfig): Promise<Target[]> {
  const byTable = new Map<string, Target>();
  const watched = [...watchedTables(config as Parameters<typeof watchedTables>[0]).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [spelling, ops] of watched) {
    const dot = spelling.indexOf('.');
    const schema = dot === -1 ? ctx.database : spelling.slice(0, dot);
    const table = dot === -1 ? spelling : spelling.slice(dot + 1);
    // Its trigger would insert into the table it fires on, which MySQL refuses (error 1442) —
    // failing every write to every watched table, since each of their triggers inserts there.
    if (sameName(ctx, schema, ctx.database) && sameName(ctx, table, MYSQL_EVENTS_TABLE))
      throw new Refusal(
        `${spelling} is Skene's own events table, which a database trigger cannot watch (its capture would fail every write to the watched tables): remove that trigger from the config`,
      );
    const [rows] = await ctx.connection.query(
      'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [schema, table],
    );
    const found = rows as { s: string; n: string; type: string }[];
    // information_schema compares names without case; the server does too only with lower_case_table_names.
    const row = found.find((r) => r.s === schema && r.n === table) ?? (ctx.lowerCaseNames ? found[0] : undefined);
    if (!row)
      throw new Refusal(
        `table ${spelling} does not exist in ${schema} (a database trigger in the config names it): create it first, or fix the name in the config`,
      );
    const shown = row.s === ctx.database ? row.n : `${row.s}.${row.n}`;
    // (MariaDB's system-versioned tables and sequences are not views: they take triggers.)
    if (row.type.includes('VIEW'))
      throw new Refusal(`${shown} is a view, which triggers cannot watch: name the table it reads in the config's database trigger`);
    const id = `${row.s}.${row.n}`;
    const known = byTable.get(id);
    if (known) {
      known.ops = OPS.filter((op) => known.ops.includes(op) || ops.has(op));
      continue;
    }
    const [keyRows] = await ctx.connection.query(
      `SELECT k.COLUMN_NAME AS c, c.DATA_TYPE AS t FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME
       WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ? AND k.CONSTRAINT_NAME = 'PRIMARY' ORDER BY k.ORDINAL_POSITION`,
      [row.s, row.n],
    );
    const keys = keyRows as { c: string; t: string }[];
    const fix = `or remove the database triggers on it from the config`;
    if (keys.length === 0)
      throw new Refusal(
        `table ${shown} has no primary key: Skene keys each captured change by it. Add one (ALTER TABLE ${shown} ADD PRIMARY KEY (<column>)) ${fix}`,
      );
    if (keys.length > 1)
      throw new Refusal(
        `table ${shown} has a composite primary key (${keys.map((k) => k.c).join(', ')}): Skene keys each captured change by one column. Give it a one-column primary key (e.g. an id) ${fix}`,
      );
    const key = keys[0]!;
    if (BINARY_TYPES.has(key.t.toLowerCase()))
      throw new Refusal(`table ${shown}'s primary key ${key.c} is ${key.t}, which Skene cannot record as text: key it by a number or text column ${fix}`);
    byTable.set(id, { schema: row.s, table: row.n, shown, ops: OPS.filter((op) => ops.has(op)), key: key.c, keyType: key.t.toLowerCase() });
  }
  return [...byTable.values()];
}

/** Whether two names are one to the server: without case when lower_case_table_names is set. */
function sameName(ctx: Context, a: string, b: string): boolean {
  return ctx.lowerCaseNames ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** The triggers, in any database, that carry Skene's name for their table and write to this database's events. */
async function skeneTriggers(ctx: Context): Promise<Trigger[]> {
  const [rows] = await ctx.connection.query(
    `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, EVENT_MANIPULATION AS op, ACTION_TIMING AS timing, ACTION_STATEMENT AS body
     FROM information_schema.TRIGGERS WHERE TRIGGER_NAME LIKE 'skene%' ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, TRIGGER_NAME`,
  );
  const found: Trigger[] = [];
  for (const r of rows as { s: string; name: string; tbl: string; op: string; timing: string; body: string }[]) {
    const op = r.op.toLowerCase() as CaptureOp;
    if (r.timing !== 'AFTER' || !OPS.includes(op) || r.name !== mysqlTriggerName(r.tbl, op)) continue;
    if (!r.body.startsWith(insertPrefix(r.s, ctx.database))) continue;
    found.push({ schema: r.s, name: r.name, table: r.tbl, op, body: r.body });
  }
  return found;
}

/** Triggers that hold a name Skene wants and are not Skene's. */
async function foreignTriggerNames(ctx: Context, wanted: Trigger[]): Promise<{ schema: string; name: string; body: string }[]> {
  if (!wanted.length) return [];
  const [rows] = await ctx.connection.query(
    `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS name, ACTION_STATEMENT AS body FROM information_schema.TRIGGERS WHERE (TRIGGER_SCHEMA, TRIGGER_NAME) IN (?)`,
    [wanted.map((w) => [w.schema, w.name])],
  );
  const ours = await skeneTriggers(ctx);
  return (rows as { s: string; name: string; body: string }[])
    .filter((r) => !ours.some((o) => o.schema === r.s && o.name === r.name))
    .map((r) => ({ schema: r.s, name: r.name, body: r.body }));
}

function checkNameClashes(foreign: { schema: string; name: string }[], wanted: Trigger[]): void {
  const clash = foreign[0];
  if (!clash) return;
  const on = wanted.find((w) => w.schema === clash.schema && w.name === clash.name)!;
  throw new Refusal(`a trigger named ${clash.name} on ${on.table} is not Skene's, and Skene's capture trigger needs that name: rename or drop it`);
}

/** Statements already run, and those that undo them (run in reverse on a failure). */
class Undo {
  readonly applied: string[] = [];
  private readonly steps: string[][] = [];
  constructor(private readonly connection: Connection) {}
  /**
   * Runs `statements`; `undo` restores the state before them from any point part-way (so it is
   * written with IF EXISTS), and is kept before the first statement runs.
   */
  async apply(statements: string[], undo: string[]): Promise<void> {
    this.steps.push(undo);
    for (const sql of statements) {
      await this.connection.query(sql);
      this.applied.push(sql);
    }
  }
  /** Whether everything was undone. */
  async run(): Promise<boolean> {
    let ok = true;
    for (const step of this.steps.reverse()) for (const sql of step) await this.connection.query(sql).catch(() => (ok = false));
    this.steps.length = 0;
    return ok;
  }
}

interface InstallPlan {
  ctx: Context;
  targets: Target[];
  wanted: Trigger[];
  existing: Trigger[];
  undo: Undo;
  changes: string[];
  /** MariaDB's CREATE OR REPLACE TRIGGER swaps a trigger with no moment uncaptured; MySQL drops it first. */
  replaceInPlace: boolean;
  /** No skene_events yet: created (and dropped again if a later step fails). */
  createEvents: boolean;
}

async function install(plan: InstallPlan): Promise<void> {
  const { ctx, undo } = plan;
  const db = ctx.database;
  if (plan.createEvents) await undo.apply([eventsTableSql()], [dropEventsTableSql()]);
  for (const target of plan.targets) {
    let changed = false;
    for (const want of plan.wanted.filter((w) => w.schema === target.schema && w.table === target.table)) {
      const old = plan.existing.find((e) => e.schema === want.schema && e.name === want.name);
      if (old?.body === want.body) continue;
      changed = true;
      const drop = dropTriggerSql(want, db);
      if (!old) await undo.apply([createTriggerSql(want, db)], [drop]);
      else if (plan.replaceInPlace) await undo.apply([createTriggerSql(want, db, true)], [drop, createTriggerSql(old, db)]);
      else await withWriteLock({ ctx, target, undo }, () => undo.apply([drop, createTriggerSql(want, db)], [drop, createTriggerSql(old, db)]));
    }
    // Skene's triggers for operations on this table the config no longer asks for.
    for (const old of plan.existing.filter((e) => e.schema === target.schema && e.table === target.table && !target.ops.includes(e.op))) {
      changed = true;
      await undo.apply([dropTriggerSql(old, db)], [dropTriggerSql(old, db), createTriggerSql(old, db)]);
    }
    plan.changes.push(changed ? `${target.shown}: capturing ${target.ops.join(', ')} (key ${target.key})` : `${target.shown}: unchanged`);
  }
  const stale = plan.existing.filter((e) => !plan.targets.some((t) => t.schema === e.schema && t.table === e.table));
  await dropTriggers({ ctx, triggers: stale, undo, changes: plan.changes, why: ' (no database trigger in the config names it)' });
}

/**
 * MySQL 8 has no CREATE OR REPLACE TRIGGER: between its DROP TRIGGER and CREATE TRIGGER a write
 * to the table would fire no trigger and its change would never be captured. Holding the table's
 * WRITE lock across the pair makes those writes wait until the new trigger is in place (they are
 * then captured by it). Under LOCK TABLES, MySQL runs DDL on a trigger of a table locked for WRITE
 * (the trigger's own table, skene_events, is locked with it, so runners' drains wait too — a
 * moment). It needs the LOCK TABLES privilege and SELECT on the table (docs/run.md).
 * NOT TESTED HERE: the test servers are MariaDB, which replaces a trigger in place
 * (replaceInPlace) and never comes this way; this path runs only against MySQL 8.
 * A failure under the lock is undone after UNLOCK TABLES, by the caller's Undo.
 */
async function withWriteLock(options: { ctx: Context; target: Target; undo: Undo }, fn: () => Promise<void>): Promise<void> {
  const { connection, database } = options.ctx;
  const lock = `LOCK TABLES ${ref(options.target.schema, options.target.table, database)} WRITE`;
  await connection.query(lock);
  options.undo.applied.push(lock);
  try {
    await fn();
  } finally {
    // Fails only with the connection lost, and then fn's own error is the one to tell.
    await connection.query('UNLOCK TABLES').catch(() => {});
    options.undo.applied.push('UNLOCK TABLES');
  }
}

async function remove(options: { ctx: Context; existing: Trigger[]; undo: Undo; changes: string[]; events: EventsTableState }): Promise<void> {
  await dropTriggers({ ...options, triggers: options.existing, why: '' });
  if (options.events.foreign) {
    options.changes.push(`${options.events.foreign}: left as it is`);
    return;
  }
  // Last, and not undone: nothing after it can fail, and no trigger is left to write to it.
  await options.ctx.connection.query(dropEventsTableSql());
  options.undo.applied.push(dropEventsTableSql());
}

async function dropTriggers(options: { ctx: Context; triggers: Trigger[]; undo: Undo; changes: string[]; why: string }): Promise<void> {
  const db = options.ctx.database;
  const tables = new Set<string>();
  for (const old of options.triggers) {
    await options.undo.apply([dropTriggerSql(old, db)], [dropTriggerSql(old, db), createTriggerSql(old, db)]);
    const shown = old.schema === db ? old.table : `${old.schema}.${old.table}`;
    if (!tables.has(shown)) options.changes.push(`${shown}: capture removed${options.why}`);
    tables.add(shown);
  }
}

interface EventsTableState {
  exists: boolean;
  /** Set when a table (or view) of that name is there and is not Skene's: why, in words. */
  foreign?: string;
}

/**
 * Whether this database has `skene_events`, and whether it is Skene's: a base table with exactly
 * the columns eventsTableSql creates. An application's own table of that name is never adopted.
 */
async function eventsTableState(ctx: Context): Promise<EventsTableState> {
  const where = 'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?';
  const args = [ctx.database, MYSQL_EVENTS_TABLE];
  const [tables] = await ctx.connection.query(`SELECT TABLE_NAME AS n, TABLE_TYPE AS type FROM information_schema.TABLES ${where}`, args);
  // information_schema compares names without case; the server does only with lower_case_table_names.
  const table = (tables as { n: string; type: string }[]).find((r) => sameName(ctx, r.n, MYSQL_EVENTS_TABLE));
  if (!table) return { exists: false };
  const [columns] = await ctx.connection.query(
    `SELECT TABLE_NAME AS n, COLUMN_NAME AS c, DATA_TYPE AS t FROM information_schema.COLUMNS ${where} ORDER BY ORDINAL_POSITION`,
    args,
  );
  const shape = (columns as { n: string; c: string; t: string }[]).filter((r) => r.n === table.n).map((r) => `${r.c} ${r.t.toLowerCase()}`);
  const isSkenes = table.type === 'BASE TABLE' && shape.join(', ') === EVENTS_TABLE_COLUMNS.join(', ');
  if (isSkenes) return { exists: true };
  const what = table.type === 'BASE TABLE' ? 'a table' : `a ${table.type.toLowerCase()}`;
  return { exists: true, foreign: `${ctx.database}.${table.n} is ${what} that is not Skene's events table (columns: ${shape.join(', ') || 'none'})` };
}

async function withMigrationLock<T>(connection: Connection, database: string, fn: () => Promise<T>): Promise<T> {
  const name = `skene migrate ${database}`.slice(0, 64);
  const [rows] = await connection.query('SELECT GET_LOCK(?, 60) AS got', [name]);
  if (Number((rows as { got: unknown }[])[0]?.got) !== 1)
    throw new Final('another skene migrate has been running on this database for a minute: try again when it ends');
  try {
    return await fn();
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => {});
  }
}

function failureLine(options: { error: unknown; label: string; password?: string; down?: boolean; undone: boolean }): string {
  const doing = options.down ? 'remove change capture from' : 'install change capture in';
  const after = options.undone ? 'nothing was changed' : 'undoing what was done failed too: run skene migrate again (or --down)';
  return `cannot ${doing} ${options.label}: ${redact(describe(options.error), [options.password])} — ${after}`;
}
