/**
 * What the runner remembers when it keeps its state in PostgreSQL (state-store-postgres.ts reads and
 * writes it), in Skene's own schema beside `skene.events`: the ledger of sends
 * (`sends`, the final arbiter of "exactly once"), each event's or occurrence's progress per step
 * (`progress`), how far the events and each schedule have been enqueued (`cursors`), and the
 * loops paused by a quota (`loop_state`). Created idempotently when a runner starts, so two
 * workers starting at once are fine (an advisory lock serialises them).
 */
import { DEFAULT_CAPTURE_SCHEMA } from './capture-postgres.js';
import { goalStatements } from './goal-tables.js';
import { consentStatements } from './state-store-postgres-consent.js';
import { capStatements } from './frequency-cap-schema.js';

/** The little of `pg` the runner's state needs: a pool or a client. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type { ProgressState } from './state-store.js';

export const S = `"${DEFAULT_CAPTURE_SCHEMA}"`;

export function stateStatements(): string {
  return `SELECT pg_advisory_xact_lock(hashtext('skene run state ${DEFAULT_CAPTURE_SCHEMA}'));
CREATE SCHEMA IF NOT EXISTS ${S};
-- One row per email ever attempted, keyed by the plan's email id (also Resend's idempotency key):
-- written 'sending' before the call, 'sent' or 'failed' after it. \`payload\` is the request's email as
-- first recorded (from, to, subject, html, text): every attempt sends exactly that. A recorded
-- email of a schedule has \`idempotency_key\`, the key of the one request it is ever sent in (its
-- own id, or its batch's): a retry repeats that request exactly, so Resend replays it.
CREATE TABLE IF NOT EXISTS ${S}.sends (
  email_id text PRIMARY KEY,
  loop_id text NOT NULL,
  step integer NOT NULL,
  "key" text NOT NULL,
  recipient text NOT NULL,
  state text NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
  provider_id text,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  payload jsonb,
  idempotency_key text
);
CREATE INDEX IF NOT EXISTS sends_loop_step_idx ON ${S}.sends (loop_id, step, state);
CREATE INDEX IF NOT EXISTS sends_request_idx ON ${S}.sends (idempotency_key) WHERE state = 'sending';
-- One row per event × step (subject 'event:<id>') or occurrence × step ('occurrence:<ISO>').
CREATE TABLE IF NOT EXISTS ${S}.progress (
  subject text NOT NULL,
  loop_id text NOT NULL,
  step integer NOT NULL,
  "key" text,
  state text NOT NULL CHECK (state IN ('waiting', 'done', 'expired', 'failed', 'skipped')),
  reason text,
  occurred_at timestamptz,
  deadline timestamptz,
  checks integer NOT NULL DEFAULT 0,
  next_check_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject, loop_id, step)
);
CREATE INDEX IF NOT EXISTS progress_waiting_idx ON ${S}.progress (next_check_at) WHERE state = 'waiting';
-- 'events': the last event id enqueued (every id up to it is enqueued); 'schedule:<loop>/<step>': the last occurrence fired.
CREATE TABLE IF NOT EXISTS ${S}.cursors (
  name text PRIMARY KEY,
  event_id bigint,
  fired_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A capture's named position ('watermark:<table>/<column>', …): text, the capture reads its own.
ALTER TABLE ${S}.cursors ADD COLUMN IF NOT EXISTS position text;
CREATE TABLE IF NOT EXISTS ${S}.loop_state (
  loop_id text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('paused')),
  reason text NOT NULL,
  since timestamptz NOT NULL DEFAULT now()
);
${consentStatements(S)}${goalStatements(S)}
${capStatements()}`;
}

/** Creates the state tables (one transaction; harmless when they exist). */
export async function ensureState(db: { query(sql: string): Promise<unknown> }): Promise<void> {
  await db.query(`BEGIN;\n${stateStatements()}\nCOMMIT;`);
}

export async function eventCursor(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ event_id: string | null }>(`SELECT event_id FROM ${S}.cursors WHERE name = 'events'`);
  return rows[0]?.event_id ?? '0';
}

/** Moves the event cursor forward only: two workers racing leave the furthest position. */
export async function advanceEventCursor(db: Queryable, eventId: string): Promise<void> {
  await db.query(
    `INSERT INTO ${S}.cursors (name, event_id) VALUES ('events', $1)
     ON CONFLICT (name) DO UPDATE SET event_id = GREATEST(cursors.event_id, EXCLUDED.event_id), updated_at = now()`,
    [eventId],
  );
}
