/**
 * Redis capture, exactly once: every change is one event with an id no other change has, with
 * several runners, across restarts, subscriber reconnects and crashes between deciding and storing
 * (work.ts drops a job whose event id already reached an end state, so an id used twice is an email
 * lost). Against the real Redis on loopback; each test uses its own key prefix.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { startUpstashDouble } from '../../../../test/plan/upstash-double.js';
import { migrateRedis, openRedisCapture } from '../../src/run/capture-redis.js';
import { digestOf } from '../../src/run/capture-redis-keys.js';
import { SUBSCRIBER_NAME } from '../../src/run/capture-redis-subscribe.js';
import { brief, config, notificationsOn, recorder, redisCaptureKit, sleep } from './capture-redis-helpers.js';

const { setup } = redisCaptureKit();

test('an update back to earlier content, and forth again: three updates, three ids', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  const capture = await s.open();
  const r = recorder();
  await s.redis.hset(`${s.prefix}:1`, 'status', 'active');
  await capture.waitForChange(5000, new AbortController().signal);
  await capture.drain(r.ctx);
  r.clear();
  for (const status of ['inactive', 'active', 'inactive']) {
    await s.redis.hset(`${s.prefix}:1`, 'status', status);
    await sleep(50);
    await capture.drain(r.ctx);
  }
  const [inactive, active] = [digestOf({ status: 'inactive' }), digestOf({ status: 'active' })];
  assert.deepEqual(brief(r.events()), [
    ['update', '1', `r:${s.prefix}:1:1:u:1:${inactive}`],
    ['update', '1', `r:${s.prefix}:1:1:u:2:${active}`],
    ['update', '1', `r:${s.prefix}:1:1:u:3:${inactive}`],
  ]);
});

test('a hash read refused (not WRONGTYPE) fails the drain in one line: no delete, the key is read again', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  const user = `skene-test-${s.tag}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  await s.redis.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-hgetall');
  t.after(() => s.redis.call('ACL', 'DELUSER', user));
  await s.redis.hset(`${s.prefix}:1`, 'email', 'a@example.com');
  const good = await s.open();
  await good.drain(recorder().ctx);
  const seen = await s.seenOf('1');
  const refused = await s.open({ url: `redis://${user}:${password}@127.0.0.1:${s.port}` });
  const r = recorder();
  await s.redis.hset(`${s.prefix}:1`, 'email', 'b@example.com'); // notified (and re-read at open): read, refused
  await sleep(50);
  const message = await refused.drain(r.ctx).then(
    () => assert.fail('the drain succeeded'),
    (error: Error) => error.message,
  );
  assert.match(message, /HGETALL failed: NOPERM/);
  assert.ok(!message.includes(password) && !message.includes('\n'), message);
  assert.deepEqual(r.events(), [], 'no delete of a hash that exists');
  assert.equal(await s.seenOf('1'), seen, 'the seen record is untouched');
  await s.redis.call('ACL', 'SETUSER', user, '+hgetall');
  await refused.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['update', '1', `r:${s.prefix}:1:1:u:1:${digestOf({ email: 'b@example.com' })}`]], 'still dirty: read again');
});

test('two runners: a slow one never writes a stale seen record over a newer one', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  const [slow, fast] = [await s.open(), await s.open()];
  await s.redis.hset(`${s.prefix}:1`, 'v', '1');
  await sleep(50);
  let release!: () => void;
  const rs = recorder();
  rs.state.gate = new Promise<void>((resolve) => (release = resolve));
  const slowDrain = slow.drain(rs.ctx); // decides insert 1, then waits in enqueue
  await sleep(100);
  const rf = recorder();
  await fast.drain(rf.ctx);
  await s.redis.del(`${s.prefix}:1`);
  await sleep(50);
  await fast.drain(rf.ctx);
  await s.redis.hset(`${s.prefix}:1`, 'v', '2');
  await sleep(50);
  await fast.drain(rf.ctx);
  release();
  await slowDrain;
  assert.equal(await s.seenOf('1'), `2:0:${digestOf({ v: '2' })}`, 'the newest state stays');
  await s.redis.del(`${s.prefix}:1`);
  await sleep(50);
  await fast.drain(rf.ctx);
  await slow.drain(rs.ctx);
  assert.deepEqual(brief([...rs.events(), ...rf.events()].filter((e, i, all) => all.findIndex((o) => o.id === e.id) === i)), [
    ['insert', '1', `r:${s.prefix}:1:1`],
    ['delete', '1', `r:${s.prefix}:1:1:d`],
    ['insert', '1', `r:${s.prefix}:1:2`],
    ['delete', '1', `r:${s.prefix}:1:2:d`],
  ]);
});

test('updates made while no runner listened, or while the subscriber was away, are captured', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'free');
  await s.redis.hset(`${s.prefix}:2`, 'plan', 'free');
  const first = await s.open();
  await first.drain(recorder().ctx);
  await first.close();
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'pro'); // a deploy: no runner
  const capture = await s.open();
  const r = recorder();
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['update', '1', `r:${s.prefix}:1:1:u:1:${digestOf({ plan: 'pro' })}`]]);
  r.clear();
  const clients = String(await s.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const ours = clients.split('\n').filter((line) => line.includes(`name=${SUBSCRIBER_NAME} `));
  await Promise.all(ours.map((line) => s.redis.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!)));
  await s.redis.hset(`${s.prefix}:2`, 'plan', 'pro'); // while it is away: no notification
  await capture.waitForChange(10_000, new AbortController().signal); // woken by the reconnection
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [['update', '2', `r:${s.prefix}:2:1:u:1:${digestOf({ plan: 'pro' })}`]]);
});

test('Upstash REST: updates are found at each pass, by reading every hash', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const double = await startUpstashDouble(s.url, 'secret-token-4711');
  t.after(() => double.close());
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'free');
  const capture = await openRedisCapture({ url: double.url, token: double.token, config: config([s.prefix, 'insert'], [s.prefix, 'update']), reconcileMs: 50 });
  t.after(() => capture.close());
  const r = recorder();
  await capture.drain(r.ctx);
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'pro');
  await capture.waitForChange(5000, new AbortController().signal);
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [
    ['insert', '1', `r:${s.prefix}:1:1`],
    ['update', '1', `r:${s.prefix}:1:1:u:1:${digestOf({ plan: 'pro' })}`],
  ]);
});

test('deleted (or expired) and written again between two drains: a delete, then a new insert', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'a@example.com');
  await s.redis.hset(`${s.prefix}:2`, 'email', 'b@example.com');
  const capture = await s.open();
  const r = recorder();
  await capture.drain(r.ctx);
  r.clear();
  await s.redis.del(`${s.prefix}:1`);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'a@example.com'); // the same content, a new row
  await s.redis.pexpire(`${s.prefix}:2`, 1);
  await sleep(50);
  await s.redis.hset(`${s.prefix}:2`, 'email', 'c@example.com');
  await sleep(50);
  await capture.drain(r.ctx);
  assert.deepEqual(brief(r.events()), [
    ['delete', '1', `r:${s.prefix}:1:1:d`],
    ['insert', '1', `r:${s.prefix}:1:2`],
    ['delete', '2', `r:${s.prefix}:2:1:d`],
    ['insert', '2', `r:${s.prefix}:2:2`],
  ]);
});

test('two runners both hear a delete and re-create: one delete and one insert between them', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'a@example.com');
  const [a, b] = [await s.open(), await s.open()];
  const [ra, rb] = [recorder(), recorder()];
  await a.drain(ra.ctx);
  await b.drain(rb.ctx);
  await s.redis.del(`${s.prefix}:1`);
  await s.redis.hset(`${s.prefix}:1`, 'email', 'b@example.com');
  await sleep(50);
  ra.clear();
  rb.clear();
  await a.drain(ra.ctx);
  await b.drain(rb.ctx); // after a moved the record on: its removal flag is stale
  const ids = [...new Set([...ra.events(), ...rb.events()].map((e) => `${e.op} ${e.id}`))].sort();
  assert.deepEqual(ids, [`delete r:${s.prefix}:1:1:d`, `insert r:${s.prefix}:1:2`]);
});

test('a runner that stops between deciding and storing: the next one stores those events, then newer ones', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await notificationsOn(s.url);
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'free');
  await s.redis.hset(`${s.prefix}:2`, 'plan', 'free');
  const first = await s.open();
  await first.drain(recorder().ctx);
  const crashed = recorder();
  crashed.state.fail = true;
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'pro');
  await s.redis.del(`${s.prefix}:2`);
  await sleep(50);
  await assert.rejects(first.drain(crashed.ctx), /the state store is down/);
  await first.close(); // as if it had crashed: its decisions are pending in the seen record
  await s.redis.hset(`${s.prefix}:1`, 'plan', 'team'); // changed again before anyone stored the update
  const r = recorder();
  await (await s.open()).drain(r.ctx);
  assert.deepEqual(brief(r.events()), [
    ['update', '1', `r:${s.prefix}:1:1:u:1:${digestOf({ plan: 'pro' })}`],
    ['update', '1', `r:${s.prefix}:1:1:u:2:${digestOf({ plan: 'team' })}`],
    ['delete', '2', `r:${s.prefix}:2:1:d`],
  ]);
  assert.deepEqual([await s.seenOf('1'), await s.seenOf('2')], [`1:2:${digestOf({ plan: 'team' })}`, '-1'], 'no mark left pending');
});

test('migrate --down: a refused DEL is one line without the token', async (t) => {
  const s = await setup(t);
  if (!s) return;
  // A proxy in front of the REST API that echoes the credentials it refuses (they must not reach a log).
  const forward = new Redis(s.url);
  t.after(() => forward.disconnect());
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const out = [];
      for (const command of JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[][]) {
        if (command[0] === 'DEL') out.push({ error: `ERR DEL refused for ${req.headers.authorization}` });
        else out.push({ result: await forward.call(command[0]!, ...command.slice(1)) });
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await s.redis.hset(`${s.tag}skene:seen:users`, '1', '1:0:ab');
  const token = `token-${randomBytes(6).toString('hex')}`;
  const message = await migrateRedis({ url, token, config: config(['users', 'insert']), keyPrefix: s.tag, down: true }).then(
    () => assert.fail('DEL was refused'),
    (error: Error) => error.message,
  );
  assert.match(message, /DEL failed: ERR DEL refused for Bearer \*\*\*/);
  assert.ok(!message.includes(token), message);
});
