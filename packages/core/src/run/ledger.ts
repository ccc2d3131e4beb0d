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
 * A schedule occurrence's emails are recorded first and sent in batches (ledger-batch.ts).
 */
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
export function unsendable(email: LedgerEmail): string | undefined {
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
export function payloadText(email: LedgerEmail): string | null {
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
  await db.query(`UPDATE ${S}.sends SET last_error = $2 WHERE email_id = $1 AND state = 'sending'`, [email.id, outcome.reason]);
  return outcome;
}

async function failRows(db: Queryable, ids: string[], reasons: string[]): Promise<void> {
  await db.query(
    `UPDATE ${S}.sends s SET state = 'failed', last_error = v.reason FROM unnest($1::text[], $2::text[]) AS v(id, reason)
     WHERE s.email_id = v.id AND s.state = 'sending'`,
    [ids, reasons],
  );
}

/** Records a call's one outcome on each member's row (one email, or a batch's), as `sendOnce` does for one. */
export async function completeBatch(input: {
  db: Queryable;
  ids: string[];
  attempts: Map<string, number>;
  outcome: SendOutcome;
  lastAttempt: boolean | undefined;
}): Promise<Map<string, LedgerResult>> {
  const { db, ids, attempts, outcome, lastAttempt } = input;
  const results = new Map<string, LedgerResult>();
  if (outcome.kind === 'sent') {
    // Resend answers the batch's ids in the request's order. 'failed' too: a worker that met this
    // request still running elsewhere (409) on its last attempt may have failed the rows meanwhile.
    const providerIds = ids.map((_, i) => outcome.ids[i] ?? null);
    await db.query(
      `UPDATE ${S}.sends s SET state = 'sent', provider_id = v.pid, sent_at = now(), last_error = NULL
       FROM unnest($1::text[], $2::text[]) AS v(id, pid) WHERE s.email_id = v.id AND s.state IN ('sending', 'failed')`,
      [ids, providerIds],
    );
    ids.forEach((id, i) => results.set(id, providerIds[i] ? { kind: 'sent', providerId: providerIds[i] } : { kind: 'sent' }));
    return results;
  }
  // A request still running elsewhere is not a failure of this one: whatever the attempt, the rows stay 'sending'.
  const elsewhere = outcome.kind === 'retry' && outcome.code === 'concurrent_idempotent_requests';
  if (outcome.kind === 'failed' || (outcome.kind === 'retry' && lastAttempt && !elsewhere)) {
    const reasons = ids.map((id) => (outcome.kind === 'retry' ? `gave up after ${attempts.get(id)} attempts: ${outcome.reason}` : outcome.reason));
    await failRows(db, ids, reasons);
    ids.forEach((id, i) => results.set(id, { kind: 'failed', reason: reasons[i]!, code: outcome.code, status: outcome.status }));
    return results;
  }
  // retry, paused, halt: nothing sent, the rows stay 'sending' so the next attempt reuses the key.
  await db.query(`UPDATE ${S}.sends SET last_error = $2 WHERE email_id = ANY($1::text[]) AND state = 'sending'`, [ids, outcome.reason]);
  for (const id of ids) results.set(id, outcome);
  return results;
}
