/**
 * Recorded emails in batches: a member of a batch whose answer was lost is sent again only in that
 * same request (same members, payloads and key), whatever chunk it is found in later, so Resend
 * replays it instead of delivering a second time.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { faults, startResendDouble } from '../../../../test/helpers/resend-double.js';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { batchKey, recordPlanned, sendRecorded } from '../../src/run/ledger-batch.js';
import type { LedgerEmail, LedgerResult } from '../../src/run/ledger.js';
import { ensureState, type Sender } from '../../src/run/index.js';
import { postgresStateStore } from '../../src/run/state-store-postgres.js';
import { tempPostgresDatabase } from '../plan/helpers.js';
import { newSender } from './runner-helpers.js';

const AT = '2026-03-02T09:00:00.000Z';

/** A throwaway database with Skene's state tables, or undefined when PostgreSQL is not there (skipped). */
async function ledgerDatabase(t: TestContext): Promise<pg.Client | undefined> {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_ledger_batch');
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => {});
  await db.connect();
  t.after(() => db.end().catch(() => {}));
  await ensureState(db);
  return db;
}

function emails(n: number): LedgerEmail[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `digest/1/${i + 1}@${AT}`,
    key: String(i + 1),
    to: `user${i + 1}@example.com`,
    from: 'Acme <hello@acme.example>',
    subject: `Your week, User ${i + 1}`,
    html: `<p>Hi User ${i + 1}</p>`,
    text: `Hi User ${i + 1}`,
    problems: [],
  }));
}

test('a batch whose answer was lost is repeated as the same request, though the next chunk is cut differently', async (t) => {
  const db = await ledgerDatabase(t);
  if (!db) return;
  const double = await startResendDouble();
  t.after(() => double.close());
  const sender = newSender(double);

  const all = emails(150);
  const recorded = await recordPlanned({ store: postgresStateStore(db), emails: all, loop: 'digest', step: 1 });
  assert.equal(recorded.queued.length, 150);
  assert.deepEqual(recorded.failed, []);

  // First attempt: the request of emails 1–100 is delivered and its answer lost; 101–150 are sent.
  const lostKey = batchKey(recorded.queued.slice(0, 100));
  // Requests go two at a time: the other waits for the lost one, so the scripted fault meets the right request.
  let lostAnswered!: () => void;
  const lostSettled = new Promise<void>((resolve) => (lostAnswered = resolve));
  const losing: Sender = {
    ...sender,
    sendBatch: async (emails, key) => {
      if (key !== lostKey) return lostSettled.then(() => sender.sendBatch(emails, key));
      double.script('/emails/batch', faults.lostResponse());
      return sender.sendBatch(emails, key).finally(lostAnswered);
    },
  };
  const first: LedgerResult[] = [];
  await sendRecorded({
    store: postgresStateStore(db),
    sender: losing,
    ids: recorded.queued,
    onResults: (r) => (first.push(...r.map((x) => x.result)), false),
  });
  assert.deepEqual(first.map((r) => r.kind).sort(), [...Array(100).fill('retry'), ...Array(50).fill('sent')].sort());
  assert.equal(double.delivered.length, 150);

  // The retry holds the emails in another order (a chunk cut differently): the lost request is repeated as it was.
  const reordered = [...recorded.queued.slice(50), ...recorded.queued.slice(0, 50)];
  const second: LedgerResult[] = [];
  await sendRecorded({ store: postgresStateStore(db), sender, ids: reordered, onResults: (r) => (second.push(...r.map((x) => x.result)), false) });
  assert.equal(second.length, 100);
  assert.ok(second.every((r) => r.kind === 'sent'));
  const lost = double.requests.filter((r) => r.headers['idempotency-key'] === lostKey);
  assert.equal(lost.length, 2, 'the lost request again, under its key');
  assert.deepEqual(lost[1]!.body, lost[0]!.body, 'with the same body');
  assert.equal(double.requests.length, 3, 'and nothing else');
  assert.equal(double.delivered.length, 150, 'Resend replayed it: nobody got two');
  assert.equal(new Set(double.delivered.map((d) => String(d.email.to))).size, 150);
  const { rows } = await db.query(`SELECT state, count(*)::int AS n FROM skene.sends GROUP BY state`);
  assert.deepEqual(rows, [{ state: 'sent', n: 150 }]);
});

test('recording twice keeps the first payload; an email that cannot be sent is failed at once, without a call', async (t) => {
  const db = await ledgerDatabase(t);
  if (!db) return;

  const [a, b] = emails(2);
  await recordPlanned({ store: postgresStateStore(db), emails: [a!], loop: 'digest', step: 1 });
  const again = await recordPlanned({
    store: postgresStateStore(db),
    emails: [
      { ...a!, html: '<p>changed</p>' },
      { ...b!, subject: '' },
    ],
    loop: 'digest',
    step: 1,
  });
  assert.deepEqual(again.queued, [a!.id]);
  assert.deepEqual(
    again.failed.map((f) => [f.email.id, f.reason]),
    [[b!.id, 'no subject: set `subject` on the action or `export const subject` in the template']],
  );
  const { rows } = await db.query(`SELECT email_id, state, payload->>'html' AS html FROM skene.sends ORDER BY email_id`);
  assert.deepEqual(rows, [
    { email_id: a!.id, state: 'sending', html: '<p>Hi User 1</p>' },
    { email_id: b!.id, state: 'failed', html: null },
  ]);
});
