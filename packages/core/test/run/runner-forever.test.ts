/**
 * The long-running mode: a change wakes the runner through LISTEN/NOTIFY well before its poll,
 * and stopping it (SIGTERM's abort) ends it after the pass in flight, with nothing lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runForever, type RunSummary } from '../../src/run/index.js';
import { activationConfig, FROM, harness } from './runner-helpers.js';

test('runForever: a NOTIFY wakes a pass (the poll is a minute away); abort stops it cleanly', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  const controller = new AbortController();
  const passes: RunSummary[] = [];
  const running = runForever({
    config,
    databaseUrl: h.url,
    sender: h.sender,
    env: FROM,
    signal: controller.signal,
    intervalMs: 60_000,
    onPass: (s) => passes.push(s),
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 150 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(done());
  };
  await until(() => passes.length >= 1); // the first pass: nothing to do
  const started = Date.now();
  await h.client.query(`INSERT INTO projects (user_id, name) VALUES (1, 'first'); INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann');`);
  await until(() => h.double.delivered.length === 1);
  assert.ok(Date.now() - started < 15_000, 'woken by the notification, not the 60 s poll');
  controller.abort();
  await running;
  assert.equal(h.double.delivered.length, 1);
  assert.equal(h.double.delivered[0]!.idempotencyKey, 'activated/1/1');
});
