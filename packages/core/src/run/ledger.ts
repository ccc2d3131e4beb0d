/**
 * Exactly once: every send is recorded in `skene.sends` before the provider is called and
 * completed after it. The email id is the row's key and Resend's idempotency key, so:
 * - a row already 'sent' or 'failed' is never sent again (a duplicate job, a second worker);
 * - a row left 'sending' means a worker stopped between the two writes (a crash, a lost answer):
 *   the email is sent again under the SAME key, and Resend answers the first result instead of
 *   delivering twice (it keeps keys 24 hours; the ledger covers what is older).
 * A row keeps the payload it was first recorded with, and every later attempt sends that payload,
 * not a new render: Resend answers a key it has seen with another payload by a 409, and data that
 * changed between two attempts must not turn a retry into an error or into a different email.
 * A schedule occurrence's chunk of up to 100 goes in one batch request (`sendBatchOnce`) under a
 * key made of its members' ids: the same rules, row by row, with one call for all of them.
 */
import { createHash } from 'node:crypto';
import type { PlannedEmail } from '../report/model.js';
import type { OutgoingEmail, Sender, SendOutcome } from './sender.js';
import { S, type Queryable } from './state.js';

export type LedgerResult =
  | { kind: 'sent'; providerId?: string }
  /** Already settled by an earlier job or another worker: nothing was called. */
  | { kind: 'settled'; state: 'sent' | 'failed' }
  | Exclude<SendOutcome, { kind: 'sent' }>;

/** What the ledger needs of a planned email. */
export type LedgerEmail = Pick<PlannedEmail, 'id' | 'key' | 'to' | 'from' | 'subject' | 'html' | 'text' | 'problems'>;

export interface SendOnceInput {
  db: Queryable;
  sender: Sender;
  email: LedgerEmail;
  loop: string;
  step: number;
  /** Whether this is the job's last attempt: a transient failure then fails the email for good. */
  lastAttempt?: boolean;
}

/** What the plan is missing for an email Resend would refuse anyway: failed once, without a call. */
function unsendable(email: LedgerEmail): string | undefined {
  if (!email.from)
    return email.problems.find((p) => /sender|from/i.test(p)) ?? 'no sender: set `from` on the action, `email.from` in the config or SKENE_EMAIL_FROM';
  if (!email.subject?.trim()) return 'no subject: set `subject` on the action or `export const subject` in the template';
  if (email.html === undefined) return 'the email was not rendered';
  return undefined;
}

/** The request body of a sendable email, as recorded in the ledger's `payload`. */
function outgoing(email: LedgerEmail): OutgoingEmail {
  return { from: email.from!, to: email.to, subject: email.subject!, html: email.html!, text: email.text ?? '' };
}

/** The payload to record for an email: none when it cannot be sent (it fails without a call). */
function payloadText(email: LedgerEmail): string | null {
  return unsendable(email) ? null : JSON.stringify(outgoing(email));
}

export async function sendOnce({ db, sender, email, loop, step, lastAttempt }: SendOnceInput): Promise<LedgerResult> {
  await db.query(
    `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, payload) VALUES ($1, $2, $3, $4, $5, 'sending', $6::jsonb)
     ON CONFLICT (email_id) DO NOTHING`,
    [email.id, loop, step, email.key, email.to, payloadText(email)],
  );
  const claimed = await db.query<{ attempts: number; payload: OutgoingEmail | null }>(
    `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE email_id = $1 AND state = 'sending' RETURNING attempts, payload`,
    [email.id],
  );
  if (!claimed.rowCount) {
    const { rows } = await db.query<{ state: 'sent' | 'failed' }>(`SELECT state FROM ${S}.sends WHERE email_id = $1`, [email.id]);
    return { kind: 'settled', state: rows[0]?.state ?? 'sent' };
  }
  const stored = claimed.rows[0]!.payload;
  const problem = stored ? undefined : unsendable(email);
  const outcome: SendOutcome = problem ? { kind: 'failed', reason: problem } : await sender.send(stored ?? outgoing(email), email.id);
  if (outcome.kind === 'sent') {
    const providerId = outcome.ids[0];
    await db.query(`UPDATE ${S}.sends SET state = 'sent', provider_id = $2, sent_at = now(), last_error = NULL WHERE email_id = $1 AND state = 'sending'`, [
      email.id,
      providerId ?? null,
    ]);
    return providerId ? { kind: 'sent', providerId } : { kind: 'sent' };
  }
  if (outcome.kind === 'failed' || (outcome.kind === 'retry' && lastAttempt)) {
    const reason = outcome.kind === 'retry' ? `gave up after ${claimed.rows[0]!.attempts} attempts: ${outcome.reason}` : outcome.reason;
    await db.query(`UPDATE ${S}.sends SET state = 'failed', last_error = $2 WHERE email_id = $1 AND state = 'sending'`, [email.id, reason]);
    return { kind: 'failed', reason, code: outcome.code, status: outcome.status };
  }
  // retry, paused, halt: not sent, the row stays 'sending' so the next attempt reuses the key.
  await db.query(`UPDATE ${S}.sends SET last_error = $2 WHERE email_id = $1`, [email.id, outcome.reason]);
  return outcome;
}

/**
 * Chunks smaller than this go one email per request under the email's own id: the same number of
 * requests or nearly, a key that does not depend on who else is in the chunk, and a 422 for one
 * address that fails that email alone (a batch is accepted or refused as a whole).
 */
export const BATCH_MIN = 3;

/** A batch's idempotency key: the same members give the same key, in any order. */
export function batchKey(emailIds: string[]): string {
  return `batch-${createHash('sha256')
    .update([...emailIds].sort().join('\n'), 'utf8')
    .digest('hex')}`;
}

export interface SendBatchOnceInput extends Omit<SendOnceInput, 'email'> {
  /** At most MAX_BATCH_SIZE (100) emails; a chunk of a schedule occurrence. */
  emails: LedgerEmail[];
}

/**
 * `sendOnce` for a chunk, in one request to the batch endpoint: every row is claimed before the
 * call and completed after it, together. Rows already settled are left out of the request, so the
 * members (and the key) of a retried chunk are those still 'sending': the same key as before when
 * nothing settled in between, a new one otherwise — each email's own row still guards it.
 * Returns one result per email, in order.
 */
export async function sendBatchOnce(input: SendBatchOnceInput): Promise<LedgerResult[]> {
  const { db, sender, emails, loop, step, lastAttempt } = input;
  if (emails.length < BATCH_MIN) {
    const results: LedgerResult[] = [];
    for (const email of emails) results.push(await sendOnce({ db, sender, email, loop, step, lastAttempt }));
    return results;
  }
  const ids = emails.map((e) => e.id);
  await db.query(
    `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, payload)
     SELECT id, $2, $3, k, r, 'sending', p::jsonb FROM unnest($1::text[], $4::text[], $5::text[], $6::text[]) AS t(id, k, r, p)
     ON CONFLICT (email_id) DO NOTHING`,
    [ids, loop, step, emails.map((e) => e.key), emails.map((e) => e.to), emails.map(payloadText)],
  );
  const claimed = await db.query<{ email_id: string; attempts: number; payload: OutgoingEmail | null }>(
    `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE email_id = ANY($1::text[]) AND state = 'sending' RETURNING email_id, attempts, payload`,
    [ids],
  );
  const attempts = new Map(claimed.rows.map((r) => [r.email_id, r.attempts]));
  const stored = new Map(claimed.rows.flatMap((r) => (r.payload ? [[r.email_id, r.payload] as const] : [])));
  const results = new Map<string, LedgerResult>();
  if (attempts.size < ids.length) {
    const { rows } = await db.query<{ email_id: string; state: 'sent' | 'failed' }>(
      `SELECT email_id, state FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state <> 'sending'`,
      [ids.filter((id) => !attempts.has(id))],
    );
    const states = new Map(rows.map((r) => [r.email_id, r.state]));
    for (const id of ids) if (!attempts.has(id)) results.set(id, { kind: 'settled', state: states.get(id) ?? 'sent' });
  }
  const members: { id: string; body: OutgoingEmail }[] = [];
  const refused: { id: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const email of emails) {
    // A recipient listed twice is one email (one row), as two sendOnce calls would find it settled.
    if (!attempts.has(email.id) || seen.has(email.id)) continue;
    seen.add(email.id);
    const body = stored.get(email.id);
    const problem = body ? undefined : unsendable(email);
    if (problem) refused.push({ id: email.id, reason: problem });
    else members.push({ id: email.id, body: body ?? outgoing(email) });
  }
  if (refused.length) {
    await failRows(
      db,
      refused.map((r) => r.id),
      refused.map((r) => r.reason),
    );
    for (const r of refused) results.set(r.id, { kind: 'failed', reason: r.reason });
  }
  if (members.length) {
    const memberIds = members.map((m) => m.id);
    const outcome = await sender.sendBatch(
      members.map((m) => m.body),
      batchKey(memberIds),
    );
    for (const [id, result] of await completeBatch({ db, ids: memberIds, attempts, outcome, lastAttempt })) results.set(id, result);
  }
  const answered = new Set<string>();
  return ids.map((id) => {
    const result = results.get(id)!;
    if (answered.has(id) && (result.kind === 'sent' || result.kind === 'failed')) return { kind: 'settled', state: result.kind };
    answered.add(id);
    return result;
  });
}

async function failRows(db: Queryable, ids: string[], reasons: string[]): Promise<void> {
  await db.query(
    `UPDATE ${S}.sends s SET state = 'failed', last_error = v.reason FROM unnest($1::text[], $2::text[]) AS v(id, reason)
     WHERE s.email_id = v.id AND s.state = 'sending'`,
    [ids, reasons],
  );
}

/** Records a batch call's one outcome on each member's row, as `sendOnce` does for one. */
async function completeBatch(input: {
  db: Queryable;
  ids: string[];
  attempts: Map<string, number>;
  outcome: SendOutcome;
  lastAttempt: boolean | undefined;
}): Promise<Map<string, LedgerResult>> {
  const { db, ids, attempts, outcome, lastAttempt } = input;
  const results = new Map<string, LedgerResult>();
  if (outcome.kind === 'sent') {
    // Resend answers the batch's ids in the request's order.
    const providerIds = ids.map((_, i) => outcome.ids[i] ?? null);
    await db.query(
      `UPDATE ${S}.sends s SET state = 'sent', provider_id = v.pid, sent_at = now(), last_error = NULL
       FROM unnest($1::text[], $2::text[]) AS v(id, pid) WHERE s.email_id = v.id AND s.state = 'sending'`,
      [ids, providerIds],
    );
    ids.forEach((id, i) => results.set(id, providerIds[i] ? { kind: 'sent', providerId: providerIds[i] } : { kind: 'sent' }));
    return results;
  }
  if (outcome.kind === 'failed' || (outcome.kind === 'retry' && lastAttempt)) {
    const reasons = ids.map((id) => (outcome.kind === 'retry' ? `gave up after ${attempts.get(id)} attempts: ${outcome.reason}` : outcome.reason));
    await failRows(db, ids, reasons);
    ids.forEach((id, i) => results.set(id, { kind: 'failed', reason: reasons[i]!, code: outcome.code, status: outcome.status }));
    return results;
  }
  // retry, paused, halt: nothing sent, the rows stay 'sending' so the next attempt reuses the key.
  await db.query(`UPDATE ${S}.sends SET last_error = $2 WHERE email_id = ANY($1::text[])`, [ids, outcome.reason]);
  for (const id of ids) results.set(id, outcome);
  return results;
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
 * Records a schedule occurrence's emails before any is sent: one row each, 'sending' with its
 * payload and no attempt yet, so chunk jobs on any worker can send them (`queuedEmails`). An
 * email recorded before (an evaluation retried) keeps its row and its first payload.
 */
export async function recordPlanned(input: { db: Queryable; emails: LedgerEmail[]; loop: string; step: number }): Promise<RecordedPlan> {
  const { db, emails, loop, step } = input;
  const failed: RecordedPlan['failed'] = [];
  const byId = new Map(emails.map((e) => [e.id, e]));
  for (let i = 0; i < emails.length; i += RECORD_PAGE) {
    const page = emails.slice(i, i + RECORD_PAGE);
    const reasons = page.map((e) => unsendable(e) ?? null);
    const { rows } = await db.query<{ email_id: string; last_error: string }>(
      `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, last_error, payload)
       SELECT id, $2, $3, k, r, CASE WHEN e IS NULL THEN 'sending' ELSE 'failed' END, e, p::jsonb
       FROM unnest($1::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(id, k, r, e, p)
       ON CONFLICT (email_id) DO NOTHING RETURNING email_id, last_error`,
      [page.map((e) => e.id), loop, step, page.map((e) => e.key), page.map((e) => e.to), reasons, page.map(payloadText)],
    );
    for (const row of rows) if (row.last_error !== null) failed.push({ email: byId.get(row.email_id)!, reason: row.last_error });
  }
  const { rows } = await db.query<{ email_id: string }>(`SELECT email_id FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [
    [...byId.keys()],
  ]);
  const open = new Set(rows.map((r) => r.email_id));
  return { queued: [...byId.keys()].filter((id) => open.has(id)), failed };
}

/** The recorded emails of these ids not settled yet, with the payloads they were recorded with, in the ids' order. */
export async function queuedEmails(db: Queryable, ids: string[]): Promise<LedgerEmail[]> {
  const { rows } = await db.query<{ email_id: string; key: string; recipient: string; payload: OutgoingEmail }>(
    `SELECT email_id, "key", recipient, payload FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state = 'sending' AND payload IS NOT NULL`,
    [ids],
  );
  const found = new Map(rows.map((r) => [r.email_id, r]));
  return ids.flatMap((id) => {
    const row = found.get(id);
    if (!row) return [];
    const { from, subject, html, text } = row.payload;
    return [{ id, key: row.key, to: row.recipient, from, subject, html, text, problems: [] }];
  });
}
