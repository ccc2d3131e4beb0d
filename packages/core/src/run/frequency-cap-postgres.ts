/**
 * The frequency cap's part of the PostgreSQL (and PGlite) state: every send row carries its
 * address (`normalizeAddress` of the recipient) and when it was due (`due_at`: the run's clock,
 * or the schedule occurrence — the time the plan orders emails by), indexed together, so
 * `sentSince` is one index range per address. `skene.record_capped` records emails only while
 * their address has room, under a per-address advisory lock held until the transaction commits:
 * the count and the insert are one atomic step, so two workers never exceed the cap.
 */
import { normalizeAddress, type SentEmail } from '../plan/recipient-state.js';
import { S, type Queryable } from './state.js';
import type { PlannedSend, RecordedCapped } from './state-store.js';

/** Rows per call: each call holds its addresses' locks until it commits. */
const PAGE = 500;

/** `RunStateStore.recordCapped` on PostgreSQL: pages of rows through `skene.record_capped`. */
export async function recordCappedPostgres(db: Queryable, sends: PlannedSend[], cap: { emails: number; perMs: number }): Promise<RecordedCapped> {
  const result: RecordedCapped = { created: [], earlierSending: [], capped: [] };
  for (let i = 0; i < sends.length; i += PAGE) {
    const rows = sends.slice(i, i + PAGE).map((s) => ({
      id: s.emailId,
      loop: s.loop,
      step: s.step,
      key: s.key,
      recipient: s.recipient,
      payload: s.payload,
      failure: s.failure,
      request: s.request,
      address: normalizeAddress(s.recipient),
      due: (s.dueAt ?? new Date()).toISOString(),
    }));
    const { rows: answers } = await db.query<{ email_id: string; outcome: string; failure: string | null; taken_by: string | null }>(
      `SELECT email_id, outcome, failure, taken_by FROM ${S}.record_capped($1::jsonb, $2, $3)`,
      [JSON.stringify(rows), cap.emails, Math.round(cap.perMs)],
    );
    for (const a of answers) {
      if (a.outcome === 'created') result.created.push({ emailId: a.email_id, failure: a.failure });
      else if (a.outcome === 'earlier-sending') result.earlierSending.push(a.email_id);
      else if (a.outcome === 'capped') result.capped.push({ emailId: a.email_id, takenBy: a.taken_by });
    }
  }
  return result;
}

/** `RecipientState.sentSince` over the ledger: rows sending or sent, by when they were due. */
export async function sentSincePostgres(db: Queryable, input: { addresses: readonly string[]; since: Date }): Promise<Map<string, SentEmail[]>> {
  const found = new Map<string, SentEmail[]>();
  if (!input.addresses.length) return found;
  const { rows } = await db.query<{ address: string; email_id: string; due_at: Date }>(
    `SELECT address, email_id, due_at FROM ${S}.sends WHERE address = ANY($1::text[]) AND state <> 'failed' AND due_at >= $2 ORDER BY address, due_at, email_id`,
    [input.addresses.map(normalizeAddress), input.since],
  );
  for (const r of rows) {
    const list = found.get(r.address);
    const sent = { id: r.email_id, at: new Date(r.due_at) };
    if (list) list.push(sent);
    else found.set(r.address, [sent]);
  }
  return found;
}
