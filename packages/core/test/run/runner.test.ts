/**
 * The runner against the real PostgreSQL on loopback and a Resend double: what `runOnce` at a
 * clock T delivers is exactly what the plan at T lists (same ids, recipients, senders, subjects,
 * HTML and text); a second run at T sends nothing; a new qualifying row yields one email; a row
 * whose condition never holds expires after its window; `skene status` counts all of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../src/plan/engine.js';
import { openSource } from '../../src/sources/index.js';
import { runStatus } from '../../src/run/index.js';
import { activationConfig, deliveredById, FROM, harness } from './runner-helpers.js';

test('fidelity: runOnce at T delivers exactly what the plan at T lists, once; waiting rows expire', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(`
    INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('cy@example.com', 'Cy <3');
    INSERT INTO projects (user_id, name) VALUES (1, 'first'), (3, 'third');`);
  const T = new Date(Date.now() + 1000);

  const source = await openSource({ url: h.url });
  t.after(() => source.close());
  const plan = await runPlan({ config, source, at: T, env: FROM });
  const planned = Object.fromEntries(
    plan.loops[0]!.steps[0]!.emails.map((e) => [e.id, { to: e.to, from: e.from, subject: e.subject, html: e.html, text: e.text }]),
  );
  assert.deepEqual(Object.keys(planned).sort(), ['activated/1/1', 'activated/1/3']);

  const first = await h.run({ at: T });
  assert.deepEqual(deliveredById(h.double), planned);
  assert.equal(first.counts.sent, 2);
  assert.equal(first.counts.waiting, 1);
  assert.deepEqual(
    h.logs.filter((l) => l.decision === 'waiting').map((l) => l.key),
    ['2'],
  );

  const again = await h.run({ at: T });
  assert.equal(again.counts.sent, 0);
  assert.equal(h.double.delivered.length, 2, 'a second run at the same clock sends nothing');

  await h.client.query(`INSERT INTO users (email, name) VALUES ('di@example.com', 'Di'); INSERT INTO projects (user_id, name) VALUES (4, 'fourth');`);
  const T2 = new Date(T.getTime() + 10_000);
  const third = await h.run({ at: T2 });
  assert.equal(third.counts.sent, 1);
  assert.equal(h.double.delivered.length, 3);
  assert.equal(h.double.delivered[2]!.idempotencyKey, 'activated/1/4');
  assert.equal(third.counts.waiting, 1, 'Bo is re-checked (due at T + 5 s) and still waits');

  // Past Bo's window (insert + 5 minutes): expired, with the reason.
  const late = await h.run({ at: new Date(T.getTime() + 6 * 60_000) });
  assert.equal(late.counts.expired, 1);
  assert.equal(late.counts.sent, 0);
  const bo = await h.client.query(`SELECT state, reason FROM skene.progress WHERE "key" = '2'`);
  assert.equal(bo.rows[0].state, 'expired');
  assert.match(bo.rows[0].reason, /^condition not met within 5m/);
  assert.equal(h.double.delivered.length, 3);

  const status = await runStatus({ databaseUrl: h.url, config });
  assert.deepEqual(
    status.loops.map((l) => ({ id: l.id, steps: l.steps.map(({ step, sent, waiting, expired, failed }) => ({ step, sent, waiting, expired, failed })) })),
    [{ id: 'activated', steps: [{ step: 1, sent: 3, waiting: 0, expired: 1, failed: 0 }] }],
  );
});

test('an unqualified table is the one the search_path finds, as skene migrate resolved it: its events are the step’s', async (t) => {
  const config = activationConfig(t);
  const h = await harness(
    t,
    config,
    `CREATE SCHEMA app;
     CREATE TABLE app.users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
     CREATE TABLE app.projects (id serial PRIMARY KEY, user_id integer NOT NULL, name text NOT NULL);
     DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = app, public', current_database()); END $$;`,
  );
  if (!h) return;
  // The harness's own connection predates the setting: name the schema here.
  await h.client.query(`INSERT INTO app.users (email, name) VALUES ('ann@example.com', 'Ann'); INSERT INTO app.projects (user_id, name) VALUES (1, 'first');`);
  const events = await h.client.query(`SELECT table_schema, table_name FROM skene.events`);
  assert.deepEqual(events.rows, [{ table_schema: 'app', table_name: 'users' }]);

  const summary = await h.run({ at: new Date(Date.now() + 1000) });
  assert.equal(summary.counts.sent, 1);
  assert.deepEqual(
    h.double.delivered.map((d) => [d.idempotencyKey, d.email.to]),
    [['activated/1/1', 'ann@example.com']],
  );
});
