/**
 * Exactly once: every send is recorded in `skene.sends` before the provider is called and
 * completed after it. The email id is the row's key and Resend's idempotency key, so:
 * - a row already 'sent' or 'failed' is never sent again (a duplicate job, a second worker);
 * - a row left 'sending' means a worker stopped between the two writes (a crash, a lost answer):
 *   the email is sent again under the SAME key, and Resend answers the first result instead of
 *   delivering twice (it keeps keys 24 hours; the ledger covers what is older).
 * A schedule occurrence's chunk of up to 100 goes in one batch request (`sendBatchOnce`) under a
 * key made of its members' ids: the same rules, row by row, with one call for all of them.
 */
import { createHash } from 'node:crypto';
import type { PlannedEmail } from '../report/model.js';
import type { Sender, SendOutcome } from './sender.js';
import { S, type Queryable } from './state.js';

export type LedgerResult =
  | { kind: 'sent'; providerId?: string }
  /** Already settled by an earlier job or another worker: nothing was called. */
  | { kind: 'settled'; state: 'sent' | 'failed' }
  | Exclude<SendOutcome, { kind: 'sent' }>;

export interface SendOnceInput {
  db: Queryable;
  sender: Sender;
  email: PlannedEmail;
  loop: string;
  step: number;
  /** Whether this is the job's last attempt: a transient failure then fails the email for good. */
  lastAttempt?: boolean;
}

/** What the plan is missing for an email Resend would refuse anyway: failed once, without a call. */
function unsendable(email: PlannedEmail): string | undefined {
  if (!email.from)
    return email.problems.find((p) => /sender|from/i.test(p)) ?? 'no sender: set `from` on the action, `email.from` in the config or SKENE_EMAIL_FROM';
  if (!email.subject?.trim()) return 'no subject: set `subject` on the action or `export const subject` in the template';
  if (email.html === undefined) return 'the email was not rendered';
  return undefined;
}

export async function sendOnce({ db, sender, email, loop, step, lastAttempt }: SendOnceInput): Promise<LedgerResult> {
  await db.query(
    `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state) VALUES ($1, $2, $3, $4, $5, 'sending')
     ON CONFLICT (email_id) DO NOTHING`,
    [email.id, loop, step, email.key, email.to],
  );
  const claimed = await db.query<{ attempts: number }>(
    `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE email_id = $1 AND state = 'sending' RETURNING attempts`,
    [email.id],
  );
  if (!claimed.rowCount) {
    const { rows } = await db.query<{ state: 'sent' | 'failed' }>(`SELECT state FROM ${S}.sends WHERE email_id = $1`, [email.id]);
    return { kind: 'settled', state: rows[0]?.state ?? 'sent' };
  }
  const problem = unsendable(email);
  const outcome: SendOutcome = problem
    ? { kind: 'failed', reason: problem }
    : await sender.send({ from: email.from!, to: email.to, subject: email.subject!, html: email.html!, text: email.text ?? '' }, email.id);
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
  emails: PlannedEmail[];
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
    `INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state)
     SELECT id, $2, $3, k, r, 'sending' FROM unnest($1::text[], $4::text[], $5::text[]) AS t(id, k, r)
     ON CONFLICT (email_id) DO NOTHING`,
    [ids, loop, step, emails.map((e) => e.key), emails.map((e) => e.to)],
  );
  const claimed = await db.query<{ email_id: string; attempts: number }>(
    `UPDATE ${S}.sends SET attempts = attempts + 1 WHERE email_id = ANY($1::text[]) AND state = 'sending' RETURNING email_id, attempts`,
    [ids],
  );
  const attempts = new Map(claimed.rows.map((r) => [r.email_id, r.attempts]));
  const results = new Map<string, LedgerResult>();
  if (attempts.size < ids.length) {
    const { rows } = await db.query<{ email_id: string; state: 'sent' | 'failed' }>(
      `SELECT email_id, state FROM ${S}.sends WHERE email_id = ANY($1::text[]) AND state <> 'sending'`,
      [ids.filter((id) => !attempts.has(id))],
    );
    const states = new Map(rows.map((r) => [r.email_id, r.state]));
    for (const id of ids) if (!attempts.has(id)) results.set(id, { kind: 'settled', state: states.get(id) ?? 'sent' });
  }
  const members: PlannedEmail[] = [];
  const refused: { id: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const email of emails) {
    // A recipient listed twice is one email (one row), as two sendOnce calls would find it settled.
    if (!attempts.has(email.id) || seen.has(email.id)) continue;
    seen.add(email.id);
    const problem = unsendable(email);
    if (problem) refused.push({ id: email.id, reason: problem });
    else members.push(email);
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
    const outgoing = members.map((e) => ({ from: e.from!, to: e.to, subject: e.subject!, html: e.html!, text: e.text ?? '' }));
    const outcome = await sender.sendBatch(outgoing, batchKey(members.map((e) => e.id)));
    for (const [id, result] of await completeBatch(db, members, attempts, outcome, lastAttempt)) results.set(id, result);
  }
  const answered = new Set<string>();
  return ids.map((id) => {
    const result = results.get(id)!;
    if (answered.has(id) && (result.kind === 'sent' || result.kind === 'failed')) return { kind: 'settled', state: result.kind };
    answered.add(id);
    return result;
  });
}

async function failRows(db: SendOnceInput['db'], ids: string[], reasons: string[]): Promise<void> {
  await db.query(
    `UPDATE ${S}.sends s SET state = 'failed', last_error = v.reason FROM unnest($1::text[], $2::text[]) AS v(id, reason)
     WHERE s.email_id = v.id AND s.state = 'sending'`,
    [ids, reasons],
  );
}

/** Records a batch call's one outcome on each member's row, as `sendOnce` does for one. */
async function completeBatch(
  db: SendOnceInput['db'],
  members: PlannedEmail[],
  attempts: Map<string, number>,
  outcome: SendOutcome,
  lastAttempt: boolean | undefined,
): Promise<Map<string, LedgerResult>> {
  const ids = members.map((e) => e.id);
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
