/**
 * The runner's operator controls: `--backfill-since` (rows from before `skene migrate` become
 * insert events, each sent once however often it is run), `maxEmailsPerHour` (the send beyond
 * the cap pauses the loop, the rest waits) and `skene resume <loop>` (the paused work goes out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeConfig } from '@skene/sdk';
import { resumeLoop, UnknownLoopError } from '../../src/run/index.js';
import { makeConfig } from '../plan/helpers.js';
import { activationConfig, harness, ledger, TEMPLATES } from './runner-helpers.js';

/** Users with a creation time; three of them exist before capture is installed. */
const TABLES_WITH_ROWS = `
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL, name text NOT NULL);
  INSERT INTO users (email, name, created_at) VALUES ('old@example.com', 'Old', '2020-01-01T00:00:00Z');
  INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bob@example.com', 'Bob');
  INSERT INTO projects (user_id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');`;

function cappedConfig(t: Parameters<typeof activationConfig>[0], cap: number) {
  const base = activationConfig(t);
  const c = makeConfig({ loops: [{ ...base.loops[0], maxEmailsPerHour: cap }] }, TEMPLATES);
  t.after(() => c.cleanup());
  return c;
}

test('--backfill-since: rows from before migrate created since then are sent once, however often it runs', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config, TABLES_WITH_ROWS);
  if (!h) return;
  const at = new Date(Date.now() + 1000);
  // Capture never saw these rows: a plain run sends nothing.
  assert.equal((await h.run({ at })).counts.sent, 0);
  const backfillSince = new Date(Date.now() - 3_600_000);
  const first = await h.run({ at, backfillSince });
  assert.equal(first.counts.sent, 2, 'Ann and Bob; not the user created before --backfill-since');
  assert.deepEqual(h.double.delivered.map((d) => String(d.email.to)).sort(), ['ann@example.com', 'bob@example.com']);
  const subjects = (await h.client.query(`SELECT subject FROM skene.progress ORDER BY subject`)).rows.map((r) => r.subject);
  assert.deepEqual(subjects, ['event:backfill:public.users:2', 'event:backfill:public.users:3']);

  // Again, and with a captured insert of a new user: only the new one is sent.
  await h.client.query(`INSERT INTO users (email, name) VALUES ('cy@example.com', 'Cy'); INSERT INTO projects (user_id, name) VALUES (4, 'd');`);
  const second = await h.run({ at: new Date(Date.now() + 1000), backfillSince });
  assert.equal(second.counts.sent, 1);
  assert.equal(h.double.delivered.length, 3);
  assert.deepEqual(
    (await ledger(h.client)).map((r) => [r.email_id, r.state]),
    [
      ['activated/1/2', 'sent'],
      ['activated/1/3', 'sent'],
      ['activated/1/4', 'sent'],
    ],
  );
});

test('--backfill-since on a table without a creation column: an error naming the table', async (t) => {
  const config = activationConfig(t);
  const h = await harness(t, config);
  if (!h) return;
  await assert.rejects(h.run({ backfillSince: new Date(0) }), /creation time on public\.users: it has none of created_at, inserted_at, createdAt, created/);
});

test('maxEmailsPerHour: the send beyond the cap pauses the loop; skene resume lets the rest go once', async (t) => {
  const config = cappedConfig(t, 2);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(`INSERT INTO users (email, name) VALUES ('a@example.com', 'A'), ('b@example.com', 'B'), ('c@example.com', 'C');
    INSERT INTO projects (user_id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');`);
  const at = Date.now() + 1000;
  const first = await h.run({ at: new Date(at) });
  assert.equal(first.counts.sent, 2);
  assert.equal(first.counts.paused, 1);
  assert.deepEqual(first.paused, [{ loop: 'activated', reason: 'max-emails-per-hour 2 reached (2 sent in the last hour)' }]);
  assert.ok(h.logs.some((e) => e.decision === 'paused' && /max-emails-per-hour 2/.test(e.reason ?? '')));
  assert.equal(h.double.delivered.length, 2);

  // Still paused: nothing more goes out.
  await h.run({ at: new Date(at + 1000) });
  assert.equal(h.double.delivered.length, 2);

  const resumed = await resumeLoop({ databaseUrl: h.url, config, loop: 'activated' });
  assert.match(resumed.was!.reason, /max-emails-per-hour 2 reached/);
  const again = await resumeLoop({ databaseUrl: h.url, config, loop: 'activated' });
  assert.equal(again.was, undefined, 'not paused any more');

  // The hour counts from the resume: the deferred email goes out, once.
  const after = await h.run({ at: new Date(at + 2000) });
  assert.equal(after.counts.sent, 1);
  assert.deepEqual(after.paused, []);
  assert.equal(h.double.delivered.length, 3);
  assert.equal(new Set(h.double.delivered.map((d) => d.idempotencyKey)).size, 3);
});

test('skene resume: an unknown loop is an error listing the loops', async (t) => {
  const config = activationConfig(t);
  await assert.rejects(resumeLoop({ databaseUrl: 'postgres://127.0.0.1:1/none', config, loop: 'nope' }), (e: Error) => {
    assert.ok(e instanceof UnknownLoopError);
    assert.match(e.message, /no loop 'nope' in the config: its loops are activated/);
    return true;
  });
});

test('maxEmailsPerHour is a positive integer', () => {
  const step = { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } };
  const loop = { id: 'l', type: 'activation', opinion: 'o', steps: [step] };
  assert.equal(normalizeConfig({ loops: [{ ...loop, maxEmailsPerHour: 3 }] }).loops[0]!.maxEmailsPerHour, 3);
  for (const bad of [0, -1, 'x', 1.5]) assert.throws(() => normalizeConfig({ loops: [{ ...loop, maxEmailsPerHour: bad }] }), /maxEmailsPerHour/);
});
