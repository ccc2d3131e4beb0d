/**
 * Opening the Redis state (backend-redis.ts): its warnings — an eviction policy that may drop
 * ledger keys, a server that refuses CONFIG, Upstash's per-command billing — and a connection
 * failure told in one line without the password.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { isUpstashHost, openRedisState, redisStateWarnings } from '../../src/run/backend-redis.js';

const answering = (policy: string) => ({ config: async () => ['maxmemory-policy', policy] });
const refusing = { config: async () => Promise.reject(new Error("ERR unknown command 'CONFIG'")) };

test('warnings: eviction other than noeviction, CONFIG refused, Upstash billing', async () => {
  assert.deepEqual(await redisStateWarnings({ url: 'redis://127.0.0.1:6379', redis: answering('noeviction') }), []);
  const lru = await redisStateWarnings({ url: 'redis://127.0.0.1:6379', redis: answering('allkeys-lru') });
  assert.equal(lru.length, 1);
  assert.match(lru[0]!, /maxmemory-policy is allkeys-lru, not noeviction/);
  const refused = await redisStateWarnings({ url: 'rediss://default:tok@eu1-able-cat-123.upstash.io:6379', redis: refusing });
  assert.equal(refused.length, 2);
  assert.match(refused[0]!, /could not check Redis's maxmemory-policy/);
  assert.match(refused[1]!, /Upstash bills per command/);
  assert.ok(!refused.join('\n').includes('tok'), 'no password in a warning');
});

test('Upstash hosts are told apart by name', () => {
  assert.equal(isUpstashHost('rediss://default:x@eu1-able-cat-123.upstash.io:6379'), true);
  assert.equal(isUpstashHost('redis://upstash.io.example.com:6379'), false);
  assert.equal(isUpstashHost('redis://127.0.0.1:6379'), false);
  assert.equal(isUpstashHost('not a url'), false);
});

test('openRedisState on the real Redis: no warning with noeviction, the store and jobs work, keys under the prefix', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const keyPrefix = `skene-test-backend-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const redis = new Redis(url);
  t.after(async () => {
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  const state = await openRedisState({ url, keyPrefix });
  t.after(() => state.close());
  assert.deepEqual(state.warnings, []);
  assert.match(state.label, /^redis:\/\/127\.0\.0\.1:6379/);
  await state.store.ensure();
  await state.store.pauseLoop('welcome', 'quota');
  assert.equal((await state.store.pausedLoops()).get('welcome')?.reason, 'quota');
  const jobs = await state.startJobs();
  await jobs.ensureQueues(['skene.loop.welcome']);
  await jobs.stop();
  const keys = await redis.keys(`${keyPrefix}:*`);
  assert.ok(keys.includes(`${keyPrefix}:{state}:paused`), 'the state under <prefix>:{state}:');
  assert.ok(
    keys.some((k) => k.startsWith(`${keyPrefix}:skene.loop.welcome:`)),
    "BullMQ's queue under <prefix>",
  );
});

test('a Redis that cannot be reached: one line, no password', async () => {
  await assert.rejects(openRedisState({ url: 'redis://default:s3cret-pw@127.0.0.1:1' }), (error: Error) => {
    assert.match(error.message, /^could not connect to redis:\/\/default:\*+@127\.0\.0\.1:1/);
    assert.ok(!error.message.includes('s3cret-pw'));
    assert.ok(!error.message.includes('\n'));
    return true;
  });
});
