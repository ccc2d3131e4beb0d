/**
 * Redis and Upstash change capture against the real Redis on loopback (and the Upstash REST double
 * forwarding to it): reconciliation of keys written while no capture was open, keyspace
 * notifications waking the runner, updates, deletes, generations, ids two runners agree on, a
 * failed enqueue consuming nothing, and `migrateRedis`. Each test uses its own key prefix.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startUpstashDouble } from '../../../../test/plan/upstash-double.js';
import { migrateRedis, openRedisCapture } from '../../src/run/capture-redis.js';
import { decide, digestOf, formatSeen, notificationsEnabled, parseSeen, withCaptureFlags } from '../../src/run/capture-redis-keys.js';
import { SUBSCRIBER_NAME } from '../../src/run/capture-redis-subscribe.js';
import { brief, config, notificationsOn, recorder, redisCaptureKit } from './capture-redis-helpers.js';

const { setup } = redisCaptureKit();

test('the seen record and the ids: generations, numbered updates, tombstones', () => {
  const fields = { email: 'a@example.com', name: 'A' };
  const other = { ...fields, name: 'B' };
  assert.equal(digestOf(fields), digestOf({ name: 'A', email: 'a@example.com' }), 'field order does not matter');
  assert.notEqual(digestOf(fields), digestOf(other));
  const decideFor = (seen: ReturnType<typeof parseSeen>, content?: Record<string, string>, gone = false) =>
    decide({ prefix: 'users', id: '7', seen, fields: content, gone });
  const ids = (d: ReturnType<typeof decide>) => d.events.map((e) => `${e.op} ${e.eventId}`);
  const insert = decideFor(undefined, fields);
  assert.deepEqual(ids(insert), ['insert r:users:7:1']);
  assert.deepEqual(parseSeen(formatSeen(insert.next!)), insert.next);
  assert.deepEqual(decideFor(insert.next, fields), { events: [] }, 'same content: no event');
  const update = decideFor(insert.next, other);
  assert.deepEqual(ids(update), [`update r:users:7:1:u:1:${digestOf(other)}`]);
  // Back to the first content, then to the second again: three updates, three ids.
  const back = decideFor(update.next, fields);
  const again = decideFor(back.next, other);
  assert.deepEqual(ids(back), [`update r:users:7:1:u:2:${digestOf(fields)}`]);
  assert.deepEqual(ids(again), [`update r:users:7:1:u:3:${digestOf(other)}`], 'not the id of update 1');
  const deleted = decideFor(again.next, undefined);
  assert.deepEqual([...ids(deleted), formatSeen(deleted.next!)], ['delete r:users:7:1:d', '-1']);
  assert.deepEqual(decideFor(deleted.next, undefined), { events: [] }, 'a tombstone deleted again: nothing');
  assert.deepEqual(ids(decideFor(deleted.next, fields)), ['insert r:users:7:2'], 'written again: a new generation');
  // Removed and written again between two reads (a notification said so): a delete and a new insert.
  assert.deepEqual(ids(decideFor(again.next, fields, true)), ['delete r:users:7:1:d', 'insert r:users:7:2']);
  // Records written before the update counter read as update 0; a pending mark round-trips.
  assert.deepEqual(parseSeen(`3:${digestOf(fields)}`), { generation: 3, updates: 0, digest: digestOf(fields) });
  assert.deepEqual(parseSeen(formatSeen({ generation: 2, updates: 4, digest: 'ab', pending: true })), {
    generation: 2,
    updates: 4,
    digest: 'ab',
    pending: true,
  });
  assert.deepEqual(parseSeen('!-2'), { generation: 2, updates: 0, pending: true });
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
  assert.deepEqual(brief(r.events()), [['update', '5', `r:${s.prefix}:5:1:u:1:${content}`]]);

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
  // The compare-and-set lets one of them move the record on: that one stores the insert (the
  // other may too, if it read the pending state: the same id).
  const inserts = new Set([...ra.events(), ...rb.events()].map((e) => `${e.op} ${e.id}`));
  assert.deepEqual([...inserts], [`insert r:${s.prefix}:1:1`]);
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
      [`r:${s.prefix}:1:1:u:1:${digestOf({ email: 'one@example.com', name: 'One' })}`, 'update'],
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
  // Decided, not stored: the record holds the state as pending (`!`), whose jobs the next read stores.
  assert.equal(await s.seenOf('1'), `!1:0:${digestOf({ email: 'one@example.com' })}`);
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
    /REST API, which has no keyspace notifications: new and deleted hashes are found by SCAN every 50 ms, and updates \(watched on .*\) by reading every hash at each pass \(one HGETALL per hash\)/,
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
  for (const command of ['SCAN', 'HMGET', 'HGETALL', 'EVAL']) assert.ok(sent.has(command), `${command} went through the REST API`);

  const migrated = await migrateRedis({ url: double.url, token: double.token, config: config([s.prefix, 'insert']) });
  assert.match(
    migrated.changes.join('\n'),
    /Upstash's REST API, which has no keyspace notifications: skene run finds new and deleted hashes by SCAN .* and updates by reading every hash/,
  );
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
  const url = `redis://${user}:${password}@127.0.0.1:${s.port}`;
  const capture = await s.open({ url });
  assert.equal(capture.warnings.length, 1);
  assert.match(
    capture.warnings[0]!,
    /cannot read notify-keyspace-events on redis:\/\/skene-test-\w+:\*\*\*@127\.0\.0\.1:\d+.*NOPERM.*listening for keyspace notifications anyway/,
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
