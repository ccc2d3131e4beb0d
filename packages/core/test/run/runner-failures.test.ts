/**
 * What the runner does with Resend's answers: a 429 (then success) is retried by pg-boss per the
 * loop's recovery and sent once; a 422 fails that email once, recorded, never retried; a quota
 * error pauses the loop (and `skene status` says so); a refused key stops the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faults } from '../../../../test/helpers/resend-double.js';
import { createSender, RunHalted, runStatus } from '../../src/run/index.js';
import { activationConfig, harness, ledger } from './runner-helpers.js';

const ROWS = `INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'); INSERT INTO projects (user_id, name) VALUES (1, 'first');`;

test('429 then success: retried with backoff, delivered once', async (t) => {
  const config = activationConfig(t, { recovery: { retries: 2, backoff: 'fixed' } });
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(ROWS);
  h.double.script('/emails', faults.rateLimit(1));
  const summary = await h.run({ at: new Date(Date.now() + 1000) });
  assert.equal(summary.counts.retry, 1);
  assert.equal(summary.counts.sent, 1);
  assert.equal(h.double.requestCount('/emails'), 2);
  assert.equal(h.double.delivered.length, 1);
  assert.deepEqual(
    (await ledger(h.client)).map((r) => [r.state, r.attempts]),
    [['sent', 2]],
  );
});

test('422: failed once, recorded, never retried; status shows the error', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(ROWS);
  h.double.script('/emails', faults.validation('Invalid `to` field.'));
  const at = new Date(Date.now() + 1000);
  const first = await h.run({ at });
  assert.equal(first.counts.failed, 1);
  await h.run({ at: new Date(at.getTime() + 60_000) });
  assert.equal(h.double.requestCount('/emails'), 1, 'not retried');
  assert.equal(h.double.delivered.length, 0);
  const [row] = await ledger(h.client);
  assert.equal(row!.state, 'failed');
  assert.match(row!.last_error!, /validation_error \(422\)/);
  const status = await runStatus({ databaseUrl: h.url, config });
  const step = status.loops[0]!.steps[0]!;
  assert.equal(step.failed, 1);
  assert.match(step.lastError!, /Invalid `to` field/);
});

test('a daily quota pauses the loop; a refused key halts the run', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(ROWS);
  h.double.script('/emails', faults.dailyQuota());
  const at = new Date(Date.now() + 1000);
  const paused = await h.run({ at });
  assert.equal(paused.counts.paused, 1);
  assert.deepEqual(
    paused.paused.map((p) => p.loop),
    ['activated'],
  );
  const status = await runStatus({ databaseUrl: h.url, config });
  assert.match(status.loops[0]!.paused!.reason, /daily_quota_exceeded/);
  // Paused: a later run sends nothing for the loop.
  await h.run({ at: new Date(at.getTime() + 1000) });
  assert.equal(h.double.delivered.length, 0);

  // Resumed (what `skene resume` will do), with a key Resend refuses: the run stops and says why.
  await h.client.query(`DELETE FROM skene.loop_state`);
  const badKey = createSender({ apiKey: 're_wrong', baseUrl: h.double.url, rateLimitPerSecond: 1000 });
  await assert.rejects(h.run({ at: new Date(at.getTime() + 2000), sender: badKey }), (e: Error) => {
    assert.ok(e instanceof RunHalted);
    assert.match(e.message, /invalid_api_key/);
    assert.doesNotMatch(e.message, /re_wrong/);
    return true;
  });
  // And with the right key again, the deferred email goes out once.
  const resumed = await h.run({ at: new Date(at.getTime() + 3000) });
  assert.equal(resumed.counts.sent, 1);
  assert.equal(h.double.delivered.length, 1);
});
