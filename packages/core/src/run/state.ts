/**
 * What the runner remembers, in Skene's own schema beside `skene.events`: the ledger of sends
 * (`sends`, the final arbiter of "exactly once"), each event's or occurrence's progress per step
 * (`progress`), how far the events and each schedule have been enqueued (`cursors`), and the
 * loops paused by a quota (`loop_state`). Created idempotently when a runner starts, so two
 * workers starting at once are fine (an advisory lock serialises them).
 */
import { DEFAULT_CAPTURE_SCHEMA } from './capture-postgres.js';
import type { PositionStore } from './capture.js';

/** The little of `pg` the runner's state needs: a pool or a client. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type ProgressState = 'waiting' | 'done' | 'expired' | 'failed' | 'skipped';

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
);`;
}

/** Creates the state tables (one transaction; harmless when they exist). */
export async function ensureState(db: { query(sql: string): Promise<unknown> }): Promise<void> {
  await db.query(`BEGIN;\n${stateStatements()}\nCOMMIT;`);
}

export interface ProgressUpdate {
  subject: string;
  loop: string;
  step: number;
  state: ProgressState;
  reason: string;
  key?: string;
  occurredAt?: Date;
  deadline?: Date;
  checks?: number;
  nextCheckAt?: Date;
}

/**
 * Records where an event or occurrence stands for a step. A row that has reached an end (done,
 * expired, failed, skipped) never changes again: a duplicate job cannot undo a decision.
 */
export async function setProgress(db: Queryable, u: ProgressUpdate): Promise<void> {
  await db.query(
    `INSERT INTO ${S}.progress (subject, loop_id, step, "key", state, reason, occurred_at, deadline, checks, next_check_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (subject, loop_id, step) DO UPDATE SET
       state = EXCLUDED.state, reason = EXCLUDED.reason, "key" = coalesce(EXCLUDED."key", progress."key"),
       occurred_at = coalesce(EXCLUDED.occurred_at, progress.occurred_at), deadline = coalesce(EXCLUDED.deadline, progress.deadline),
       checks = EXCLUDED.checks, next_check_at = EXCLUDED.next_check_at, updated_at = now()
     WHERE progress.state = 'waiting'`,
    [u.subject, u.loop, u.step, u.key ?? null, u.state, u.reason, u.occurredAt ?? null, u.deadline ?? null, u.checks ?? 0, u.nextCheckAt ?? null],
  );
}

/** The state of an event or occurrence for a step, if it was recorded. */
export async function progressState(db: Queryable, subject: string, loop: string, step: number): Promise<ProgressState | undefined> {
  const { rows } = await db.query<{ state: ProgressState }>(`SELECT state FROM ${S}.progress WHERE subject = $1 AND loop_id = $2 AND step = $3`, [
    subject,
    loop,
    step,
  ]);
  return rows[0]?.state;
}

export interface DueCheck {
  subject: string;
  loop_id: string;
  step: number;
  key: string | null;
  occurred_at: Date | null;
  checks: number;
}

/** Waiting events and occurrences whose next check is due at `at`, of the loops given. */
export async function dueChecks(db: Queryable, at: Date, loops: string[]): Promise<DueCheck[]> {
  const { rows } = await db.query<DueCheck & Record<string, unknown>>(
    `SELECT subject, loop_id, step, "key", occurred_at, checks FROM ${S}.progress
     WHERE state = 'waiting' AND next_check_at <= $1 AND loop_id = ANY($2) ORDER BY next_check_at LIMIT 10000`,
    [at, loops],
  );
  return rows;
}

export async function eventCursor(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ event_id: string | null }>(`SELECT event_id FROM ${S}.cursors WHERE name = 'events'`);
  return rows[0]?.event_id ?? '0';
}

/** Moves a cursor forward only: two workers racing leave the furthest position. */
export async function advanceEventCursor(db: Queryable, eventId: string): Promise<void> {
  await db.query(
    `INSERT INTO ${S}.cursors (name, event_id) VALUES ('events', $1)
     ON CONFLICT (name) DO UPDATE SET event_id = GREATEST(cursors.event_id, EXCLUDED.event_id), updated_at = now()`,
    [eventId],
  );
}

export async function scheduleCursor(db: Queryable, name: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ fired_at: Date | null }>(`SELECT fired_at FROM ${S}.cursors WHERE name = $1`, [name]);
  return rows[0]?.fired_at ?? undefined;
}

export async function advanceScheduleCursor(db: Queryable, name: string, firedAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO ${S}.cursors (name, fired_at) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET fired_at = GREATEST(cursors.fired_at, EXCLUDED.fired_at), updated_at = now()`,
    [name, firedAt],
  );
}

/** A capture's positions (capture.ts), in the cursors table beside the event and schedule cursors. */
export function positionStore(db: Queryable): PositionStore {
  return {
    async get(name) {
      const { rows } = await db.query<{ position: string | null }>(`SELECT position FROM ${S}.cursors WHERE name = $1`, [`position:${name}`]);
      return rows[0]?.position ?? undefined;
    },
    async set(name, value) {
      await db.query(
        `INSERT INTO ${S}.cursors (name, position) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [`position:${name}`, value],
      );
    },
  };
}

/** Loops paused by a quota (or an operator), with why. */
export async function pausedLoops(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ loop_id: string; reason: string }>(`SELECT loop_id, reason FROM ${S}.loop_state WHERE state = 'paused'`);
  return new Map(rows.map((r) => [r.loop_id, r.reason]));
}

export async function pauseLoop(db: Queryable, loop: string, reason: string): Promise<void> {
  await db.query(
    `INSERT INTO ${S}.loop_state (loop_id, state, reason) VALUES ($1, 'paused', $2)
     ON CONFLICT (loop_id) DO UPDATE SET state = 'paused', reason = EXCLUDED.reason, since = now()`,
    [loop, reason],
  );
}
