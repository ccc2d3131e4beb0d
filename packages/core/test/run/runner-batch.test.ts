/**
 * Schedule steps send through Resend's batch endpoint, 100 emails per request, under a key made
 * of the chunk's members: 250 recipients are 3 requests, each email delivered once, as the plan at
 * the occurrence lists it; a chunk that fails (500) or whose answer is lost is retried by the job,
 * and the ledger and the batch key keep every email to one delivery.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { faults, type ResendDouble, type ScriptedResponse } from '../../../../test/helpers/resend-double.js';
import { runPlan } from '../../src/plan/engine.js';
import { openSource } from '../../src/sources/index.js';
import { batchKey } from '../../src/run/ledger-batch.js';
import type { Sender } from '../../src/run/index.js';
import { digestConfig as digestConfigOf, FROM, harness, ledger } from './runner-helpers.js';

const RECIPIENTS = 250;
const TABLES = `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
  INSERT INTO users (email, name) SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, ${RECIPIENTS}) i;`;
const AT = new Date('2026-03-02T09:00:30Z');
const OCCURRENCE = new Date('2026-03-02T09:00:00Z');

const digestConfig = (t: TestContext) => digestConfigOf(t, { recovery: { retries: 3, backoff: 'exponential' } });

/** What the double delivered, by recipient: a batch key names a chunk, not an email. */
function deliveredByRecipient(double: ResendDouble) {
  return Object.fromEntries(
    double.delivered.map((d) => {
      const e = d.email;
      return [String(e.to), { from: e.from, subject: e.subject, html: e.html, text: e.text }];
    }),
  );
}

/**
 * A sender whose n-th batch request meets `fault` (the double answers the others normally). A
 * worker has two requests in flight at once; here they go one after the other, so the scripted
 * fault meets the n-th request and the double sees them in the order they were made.
 */
function faultOnBatch(sender: Sender, double: ResendDouble, n: number, fault: ScriptedResponse): Sender {
  let calls = 0;
  let previous: Promise<unknown> = Promise.resolve();
  return {
    ...sender,
    send: (email, key) => sender.send(email, key),
    sendBatch: (emails, key) => {
      const call = previous.then(() => {
        if (++calls === n) double.script('/emails/batch', fault);
        return sender.sendBatch(emails, key);
      });
      previous = call.catch(() => {});
      return call;
    },
  };
}

test('a schedule of 250 recipients: 3 batch requests, each email delivered once, as the plan at the occurrence', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;

  const summary = await h.run({ at: AT });
  assert.equal(summary.counts.sent, RECIPIENTS);
  assert.equal(h.double.requestCount('/emails/batch'), 3);
  assert.equal(h.double.requestCount('/emails'), 0);
  // Two requests in flight at once: they may reach the double in either order.
  assert.deepEqual(h.double.requests.map((r) => (r.body as unknown[]).length).sort(), [100, 100, 50]);
  assert.equal(h.double.delivered.length, RECIPIENTS);
  assert.equal(new Set(h.double.delivered.map((d) => d.email.to)).size, RECIPIENTS, 'each recipient once');

  // Fidelity: the plan at the occurrence lists exactly what was delivered, byte for byte.
  const source = await openSource({ url: h.url });
  t.after(() => source.close());
  const plan = await runPlan({ config, source, at: OCCURRENCE, horizon: '1s', env: FROM });
  const planned = plan.loops[0]!.steps[0]!.emails;
  assert.equal(planned.length, RECIPIENTS);
  assert.deepEqual(
    deliveredByRecipient(h.double),
    Object.fromEntries(planned.map((e) => [e.to, { from: e.from, subject: e.subject, html: e.html, text: e.text }])),
  );
  // Each request's key is its members' key, and every row of the ledger is sent with Resend's id.
  const chunks = [planned.slice(0, 100), planned.slice(100, 200), planned.slice(200)];
  assert.deepEqual(h.double.requests.map((r) => r.headers['idempotency-key']).sort(), chunks.map((c) => batchKey(c.map((e) => e.id))).sort());
  const rows = await h.client.query(`SELECT count(*)::int AS n FROM skene.sends WHERE state = 'sent' AND provider_id IS NOT NULL AND attempts = 1`);
  assert.equal(rows.rows[0].n, RECIPIENTS);

  const again = await h.run({ at: AT });
  assert.equal(again.counts.sent, 0);
  assert.equal(h.double.requestCount('/emails/batch'), 3, 'a second run at the same clock sends nothing');
});

test('a 500 on the second request: the job retries that request only, nothing is delivered twice', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;

  const summary = await h.run({ at: AT, sender: faultOnBatch(h.sender, h.double, 2, faults.serverError()) });
  assert.equal(summary.counts.sent, RECIPIENTS);
  // The second request made meets the 500: one of 100, or the last 50 when a lane got to it first.
  const faulted = (h.double.requests[1]!.body as unknown[]).length;
  assert.equal(h.double.requests[1]!.status, 500);
  assert.equal(summary.counts.retry, faulted, 'the failed request, once');
  // The three requests, then the failed one again (the others are settled and left out).
  assert.deepEqual(
    h.double.requests.map((r) => [r.status, (r.body as unknown[]).length].join(' ')).sort(),
    ['200 100', '200 100', '200 50', `500 ${faulted}`].sort(),
  );
  assert.equal(h.double.requests[3]!.headers['idempotency-key'], h.double.requests[1]!.headers['idempotency-key'], 'the same members, the same key');
  assert.equal(h.double.delivered.length, RECIPIENTS);
  assert.equal(new Set(h.double.delivered.map((d) => d.email.to)).size, RECIPIENTS);
  const rows = await ledger(h.client);
  assert.ok(rows.every((r) => r.state === 'sent'));
  assert.equal(rows.filter((r) => r.attempts === 2).length, faulted);
});

test('a lost answer on the second chunk: retried under the same key, Resend replays it, nothing is delivered twice', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;

  const summary = await h.run({ at: AT, sender: faultOnBatch(h.sender, h.double, 2, faults.lostResponse()) });
  assert.equal(summary.counts.sent, RECIPIENTS);
  assert.equal(h.double.requestCount('/emails/batch'), 4);
  assert.equal(h.double.delivered.length, RECIPIENTS, 'the replayed chunk is not delivered again');
  assert.equal(new Set(h.double.delivered.map((d) => d.email.to)).size, RECIPIENTS);
  assert.ok((await ledger(h.client)).every((r) => r.state === 'sent'));
});

test('a 422 on a chunk fails each of its emails once, not retried; the other chunks are sent', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;

  const summary = await h.run({ at: AT, sender: faultOnBatch(h.sender, h.double, 3, faults.validation()) });
  // The third request made (the last 50, or one of 100 when a lane got to the 50 first) is refused whole.
  const refused = (h.double.requests[2]!.body as unknown[]).length;
  assert.equal(h.double.requests[2]!.status, 422);
  assert.equal(summary.counts.sent, RECIPIENTS - refused);
  assert.equal(summary.counts.failed, refused);
  assert.equal(h.double.requestCount('/emails/batch'), 3, 'not retried');
  const rows = await ledger(h.client);
  assert.equal(rows.filter((r) => r.state === 'failed' && r.attempts === 1).length, refused);
  const progress = await h.client.query(`SELECT state, reason FROM skene.progress WHERE subject = 'occurrence:${OCCURRENCE.toISOString()}'`);
  // The occurrence was evaluated once and queued whole; the ledger says how each email ended.
  assert.deepEqual(progress.rows, [{ state: 'done', reason: `${RECIPIENTS} recipient(s): ${RECIPIENTS} queued in 1 chunk(s), 0 failed` }]);
  assert.equal(rows.filter((r) => r.state === 'sent').length, RECIPIENTS - refused);
});
