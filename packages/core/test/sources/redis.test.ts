/** Redis over TCP and Upstash's REST API (a local double forwarding to the real Redis): reads only. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { startUpstashDouble } from '../../../../test/plan/upstash-double.js';
import { openSource, parseCommandFile, type RedisSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/index.js';
import { FROM, makeConfig } from '../plan/helpers.js';

const SEED = `# users and what they did
HSET users:10 email ten@example.com name "Ten \\"10\\" Tenner"
HSET users:2 email two@example.com name 'Two Twosome'
HSET users:1 email one@example.com name One
SADD user_actions:1 first_project_created
SADD user_actions:10 signed_in
SET users:count 3
`;

test('command files: redis-cli quoting, comments, and only seed commands', () => {
  assert.deepEqual(parseCommandFile('HSET users:1 name "Zoë \\"Z\\" O\'Brien" note \'a "b"\'\n  # comment\n\nSADD s a b'), [
    ['HSET', 'users:1', 'name', 'Zoë "Z" O\'Brien', 'note', 'a "b"'],
    ['SADD', 's', 'a', 'b'],
  ]);
  assert.throws(() => parseCommandFile('FLUSHALL', 'seed.redis'), /seed\.redis:1: FLUSHALL is not a command a seed file may use/);
  assert.throws(() => parseCommandFile('SET a "b', 'seed.redis'), /seed\.redis:1: unclosed " quote/);
});

async function behaves(t: TestContext, source: RedisSource, redisUrl: string, prefix: string) {
  const raw = new Redis(redisUrl);
  t.after(() => raw.disconnect());
  await source.seed([{ path: 'seed.redis', text: SEED }]);

  await t.test(`${source.kind}: hashes under a prefix, in id order, with the key prefix applied`, async () => {
    const hashes = await source.hashes('users', 5000);
    assert.deepEqual(
      hashes.map((h) => [h.id, h.fields.name]),
      [
        ['1', 'One'],
        ['2', 'Two Twosome'],
        ['10', 'Ten "10" Tenner'],
      ],
    );
    assert.equal(await raw.hget(`${prefix}users:1`, 'email'), 'one@example.com');
    assert.equal(await raw.exists('users:1'), 0, 'nothing written outside the prefix');
  });

  await t.test(`${source.kind}: reads in one round trip; writes are refused and nothing changes`, async () => {
    assert.deepEqual(
      await source.read(
        [
          ['SISMEMBER', 'user_actions:1', 'first_project_created'],
          ['HGET', 'users:2', 'name'],
          ['GET', 'users:count'],
        ],
        5000,
      ),
      [1, 'Two Twosome', '3'],
    );
    for (const command of [
      ['DEL', 'users:1'],
      ['SET', 'users:count', '0'],
      ['FLUSHALL'],
      ['EVAL', "redis.call('DEL', KEYS[1])", '1', 'users:1'],
      ['HSET', 'users:1', 'name', 'x'],
    ]) {
      await assert.rejects(source.read([command], 5000), (error: Error & { kind?: string }) => {
        assert.match(error.message, new RegExp(`^refused: ${command[0]} is not a read-only Redis command`));
        assert.equal(error.kind, 'read-only');
        return true;
      });
    }
    assert.equal(await raw.hget(`${prefix}users:1`, 'name'), 'One');
    assert.equal(await raw.get(`${prefix}users:count`), '3');
  });

  await t.test(`${source.kind}: a plan with a Redis condition; a writing condition is refused with its loop and step`, async () => {
    const loop = (command: string[]) => ({
      id: 'redis-welcome',
      type: 'activation',
      opinion: 'Welcome',
      steps: [
        {
          trigger: { type: 'database', table: 'users', event: 'insert' },
          condition: { type: 'redis', command },
          action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
        },
      ],
    });
    const good = makeConfig(loop(['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created']));
    const bad = makeConfig(loop(['DEL', 'user_actions:{{user.id}}']));
    const sql = makeConfig({ ...loop([]), steps: [{ ...loop([]).steps[0]!, condition: { type: 'query', query: 'SELECT 1' } }] });
    t.after(() => [good, bad, sql].forEach((c) => c.cleanup()));
    const at = new Date('2026-03-02T09:00:00Z');
    const step = (await runPlan({ config: good, source, at, env: FROM })).loops[0]!.steps[0]!;
    assert.deepEqual(
      step.emails.map((e) => [e.key, e.to, e.subject]),
      [['1', 'one@example.com', 'Welcome, One']],
    );
    assert.deepEqual(step.notSent, [{ reason: 'waiting: condition not met', count: 2, examples: ['2', '10'] }]);

    const refused = (await runPlan({ config: bad, source, at, env: FROM })).loops[0]!.steps[0]!;
    assert.deepEqual(
      refused.errors.map((e) => [e.loop, e.step, e.kind]),
      [['redis-welcome', 1, 'read-only']],
    );
    assert.equal(await raw.exists(`${prefix}user_actions:1`), 1);

    const wrong = (await runPlan({ config: sql, source, at, env: FROM })).loops[0]!.steps[0]!;
    assert.match(wrong.errors[0]!.message, /the condition is SQL but the data source is Redis .*: Redis has no SQL — write \{ type: 'redis', command: \[/);
  });
}

async function cleanup(url: string, prefix: string) {
  const raw = new Redis(url);
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
}

test('Redis over TCP', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const prefix = `skene-test-redis-${process.pid}:`;
  t.after(() => cleanup(url, prefix));
  const source = (await openSource({ url, keyPrefix: prefix })) as RedisSource;
  t.after(() => source.close());
  await behaves(t, source, url, prefix);
});

test('Upstash REST (a double on 127.0.0.1 speaking its wire format)', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const prefix = `skene-test-upstash-${process.pid}:`;
  t.after(() => cleanup(url, prefix));
  const double = await startUpstashDouble(url);
  t.after(() => double.close());
  await assert.rejects(openSource({ url: double.url, token: 'wrong' }), /refused the token \(HTTP 401\): check UPSTASH_REDIS_REST_TOKEN/);
  const source = (await openSource({ url: double.url, token: double.token, keyPrefix: prefix })) as RedisSource;
  t.after(() => source.close());
  await behaves(t, source, url, prefix);
  // Reads went over the REST API as pipelines of read commands only (plus the seed's writes).
  const afterSeed = double.received.slice(double.received.findIndex((c) => c[0] === 'SCAN'));
  assert.ok(
    afterSeed.every((c) => ['SCAN', 'HGETALL', 'SISMEMBER', 'HGET', 'GET'].includes(c[0]!)),
    JSON.stringify(afterSeed.map((c) => c[0])),
  );
});
