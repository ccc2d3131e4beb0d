/**
 * The runner's state in PostgreSQL (or PGlite): the `skene` schema's tables (state.ts creates
 * them). Each decision is one statement, so PostgreSQL's row locks make it atomic.
 */
import { normalizeAddress } from '../plan/recipient-state.js';
import { resumeCursor } from './cap.js';
import { postgresGoalStore } from './goal-store-postgres.js';
import { recordCappedPostgres, sentSincePostgres } from './frequency-cap-postgres.js';
import type { OutgoingEmail } from './sender.js';
import { ensureState, S, type Queryable } from './state.js';
import { postgresConsent } from './state-store-postgres-consent.js';
import type { ClaimedSend, DueCheck, ProgressState, RunStateStore, SendState, StateCounts, StepCount } from './state-store.js';

/** Rows recorded per statement: bounds a statement's size when an occurrence has many recipients. */
const RECORD_PAGE = 1000;

type CountRow = { loop: string; step: number; state: string; n: number };

async function stateExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass('${S}.sends') IS NOT NULL AS ok`);
  return !!rows[0]?.ok;
}

async function statusCounts(db: Queryable): Promise<StateCounts | undefined> {
  if (!(await stateExists(db))) return undefined;
  const sends = await db.query<CountRow>(`SELECT loop_id AS loop, step, state, count(*)::int AS n FROM ${S}.sends GROUP BY 1, 2, 3`);
  const progress = await db.query<CountRow>(
    `SELECT loop_id AS loop, step, state, count(*)::int AS n FROM ${S}.progress WHERE state NOT IN ('done', 'failed') GROUP BY 1, 2, 3`,
  );
  const evaluationFailures = await db.query<CountRow>(
    `SELECT p.loop_id AS loop, p.step, 'failed' AS state, count(*)::int AS n FROM ${S}.progress p
     WHERE p.state = 'failed' AND p.subject NOT LIKE 'chunk:%' AND NOT EXISTS (
       SELECT 1 FROM ${S}.sends s WHERE s.loop_id = p.loop_id AND s.step = p.step AND s."key" = p."key" AND s.state = 'failed')
     GROUP BY 1, 2`,
  );
  const errors = await db.query<{ loop: string; step: number; error: string }>(
    `SELECT DISTINCT ON (loop_id, step) loop_id AS loop, step, error FROM (
       SELECT loop_id, step, last_error AS error, created_at AS at FROM ${S}.sends WHERE state = 'failed'
       UNION ALL SELECT loop_id, step, reason, updated_at FROM ${S}.progress WHERE state = 'failed') e
     ORDER BY loop_id, step, at DESC`,
  );
  const paused = await db.query<{ loop: string; reason: string; since: Date }>(
    `SELECT loop_id AS loop, reason, since FROM ${S}.loop_state WHERE state = 'paused'`,
  );
  const counts = (rows: CountRow[]): StepCount[] => rows.map((r) => ({ loop: r.loop, step: r.step, state: r.state, n: r.n }));
  return {
    sends: counts(sends.rows),
    progress: counts(progress.rows),
    evaluationFailures: counts(evaluationFailures.rows),
    errors: errors.rows,
    paused: paused.rows.map((p) => ({ ...p, since: new Date(p.since) })),
  };
}

/** The runner's state on a PostgreSQL connection (a pool, a client, or the embedded PGlite's). */
export function postgresStateStore(db: Queryable): RunStateStore {
  return {
    ensure: () => ensureState(db),
    goals: postgresGoalStore(db),

    async recordSend(send) {
      await db.query(
        `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, payload, address, due_at)
         VALUES ($1, $2, $3, $4, $5, 'sending', $6::jsonb, $7, coalesce($8, now())) ON CONFLICT (email_id) DO NOTHING`,
        [
          send.emailId,
          send.loop,
          send.step,
          send.key,
          send.recipient,
          send.payload ? JSON.stringify(send.payload) : null,
          normalizeAddress(send.recipient),
          send.dueAt ?? null,
        ],
      );
    },

    async recordPlanned(sends) {
      const created: { emailId: string; failure: string | null }[] = [];
      const earlier: string[] = [];
      for (let i = 0; i < sends.length; i += RECORD_PAGE) {
        const page = sends.slice(i, i + RECORD_PAGE);
        const { rows } = await db.query<{ email_id: string; last_error: string | null }>(
          `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, last_error, payload, idempotency_key, address, due_at)
           SELECT id, l, s, k, r, CASE WHEN e IS NULL THEN 'sending' ELSE 'failed' END, e, p::jsonb, q, a, coalesce(d, now())
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
             AS t(id, l, s, k, r, e, p, q, a, d)
           ON CONFLICT (email_id) DO NOTHING RETURNING email_id, last_error`,
          [
            page.map((e) => e.emailId),
            page.map((e) => e.loop),
            page.map((e) => e.step),
            page.map((e) => e.key),
            page.map((e) => e.recipient),
            page.map((e) => e.failure),
            page.map((e) => (e.payload ? JSON.stringify(e.payload) : null)),
            page.map((e) => e.request),
            page.map((e) => normalizeAddress(e.recipient)),
            page.map((e) => e.dueAt ?? null),
          ],
        );
        created.push(...rows.map((r) => ({ emailId: r.email_id, failure: r.last_error })));
        const inserted = new Set(rows.map((r) => r.email_id));
        if (inserted.size < page.length) earlier.push(...page.filter((e) => !inserted.has(e.emailId)).map((e) => e.emailId));
      }
      if (!earlier.length) return { created, earlierSending: [] };
      const { rows } = await db.query<{ email_id: string }>(`SELECT email_id FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [
        earlier,
      ]);
      return { created, earlierSending: rows.map((r) => r.email_id) };
    },

    recordCapped: (sends, cap) => recordCappedPostgres(db, sends, cap),
    sentSince: (input) => sentSincePostgres(db, input),

    async claimSend(emailId) {
      const { rows } = await db.query<{ attempts: number; payload: OutgoingEmail | null }>(
        `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE email_id = $1 AND state = 'sending' RETURNING attempts, payload`,
        [emailId],
      );
      return rows[0];
    },

    async claimRequest(request) {
      const { rows } = await db.query<{ email_id: string; key: string; recipient: string; payload: OutgoingEmail | null; attempts: number }>(
        `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE idempotency_key = $1 AND state = 'sending'
         RETURNING email_id, "key", recipient, payload, attempts`,
        [request],
      );
      return rows.map((r): ClaimedSend => ({ emailId: r.email_id, key: r.key, recipient: r.recipient, payload: r.payload, attempts: r.attempts }));
    },

    async sendState(emailId) {
      const { rows } = await db.query<{ state: SendState }>(`SELECT state FROM ${S}.sends WHERE email_id = $1`, [emailId]);
      return rows[0]?.state;
    },

    async requestsOf(emailIds) {
      const { rows } = await db.query<{ email_id: string; idempotency_key: string }>(
        `SELECT email_id, idempotency_key FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending' AND idempotency_key IS NOT NULL`,
        [emailIds],
      );
      return new Map(rows.map((r) => [r.email_id, r.idempotency_key]));
    },

    async settleSent(sent, options = {}) {
      const from = options.fromFailed ? ['sending', 'failed'] : ['sending'];
      const { rowCount } = await db.query(
        `UPDATE ${S}.sends s SET state = 'sent', provider_id = v.pid, sent_at = now(), last_error = NULL
         FROM unnest($1::text[], $2::text[]) AS v(id, pid) WHERE s.email_id = v.id AND s.state = ANY($3::text[])`,
        [sent.map((s) => s.emailId), sent.map((s) => s.providerId), from],
      );
      return rowCount ?? 0;
    },

    async settleFailed(failed) {
      const { rowCount } = await db.query(
        `UPDATE ${S}.sends s SET state = 'failed', last_error = v.reason FROM unnest($1::text[], $2::text[]) AS v(id, reason)
         WHERE s.email_id = v.id AND s.state = 'sending'`,
        [failed.map((f) => f.emailId), failed.map((f) => f.reason)],
      );
      return rowCount ?? 0;
    },

    async noteSendError(emailIds, reason) {
      await db.query(`UPDATE ${S}.sends SET last_error = $2 WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [emailIds, reason]);
    },

    async countSending(emailIds) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [
        emailIds,
      ]);
      return rows[0]?.n ?? 0;
    },

    async sendsInHour(loop) {
      const { rows } = await db.query<{ sent: number }>(
        `SELECT count(*)::int AS sent FROM ${S}.sends
         WHERE loop_id = $1 AND (state = 'sent' OR (state = 'sending' AND attempts > 0))
           AND coalesce(sent_at, created_at) > greatest(now() - interval '1 hour',
             coalesce((SELECT fired_at FROM ${S}.cursors WHERE name = $2), '-infinity'))`,
        [loop, resumeCursor(loop)],
      );
      return rows[0]?.sent ?? 0;
    },

    async giveUpRecorded(loop, maxAttempts) {
      const { rowCount } = await db.query(
        `UPDATE ${S}.sends SET state = 'failed',
           last_error = 'gave up after ' || attempts || ' attempts, never settled: ' || coalesce(last_error, 'no answer recorded')
         WHERE loop_id = $1 AND state = 'sending' AND idempotency_key IS NOT NULL AND attempts >= $2`,
        [loop, maxAttempts],
      );
      return rowCount ?? 0;
    },

    async unsettledRecorded(loop) {
      const { rows } = await db.query<{ email_id: string; step: number; attempts: number }>(
        `SELECT email_id, step, attempts FROM ${S}.sends
         WHERE loop_id = $1 AND state = 'sending' AND idempotency_key IS NOT NULL ORDER BY step, email_id`,
        [loop],
      );
      return rows.map((r) => ({ emailId: r.email_id, step: r.step, attempts: r.attempts }));
    },

    async setProgress(u) {
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
    },

    async progressState(subject, loop, step) {
      const { rows } = await db.query<{ state: ProgressState }>(`SELECT state FROM ${S}.progress WHERE subject = $1 AND loop_id = $2 AND step = $3`, [
        subject,
        loop,
        step,
      ]);
      return rows[0]?.state;
    },

    async dueChecks(at, loops) {
      const { rows } = await db.query<DueCheck & Record<string, unknown>>(
        `SELECT subject, loop_id, step, "key", occurred_at, checks FROM ${S}.progress
         WHERE state = 'waiting' AND next_check_at <= $1 AND loop_id = ANY($2) ORDER BY next_check_at LIMIT 10000`,
        [at, loops],
      );
      return rows;
    },

    async scheduleCursor(name) {
      const { rows } = await db.query<{ fired_at: Date | null }>(`SELECT fired_at FROM ${S}.cursors WHERE name = $1`, [name]);
      return rows[0]?.fired_at ?? undefined;
    },

    async advanceScheduleCursor(name, firedAt) {
      await db.query(
        `INSERT INTO ${S}.cursors (name, fired_at) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET fired_at = GREATEST(cursors.fired_at, EXCLUDED.fired_at), updated_at = now()`,
        [name, firedAt],
      );
    },

    positions: {
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
    },

    async pausedLoops() {
      const { rows } = await db.query<{ loop_id: string; reason: string; since: Date }>(
        `SELECT loop_id, reason, since FROM ${S}.loop_state WHERE state = 'paused'`,
      );
      return new Map(rows.map((r) => [r.loop_id, { reason: r.reason, since: new Date(r.since) }]));
    },

    async pauseLoop(loop, reason) {
      await db.query(
        `INSERT INTO ${S}.loop_state (loop_id, state, reason) VALUES ($1, 'paused', $2)
         ON CONFLICT (loop_id) DO UPDATE SET state = 'paused', reason = EXCLUDED.reason, since = now()`,
        [loop, reason],
      );
    },

    async resumeLoop(loop) {
      // A database `skene run` never touched has no pause to clear.
      const { rows: present } = await db.query<{ ok: boolean }>(`SELECT to_regclass('${S}.loop_state') IS NOT NULL AS ok`);
      if (!present[0]?.ok) return undefined;
      const { rows } = await db.query<{ reason: string; since: Date }>(
        `DELETE FROM ${S}.loop_state WHERE loop_id = $1 AND state = 'paused' RETURNING reason, since`,
        [loop],
      );
      const row = rows[0];
      if (!row) return undefined;
      await db.query(
        `INSERT INTO ${S}.cursors (name, fired_at) VALUES ($1, now())
         ON CONFLICT (name) DO UPDATE SET fired_at = EXCLUDED.fired_at, updated_at = now()`,
        [resumeCursor(loop)],
      );
      return { reason: row.reason, since: new Date(row.since) };
    },

    statusCounts: () => statusCounts(db),
    ...postgresConsent(db, S),
  };
}
