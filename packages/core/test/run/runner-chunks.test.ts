/**
 * A schedule occurrence is evaluated once, its emails recorded in the ledger with their payloads,
 * and sent in chunk jobs that several workers share; every attempt of an email sends the payload
 * it was first recorded with, so data that changes between two attempts changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faults } from '../../../../test/helpers/resend-double.js';
import { ensureState, resumeLoop, runOnce, type Sender } from '../../src/run/index.js';
import { recordPlanned } from '../../src/run/ledger-batch.js';
import { postgresStateStore } from '../../src/run/state-store-postgres.js';
import { CHUNK_SIZE } from '../../src/run/work.js';
import { activationConfig, digestConfig, FROM, harness, ledger, newSender } from './runner-helpers.js';

const RECIPIENTS = 2 * CHUNK_SIZE + 200;
const TABLES = `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
  INSERT INTO users (email, name) SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, ${RECIPIENTS}) i;`;
const AT = new Date('2026-03-02T09:00:30Z');

/** A sender that takes `ms` longer per request, as a network would: a chunk then lasts long enough to be shared. */
function slowSender(sender: Sender, ms: number): Sender {
  const wait = () => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    ...sender,
    send: async (email, key) => (await wait(), sender.send(email, key)),
    sendBatch: async (emails, key) => (await wait(), sender.sendBatch(emails, key)),
  };
}

test('one occurrence, recorded once, sent in chunks that two workers share: every email exactly once', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;
  const worker = () => runOnce({ config, databaseUrl: h.url, sender: slowSender(newSender(h.double), 40), env: FROM, at: AT, maxWaitMs: 20_000 });
  const [a, b] = await Promise.all([worker(), worker()]);

  assert.equal(a.counts.sent + b.counts.sent, RECIPIENTS);
  assert.ok(a.counts.sent > 0 && b.counts.sent > 0, `both workers sent (${a.counts.sent} / ${b.counts.sent})`);
  const keys = h.double.delivered.map((d) => d.idempotencyKey);
  assert.equal(new Set(h.double.delivered.map((d) => String(d.email.to))).size, RECIPIENTS, 'each recipient once');
  assert.equal(h.double.delivered.length, RECIPIENTS);
  assert.ok(keys.every((k) => k?.startsWith('batch-')));
  const rows = await ledger(h.client);
  assert.equal(rows.length, RECIPIENTS);
  assert.ok(rows.every((r) => r.state === 'sent' && r.attempts === 1));
  const progress = await h.client.query(`SELECT state, reason FROM skene.progress WHERE subject LIKE 'occurrence:%'`);
  assert.deepEqual(progress.rows, [{ state: 'done', reason: `${RECIPIENTS} recipient(s): ${RECIPIENTS} queued in 3 chunk(s), 0 failed` }]);
  const payloads = await h.client.query(`SELECT payload FROM skene.sends WHERE "key" = '7'`);
  assert.deepEqual(payloads.rows[0].payload.to, 'user7@example.com');
  assert.match(payloads.rows[0].payload.html, /Hi User 7!/);
});

test('a retry sends the payload first recorded, though the row changed in between: no 409, no second version', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(`INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'); INSERT INTO projects (user_id, name) VALUES (1, 'first');`);
  // The first call reaches Resend, which delivers it, but the answer is lost; meanwhile Ann renames herself.
  let calls = 0;
  const sender: Sender = {
    ...h.sender,
    send: async (email, key) => {
      if (++calls === 1) {
        h.double.script('/emails', faults.lostResponse());
        await h.client.query(`UPDATE users SET name = 'Annabel' WHERE id = 1`);
      }
      return h.sender.send(email, key);
    },
  };
  const summary = await h.run({ at: new Date(Date.now() + 1000), sender });

  assert.equal(summary.counts.sent, 1);
  assert.equal(calls, 2, 'sent again under the same key after the lost answer');
  assert.equal(h.double.delivered.length, 1, 'Resend replays the first answer');
  assert.match(String(h.double.delivered[0]!.email.html), /Hi Ann!/);
  assert.ok(
    h.double.requests.every((r) => r.status !== 409),
    `statuses ${h.double.requests.map((r) => r.status)}`,
  );
  assert.deepEqual(
    (await ledger(h.client)).map((r) => [r.email_id, r.state, r.attempts]),
    [['activated/1/1', 'sent', 2]],
  );
});

test('maxEmailsPerHour counts what was sent, not what an occurrence recorded: 200 go, the loop pauses, resume sends on', async (t) => {
  const config = digestConfig(t, { maxEmailsPerHour: 250 });
  const h = await harness(t, config, TABLES);
  if (!h) return;
  const first = await h.run({ at: AT });
  // Requests of 100: the third would cross 250, and a batch is held back whole.
  assert.equal(first.counts.sent, 200);
  assert.deepEqual(
    first.paused.map((p) => p.loop),
    ['digest'],
  );
  // The requests the cap held back (the one that met it, and one already on its way beside it) keep
  // the reason; the rest stays recorded, not attempted.
  const rest = await h.client.query(`SELECT attempts, last_error FROM skene.sends WHERE state = 'sending'`);
  assert.equal(rest.rows.length, RECIPIENTS - 200);
  const held = rest.rows.filter((r) => r.attempts > 0);
  assert.ok(held.length === 100 || held.length === 200, `${held.length} held back`);
  assert.ok(held.every((r) => r.attempts === 1 && /^max-emails-per-hour 250 reached/.test(r.last_error)));
  assert.ok(rest.rows.filter((r) => r.attempts === 0).every((r) => r.last_error === null));

  await resumeLoop({ databaseUrl: h.url, config, loop: 'digest' });
  const second = await h.run({ at: AT });
  assert.equal(second.counts.sent, 200, 'the hour counts from the resume');
  assert.equal(new Set(h.double.delivered.map((d) => String(d.email.to))).size, 400);
  assert.equal(h.double.delivered.length, 400);
});

test('a quota met by one request in flight pauses the loop, though the other request beside it is answered later', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;
  let calls = 0;
  const sender: Sender = {
    ...h.sender,
    sendBatch: async (emails, key) => {
      const n = ++calls;
      if (n === 1) h.double.script('/emails/batch', faults.dailyQuota());
      // The second request is answered after the first one's quota error has been handled.
      if (n === 2) await new Promise((resolve) => setTimeout(resolve, 300));
      return h.sender.sendBatch(emails, key);
    },
  };
  const first = await h.run({ at: AT, sender });
  assert.deepEqual(
    first.paused.map((p) => p.loop),
    ['digest'],
  );
  assert.equal(first.counts.sent, 100, 'the request beside it, and nothing after');
  const left = await h.client.query(`SELECT count(*)::int AS n FROM skene.sends WHERE state = 'sending'`);
  assert.equal(left.rows[0].n, RECIPIENTS - 100);

  await resumeLoop({ databaseUrl: h.url, config, loop: 'digest' });
  const second = await h.run({ at: AT });
  assert.equal(second.counts.sent, RECIPIENTS - 100);
  assert.equal(new Set(h.double.delivered.map((d) => String(d.email.to))).size, RECIPIENTS);
  assert.equal(h.double.delivered.length, RECIPIENTS);
});

test('a cap below a batch request sends requests the cap can hold, instead of pausing before the first', async (t) => {
  const config = digestConfig(t, { maxEmailsPerHour: 50 });
  const h = await harness(t, config, TABLES);
  if (!h) return;
  const first = await h.run({ at: AT });
  assert.equal(first.counts.sent, 50);
  assert.deepEqual(
    first.paused.map((p) => p.loop),
    ['digest'],
  );
  assert.ok(h.double.requests.every((r) => (r.body as unknown[]).length <= 50));
});

test('recorded emails no job holds any more are queued again and sent once; one claimed too often is given up', async (t) => {
  const config = digestConfig(t);
  const h = await harness(t, config, TABLES);
  if (!h) return;
  // An evaluation of 07:00 that crashed after recording, before queueing: rows, no job.
  const orphanAt = '2026-03-02T07:00:00.000Z';
  const orphans = Array.from({ length: 150 }, (_, i) => ({
    id: `digest/1/${i + 1}@${orphanAt}`,
    key: String(i + 1),
    to: `user${i + 1}@example.com`,
    from: FROM.SKENE_EMAIL_FROM,
    subject: `Earlier, User ${i + 1}`,
    html: `<p>Earlier, User ${i + 1}</p>`,
    text: `Earlier, User ${i + 1}`,
    problems: [],
  }));
  await ensureState(h.client);
  await recordPlanned({ store: postgresStateStore(h.client), emails: orphans, loop: 'digest', step: 1 });
  await h.client.query(`UPDATE skene.sends SET attempts = 10, last_error = 'socket hang up' WHERE email_id = $1`, [orphans[149]!.id]);

  // A run at 09:00:30 fires 09:00 (outside 07:00's window) and, with nothing left to do, sweeps.
  const summary = await h.run({ at: AT });
  assert.equal(summary.counts.sent, RECIPIENTS + 149);
  const earlier = h.double.delivered.filter((d) => String(d.email.subject).startsWith('Earlier'));
  assert.equal(earlier.length, 149);
  assert.equal(new Set(earlier.map((d) => String(d.email.to))).size, 149, 'each once');
  const rows = await h.client.query(
    `SELECT state, count(*)::int AS n, min(last_error) AS error FROM skene.sends WHERE email_id LIKE '%@${orphanAt}' GROUP BY state ORDER BY state`,
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.state, r.n]),
    [
      ['failed', 1],
      ['sent', 149],
    ],
  );
  assert.match(rows.rows[0].error, /^gave up after 10 attempts, never settled: socket hang up/);
});
