/**
 * Exactly once under concurrency and crashes: two workers (separate pg-boss instances) over the
 * same events deliver every email once; a worker that stopped between the ledger's insert and its
 * completion (the double already delivered under the email id) is not delivered twice on restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../src/plan/engine.js';
import { openSource } from '../../src/sources/index.js';
import { ensureState, runOnce } from '../../src/run/index.js';
import { activationConfig, FROM, harness, ledger, newSender } from './runner-helpers.js';

test('two workers at once over the same events: every email exactly once', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(`
    INSERT INTO users (email, name) SELECT 'user' || n || '@example.com', 'User ' || n FROM generate_series(1, 40) n;
    INSERT INTO projects (user_id, name) SELECT n, 'p' || n FROM generate_series(1, 40) n;`);
  const at = new Date(Date.now() + 1000);
  const worker = () => runOnce({ config, databaseUrl: h.url, sender: newSender(h.double), env: FROM, at, batchSize: 5, maxWaitMs: 20_000 });
  const [a, b] = await Promise.all([worker(), worker()]);
  assert.equal(a.counts.sent + b.counts.sent, 40);
  const keys = h.double.delivered.map((d) => d.idempotencyKey);
  assert.equal(keys.length, 40);
  assert.equal(new Set(keys).size, 40);
  assert.ok((await ledger(h.client)).every((r) => r.state === 'sent'));
});

test('a crash between the ledger insert and its completion: the restart does not deliver twice', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(`INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'); INSERT INTO projects (user_id, name) VALUES (1, 'first');`);
  const at = new Date(Date.now() + 1000);
  // The worker that crashed: it recorded 'sending', Resend delivered under the email id, and the
  // worker died before it recorded the answer.
  const source = await openSource({ url: h.url });
  t.after(() => source.close());
  const email = (await runPlan({ config, source, at, env: FROM })).loops[0]!.steps[0]!.emails[0]!;
  await ensureState(h.client);
  await h.client.query(
    `INSERT INTO skene.sends (email_id, loop_id, step, "key", recipient, state, attempts) VALUES ($1, 'activated', 1, '1', $2, 'sending', 1)`,
    [email.id, email.to],
  );
  const sent = await h.sender.send({ from: email.from!, to: email.to, subject: email.subject!, html: email.html!, text: email.text! }, email.id);
  assert.equal(sent.kind, 'sent');
  assert.equal(h.double.delivered.length, 1);

  const restart = await h.run({ at });
  assert.equal(restart.counts.sent, 1, 'the send is completed (Resend replays its first answer)');
  assert.equal(h.double.delivered.length, 1, 'delivered once');
  assert.equal(h.double.requestCount('/emails'), 2);
  assert.deepEqual(
    (await ledger(h.client)).map((r) => [r.email_id, r.state, r.attempts]),
    [['activated/1/1', 'sent', 2]],
  );
});
