/**
 * Change capture for PostgreSQL (and PGlite, Supabase's and Hasura's PostgreSQL): the SQL that
 * `skene migrate` installs or removes. One code path for `--print` and for a live database: the
 * primary key of each table is read from the catalog by the SQL itself when it is applied (a DO
 * block), so SQL printed into a Prisma/Supabase/Hasura migrations folder keys events exactly as
 * a direct `skene migrate` does — no guessed `id`.
 */
import type { DatabaseTrigger, Step } from '@skene/sdk';
import { quoteIdent } from '../sql/identifiers.js';

/** Bumped when the layout of the capture objects changes; each version is a `skene.migrations` row. */
export const CAPTURE_VERSION = 1;
export const DEFAULT_CAPTURE_SCHEMA = 'skene';
/** The trigger on every captured table: one name, so `--down` and re-runs find exactly Skene's. */
export const CAPTURE_TRIGGER = 'skene_capture';

/** What capture needs of a config: its loops' database triggers. */
export interface CaptureConfig {
  loops: readonly { id?: string; steps: readonly Pick<Step, 'trigger'>[] }[];
}

export interface CaptureSqlOptions {
  config: CaptureConfig;
  /** Where Skene keeps its objects (default `skene`); the NOTIFY channel is `<schema>_events`. */
  schema?: string;
}

/** One table a database trigger names, with the operations some trigger on it asks for. */
export interface CaptureTarget {
  table: string;
  events: DatabaseTrigger['event'][];
}

/** `pg_trigger.tgtype` bits, so the SQL can merge the events of names that resolve to one table. */
const EVENT_BITS: Record<DatabaseTrigger['event'], number> = { insert: 4, delete: 8, update: 16 };
const EVENT_ORDER: DatabaseTrigger['event'][] = ['insert', 'update', 'delete'];

/** The NOTIFY channel of a capture schema: `skene_events` by default. */
export function captureChannel(schema = DEFAULT_CAPTURE_SCHEMA): string {
  return `${checkedSchema(schema)}_events`;
}

/**
 * Every table a database trigger names, sorted, each with the events asked for on it. Only those
 * events are captured: a busy table whose updates no loop watches writes no event rows.
 */
export function captureTargets(config: CaptureConfig): CaptureTarget[] {
  const byTable = new Map<string, Set<DatabaseTrigger['event']>>();
  for (const loop of config.loops) {
    for (const step of loop.steps) {
      if (step.trigger.type !== 'database') continue;
      const events = byTable.get(step.trigger.table) ?? new Set();
      events.add(step.trigger.event);
      byTable.set(step.trigger.table, events);
    }
  }
  return [...byTable.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([table, events]) => ({ table, events: EVENT_ORDER.filter((e) => events.has(e)) }));
}

/**
 * The statements that install capture, without BEGIN/COMMIT (the caller runs them in one
 * transaction). Idempotent: IF NOT EXISTS / OR REPLACE, and a trigger that is already exactly
 * right is left alone — re-running `skene migrate` on every deploy takes no table lock then.
 */
export function captureStatements(options: CaptureSqlOptions): string {
  const schema = checkedSchema(options.schema ?? DEFAULT_CAPTURE_SCHEMA);
  const s = quoteIdent('postgres', schema);
  const targets = captureTargets(options.config);
  const fn = `${s}.capture()`;
  return `-- Serialises concurrent migrations (two deploys at once), released at COMMIT.
SELECT pg_advisory_xact_lock(hashtext('skene migrate ${schema}'));

CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.migrations (
  version integer PRIMARY KEY,
  installed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per captured change. key: the primary key value (an object of the key columns when
-- the key has several); row: the new row (the old one for a delete).
CREATE TABLE IF NOT EXISTS ${s}.events (
  id bigserial PRIMARY KEY,
  table_schema text NOT NULL,
  table_name text NOT NULL,
  op text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  "key" jsonb NOT NULL,
  "row" jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS events_table_name_occurred_at_idx ON ${s}.events (table_name, occurred_at);
-- Events delivered from outside (Hasura's event triggers, at least once): their id, so a
-- redelivery is the same event.
ALTER TABLE ${s}.events ADD COLUMN IF NOT EXISTS source_id text;
CREATE UNIQUE INDEX IF NOT EXISTS events_source_id_idx ON ${s}.events (source_id);

-- SECURITY DEFINER: the application's roles (Supabase's authenticated, Hasura's user) write the
-- captured tables but get no right on ${schema}.events, so they can neither break on the insert
-- nor forge an event. The fixed search_path and the revoked EXECUTE close the usual holes of a
-- definer function: nobody else can attach it to a table of theirs.
-- The trigger's arguments are the table's primary key columns (read from the catalog below).
CREATE OR REPLACE FUNCTION ${fn} RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $capture$
DECLARE
  changed jsonb;
  event_key jsonb;
  event_id bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN changed := to_jsonb(OLD); ELSE changed := to_jsonb(NEW); END IF;
  IF TG_NARGS = 1 THEN
    event_key := changed -> TG_ARGV[0];
  ELSE
    SELECT jsonb_object_agg(k, changed -> k) INTO event_key FROM unnest(TG_ARGV) AS k;
  END IF;
  INSERT INTO ${s}.events (table_schema, table_name, op, "key", "row")
  VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, lower(TG_OP), event_key, changed)
  RETURNING id INTO event_id;
  -- Delivered at COMMIT, so the runner never wakes for a change that is rolled back.
  PERFORM pg_notify('${captureChannel(schema)}', event_id::text);
  RETURN NULL;
END
$capture$;
REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC;

${triggersBlock(targets, schema)}

INSERT INTO ${s}.migrations (version) VALUES (${CAPTURE_VERSION}) ON CONFLICT (version) DO NOTHING;
`;
}

/** `captureStatements` in one transaction: what `skene migrate --print` writes. */
export function captureSql(options: CaptureSqlOptions): string {
  return `${header(options.config)}BEGIN;\n\n${captureStatements(options)}\nCOMMIT;\n`;
}

/**
 * The statements that remove capture: every `skene_capture` trigger that calls Skene's function
 * (also on tables the config no longer names), then the schema with the events in it.
 */
export function downStatements(options: { schema?: string } = {}): string {
  const schema = checkedSchema(options.schema ?? DEFAULT_CAPTURE_SCHEMA);
  const s = quoteIdent('postgres', schema);
  return `SELECT pg_advisory_xact_lock(hashtext('skene migrate ${schema}'));

DO $skene$
DECLARE
  rel regclass;
BEGIN
  IF to_regprocedure('${s}.capture()') IS NOT NULL THEN
    FOR rel IN SELECT tgrelid::regclass FROM pg_trigger
      WHERE tgname = '${CAPTURE_TRIGGER}' AND tgfoid = to_regprocedure('${s}.capture()') ORDER BY tgrelid::regclass::text
    LOOP
      EXECUTE format('DROP TRIGGER ${CAPTURE_TRIGGER} ON %s', rel);
      RAISE NOTICE 'skene: %: capture removed', rel;
    END LOOP;
  END IF;
END
$skene$;

-- The events, the migrations record and anything else Skene keeps in ${schema}.
DROP SCHEMA IF EXISTS ${s} CASCADE;
`;
}

/** `downStatements` in one transaction: what `skene migrate --down --print` writes. */
export function downSql(options: { schema?: string } = {}): string {
  return `-- skene migrate --down: removes Skene's change capture and the ${checkedSchema(options.schema ?? DEFAULT_CAPTURE_SCHEMA)} schema.\nBEGIN;\n\n${downStatements(options)}\nCOMMIT;\n`;
}

/**
 * The DO block that puts a trigger on each target. Names are resolved by the database (`users`
 * through the search_path, `crm.users` as written), so two names of one table merge; a missing
 * table or one without a primary key stops the whole migration with the fix in the message.
 */
function triggersBlock(targets: CaptureTarget[], schema: string): string {
  const s = quoteIdent('postgres', schema);
  // The block is dollar-quoted: a table name holding the tag would end it early.
  const odd = targets.find((t) => t.table.includes('$skene$'));
  if (odd) throw new Error(`the table name '${odd.table}' cannot be captured: it holds '$skene$'`);
  const rows = targets.map(
    (t) => `      (${literal(quoteIdent('postgres', t.table))}, ${literal(t.table)}, ${t.events.reduce((m, e) => m | EVENT_BITS[e], 0)})`,
  );
  const values = rows.length ? `(VALUES\n${rows.join(',\n')}\n    )` : '(SELECT NULL::text, NULL::text, NULL::integer WHERE false)';
  return `-- A trigger on each table a database trigger of the config names; events: 4 insert, 8 delete,
-- 16 update (pg_trigger.tgtype bits). Triggers on tables the config no longer names are removed.
DO $skene$
DECLARE
  target record;
  rel regclass;
  rels regclass[] := '{}';
  masks integer[] := '{}';
  keys text[];
  at integer;
  wanted_args text;
BEGIN
  FOR target IN SELECT t.name, t.shown, t.mask FROM ${values} AS t(name, shown, mask)
  LOOP
    rel := to_regclass(target.name);
    IF rel IS NULL THEN
      RAISE EXCEPTION 'skene: table % does not exist (a database trigger in the config names it): create it first, or fix the name in the config', target.shown;
    END IF;
    at := array_position(rels, rel);
    IF at IS NULL THEN
      rels := rels || rel;
      masks := masks || target.mask;
    ELSE
      masks[at] := masks[at] | target.mask;
    END IF;
  END LOOP;

  FOR at IN 1 .. coalesce(array_length(rels, 1), 0)
  LOOP
    rel := rels[at];
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO keys
      FROM pg_index i
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = rel AND i.indisprimary;
    IF keys IS NULL THEN
      RAISE EXCEPTION 'skene: table % has no primary key: Skene keys each captured change by it. Add one (ALTER TABLE % ADD PRIMARY KEY (<column>)) or remove the database triggers on it from the config', rel, rel;
    END IF;
    -- The arguments as pg_trigger.tgargs holds them: each one NUL-terminated.
    SELECT string_agg(encode(convert_to(k, current_setting('server_encoding')), 'hex') || '00', '' ORDER BY o) INTO wanted_args
      FROM unnest(keys) WITH ORDINALITY AS u(k, o);
    IF EXISTS (
      SELECT FROM pg_trigger t
      WHERE t.tgrelid = rel AND t.tgname = '${CAPTURE_TRIGGER}' AND t.tgfoid = '${s}.capture()'::regprocedure
        AND t.tgtype = 1 | masks[at] AND t.tgenabled = 'O' AND encode(t.tgargs, 'hex') = wanted_args
    ) THEN
      RAISE NOTICE 'skene: %: unchanged', rel;
      CONTINUE;
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS ${CAPTURE_TRIGGER} ON %s', rel);
    EXECUTE format(
      'CREATE TRIGGER ${CAPTURE_TRIGGER} AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION ${s}.capture(%s)',
      concat_ws(' OR ', CASE WHEN masks[at] & 4 > 0 THEN 'INSERT' END, CASE WHEN masks[at] & 16 > 0 THEN 'UPDATE' END, CASE WHEN masks[at] & 8 > 0 THEN 'DELETE' END),
      rel,
      (SELECT string_agg(quote_literal(k), ', ') FROM unnest(keys) AS k)
    );
    RAISE NOTICE 'skene: %: capturing % (key %)', rel,
      concat_ws(', ', CASE WHEN masks[at] & 4 > 0 THEN 'insert' END, CASE WHEN masks[at] & 16 > 0 THEN 'update' END, CASE WHEN masks[at] & 8 > 0 THEN 'delete' END),
      array_to_string(keys, ', ');
  END LOOP;

  FOR rel IN SELECT t.tgrelid::regclass FROM pg_trigger t
    WHERE t.tgname = '${CAPTURE_TRIGGER}' AND t.tgfoid = '${s}.capture()'::regprocedure AND t.tgrelid <> ALL (rels) ORDER BY t.tgrelid::regclass::text
  LOOP
    EXECUTE format('DROP TRIGGER ${CAPTURE_TRIGGER} ON %s', rel);
    RAISE NOTICE 'skene: %: capture removed (no database trigger in the config names it)', rel;
  END LOOP;
END
$skene$;`;
}

function header(config: CaptureConfig): string {
  const targets = captureTargets(config);
  const tables = targets.length ? targets.map((t) => `--   ${t.table}: ${t.events.join(', ')}`).join('\n') : '--   (none: no database trigger in the config)';
  return `-- skene migrate: Skene's change capture (version ${CAPTURE_VERSION}), to apply as one migration.
-- Generated from the config; re-run \`skene migrate --print\` when its database triggers change.
-- Tables and the changes captured:
${tables}
-- Each table's primary key is read from the catalog when this runs; a table without one stops it.
-- If your migration tool wraps each migration in a transaction itself, drop BEGIN and COMMIT.
`;
}

/** A SQL string literal (standard_conforming_strings: only the quote is doubled). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The capture schema is Skene's own name, interpolated into SQL and a channel name: plain only. */
function checkedSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new Error(`the capture schema must be a plain lower-case name, not '${schema}'`);
  return schema;
}
