/**
 * The frequency cap (`limits.perUser`) in the runner, on the real PostgreSQL with the Resend
 * double: two loops that both want to mail a person at T send one email, the one the plan at T
 * lists (and the plan says which email took the capped one's slot); declared the other way round,
 * the other loop wins in both; a plan given the runner's state after the run still lists what was
 * sent; the window counted back from each send lets the next day's email go; workers racing
 * never exceed the cap.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../src/plan/engine.js';
import { FREQUENCY_CAP } from '../../src/plan/frequency-cap.js';
import { openSource } from '../../src/sources/index.js';
import { runOnce } from '../../src/run/index.js';
import { recipientStateOf } from '../../src/run/consent.js';
import { postgresStateStore } from '../../src/run/state-store-postgres.js';
import type { PlanReport } from '../../src/report/model.js';
import { makeConfig } from '../plan/helpers.js';
import { FROM, harness, newSender, TEMPLATES } from './runner-helpers.js';

const T = new Date('2026-03-02T09:00:00.000Z');
const DAY = 86_400_000;

const WELCOME = {
  id: 'welcome',
  type: 'activation',
  opinion: 'Welcome users who created a project',
  steps: [
    {
      trigger: { type: 'database', table: 'users', event: 'insert' },
      condition: { type: 'query', query: 'SELECT 1 FROM projects WHERE user_id = $1', timeout: '5m' },
      action: { type: 'email', provider: 'resend', template: 'welcome', subject: 'Welcome, {{user.name}}', personalization: { name: '{{user.name}}' } },
    },
  ],
};

/** Every day at 09:00 UTC, to every user: due at T, as the welcome emails are. */
const DIGEST = {
  id: 'digest',
  type: 'retention',
  opinion: 'A daily digest',
  steps: [
    {
      trigger: { type: 'schedule', cron: '0 9 * * *' },
      condition: { type: 'query', query: 'SELECT id, email, name FROM users' },
      action: { type: 'email', provider: 'resend', template: 'welcome', subject: 'Your digest, {{user.name}}', personalization: { name: '{{user.name}}' } },
    },
  ],
};

function capConfig(t: TestContext, loops: unknown[], emails = 1) {
  const c = makeConfig({ limits: { perUser: { emails, per: '1d' } }, loops }, TEMPLATES);
  t.after(() => c.cleanup());
  return c;
}

/** Ann and Bo have a project (welcome wants them), Cy has none; the digest wants all three. Ann's address in two spellings. */
const ROWS = `INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('cy@example.com', 'Cy');
  INSERT INTO projects (user_id, name) VALUES (1, 'first'), (2, 'second');`;

const planned = (report: PlanReport) => report.loops.flatMap((l) => l.steps.flatMap((s) => s.emails.map((e) => e.id))).sort();
/** Recipient and subject of each email, planned or delivered (a batch's members share its idempotency key, so ids are not compared). */
const letters = (emails: { to?: unknown; subject?: unknown }[]) => emails.map((e) => `${String(e.to)} ${String(e.subject)}`).sort();
const plannedLetters = (report: PlanReport) => letters(report.loops.flatMap((l) => l.steps.flatMap((s) => s.emails)));
const notSent = (report: PlanReport, loop: string) => report.loops.find((l) => l.id === loop)!.steps[0]!.notSent;

test('two loops due at one instant: the run sends the one email per person the plan lists, the loop declared first', async (t) => {
  const config = capConfig(t, [WELCOME, DIGEST]);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(ROWS);
  const source = await openSource({ url: h.url });
  t.after(() => source.close());

  const plan = await runPlan({ config, source, at: T, env: FROM });
  assert.deepEqual(planned(plan), ['digest/1/3@2026-03-02T09:00:00.000Z', 'welcome/1/1', 'welcome/1/2']);
  assert.deepEqual(notSent(plan, 'digest'), [
    { reason: FREQUENCY_CAP, count: 2, examples: ['1', '2'], notes: ['slot taken by welcome/1/1', 'slot taken by welcome/1/2'] },
  ]);
  assert.equal(plan.totals.emails, 3);
  assert.equal(plan.totals.skipped, 2);

  const run = await h.run({ at: T });
  assert.deepEqual(letters(h.double.delivered.map((d) => d.email)), plannedLetters(plan), 'the run sends what the plan lists');
  assert.equal(run.counts.sent, 3);
  const perPerson = new Map<string, number>();
  for (const d of h.double.delivered) perPerson.set(String(d.email.to), (perPerson.get(String(d.email.to)) ?? 0) + 1);
  assert.deepEqual([...perPerson.values()], [1, 1, 1], 'one email per person');
  const occurrence = await h.client.query(`SELECT reason FROM skene.progress WHERE loop_id = 'digest'`);
  assert.deepEqual(occurrence.rows, [{ reason: `3 recipient(s): 1 queued in 1 chunk(s), 0 failed, 2 ${FREQUENCY_CAP}` }]);

  // The plan with the runner's state after the run: the emails it sent are not their own competitors.
  const withState = await runPlan({ config, source, at: T, env: FROM, recipientState: recipientStateOf(postgresStateStore(h.client)) });
  assert.deepEqual(planned(withState), planned(plan));
  assert.deepEqual(notSent(withState, 'digest'), notSent(plan, 'digest'));

  // A new user whose welcome is due later that day: Cy's digest at 09:00 is in the day before it.
  await h.client.query(`INSERT INTO projects (user_id, name) VALUES (3, 'third')`);
  const noon = new Date(T.getTime() + 3 * 3_600_000);
  const planNoon = await runPlan({ config, source, at: noon, env: FROM, recipientState: recipientStateOf(postgresStateStore(h.client)), horizon: '1h' });
  const welcomeNoon = notSent(planNoon, 'welcome').find((n) => n.reason === FREQUENCY_CAP);
  assert.deepEqual(welcomeNoon?.examples, ['3']);
  assert.match(welcomeNoon!.notes![0]!, /^1 sent in the 1d before \(last at 2026-03-02T09:00:00\.000Z\)$/);
  await h.client.query(`DELETE FROM projects WHERE user_id = 3`); // Cy's welcome waits again

  // The next day's digest: the window counted back from 09:00 leaves out yesterday's 09:00 sends.
  const next = await h.run({ at: new Date(T.getTime() + DAY) });
  const nextPlan = await runPlan({ config, source, at: new Date(T.getTime() + DAY), env: FROM, horizon: '1s', only: [{ loop: 'digest', step: 1 }] });
  assert.equal(next.counts.sent, 3);
  assert.deepEqual(letters(h.double.delivered.slice(3).map((d) => d.email)), plannedLetters(nextPlan));
});

test('declared the other way round, the digest takes the slots, in the plan and in the run', async (t) => {
  const config = capConfig(t, [DIGEST, WELCOME]);
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(ROWS);
  const source = await openSource({ url: h.url });
  t.after(() => source.close());
  const plan = await runPlan({ config, source, at: T, env: FROM });
  assert.deepEqual(planned(plan), ['digest/1/1@2026-03-02T09:00:00.000Z', 'digest/1/2@2026-03-02T09:00:00.000Z', 'digest/1/3@2026-03-02T09:00:00.000Z']);
  assert.deepEqual(notSent(plan, 'welcome').find((n) => n.reason === FREQUENCY_CAP)?.notes, [
    'slot taken by digest/1/1@2026-03-02T09:00:00.000Z',
    'slot taken by digest/1/2@2026-03-02T09:00:00.000Z',
  ]);

  const run = await h.run({ at: T });
  assert.deepEqual(letters(h.double.delivered.map((d) => d.email)), plannedLetters(plan));
  assert.equal(run.counts.skipped, 2, "the welcome events are skipped: the digest's emails hold the slots");
  const progress = await h.client.query(`SELECT "key", state, reason FROM skene.progress WHERE loop_id = 'welcome' AND state = 'skipped' ORDER BY "key"`);
  assert.deepEqual(progress.rows, [
    { key: '1', state: 'skipped', reason: FREQUENCY_CAP },
    { key: '2', state: 'skipped', reason: FREQUENCY_CAP },
  ]);
});

test('two workers racing over both loops never exceed the cap', async (t) => {
  const config = capConfig(t, [WELCOME, DIGEST], 1);
  const h = await harness(t, config);
  if (!h) return;
  const USERS = 40;
  await h.client.query(`
    INSERT INTO users (email, name) SELECT 'user' || n || '@example.com', 'User ' || n FROM generate_series(1, ${USERS}) n;
    INSERT INTO projects (user_id, name) SELECT n, 'p' || n FROM generate_series(1, ${USERS}) n;`);
  // Small batches and slow sends, so both workers take part in both loops and record for the same
  // people at once: one evaluates the digest while the other still records welcome emails.
  h.double.setLatency(80);
  const worker = () => runOnce({ config, databaseUrl: h.url, sender: newSender(h.double), env: FROM, at: T, batchSize: 8, maxWaitMs: 20_000 });
  const [a, b] = await Promise.all([worker(), worker()]);
  const perPerson = new Map<string, number>();
  for (const d of h.double.delivered) perPerson.set(String(d.email.to), (perPerson.get(String(d.email.to)) ?? 0) + 1);
  assert.equal(perPerson.size, USERS, 'everyone gets an email');
  assert.deepEqual(new Set(perPerson.values()), new Set([1]), 'and no one more than one');
  assert.equal(a.counts.sent + b.counts.sent, USERS);
  const rows = await h.client.query(`SELECT address, count(*)::int AS n FROM skene.sends WHERE state <> 'failed' GROUP BY address HAVING count(*) > 1`);
  assert.deepEqual(rows.rows, [], 'the ledger holds one send per address');
});
