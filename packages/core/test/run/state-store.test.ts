/**
 * The state store contract (state-store-contract.ts) for PostgreSQL (a throwaway database per
 * test) and Redis (a key prefix per test, deleted when it ends), and the two stores' status
 * counts compared on one sequence of operations. The frequency cap's contract
 * (state-store-cap-contract.ts) runs on both and on the embedded PGlite.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import type { RunStateStore } from '../../src/run/state-store.js';
import { postgresStateStore } from '../../src/run/state-store-postgres.js';
import { redisStateStore } from '../../src/run/state-store-redis.js';
import { tempPostgresDatabase } from '../plan/helpers.js';
import { goalStoreContract } from './goal-store-contract.js';
import { consentContract } from './state-store-consent-contract.js';
import { capContract } from './state-store-cap-contract.js';
import { sortedCounts, stateStoreContract, statusScenario } from './state-store-contract.js';
import { importPglite } from '../../src/sources/pglite-module.js';

async function openPostgres(t: TestContext): Promise<(() => Promise<RunStateStore>) | undefined> {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_state');
  const clients: pg.Client[] = [];
  // Registered after the database's drop, so it runs first: connections end before the drop.
  t.after(() => Promise.all(clients.map((c) => c.end().catch(() => {}))));
  return async () => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    await client.connect();
    clients.push(client);
    return postgresStateStore(client);
  };
}

async function openRedis(t: TestContext): Promise<(() => Promise<RunStateStore>) | undefined> {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return undefined;
  const prefix = `skene-test-state-${process.pid}-${Math.floor(Math.random() * 1e9)}:{state}:`;
  const clients: Redis[] = [];
  t.after(async () => {
    const redis = new Redis(url);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await Promise.all(clients.map((c) => c.quit().catch(() => {})));
  });
  return async () => {
    const redis = new Redis(url);
    clients.push(redis);
    return redisStateStore(redis, prefix);
  };
}

/** The embedded PostgreSQL's state, in memory: one PGlite, every handle on it, queries one at a time as embedded.ts runs them. */
async function openPglite(t: TestContext): Promise<() => Promise<RunStateStore>> {
  const { PGlite } = await importPglite();
  const pglite = await PGlite.create();
  t.after(() => pglite.close());
  let tail: Promise<unknown> = Promise.resolve();
  const db = {
    query: <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => {
      const run = async () => {
        if (!params?.length && sql.includes(';')) return { rows: (await pglite.exec(sql)).flatMap((r) => r.rows) as R[], rowCount: null };
        const r = await pglite.query<R>(sql, params);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
      };
      const result = tail.then(run, run);
      tail = result.catch(() => {});
      return result;
    },
  };
  return async () => postgresStateStore(db);
}

stateStoreContract('PostgreSQL', openPostgres);
stateStoreContract('Redis', openRedis);
goalStoreContract('PostgreSQL', openPostgres);
goalStoreContract('Redis', openRedis);
consentContract('PostgreSQL', openPostgres);
consentContract('Redis', openRedis);
capContract('PostgreSQL', openPostgres);
capContract('Redis', openRedis);
capContract('PGlite', openPglite);

test('PostgreSQL and Redis count the same status after the same operations', async (t) => {
  const [openPg, openRd] = [await openPostgres(t), await openRedis(t)];
  if (!openPg || !openRd) return;
  const stores = [await openPg(), await openRd()];
  const counts = [];
  for (const store of stores) {
    await store.ensure();
    await statusScenario(store);
    counts.push(sortedCounts(await store.statusCounts()));
  }
  assert.deepEqual(counts[1], counts[0]);
  assert.ok(counts[0]!.sends.length > 0);
});

test('Redis: a send in the very millisecond of a resume counts toward the hour after it', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const prefix = `skene-test-state-${process.pid}-${Math.floor(Math.random() * 1e9)}:{state}:`;
  const redis = new Redis(url);
  t.after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  const store = redisStateStore(redis, prefix);
  await store.ensure();
  await store.pauseLoop('welcome', 'max-emails-per-hour 1 reached');
  await store.resumeLoop('welcome');
  // Times are Redis's milliseconds: on a fast machine the next send is often settled in the same one.
  const resumedAt = await redis.hget(`${prefix}cursors`, 'resume:welcome');
  assert.ok(resumedAt, 'the resume time is noted');
  await redis.zadd(`${prefix}spent:welcome`, resumedAt, 'sent-at-the-resume');
  await redis.zadd(`${prefix}spent:welcome`, Number(resumedAt) - 1, 'sent-before-it');
  assert.equal(await store.sendsInHour('welcome'), 1);
});
