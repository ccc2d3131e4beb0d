/**
 * Hasura's event triggers, as a source of captured events: teams that manage triggers in Hasura's
 * metadata point one at `skene run --listen` (`POST /hasura`) instead of running `skene migrate`'s
 * triggers. Hasura delivers at least once, so an event is recorded under Hasura's own event id
 * (`skene.events.source_id`): a redelivery is the same event, recorded once. The runner then
 * treats it like any captured change.
 */
import { captureChannel, DEFAULT_CAPTURE_SCHEMA } from './capture-postgres.js';
import { quoteIdent } from '../sql/identifiers.js';

/** A change as Hasura's event trigger payload describes it. */
export interface HasuraEvent {
  /** `hasura:<event id>`: the key a redelivery shares. */
  sourceId: string;
  tableSchema: string;
  tableName: string;
  op: 'insert' | 'update' | 'delete';
  /** The new row (the old one for a delete). */
  row: Record<string, unknown>;
}

/** Why a payload is not a Hasura event Skene can record (the HTTP answer is 400 with it). */
export class HasuraPayloadError extends Error {}

const OPS: Record<string, HasuraEvent['op']> = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete', MANUAL: 'insert' };

/**
 * Reads Hasura's payload: `{ id, table: { schema, name }, event: { op, data: { old, new } } }`
 * (https://hasura.io/docs/latest/event-triggers/payload/). A MANUAL invocation counts as an insert.
 */
export function parseHasuraEvent(body: unknown): HasuraEvent {
  const payload = objectOf(body, 'the body');
  const id = payload.id;
  if (typeof id !== 'string' || !id) throw new HasuraPayloadError('no event id: Hasura sends one as "id"');
  const table = objectOf(payload.table, '"table"');
  const event = objectOf(payload.event, '"event"');
  const op = OPS[String(event.op)];
  if (!op) throw new HasuraPayloadError(`event.op is ${JSON.stringify(event.op)}: expected INSERT, UPDATE, DELETE or MANUAL`);
  const data = objectOf(event.data, '"event.data"');
  const row = op === 'delete' ? data.old : data.new;
  if (typeof table.name !== 'string' || !table.name) throw new HasuraPayloadError('table.name is missing');
  return {
    sourceId: `hasura:${id}`,
    tableSchema: typeof table.schema === 'string' && table.schema ? table.schema : 'public',
    tableName: table.name,
    op,
    row: objectOf(row, op === 'delete' ? '"event.data.old"' : '"event.data.new"'),
  };
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HasuraPayloadError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** What records an event: a query on the database `skene migrate` set up. */
export type Query = (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/**
 * Records the event in `<schema>.events` once per Hasura event id and wakes the runner. The key is
 * computed from the row with the table's primary key, read from the catalog, as the capture
 * trigger does. Returns the event's id, and whether it had been recorded before.
 */
export async function recordHasuraEvent(query: Query, event: HasuraEvent, schema = DEFAULT_CAPTURE_SCHEMA): Promise<{ id: string; duplicate: boolean }> {
  const s = quoteIdent('postgres', schema);
  const table = `${quoteIdent('postgres', event.tableSchema)}.${quoteIdent('postgres', event.tableName)}`;
  const keys = await query(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
  const columns = keys.rows.map((r) => String(r.name));
  if (columns.length === 0)
    throw new HasuraPayloadError(`${event.tableSchema}.${event.tableName} has no primary key (or does not exist): Skene keys events by it`);
  const key = columns.length === 1 ? (event.row[columns[0]!] ?? null) : Object.fromEntries(columns.map((c) => [c, event.row[c] ?? null]));
  const inserted = await query(
    `INSERT INTO ${s}.events (source_id, table_schema, table_name, op, "key", "row") VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
     ON CONFLICT (source_id) DO NOTHING RETURNING id`,
    [event.sourceId, event.tableSchema, event.tableName, event.op, JSON.stringify(key), JSON.stringify(event.row)],
  );
  if (inserted.rows.length) {
    const id = String(inserted.rows[0]!.id);
    await query('SELECT pg_notify($1, $2)', [captureChannel(schema), id]);
    return { id, duplicate: false };
  }
  const existing = await query(`SELECT id FROM ${s}.events WHERE source_id = $1`, [event.sourceId]);
  return { id: String(existing.rows[0]?.id ?? ''), duplicate: true };
}
