/**
 * The frequency cap with the runner's state on Redis (the ledger in Redis keys, the jobs in
 * BullMQ), the data in PostgreSQL and the Resend double: two daily schedules due at one instant
 * send one email per person, the loop declared first (as the plan lists it), and two workers
 * racing over them never exceed the cap: the count and the record are one Lua script.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startResendDouble, type ResendDouble } from '../../../../test/helpers/resend-double.js';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { runPlan } from '../../src/plan/engine.js';
import { FREQUENCY_CAP } from '../../src/plan/frequency-cap.js';
import { openSource } from '../../src/sources/index.js';
import { openRedisState } from '../../src/run/backend-redis.js';
import type { RunBackend } from '../../src/run/backend.js';
import { recipientStateOf } from '../../src/run/consent.js';
import { runOnce } from '../../src/run/index.js';
import { makeConfig, tempPostgresDatabase } from '../plan/helpers.js';
import { FROM, newSender, TEMPLATES } from './runner-helpers.js';

const T = new Date('2026-03-02T09:00:00.000Z');
const USERS = 30;

/**
 * A daily email at 09:00 UTC to every user. The condition takes a moment (a count over a
 * generated series), so two workers evaluating the two loops at once overlap.
 */
const daily = (id: string, subject: string) => ({
  id,
  type: 'retention',
  opinion: `A daily ${id}`,
  steps: [
    {
      trigger: { type: 'schedule', cron: '0 9 * * *' },
      condition: { type: 'query', query: 'SELECT id, email, name FROM users WHERE (SELECT count(*) FROM generate_series(1, 3000000)) > 0' },
      action: { type: 'email', provider: 'resend', template: 'welcome', subject, personalization: { name: '{{user.name}}' } },
    },
  ],
});

interface Setup {
  url: string;
  double: ResendDouble;
  /** One worker's backend (Redis state, BullMQ jobs, the PostgreSQL source); each call another. */
  worker(): Promise<RunBackend>;
}

async function setup(t: TestContext): Promise<Setup | undefined> {
  const [server, redisUrl] = [await serviceOrSkip(t, 'postgres'), await serviceOrSkip(t, 'redis')];
  if (!server || !redisUrl) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_cap_redis');
  const seed = new pg.Client({ connectionString: url });
  await seed.connect();
  await seed.query(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    INSERT INTO users (email, name) SELECT 'user' || n || '@example.com', 'User ' || n FROM generate_series(1, ${USERS}) n;`);
  await seed.end();
  const keyPrefix = `skene-test-cap-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  const double = await startResendDouble();
  t.after(() => double.close());
  const worker = async (): Promise<RunBackend> => {
    const state = await openRedisState({ url: redisUrl, keyPrefix });
    const source = await openSource({ url });
    const backend: RunBackend = {
      label: 'redis state',
      store: state.store,
      source,
      startJobs: state.startJobs,
      secrets: state.secrets,
      close: async () => {
        await source.close();
        await state.close();
      },
    };
    t.after(() => backend.close());
    return backend;
  };
  return { url, double, worker };
}

function config(t: TestContext) {
  const c = makeConfig(
    { limits: { perUser: { emails: 1, per: '1d' } }, loops: [daily('news', 'News for {{user.name}}'), daily('digest', 'Digest for {{user.name}}')] },
    TEMPLATES,
  );
  t.after(() => c.cleanup());
  return c;
}

const subjects = (double: ResendDouble) => double.delivered.map((d) => String(d.email.subject));

test('Redis state: two schedules at one instant send one email per person, the loop declared first', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const cfg = config(t);
  const backend = await s.worker();
  const plan = await runPlan({ config: cfg, source: backend.source, at: T, env: FROM });
  assert.equal(plan.loops[0]!.steps[0]!.emails.length, USERS);
  assert.equal(plan.loops[1]!.steps[0]!.emails.length, 0);
  assert.equal(plan.loops[1]!.steps[0]!.notSent[0]?.reason, FREQUENCY_CAP);

  const run = await runOnce({ config: cfg, backend, sender: newSender(s.double), env: FROM, at: T, maxWaitMs: 20_000 });
  assert.equal(run.counts.sent, USERS);
  assert.ok(
    subjects(s.double).every((subject) => subject.startsWith('News for')),
    'news, declared first, took every slot',
  );
  assert.equal(new Set(s.double.delivered.map((d) => String(d.email.to))).size, USERS);

  // The plan given the Redis state after the run lists what was sent.
  const withState = await runPlan({ config: cfg, source: backend.source, at: T, env: FROM, recipientState: recipientStateOf(backend.store) });
  assert.deepEqual(
    withState.loops.flatMap((l) => l.steps.flatMap((st) => st.emails.map((e) => e.id))).sort(),
    plan.loops.flatMap((l) => l.steps.flatMap((st) => st.emails.map((e) => e.id))).sort(),
  );
});

test('Redis state: two workers evaluating the two schedules at once never exceed the cap', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const cfg = config(t);
  s.double.setLatency(40);
  const [a, b] = [await s.worker(), await s.worker()];
  const work = (backend: RunBackend) => runOnce({ config: cfg, backend, sender: newSender(s.double), env: FROM, at: T, maxWaitMs: 20_000 });
  const [ra, rb] = await Promise.all([work(a), work(b)]);
  const perPerson = new Map<string, number>();
  for (const d of s.double.delivered) perPerson.set(String(d.email.to), (perPerson.get(String(d.email.to)) ?? 0) + 1);
  assert.equal(perPerson.size, USERS, 'everyone gets an email');
  assert.deepEqual(new Set(perPerson.values()), new Set([1]), 'and no one more than one');
  assert.equal(ra.counts.sent + rb.counts.sent, USERS);
});
