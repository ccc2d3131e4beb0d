/**
 * Exactly once: every send is recorded in the ledger (state-store.ts: `skene.sends` in PostgreSQL,
 * or Redis keys) before the provider is called and
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
import { dueOf, recordOne, type FrequencyCap } from './frequency-cap.js';
import type { OutgoingEmail, Sender, SendOutcome } from './sender.js';
import type { RunStateStore } from './state-store.js';

export type LedgerResult =
  | { kind: 'sent'; providerId?: string }
  /** Already settled by an earlier job or another worker: nothing was called. */
  | { kind: 'settled'; state: 'sent' | 'failed' }
  /** The frequency cap left no room for it (frequency-cap.ts): not recorded, not sent. */
  | { kind: 'capped'; takenBy: string | null }
  | Exclude<SendOutcome, { kind: 'sent' }>;

/** What the ledger needs of a planned email (`at`: when it is due, which the frequency cap counts by). */
export type LedgerEmail = Pick<PlannedEmail, 'id' | 'key' | 'to' | 'from' | 'subject' | 'html' | 'text' | 'problems' | 'headers'> &
  Partial<Pick<PlannedEmail, 'at'>>;

export interface SendOnceInput {
  store: RunStateStore;
  sender: Sender;
  email: LedgerEmail;
  loop: string;
  step: number;
  /** Whether this is the job's last attempt: a transient failure then fails the email for good. */
  lastAttempt?: boolean;
  /** The config's `limits.perUser`: the email is recorded only while its address has room. */
  cap?: FrequencyCap;
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
  const payload: OutgoingEmail = { from: email.from!, to: email.to, subject: email.subject!, html: email.html!, text: email.text ?? '' };
  // List-Unsubscribe travels in the payload, so every attempt sends it as first recorded.
  if (email.headers) payload.headers = email.headers;
  return payload;
}

/** The payload to record for an email: none when it cannot be sent (it fails without a call). */
export function payloadOf(email: LedgerEmail): OutgoingEmail | null {
  return unsendable(email) ? null : outgoing(email);
}

export async function sendOnce({ store, sender, email, loop, step, lastAttempt, cap }: SendOnceInput): Promise<LedgerResult> {
  const send = { emailId: email.id, loop, step, key: email.key, recipient: email.to, payload: payloadOf(email), dueAt: dueOf(email) };
  const recorded = await recordOne(store, send, cap);
  if (recorded.capped) return { kind: 'capped', takenBy: recorded.takenBy };
  const claimed = await store.claimSend(email.id);
  if (!claimed) {
    const state = await store.sendState(email.id);
    return { kind: 'settled', state: state === 'failed' ? 'failed' : 'sent' };
  }
  const problem = claimed.payload ? undefined : unsendable(email);
  const outcome: SendOutcome = problem ? { kind: 'failed', reason: problem } : await sender.send(claimed.payload ?? outgoing(email), email.id);
  if (outcome.kind === 'sent') {
    const providerId = outcome.ids[0];
    await store.settleSent([{ emailId: email.id, providerId: providerId ?? null }]);
    return providerId ? { kind: 'sent', providerId } : { kind: 'sent' };
  }
  if (outcome.kind === 'failed' || (outcome.kind === 'retry' && lastAttempt)) {
    const reason = outcome.kind === 'retry' ? `gave up after ${claimed.attempts} attempts: ${outcome.reason}` : outcome.reason;
    await store.settleFailed([{ emailId: email.id, reason }]);
    return { kind: 'failed', reason, code: outcome.code, status: outcome.status };
  }
  // retry, paused, halt: not sent, the row stays 'sending' so the next attempt reuses the key.
  await store.noteSendError([email.id], outcome.reason);
  return outcome;
}

/** Records a call's one outcome on each member's row (one email, or a batch's), as `sendOnce` does for one. */
export async function completeBatch(input: {
  store: RunStateStore;
  ids: string[];
  attempts: Map<string, number>;
  outcome: SendOutcome;
  lastAttempt: boolean | undefined;
}): Promise<Map<string, LedgerResult>> {
  const { store, ids, attempts, outcome, lastAttempt } = input;
  const results = new Map<string, LedgerResult>();
  if (outcome.kind === 'sent') {
    // Resend answers the batch's ids in the request's order. 'failed' too: a worker that met this
    // request still running elsewhere (409) on its last attempt may have failed the rows meanwhile.
    const providerIds = ids.map((_, i) => outcome.ids[i] ?? null);
    await store.settleSent(
      ids.map((emailId, i) => ({ emailId, providerId: providerIds[i] ?? null })),
      { fromFailed: true },
    );
    ids.forEach((id, i) => results.set(id, providerIds[i] ? { kind: 'sent', providerId: providerIds[i] } : { kind: 'sent' }));
    return results;
  }
  // A request still running elsewhere is not a failure of this one: whatever the attempt, the rows stay 'sending'.
  const elsewhere = outcome.kind === 'retry' && outcome.code === 'concurrent_idempotent_requests';
  if (outcome.kind === 'failed' || (outcome.kind === 'retry' && lastAttempt && !elsewhere)) {
    const reasons = ids.map((id) => (outcome.kind === 'retry' ? `gave up after ${attempts.get(id)} attempts: ${outcome.reason}` : outcome.reason));
    await store.settleFailed(ids.map((emailId, i) => ({ emailId, reason: reasons[i]! })));
    ids.forEach((id, i) => results.set(id, { kind: 'failed', reason: reasons[i]!, code: outcome.code, status: outcome.status }));
    return results;
  }
  // retry, paused, halt: nothing sent, the rows stay 'sending' so the next attempt reuses the key.
  await store.noteSendError(ids, outcome.reason);
  for (const id of ids) results.set(id, outcome);
  return results;
}
