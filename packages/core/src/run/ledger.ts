/**
 * Exactly once: every send is recorded in `skene.sends` before the provider is called and
 * completed after it. The email id is the row's key and Resend's idempotency key, so:
 * - a row already 'sent' or 'failed' is never sent again (a duplicate job, a second worker);
 * - a row left 'sending' means a worker stopped between the two writes (a crash, a lost answer):
 *   the email is sent again under the SAME key, and Resend answers the first result instead of
 *   delivering twice (it keeps keys 24 hours; the ledger covers what is older).
 */
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
