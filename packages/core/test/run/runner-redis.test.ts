/**
 * The runner with its state and jobs on Redis (backend-redis.ts: the ledger in Redis keys, the
 * jobs in BullMQ) and its data in a PostgreSQL source with seeded tables: each email goes out
 * once, a 429 is retried, a second run sends nothing, and the ledger in Redis says 'sent' with
 * Resend's ids. Events come from a capture over the seeded rows that keeps its position in the
 * Redis state, as a MySQL or Redis source's capture would.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { faults, startResendDouble, type ResendDouble } from '../../../../test/helpers/resend-double.js';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { openSource } from '../../src/sources/index.js';
import { openRedisState } from '../../src/run/backend-redis.js';
import type { RunBackend } from '../../src/run/backend.js';
import type { Capture } from '../../src/run/capture.js';
import { runOnce, type RunLogEntry, type RunOnceOptions } from '../../src/run/index.js';
import { tempPostgresDatabase } from '../plan/helpers.js';
import { activationConfig, digestConfig, FROM, newSender, TABLES } from './runner-helpers.js';

const ROWS = `INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('cy@example.com', 'Cy');
  INSERT INTO projects (user_id, name) VALUES (1, 'first'), (2, 'second'), (3, 'third');`;

/** Each user row after the position kept in the state is an insert event, read once. */
function usersCapture(url: string): Capture {
  return {
    label: 'seeded users',
    async drain(ctx) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const after = Number((await ctx.positions.get('users')) ?? 0);
        const { rows } = await client.query<{ id: number }>('SELECT id FROM users WHERE id > $1 ORDER BY id', [after]);
        const occurredAt = new Date(ctx.at.getTime() - 1000);
        await ctx.enqueue(rows.map((r) => ({ id: `users:${r.id}`, table: 'users', op: 'insert' as const, key: r.id, occurredAt })));
        if (rows.length) await ctx.positions.set('users', String(rows.at(-1)!.id));
        return rows.length;
      } finally {
        await client.end();
      }
    },
    waitForChange: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {},
  };
}

interface RedisHarness {
  double: ResendDouble;
  /** Another worker's backend on the same state, jobs and source. */
  worker(): Promise<RunBackend>;
  logs: RunLogEntry[];
  run(options?: Partial<RunOnceOptions>): ReturnType<typeof runOnce>;
  /** The ledger rows in Redis, by email id. */
  ledger(): Promise<Record<string, Record<string, string>>>;
}

async function redisHarness(t: TestContext, config: RunOnceOptions['config'], options: { capture: boolean; rows?: string }): Promise<RedisHarness | undefined> {
  const [server, redisUrl] = [await serviceOrSkip(t, 'postgres'), await serviceOrSkip(t, 'redis')];
  if (!server || !redisUrl) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_redis_state');
  const seed = new pg.Client({ connectionString: url });
  await seed.connect();
  await seed.query(`${TABLES}\n${options.rows ?? ROWS}`);
  await seed.end();
  const keyPrefix = `skene-test-run-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  const worker = async (): Promise<RunBackend> => {
    const state = await openRedisState({ url: redisUrl, keyPrefix });
    assert.deepEqual(state.warnings, [], 'the test server keeps every key (noeviction)');
    const source = await openSource({ url });
    const opened: RunBackend = {
      label: `${source.label} (state: ${state.label})`,
      store: state.store,
      source,
      capture: options.capture ? usersCapture(url) : undefined,
      startJobs: state.startJobs,
      secrets: state.secrets,
      close: async () => {
        await source.close();
        await state.close();
      },
    };
    t.after(() => opened.close());
    return opened;
  };
  const backend = await worker();
  const double = await startResendDouble();
  t.after(() => double.close());
  const logs: RunLogEntry[] = [];
  return {
    double,
    worker,
    logs,
    run: (options = {}) => runOnce({ config, backend, sender: newSender(double), env: FROM, log: (e) => logs.push(e), maxWaitMs: 20_000, ...options }),
    async ledger() {
      const keys = await redis.keys(`${keyPrefix}:{state}:send:*`);
      const rows = await Promise.all(keys.map(async (k) => [k.slice(k.indexOf(':send:') + 6), await redis.hgetall(k)] as const));
      return Object.fromEntries(rows);
    },
  };
}

test('Redis state: each new user is emailed once, a 429 is retried, a second run sends nothing', async (t) => {
  const config = activationConfig(t, { recovery: { retries: 2, backoff: 'fixed' } });
  const h = await redisHarness(t, config, { capture: true });
  if (!h) return;
  h.double.script('/emails', faults.rateLimit(1));
  const at = new Date();
  const first = await h.run({ at });
  assert.equal(first.counts.sent, 3);
  assert.equal(first.counts.retry, 1);
  assert.equal(h.double.delivered.length, 3);
  assert.equal(h.double.requestCount('/emails'), 4, 'three emails and the one answered 429');

  const second = await h.run({ at: new Date(at.getTime() + 1000) });
  assert.equal(second.counts.sent, 0);
  assert.equal(h.double.delivered.length, 3);

  const ledger = await h.ledger();
  const delivered = Object.fromEntries(h.double.delivered.map((d) => [d.idempotencyKey!, d.id]));
  assert.deepEqual(Object.keys(ledger).sort(), Object.keys(delivered).sort());
  for (const [id, row] of Object.entries(ledger)) {
    assert.equal(row.state, 'sent', id);
    assert.ok(row.provider_id, `${id}: a provider id`);
    assert.equal(row.provider_id, delivered[id], `${id}: Resend's id`);
  }
  assert.deepEqual(
    Object.values(ledger)
      .map((r) => Number(r.attempts))
      .sort(),
    [1, 1, 2],
    'the email answered 429 was tried twice',
  );
});

test('Redis state: a schedule occurrence goes out in one batch request, retried after a 429, once', async (t) => {
  const config = digestConfig(t, { recovery: { retries: 2, backoff: 'fixed' } });
  const h = await redisHarness(t, config, { capture: false });
  if (!h) return;
  h.double.script('/emails/batch', faults.rateLimit(1));
  const at = new Date('2026-03-02T09:00:30Z');
  const first = await h.run({ at });
  assert.equal(first.counts.sent, 3);
  assert.equal(h.double.requestCount('/emails/batch'), 2, 'the batch answered 429, then the same batch again');
  assert.equal(h.double.delivered.length, 3);

  const again = await h.run({ at });
  assert.equal(again.counts.sent, 0, 'the occurrence fired once');
  const later = await h.run({ at: new Date('2026-03-02T09:30:00Z') });
  assert.equal(later.counts.sent, 0);
  assert.equal(h.double.delivered.length, 3);

  const ledger = await h.ledger();
  const delivered = Object.fromEntries(h.double.delivered.map((d) => [`${d.email.to}`, d.id]));
  assert.equal(Object.keys(ledger).length, 3);
  for (const [id, row] of Object.entries(ledger)) {
    assert.match(id, /^digest\/1\/\d@2026-03-02T09:00:00\.000Z$/);
    assert.equal(row.state, 'sent');
    assert.equal(row.attempts, '2');
    assert.ok(row.provider_id, `${id}: a provider id`);
    assert.equal(row.provider_id, delivered[row.recipient!], `${id}: Resend's id`);
  }
});

test('Redis state: two workers at once on the same state send every email once', async (t) => {
  const config = activationConfig(t);
  const users = Array.from({ length: 40 }, (_, i) => `('u${i}@example.com', 'User ${i}')`).join(', ');
  const rows = `INSERT INTO users (email, name) VALUES ${users}; INSERT INTO projects (user_id, name) SELECT id, 'p' FROM users;`;
  const h = await redisHarness(t, config, { capture: true, rows });
  if (!h) return;
  const other = await h.worker();
  const at = new Date();
  const [a, b] = await Promise.all([h.run({ at, batchSize: 5 }), h.run({ at, batchSize: 5, backend: other })]);
  assert.equal(a.counts.sent + b.counts.sent, 40);
  assert.equal(h.double.delivered.length, 40);
  assert.equal(new Set(h.double.delivered.map((d) => d.idempotencyKey)).size, 40);
  const ledger = await h.ledger();
  assert.equal(Object.keys(ledger).length, 40);
  assert.ok(Object.values(ledger).every((r) => r.state === 'sent' && r.provider_id));
});
