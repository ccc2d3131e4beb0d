/**
 * A schedule occurrence in the ledger: its emails are recorded before any is sent (`recordPlanned`),
 * then sent in requests of up to 100 (`sendRecorded`) by whichever worker holds a chunk of them.
 *
 * Resend's batch endpoint keys a whole request: a member of a batch that may have been delivered
 * (a crash, a lost answer) is safe to send again only in the very same request — same members,
 * same payloads, same key — which Resend then replays instead of delivering. So the first claim of
 * a row writes the key of its request into `idempotency_key`, and every later attempt rebuilds that
 * request from the rows that carry the key. Two workers holding overlapping chunks cannot put one
 * email into two different requests: a row is claimed for a new request only while it has no key.
 */
import { createHash } from 'node:crypto';
import { completeBatch, payloadText, unsendable, type LedgerEmail, type LedgerResult } from './ledger.js';
import { MAX_BATCH_SIZE, type OutgoingEmail, type Sender, type SendOutcome } from './sender.js';
import { S, type Queryable } from './state.js';

/**
 * Fewer fresh emails than this go one per request under the email's own id: the same number of
 * requests or nearly, and a 422 for one address fails that email alone (a batch is accepted or
 * refused as a whole).
 */
export const BATCH_MIN = 3;

/** A batch's idempotency key: the same members give the same key, in any order. */
export function batchKey(emailIds: string[]): string {
  return `batch-${createHash('sha256')
    .update([...emailIds].sort().join('\n'), 'utf8')
    .digest('hex')}`;
}

/** Rows recorded per statement: bounds a statement's size when an occurrence has many recipients. */
const RECORD_PAGE = 1000;

export interface RecordedPlan {
  /** The ids still to send, in the plan's order: recorded now or by an earlier evaluation, not yet settled. */
  queued: string[];
  /** Emails the plan could not make sendable, recorded as failed now (no call is made). */
  failed: { email: LedgerEmail; reason: string }[];
}

/**
 * Records emails of a schedule occurrence before any is sent: one row each, 'sending' with its
 * payload and no attempt yet. An email recorded before (an evaluation retried) keeps its row and
 * its first payload.
 */
export async function recordPlanned(input: { db: Queryable; emails: LedgerEmail[]; loop: string; step: number }): Promise<RecordedPlan> {
  const { db, emails, loop, step } = input;
  const failed: RecordedPlan['failed'] = [];
  const byId = new Map(emails.map((e) => [e.id, e]));
  for (let i = 0; i < emails.length; i += RECORD_PAGE) {
    const page = emails.slice(i, i + RECORD_PAGE);
    const { rows } = await db.query<{ email_id: string; last_error: string }>(
      `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, last_error, payload)
       SELECT id, $2, $3, k, r, CASE WHEN e IS NULL THEN 'sending' ELSE 'failed' END, e, p::jsonb
       FROM unnest($1::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(id, k, r, e, p)
       ON CONFLICT (email_id) DO NOTHING RETURNING email_id, last_error`,
      [page.map((e) => e.id), loop, step, page.map((e) => e.key), page.map((e) => e.to), page.map((e) => unsendable(e) ?? null), page.map(payloadText)],
    );
    for (const row of rows) if (row.last_error !== null) failed.push({ email: byId.get(row.email_id)!, reason: row.last_error });
  }
  const { rows } = await db.query<{ email_id: string }>(`SELECT email_id FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [
    [...byId.keys()],
  ]);
  const open = new Set(rows.map((r) => r.email_id));
  return { queued: [...byId.keys()].filter((id) => open.has(id)), failed };
}

interface RecordedRow {
  email_id: string;
  key: string;
  recipient: string;
  payload: OutgoingEmail;
  attempts: number;
  idempotency_key: string | null;
}

/** One request to make: a key, and the fresh rows it may claim (none when it repeats an earlier request). */
interface Request {
  key: string;
  fresh: string[];
}

/** The requests for these rows: each earlier request again, then the fresh rows in requests of up to 100. */
function requestsFor(rows: RecordedRow[]): Request[] {
  const earlier = [...new Set(rows.flatMap((r) => (r.idempotency_key ? [r.idempotency_key] : [])))].map((key) => ({ key, fresh: [] }));
  const fresh = rows.filter((r) => !r.idempotency_key).map((r) => r.email_id);
  const requests: Request[] = [...earlier];
  for (let i = 0; i < fresh.length; i += MAX_BATCH_SIZE) {
    const ids = fresh.slice(i, i + MAX_BATCH_SIZE);
    if (ids.length < BATCH_MIN) requests.push(...ids.map((id) => ({ key: id, fresh: [id] })));
    else requests.push({ key: batchKey(ids), fresh: ids });
  }
  return requests;
}

function ledgerEmail(row: RecordedRow): LedgerEmail {
  const { from, subject, html, text } = row.payload;
  return { id: row.email_id, key: row.key, to: row.recipient, from, subject, html, text, problems: [] };
}

export interface SendRecordedInput {
  db: Queryable;
  sender: Sender;
  /** Recorded emails (`recordPlanned`); those settled meanwhile are left out. */
  ids: string[];
  /** Whether this is the job's last attempt: a transient failure then fails the emails for good. */
  lastAttempt?: boolean;
  /** Called after each request with its members' results; returning true stops before the next request (a loop-wide stop). */
  onResults: (results: { email: LedgerEmail; result: LedgerResult }[]) => boolean | Promise<boolean>;
}

/** Sends recorded emails once each, in the requests the module comment describes. */
export async function sendRecorded(input: SendRecordedInput): Promise<void> {
  const { db, sender } = input;
  const { rows } = await db.query<RecordedRow & Record<string, unknown>>(
    `SELECT email_id, "key", recipient, payload, attempts, idempotency_key FROM ${S}.sends
     WHERE email_id = ANY($1::text[]) AND state = 'sending' AND payload IS NOT NULL`,
    [input.ids],
  );
  const order = new Map(input.ids.map((id, i) => [id, i]));
  rows.sort((a, b) => order.get(a.email_id)! - order.get(b.email_id)!);
  for (const request of requestsFor(rows)) {
    // Claims the request's rows: those already under its key (a repeat) and the fresh ones no other request took meanwhile.
    const claimed = await db.query<RecordedRow & Record<string, unknown>>(
      `UPDATE ${S}.sends SET attempts = attempts + 1, idempotency_key = $1
       WHERE state = 'sending' AND (idempotency_key = $1 OR (idempotency_key IS NULL AND email_id = ANY($2::text[])))
       RETURNING email_id, "key", recipient, payload, attempts, idempotency_key`,
      [request.key, request.fresh],
    );
    if (!claimed.rows.length) continue;
    // The same request every time: members in one order, so the body (and Resend's replay) is the same.
    const members = claimed.rows.sort((a, b) => (a.email_id < b.email_id ? -1 : a.email_id > b.email_id ? 1 : 0));
    const single = members.length === 1 && members[0]!.email_id === request.key;
    const outcome: SendOutcome = single
      ? await sender.send(members[0]!.payload, request.key)
      : await sender.sendBatch(
          members.map((m) => m.payload),
          request.key,
        );
    const ids = members.map((m) => m.email_id);
    const attempts = new Map(members.map((m) => [m.email_id, m.attempts]));
    const results = await completeBatch({ db, ids, attempts, outcome, lastAttempt: input.lastAttempt });
    if (await input.onResults(members.map((m) => ({ email: ledgerEmail(m), result: results.get(m.email_id)! })))) return;
  }
}
