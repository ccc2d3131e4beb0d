/**
 * A schedule occurrence in the ledger: its emails are recorded before any is sent (`recordPlanned`),
 * then sent in requests of up to 100 (`sendRecorded`) by whichever worker holds a chunk of them.
 *
 * Resend's batch endpoint keys a whole request: a member of a batch that may have been delivered
 * (a crash, a lost answer) is safe to send again only in the very same request — same members,
 * same payloads, same key — which Resend then replays instead of delivering. So each row is
 * recorded with the key of the one request it will ever be sent in (`idempotency_key`: its batch's,
 * or its own id when it goes alone), and every attempt builds that request from the rows that carry
 * the key. Whatever chunk a row is found in later, by whichever worker, it goes in no other request.
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

/** Requests a worker has in flight at once for a chunk. */
const IN_FLIGHT = 2;

/** Rows recorded per statement: bounds a statement's size when an occurrence has many recipients. */
const RECORD_PAGE = 1000;

export interface RecordedPlan {
  /** The ids still to send, in the plan's order: recorded now or by an earlier evaluation, not yet settled. */
  queued: string[];
  /** Emails the plan could not make sendable, recorded as failed now (no call is made). */
  failed: { email: LedgerEmail; reason: string }[];
}

/**
 * The request each sendable email will be sent in: groups of up to `size` in order, a group too
 * small for a batch one email each.
 */
function requestKeys(emails: LedgerEmail[], size: number): Map<string, string> {
  const sendable = emails.filter((e) => !unsendable(e)).map((e) => e.id);
  const keys = new Map<string, string>();
  for (let i = 0; i < sendable.length; i += size) {
    const ids = sendable.slice(i, i + size);
    const key = ids.length < BATCH_MIN ? undefined : batchKey(ids);
    for (const id of ids) keys.set(id, key ?? id);
  }
  return keys;
}

/**
 * Records emails of a schedule occurrence before any is sent: one row each, 'sending' with its
 * payload and the key of its request, no attempt yet. An email recorded before (an evaluation
 * retried) keeps its row, its first payload and its request. Ids must be distinct.
 */
export async function recordPlanned(input: {
  db: Queryable;
  emails: LedgerEmail[];
  loop: string;
  step: number;
  /** Emails per request (default and at most 100): a loop's `maxEmailsPerHour` below that must be able to send a request. */
  batchSize?: number;
}): Promise<RecordedPlan> {
  const { db, emails, loop, step } = input;
  const size = Math.max(1, Math.min(input.batchSize ?? MAX_BATCH_SIZE, MAX_BATCH_SIZE));
  const failed: RecordedPlan['failed'] = [];
  const byId = new Map(emails.map((e) => [e.id, e]));
  const open = new Set<string>();
  const earlier: string[] = [];
  for (let i = 0; i < emails.length; i += RECORD_PAGE) {
    const page = emails.slice(i, i + RECORD_PAGE);
    const keys = requestKeys(page, size);
    const { rows } = await db.query<{ email_id: string; last_error: string }>(
      `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, last_error, payload, idempotency_key)
       SELECT id, $2, $3, k, r, CASE WHEN e IS NULL THEN 'sending' ELSE 'failed' END, e, p::jsonb, q
       FROM unnest($1::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(id, k, r, e, p, q)
       ON CONFLICT (email_id) DO NOTHING RETURNING email_id, last_error`,
      [
        page.map((e) => e.id),
        loop,
        step,
        page.map((e) => e.key),
        page.map((e) => e.to),
        page.map((e) => unsendable(e) ?? null),
        page.map(payloadText),
        page.map((e) => keys.get(e.id) ?? null),
      ],
    );
    for (const row of rows) {
      if (row.last_error !== null) failed.push({ email: byId.get(row.email_id)!, reason: row.last_error });
      else open.add(row.email_id);
    }
    const inserted = new Set(rows.map((r) => r.email_id));
    if (inserted.size < page.length) earlier.push(...page.filter((e) => !inserted.has(e.id)).map((e) => e.id));
  }
  // Emails an earlier evaluation recorded: queued again while they are not settled.
  if (earlier.length) {
    const { rows } = await db.query<{ email_id: string }>(`SELECT email_id FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [earlier]);
    for (const row of rows) open.add(row.email_id);
  }
  return { queued: [...byId.keys()].filter((id) => open.has(id)), failed };
}

interface RecordedRow {
  email_id: string;
  key: string;
  recipient: string;
  payload: OutgoingEmail;
  attempts: number;
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

/** How many of these recorded emails are still 'sending'. */
export async function unsettled(db: Queryable, ids: string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [ids]);
  return rows[0]?.n ?? 0;
}

/** Sends recorded emails once each, each in the one request recorded for it (see the module comment). */
export async function sendRecorded(input: SendRecordedInput): Promise<void> {
  const { rows } = await input.db.query<{ email_id: string; idempotency_key: string }>(
    `SELECT email_id, idempotency_key FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending' AND idempotency_key IS NOT NULL`,
    [input.ids],
  );
  const requestOf = new Map(rows.map((r) => [r.email_id, r.idempotency_key]));
  const requests = [...new Set(input.ids.flatMap((id) => (requestOf.has(id) ? [requestOf.get(id)!] : [])))];
  // A few requests in flight at once: a worker waits on the network, not on one request at a time
  // (the sender's rate limit still spaces them). A stop lets those in flight finish, starts no more.
  // An error in one lane stops the other too, and is thrown once both have stopped: nothing goes on
  // sending behind the job's back after it failed.
  let next = 0;
  let stopped = false;
  const lane = async () => {
    try {
      while (!stopped && next < requests.length) if (await sendRequest(input, requests[next++]!)) stopped = true;
    } catch (error) {
      stopped = true;
      throw error;
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(IN_FLIGHT, requests.length) }, lane));
  const failure = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failure) throw failure.reason;
}

/** One request: claims its rows, sends them, records the answer; true when the caller says stop. */
async function sendRequest(input: SendRecordedInput, key: string): Promise<boolean> {
  const { db, sender } = input;
  // Every row of the request still unsettled, also one found in another chunk: the request is always the same.
  const claimed = await db.query<RecordedRow & Record<string, unknown>>(
    `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE idempotency_key = $1 AND state = 'sending'
     RETURNING email_id, "key", recipient, payload, attempts`,
    [key],
  );
  if (!claimed.rows.length) return false;
  // Members in one order, so the body (and Resend's replay) is the same every time.
  const members = claimed.rows.sort((a, b) => (a.email_id < b.email_id ? -1 : a.email_id > b.email_id ? 1 : 0));
  const alone = members.length === 1 && members[0]!.email_id === key;
  const outcome: SendOutcome = alone
    ? await sender.send(members[0]!.payload, key)
    : await sender.sendBatch(
        members.map((m) => m.payload),
        key,
      );
  const ids = members.map((m) => m.email_id);
  const attempts = new Map(members.map((m) => [m.email_id, m.attempts]));
  const results = await completeBatch({ db, ids, attempts, outcome, lastAttempt: input.lastAttempt });
  return input.onResults(members.map((m) => ({ email: ledgerEmail(m), result: results.get(m.email_id)! })));
}
