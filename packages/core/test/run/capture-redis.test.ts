/**
 * Redis and Upstash change capture against the real Redis on loopback (and the Upstash REST double
 * forwarding to it): reconciliation of keys written while no capture was open, keyspace
 * notifications waking the runner, updates, deletes, generations, ids two runners agree on, a
 * failed enqueue consuming nothing, and `migrateRedis`. Each test uses its own key prefix.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { SERVICES, serviceOrSkip } from '../../../../test/helpers/services.js';
import { startUpstashDouble } from '../../../../test/plan/upstash-double.js';
import { migrateRedis, openRedisCapture, type RedisCapture, type RedisCaptureOptions } from '../../src/run/capture-redis.js';
import { decide, digestOf, formatSeen, notificationsEnabled, parseSeen, withCaptureFlags } from '../../src/run/capture-redis-keys.js';
import type { CaptureOp, CapturedEvent, DrainContext } from '../../src/run/capture.js';
import { SUBSCRIBER_NAME } from '../../src/run/capture-redis-subscribe.js';

type Config = RedisCaptureOptions['config'];

function config(...triggers: [string, CaptureOp][]): Config {
  return { loops: [{ id: 'l', steps: triggers.map(([table, event]) => ({ trigger: { type: 'database', table, event } })) }] } as unknown as Config;
}

/** A drain context that records what it was handed; `fail` makes the next enqueue throw. */
function recorder() {
  const batches: CapturedEvent[][] = [];
  const state = { fail: false };
  const ctx: DrainContext = {
    async enqueue(events) {
      if (state.fail) throw new Error('the state store is down');
      batches.push(events);
    },
    positions: { get: async () => undefined, set: async () => {} },
    at: new Date(),
  };
  return { ctx, state, events: () => batches.flat(), clear: () => (batches.length = 0) };
}

/** `[op, key, id]`, in id order (numbers as numbers). */
const brief = (events: CapturedEvent[]) => events.map((e) => [e.op, String(e.key), e.id]).sort((a, b) => a[2]!.localeCompare(b[2]!, 'en', { numeric: true }));

let admin: Redis | undefined;
let originalFlags = '';

before(async () => {
  // The server's flags, put back when the file ends (tests skip themselves when Redis is away).
  const redis = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    originalFlags = ((await redis.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
    admin = redis;
  } catch {
    redis.disconnect();
  }
});

after(async () => {
  if (!admin) return;
  await admin.config('SET', 'notify-keyspace-events', originalFlags);
  admin.disconnect();
});

/** A unique prefix (`t<hex>:users`), its keys and seen record deleted when the test ends. */
async function setup(t: TestContext) {
  const url = await serviceOrSkip(t, 'redis');
  if (!url || !admin) return undefined;
  const tag = `t${randomBytes(5).toString('hex')}`;
  const prefix = `${tag}:users`;
  const redis = admin;
  t.after(async () => {
    const keys = [...(await redis.keys(`${tag}*`)), ...(await redis.keys(`skene:seen:${tag}*`))];
    if (keys.length) await redis.del(...keys);
  });
  const open = async (options: Partial<RedisCaptureOptions> = {}): Promise<RedisCapture> => {
    const capture = await openRedisCapture({ url, config: config([prefix, 'insert'], [prefix, 'update'], [prefix, 'delete']), ...options });
    t.after(() => capture.close());
    return capture;
  };
  return { url, redis, tag, prefix, open };
}

async function notificationsOn(url: string) {
  await migrateRedis({ url, config: config(['x', 'insert']) });
}

test('the seen record and the ids: generations, content digests, tombstones', () => {
  const fields = { email: 'a@example.com', name: 'A' };
  assert.equal(digestOf(fields), digestOf({ name: 'A', email: 'a@example.com' }), 'field order does not matter');
  assert.notEqual(digestOf(fields), digestOf({ ...fields, name: 'B' }));
  const insert = decide('users', '7', undefined, fields);
  assert.deepEqual([insert.op, insert.eventId], ['insert', 'r:users:7:1']);
  assert.deepEqual(parseSeen(formatSeen(insert.next!)), insert.next);
  assert.deepEqual(decide('users', '7', insert.next, fields), {}, 'same content: no event');
  const update = decide('users', '7', insert.next, { ...fields, name: 'B' });
  assert.equal(update.eventId, `r:users:7:1:u:${digestOf({ ...fields, name: 'B' })}`);
  const deleted = decide('users', '7', update.next, undefined);
  assert.deepEqual([deleted.op, deleted.eventId, formatSeen(deleted.next!)], ['delete', 'r:users:7:1:d', '-1']);
  assert.deepEqual(decide('users', '7', deleted.next, undefined), {}, 'a tombstone deleted again: nothing');
  assert.equal(decide('users', '7', parseSeen('-1'), fields).eventId, 'r:users:7:2', 'written again: a new generation');
});

test('notify-keyspace-events: what is enough, and what skene migrate sets (adding, never removing)', () => {
  assert.equal(notificationsEnabled(''), false);
  assert.equal(notificationsEnabled('Kh'), false, 'no g: DEL is not heard');
  assert.equal(notificationsEnabled('hgK'), true);
  assert.equal(notificationsEnabled('AK'), true);
  assert.equal(notificationsEnabled('AE'), false, 'keyevent channels only');
  assert.equal(withCaptureFlags(''), 'Khgx');
  assert.equal(withCaptureFlags('El'), 'ElKhgx');
  assert.equal(withCaptureFlags('AE'), 'AEK');
});

test('migrateRedis adds the flags to what is set, says so once, and --down removes only seen records', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.redis.config('SET', 'notify-keyspace-events', 'El');
  const first = await migrateRedis({ url: s.url, config: config([s.prefix, 'insert']) });
  const flags = ((await s.redis.config('GET', 'notify-keyspace-events')) as string[])[1]!;
  assert.ok(notificationsEnabled(flags), flags);
  assert.ok(flags.includes('E') && flags.includes('l'), `the application's flags are kept: ${flags}`);
  // Redis writes the flags back in its own order ("lE").
  assert.match(first.changes.join('\n'), /notify-keyspace-events "lE" → "lEKhgx"/);
  const again = await migrateRedis({ url: s.url, config: config([s.prefix, 'insert']) });
  assert.match(again.changes[0]!, /already on/);

  // --down, scoped by keyPrefix so it cannot touch another test's records.
  const keyPrefix = s.tag;
  await s.redis.hset(`${keyPrefix}users:1`, 'email', 'a@example.com');
  const capture = await openRedisCapture({ url: s.url, config: config(['users', 'insert']), keyPrefix });
  await capture.drain(recorder().ctx);
  await capture.close();
  assert.equal(await s.redis.exists(`${keyPrefix}skene:seen:users`), 1);
  const down = await migrateRedis({ url: s.url, config: config(['users', 'insert']), keyPrefix, down: true });
  assert.equal(await s.redis.exists(`${keyPrefix}skene:seen:users`), 0);
  assert.equal(await s.redis.exists(`${keyPrefix}users:1`), 1, 'the data is untouched');
  assert.match(down.changes.join('\n'), /Removed 1 seen record.*\n.*left as it is/);
  assert.ok(notificationsEnabled(((await s.redis.config('GET', 'notify-keyspace-events')) as string[])[1]!), '--down leaves the flags');
});

test('a hash written while no capture was open is an insert at open; not twice; non-rows ignored', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  await s.redis.hset(`${s.prefix}:10`, 'email', 'ten@example.com');
  await s.redis.hset(`${s.prefix}:1:sessions`, 'a', '1'); // not a row of the prefix
  await s.redis.set(`${s.prefix}:count`, '2'); // not a hash
  const capture = await s.open();
  const r = recorder();
  assert.equal(await capture.drain(r.ctx), 2);
  assert.deepEqual(brief(r.events()), [
    ['insert', '1', `r:${s.prefix}:1:1`],
    ['insert', '10', `r:${s.prefix}:10:1`],
  ]);
  assert.ok(r.events().every((e) => e.table === s.prefix && e.occurredAt instanceof Date));
  r.clear();
  assert.equal(await capture.drain(r.ctx), 0, 'seen: nothing again');
  await capture.close();
  const reopened = await s.open();
  assert.equal(await reopened.drain(r.ctx), 0, 'a restart does not capture them again');
});

test('notifications: an HSET wakes waitForChange at once; updates and deletes; a new generation', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  const capture = await s.open();
  assert.deepEqual(capture.warnings, []);
  assert.match(capture.label, /keyspace notifications/);
  const r = recorder();
  await capture.drain(r.ctx);
  const changeAfterWait = async (change: () => Promise<unknown>) => {
    const started = Date.now();
    const waited = capture.waitForChange(10_000, new AbortController().signal);
    await change();
    await waited;
    return Date.now() - started;
  };
  const ms = await changeAfterWait(() => s.redis.hset(`${s.prefix}:5`, 'email', 'five@example.com'));
  assert.ok(ms < 500, `woken after ${ms} ms`);
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '5', `r:${s.prefix}:5:1`]]);

  r.clear();
  await changeAfterWait(() => s.redis.hset(`${s.prefix}:5`, 'name', 'Five'));
  await capture.drain(r.ctx);
  const content = digestOf({ email: 'five@example.com', name: 'Five' });
  assert.deepEqual(brief(r.events()), [['update', '5', `r:${s.prefix}:5:1:u:${content}`]]);

  r.clear();
  await changeAfterWait(() => s.redis.hset(`${s.prefix}:5`, 'name', 'Five'));
  assert.equal(await capture.drain(r.ctx), 0, 'a write that changes nothing is no update');

  await changeAfterWait(() => s.redis.del(`${s.prefix}:5`));
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['delete', '5', `r:${s.prefix}:5:1:d`]]);

  r.clear();
  await changeAfterWait(() => s.redis.hset(`${s.prefix}:5`, 'email', 'five@example.com'));
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '5', `r:${s.prefix}:5:2`]], 'written again: a new id');
});

test('a delete no trigger watches makes no event, and the key written again is still a new insert', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  const capture = await s.open({ config: config([s.prefix, 'insert']) });
  const r = recorder();
  await capture.drain(r.ctx);
  r.clear();
  await s.redis.del(`${s.prefix}:1`);
  await capture.waitForChange(5000, new AbortController().signal);
  assert.equal(await capture.drain(r.ctx), 0);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  await capture.waitForChange(5000, new AbortController().signal);
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '1', `r:${s.prefix}:1:2`]]);
});

test('a key deleted while no capture was open is a delete at the next open', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.redis.hset(`${s.prefix}:3`, 'email', 'three@example.com');
  const first = await s.open();
  await first.drain(recorder().ctx);
  await first.close();
  await s.redis.del(`${s.prefix}:3`);
  const r = recorder();
  await (await s.open()).drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['delete', '3', `r:${s.prefix}:3:1:d`]]);
});

test('the subscriber comes back after its connection is killed, and the next drain reconciles the gap', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  const capture = await s.open();
  const r = recorder();
  await capture.drain(r.ctx);
  const clients = String(await s.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const ours = clients.split('\n').filter((line) => line.includes(`name=${SUBSCRIBER_NAME} `));
  assert.equal(ours.length, 1, clients);
  await s.redis.client('KILL', 'ID', /\bid=(\d+)/.exec(ours[0]!)![1]!);
  await s.redis.hset(`${s.prefix}:8`, 'email', 'eight@example.com'); // while it is away: no notification
  await capture.waitForChange(10_000, new AbortController().signal); // woken by the reconnection
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '8', `r:${s.prefix}:8:1`]]);
  r.clear();
  const started = Date.now();
  const waited = capture.waitForChange(10_000, new AbortController().signal);
  await s.redis.hset(`${s.prefix}:9`, 'email', 'nine@example.com');
  await waited;
  assert.ok(Date.now() - started < 500, 'resubscribed: notified again');
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '9', `r:${s.prefix}:9:1`]]);
});

test('two captures at once make the same ids for the same changes', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  const [a, b] = [await s.open(), await s.open()];
  const [ra, rb] = [recorder(), recorder()];
  await Promise.all([a.drain(ra.ctx), b.drain(rb.ctx)]);
  assert.deepEqual(brief(ra.events()), [['insert', '1', `r:${s.prefix}:1:1`]]);
  ra.clear();
  rb.clear();
  const signal = new AbortController().signal;
  const woken = Promise.all([a.waitForChange(5000, signal), b.waitForChange(5000, signal)]);
  await s.redis.hset(`${s.prefix}:1`, 'name', 'One');
  await s.redis.hset(`${s.prefix}:2`, 'email', 'two@example.com');
  await woken;
  await new Promise((resolve) => setTimeout(resolve, 50)); // both notifications in both buffers
  await Promise.all([a.drain(ra.ctx), b.drain(rb.ctx)]);
  const union = new Map([...ra.events(), ...rb.events()].map((e) => [e.id, e.op]));
  assert.deepEqual(
    [...union].sort(),
    [
      [`r:${s.prefix}:1:1:u:${digestOf({ email: 'one@example.com', name: 'One' })}`, 'update'],
      [`r:${s.prefix}:2:1`, 'insert'],
    ].sort(),
    'whichever runner drains first, the other makes the same ids (or none)',
  );
});

test('an enqueue that throws consumes nothing: the next drain returns the same events', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  const capture = await s.open();
  const r = recorder();
  r.state.fail = true;
  await assert.rejects(capture.drain(r.ctx), /the state store is down/);
  assert.equal(await s.redis.exists(`skene:seen:${s.prefix}`), 0, 'nothing marked seen');
  await s.redis.hset(`${s.prefix}:2`, 'email', 'two@example.com');
  await capture.waitForChange(5000, new AbortController().signal);
  await assert.rejects(capture.drain(r.ctx), /the state store is down/);
  r.state.fail = false;
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [
    ['insert', '1', `r:${s.prefix}:1:1`],
    ['insert', '2', `r:${s.prefix}:2:1`],
  ]);
});

test('Upstash REST: reconciliation only, through the double with the token; a wrong token is one clean line', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const double = await startUpstashDouble(s.url, 'secret-token-4711');
  t.after(() => double.close());
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  const capture = await openRedisCapture({ url: double.url, token: double.token, config: config([s.prefix, 'insert'], [s.prefix, 'update']), reconcileMs: 50 });
  t.after(() => capture.close());
  assert.equal(capture.warnings.length, 1);
  assert.match(
    capture.warnings[0]!,
    /REST API, which has no keyspace notifications: new and deleted hashes are found by SCAN every 50 ms, and updates \(watched on .*\) are not captured/,
  );
  const r = recorder();
  await capture.drain(r.ctx);
  await s.redis.hset(`${s.prefix}:2`, 'email', 'two@example.com');
  await capture.waitForChange(5000, new AbortController().signal); // ends when the reconciliation is due
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [
    ['insert', '1', `r:${s.prefix}:1:1`],
    ['insert', '2', `r:${s.prefix}:2:1`],
  ]);
  const sent = new Set(double.received.map((c) => c[0]));
  for (const command of ['SCAN', 'HMGET', 'HGETALL', 'HSET']) assert.ok(sent.has(command), `${command} went through the REST API`);

  const migrated = await migrateRedis({ url: double.url, token: double.token, config: config([s.prefix, 'insert']) });
  assert.match(migrated.changes.join('\n'), /Upstash's REST API, which has no keyspace notifications: skene run finds new and deleted hashes by SCAN/);
  assert.ok(!double.received.some((c) => c[0] === 'CONFIG'), 'no CONFIG over REST');

  const refused = await openRedisCapture({ url: double.url, token: 'wrong-token-0815', config: config([s.prefix, 'insert']) }).then(
    () => assert.fail('opened with a wrong token'),
    (error: Error) => error.message,
  );
  assert.match(refused, /refused the token \(HTTP 401\)/);
  assert.ok(!refused.includes('wrong-token-0815') && !refused.includes('\n'), refused);
});

test('a user refused CONFIG: capture listens anyway and says it could not check; migrate says what to do; no password shown', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  const user = `skene-test-${s.tag}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  await s.redis.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-config');
  t.after(() => s.redis.call('ACL', 'DELUSER', user));
  const url = `redis://${user}:${password}@127.0.0.1:6379`;
  const capture = await s.open({ url });
  assert.equal(capture.warnings.length, 1);
  assert.match(
    capture.warnings[0]!,
    /cannot read notify-keyspace-events on redis:\/\/skene-test-\w+:\*\*\*@127\.0\.0\.1:6379.*NOPERM.*listening for keyspace notifications anyway/,
  );
  assert.ok(!capture.warnings[0]!.includes(password));
  const r = recorder();
  await capture.drain(r.ctx);
  const waited = capture.waitForChange(10_000, new AbortController().signal);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'one@example.com');
  await waited;
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '1', `r:${s.prefix}:1:1`]], 'notified, though the flags could not be read');
  const migrated = await migrateRedis({ url, config: config([s.prefix, 'insert']) });
  assert.match(migrated.changes[0]!, /refused CONFIG GET .*not changed/);
  assert.ok(!migrated.changes[0]!.includes(password));
  const unreachable = await openRedisCapture({ url: `redis://:${password}@127.0.0.1:1`, config: config([s.prefix, 'insert']) }).then(
    () => assert.fail('opened a closed port'),
    (error: Error) => error.message,
  );
  assert.match(unreachable, /cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
  assert.ok(!unreachable.includes(password), unreachable);
});

test('keyspace notifications off: a warning that says how to turn them on, and reconciliation still captures', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.redis.config('SET', 'notify-keyspace-events', '');
  t.after(() => notificationsOn(s.url));
  const capture = await s.open({ reconcileMs: 100 });
  assert.equal(capture.warnings.length, 1);
  assert.match(capture.warnings[0]!, /keyspace notifications are off .*skene migrate, or CONFIG SET notify-keyspace-events Khgx/);
  assert.doesNotMatch(capture.label, /keyspace notifications/);
  const r = recorder();
  await capture.drain(r.ctx);
  await s.redis.hset(`${s.prefix}:4`, 'email', 'four@example.com');
  await capture.waitForChange(5000, new AbortController().signal);
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['insert', '4', `r:${s.prefix}:4:1`]]);
});
