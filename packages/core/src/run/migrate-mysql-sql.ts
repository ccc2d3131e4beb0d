/**
 * The SQL of Skene's change capture on MySQL and MariaDB (migrate-mysql.ts runs it or prints
 * it): the events table, and the trigger that records one operation on one table.
 */
import type { CaptureOp } from './capture.js';

/**
 * One MySQL identifier, quoted whole. A dot is a legal character in a quoted name (a key column
 * `thing.id`, a table `a.b`): quoteIdent would read it as `schema.name` and write another
 * column's or another table's name. Every name here is one identifier, so none is split.
 */
export function quoteName(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Skene's events table, in the database the URL names. */
export const MYSQL_EVENTS_TABLE = 'skene_events';

/**
 * The one name of Skene's trigger for an operation on a table (unique in its database, as MySQL
 * requires): `skene_insert_users`; a long table name is cut and a hash of it added, within 64.
 */
export function mysqlTriggerName(table: string, op: CaptureOp): string {
  const name = `skene_${op}_${table}`;
  if (name.length <= 64) return name;
  let hash = 0x811c9dc5; // FNV-1a: stable, no crypto needed for a name
  for (const ch of table) hash = Math.imul(hash ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return `${name.slice(0, 55)}_${hash.toString(16).padStart(8, '0')}`;
}

export interface Target {
  schema: string;
  table: string;
  /** As the messages show it: bare in the URL's database, else `schema.table`. */
  shown: string;
  ops: CaptureOp[];
  key: string;
  keyType: string;
}

export interface Trigger {
  schema: string;
  name: string;
  table: string;
  op: CaptureOp;
  body: string;
}

/** Skene's trigger for an operation on a table: its name, and the body that records the change. */
export function triggerFor(target: Target, op: CaptureOp, database: string): Trigger {
  const row = op === 'delete' ? 'OLD' : 'NEW';
  // UUID(): unique for ever (an AUTO_INCREMENT may be handed out again after deletes and a
  // restart). DATABASE() inside a trigger is the trigger's own database.
  const body =
    `${insertPrefix(target.schema, database)}id, table_schema, table_name, op, row_key, key_type, occurred_at) ` +
    `VALUES (UUID(), DATABASE(), ${literal(target.table)}, '${op}', ${row}.${quoteName(target.key)}, ${literal(target.keyType)}, UTC_TIMESTAMP(6))`;
  return { schema: target.schema, name: mysqlTriggerName(target.table, op), table: target.table, op, body };
}

/**
 * How a Skene trigger's body begins: the events table of this database (unqualified in it, so
 * printed SQL applies to a database of another name). It tells this installation's triggers from
 * another database's.
 */
export function insertPrefix(schema: string, database: string): string {
  return `INSERT INTO ${schema === database ? '' : `${quoteName(database)}.`}${quoteName(MYSQL_EVENTS_TABLE)} (`;
}

/** The columns eventsTableSql creates, in order, with their information_schema DATA_TYPE. */
export const EVENTS_TABLE_COLUMNS = [
  'seq bigint',
  'id char',
  'table_schema varchar',
  'table_name varchar',
  'op enum',
  'row_key text',
  'key_type varchar',
  'occurred_at datetime',
] as const;

/**
 * seq: the order runners claim events in (never an event's identity: InnoDB may hand a value out
 * again after deletes and a restart); id: the event's identity, a UUID() the trigger sets.
 */
export function eventsTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteName(MYSQL_EVENTS_TABLE)} (
  seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id CHAR(36) CHARACTER SET ascii NOT NULL,
  table_schema VARCHAR(64) NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  op ENUM('insert', 'update', 'delete') NOT NULL,
  row_key TEXT NOT NULL,
  key_type VARCHAR(64) NOT NULL,
  occurred_at DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`;
}

/** `name` in `schema`: bare in the URL's database (printed SQL then applies to a database of another name). */
export function ref(schema: string, name: string, database: string): string {
  return schema === database ? quoteName(name) : `${quoteName(schema)}.${quoteName(name)}`;
}

export function dropEventsTableSql(): string {
  return `DROP TABLE IF EXISTS ${quoteName(MYSQL_EVENTS_TABLE)}`;
}

export function createTriggerSql(t: Trigger, database: string, orReplace = false): string {
  return `CREATE ${orReplace ? 'OR REPLACE ' : ''}TRIGGER ${ref(t.schema, t.name, database)} AFTER ${t.op.toUpperCase()} ON ${ref(t.schema, t.table, database)} FOR EACH ROW ${t.body}`;
}

export function dropTriggerSql(t: Pick<Trigger, 'schema' | 'name'>, database: string): string {
  return `DROP TRIGGER IF EXISTS ${ref(t.schema, t.name, database)}`;
}

export function printedInstall(options: { targets: Target[]; wanted: Trigger[]; existing: Trigger[]; database: string; label: string }): string {
  const db = options.database;
  const tables = options.targets.length
    ? options.targets.map((t) => `--   ${t.shown}: ${t.ops.join(', ')} (key ${t.key})`).join('\n')
    : '--   (none: no database trigger in the config)';
  const statements = [eventsTableSql()];
  for (const t of options.wanted) statements.push(dropTriggerSql(t, db), createTriggerSql(t, db));
  for (const old of options.existing.filter((e) => !options.wanted.some((w) => w.schema === e.schema && w.name === e.name)))
    statements.push(dropTriggerSql(old, db));
  return `-- skene migrate: Skene's change capture for MySQL/MariaDB, to apply as one migration.
-- A trigger cannot read a table's primary key when it runs, so the keys were read from
-- ${options.label} (nothing was changed there). Re-run \`skene migrate --print\` when the
-- config's database triggers or a key change. Tables and the changes captured:
${tables}
-- MySQL runs DDL outside transactions: if this stops part-way, fix the cause and apply it again
-- (every statement may run twice).
${statements.map((s) => `${s};\n`).join('\n')}`;
}

/** `keptTable`: why the database's `skene_events` is not dropped (a table of that name that is not Skene's). */
export function printedDown(options: { existing: Trigger[]; database: string; keptTable?: string }): string {
  const statements = options.existing.map((t) => dropTriggerSql(t, options.database));
  if (!options.keptTable) statements.push(dropEventsTableSql());
  const kept = options.keptTable ? `-- ${options.keptTable}\n` : '';
  return `-- skene migrate --down: removes Skene's change capture (its triggers, then ${MYSQL_EVENTS_TABLE}).\n${kept}${statements.map((s) => `${s};\n`).join('')}`;
}

/** Two deploys migrating at once take turns (a lock of the server's, released when the connection ends). */

/**
 * A string literal read the same whatever the sql_mode (NO_BACKSLASH_ESCAPES changes what a
 * backslash means): quotes doubled, and a name with a backslash written in hex.
 */
function literal(text: string): string {
  if (text.includes('\\')) return `CONVERT(X'${Buffer.from(text, 'utf8').toString('hex')}' USING utf8mb4)`;
  return `'${text.replace(/'/g, "''")}'`;
}
