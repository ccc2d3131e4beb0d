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
import { completeBatch, payloadOf, unsendable, type LedgerEmail, type LedgerResult } from './ledger.js';
import { MAX_BATCH_SIZE, type OutgoingEmail, type Sender, type SendOutcome } from './sender.js';
import type { ClaimedSend, RecordedCapped, RunStateStore } from './state-store.js';
import { dueOf, type FrequencyCap } from './frequency-cap.js';

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

/** Emails grouped into requests a thousand at a time, as they are recorded (the store pages its writes too). */
const RECORD_PAGE = 1000;

export interface RecordedPlan {
  /** The ids still to send, in the plan's order: recorded now or by an earlier evaluation, not yet settled. */
  queued: string[];
  /** Emails the plan could not make sendable, recorded as failed now (no call is made). */
  failed: { email: LedgerEmail; reason: string }[];
  /** Emails the frequency cap left out (not recorded), with the email holding the slot. */
  capped: { email: LedgerEmail; takenBy: string | null }[];
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
  store: RunStateStore;
  emails: LedgerEmail[];
  loop: string;
  step: number;
  /** Emails per request (default and at most 100): a loop's `maxEmailsPerHour` below that must be able to send a request. */
  batchSize?: number;
  /** The config's `limits.perUser`: each email is recorded only while its address has room. */
  cap?: FrequencyCap;
}): Promise<RecordedPlan> {
  const { store, emails, loop, step, cap } = input;
  const size = Math.max(1, Math.min(input.batchSize ?? MAX_BATCH_SIZE, MAX_BATCH_SIZE));
  const byId = new Map(emails.map((e) => [e.id, e]));
  const keys = new Map<string, string>();
  for (let i = 0; i < emails.length; i += RECORD_PAGE) for (const [id, key] of requestKeys(emails.slice(i, i + RECORD_PAGE), size)) keys.set(id, key);
  const sends = emails.map((e) => ({
    emailId: e.id,
    loop,
    step,
    key: e.key,
    recipient: e.to,
    payload: payloadOf(e),
    failure: unsendable(e) ?? null,
    request: keys.get(e.id) ?? null,
    dueAt: dueOf(e),
  }));
  const recorded: RecordedCapped = cap ? await store.recordCapped(sends, cap) : { ...(await store.recordPlanned(sends)), capped: [] };
  const failed: RecordedPlan['failed'] = [];
  const open = new Set<string>(recorded.earlierSending);
  for (const row of recorded.created) {
    if (row.failure !== null) failed.push({ email: byId.get(row.emailId)!, reason: row.failure });
    else open.add(row.emailId);
  }
  // Emails an earlier evaluation recorded are queued again while they are not settled.
  const capped = recorded.capped.map(({ emailId, takenBy }) => ({ email: byId.get(emailId)!, takenBy }));
  return { queued: [...byId.keys()].filter((id) => open.has(id)), failed, capped };
}

/** A claimed member of a request: recorded sendable, so it has its payload. */
type RecordedRow = ClaimedSend & { payload: OutgoingEmail };

function ledgerEmail(row: RecordedRow): LedgerEmail {
  const { from, subject, html, text, headers } = row.payload;
  return { id: row.emailId, key: row.key, to: row.recipient, from, subject, html, text, headers, problems: [] };
}

export interface SendRecordedInput {
  store: RunStateStore;
  sender: Sender;
  /** Recorded emails (`recordPlanned`); those settled meanwhile are left out. */
  ids: string[];
  /** Whether this is the job's last attempt: a transient failure then fails the emails for good. */
  lastAttempt?: boolean;
  /** Called after each request with its members' results; returning true stops before the next request (a loop-wide stop). */
  onResults: (results: { email: LedgerEmail; result: LedgerResult }[]) => boolean | Promise<boolean>;
}

/** How many of these recorded emails are still 'sending'. */
export function unsettled(store: RunStateStore, ids: string[]): Promise<number> {
  return store.countSending(ids);
}

/** Sends recorded emails once each, each in the one request recorded for it (see the module comment). */
export async function sendRecorded(input: SendRecordedInput): Promise<void> {
  const requestOf = await input.store.requestsOf(input.ids);
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
  const { store, sender } = input;
  // Every row of the request still unsettled, also one found in another chunk: the request is always the same.
  const claimed = (await store.claimRequest(key)) as RecordedRow[];
  if (!claimed.length) return false;
  // Members in one order, so the body (and Resend's replay) is the same every time.
  const members = claimed.sort((a, b) => (a.emailId < b.emailId ? -1 : a.emailId > b.emailId ? 1 : 0));
  const alone = members.length === 1 && members[0]!.emailId === key;
  const outcome: SendOutcome = alone
    ? await sender.send(members[0]!.payload, key)
    : await sender.sendBatch(
        members.map((m) => m.payload),
        key,
      );
  const ids = members.map((m) => m.emailId);
  const attempts = new Map(members.map((m) => [m.emailId, m.attempts]));
  const results = await completeBatch({ store, ids, attempts, outcome, lastAttempt: input.lastAttempt });
  return input.onResults(members.map((m) => ({ email: ledgerEmail(m), result: results.get(m.emailId)! })));
}
