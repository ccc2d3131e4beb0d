/**
 * The runner's capture on MariaDB (the real server on loopback): changes recorded by the triggers
 * `skene migrate` installs, drained into events with the right table, key and operation; runners
 * sharing the table get disjoint pages; an enqueue that fails consumes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import type { CapturedEvent, DrainContext } from '../../src/run/capture.js';
import { openMysqlCapture } from '../../src/run/capture-mysql.js';
import { migrate } from '../../src/run/index.js';
import { tempMysqlDatabase } from '../plan/helpers.js';
import { config, connect, database } from './mysql-helpers.js';

type Cfg = Parameters<typeof openMysqlCapture>[0]['config'];

function context(enqueue: (events: CapturedEvent[]) => Promise<void>): DrainContext {
  return { enqueue, positions: { get: async () => undefined, set: async () => {} }, at: new Date() };
}

/** Drains everything, returning the events in the order they were handed over. */
async function drainAll(capture: Awaited<ReturnType<typeof openMysqlCapture>>): Promise<CapturedEvent[]> {
  const seen: CapturedEvent[] = [];
  await capture.drain(context(async (events) => void seen.push(...events)));
  return seen;
}

test('insert, update, delete: each with its key and operation, only the operations asked for', async (t) => {
  const d = await database(t, 'skene_cap_ops');
  if (!d) return;
  const cfg = config(['users', 'insert'], ['users', 'update'], ['users', 'delete'], ['orders', 'insert']);
  await migrate({ config: cfg, databaseUrl: d.url });
  const capture = await openMysqlCapture({ url: d.url, config: cfg as Cfg });
  t.after(() => capture.close());
  assert.equal(capture.label, `skene_events in ${d.url}`);
  assert.deepEqual(await drainAll(capture), []);

  const start = Date.now();
  await d.client.query(`INSERT INTO users (id, email) VALUES (7, 'a@example.com')`);
  await d.client.query(`UPDATE users SET email = 'b@example.com' WHERE id = 7`);
  await d.client.query(`INSERT INTO orders (code, total) VALUES ('A-1', 5)`);
  await d.client.query(`UPDATE orders SET total = 6`); // updates of orders: not asked for
  await d.client.query(`DELETE FROM users WHERE id = 7`);
  const events = await drainAll(capture);
  assert.deepEqual(
    events.map((e) => [e.table, e.op, e.key]),
    [
      ['users', 'insert', 7],
      ['users', 'update', 7],
      ['orders', 'insert', 'A-1'],
      ['users', 'delete', 7],
    ],
  );
  assert.equal(new Set(events.map((e) => e.id)).size, 4);
  for (const e of events) {
    assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(e.occurredAt.getTime() >= start - 2000 && e.occurredAt.getTime() <= Date.now() + 2000, `occurredAt is UTC: ${e.occurredAt.toISOString()}`);
  }
  // Consumed: the next drain has nothing.
  assert.deepEqual(await drainAll(capture), []);
  const [left] = await d.client.query('SELECT COUNT(*) AS n FROM skene_events');
  assert.equal(Number((left as { n: number }[])[0]!.n), 0);
});

test('a table the config names two ways: one event per spelling, with one id', async (t) => {
  const d = await database(t, 'skene_cap_spell');
  if (!d) return;
  const cfg = config(['users', 'insert'], [`${d.db}.users`, 'insert']);
  await migrate({ config: cfg, databaseUrl: d.url });
  const capture = await openMysqlCapture({ url: d.url, config: cfg as Cfg });
  t.after(() => capture.close());
  await d.client.query(`INSERT INTO users (id) VALUES (1)`);
  const events = await drainAll(capture);
  assert.deepEqual(events.map((e) => e.table).sort(), [`${d.db}.users`, 'users'].sort());
  assert.equal(events[0]!.id, events[1]!.id);
});

test('a table of another database (`crm.accounts`): its trigger writes to the URL database’s events; --down finds it', async (t) => {
  const d = await database(t, 'skene_cap_cross');
  if (!d) return;
  const server = (await serviceOrSkip(t, 'mysql'))!;
  const crmUrl = await tempMysqlDatabase(t, server, 'skene_cap_crm');
  const crm = new URL(crmUrl).pathname.slice(1);
  const other = await connect(t, crmUrl);
  await other.query('CREATE TABLE accounts (id BIGINT PRIMARY KEY)');
  const cfg = config([`${crm}.accounts`, 'insert'], ['users', 'insert']);
  const result = await migrate({ config: cfg, databaseUrl: d.url });
  assert.deepEqual(result.changes, [`${crm}.accounts: capturing insert (key id)`, 'users: capturing insert (key id)']);
  // A second installation in crm itself does not take, or remove, the first one's trigger.
  await migrate({ config: config(), databaseUrl: crmUrl });
  await migrate({ config: config(), databaseUrl: crmUrl, down: true });
  const capture = await openMysqlCapture({ url: d.url, config: cfg as Cfg });
  t.after(() => capture.close());
  await other.query('INSERT INTO accounts (id) VALUES (9007199254740993)');
  const events = await drainAll(capture);
  assert.deepEqual(
    events.map((e) => [e.table, e.op, e.key]),
    [[`${crm}.accounts`, 'insert', '9007199254740993']],
    'a key beyond 2^53 stays exact, as text',
  );
  const down = await migrate({ config: config(), databaseUrl: d.url, down: true });
  assert.deepEqual(down.changes, [`${crm}.accounts: capture removed`, 'users: capture removed']);
  const [left] = await other.query('SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [crm]);
  assert.deepEqual(left, []);
});

test('an enqueue that throws consumes nothing: the next drain gets the same events, same ids', async (t) => {
  const d = await database(t, 'skene_cap_fail');
  if (!d) return;
  const cfg = config(['users', 'insert']);
  await migrate({ config: cfg, databaseUrl: d.url });
  const capture = await openMysqlCapture({ url: d.url, config: cfg as Cfg, pageSize: 2 });
  t.after(() => capture.close());
  await d.client.query(`INSERT INTO users (id) VALUES (1), (2), (3)`);
  let offered: CapturedEvent[] = [];
  await assert.rejects(
    capture.drain(
      context(async (events) => {
        offered = events;
        throw new Error('state store down');
      }),
    ),
    /state store down/,
  );
  assert.equal(offered.length, 2);
  const events = await drainAll(capture);
  assert.deepEqual(
    events.map((e) => e.key),
    [1, 2, 3],
  );
  assert.deepEqual(
    events.slice(0, 2).map((e) => e.id),
    offered.map((e) => e.id),
  );
});

test('two drains at once on two connections: disjoint events, all of them between them', { timeout: 60_000 }, async (t) => {
  const d = await database(t, 'skene_cap_share');
  if (!d) return;
  const cfg = config(['users', 'insert']);
  await migrate({ config: cfg, databaseUrl: d.url });
  const a = await openMysqlCapture({ url: d.url, config: cfg as Cfg, pageSize: 5 });
  const b = await openMysqlCapture({ url: d.url, config: cfg as Cfg, pageSize: 5 });
  t.after(() => Promise.all([a.close(), b.close()]));
  await d.client.query(`INSERT INTO users (id) VALUES ${Array.from({ length: 12 }, (_, i) => `(${i + 1})`).join(', ')}`);

  // A holds its first page (enqueue waits) while B drains: B skips A's rows instead of waiting.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let claimed!: () => void;
  const aClaimed = new Promise<void>((r) => (claimed = r));
  const gotA: CapturedEvent[] = [];
  const drainA = a.drain(
    context(async (events) => {
      gotA.push(...events);
      claimed();
      await held;
    }),
  );
  await aClaimed;
  const gotB = await drainAll(b);
  // The application writes while A holds its page: READ COMMITTED, no gap lock makes it wait.
  await d.client.query({ sql: 'INSERT INTO users (id) VALUES (13)', timeout: 5000 });
  release();
  await drainA;
  const gotLate = await drainAll(b);
  const keys = (events: CapturedEvent[]) => events.map((e) => Number(e.key)).sort((x, y) => x - y);
  // B took every row A did not hold; A went on to the row written meanwhile.
  assert.deepEqual(keys(gotB), [6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(
    keys([...gotA, ...gotB, ...gotLate]),
    Array.from({ length: 13 }, (_, i) => i + 1),
  );
  assert.equal(new Set([...gotA, ...gotB, ...gotLate].map((e) => e.id)).size, 13);
});

test('no skene_events: one line naming the fix, no password; waitForChange polls and wakes on abort', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_cap_none');
  await assert.rejects(openMysqlCapture({ url, config: config(['users', 'insert']) as Cfg }), (e: Error) => {
    assert.equal(e.message, `no change capture in ${url}: run \`skene migrate\` first`);
    return true;
  });
  await assert.rejects(openMysqlCapture({ url: url.replace('root@', 'root:hunter2-pw@'), config: config() as Cfg }), (e: Error) => {
    assert.match(e.message, /^cannot connect to mysql:\/\/root:\*\*\*@/);
    assert.doesNotMatch(e.message, /hunter2-pw/);
    return true;
  });

  await migrate({ config: config(), databaseUrl: url });
  const capture = await openMysqlCapture({ url, config: config() as Cfg, pollMs: 50 });
  t.after(() => capture.close());
  let started = Date.now();
  await capture.waitForChange(10_000, new AbortController().signal);
  const waited = Date.now() - started;
  assert.ok(waited >= 40 && waited < 2000, `waited ${waited} ms for a 50 ms poll`);
  const abort = new AbortController();
  const slow = await openMysqlCapture({ url, config: config() as Cfg, pollMs: 60_000 });
  t.after(() => slow.close());
  started = Date.now();
  setTimeout(() => abort.abort(), 20);
  await slow.waitForChange(60_000, abort.signal);
  assert.ok(Date.now() - started < 2000);

  // The table dropped under a running capture: the same line.
  const admin = await connect(t, url);
  await admin.query('DROP TABLE skene_events');
  await assert.rejects(drainAll(capture), new RegExp(`^Error: no change capture in .*: run \`skene migrate\` first$`));
});

test('a driver error says what was being done and where (no password), consumes nothing; a failed open closes its connection', async (t) => {
  const d = await database(t, 'skene_cap_errors');
  if (!d) return;
  const cfg = config(['users', 'insert']);
  await migrate({ config: cfg, databaseUrl: d.url });
  const user = `skene_c${process.pid}`;
  await d.client.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'hunter2-pw'`);
  t.after(() => d.client.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => {}));
  // SELECT but no DELETE: the page is claimed, its deletion refused.
  await d.client.query(`GRANT SELECT ON \`${d.db}\`.* TO '${user}'@'%'`);
  const url = d.url.replace('root@', `${user}:hunter2-pw@`);
  const capture = await openMysqlCapture({ url, config: cfg as Cfg });
  t.after(() => capture.close());
  await d.client.query('INSERT INTO users (id) VALUES (1)');
  await assert.rejects(drainAll(capture), (e: Error) => {
    const where = `mysql://${user}:\\*\\*\\*@127\\.0\\.0\\.1:3306/${d.db}`;
    assert.match(e.message, new RegExp(`^cannot delete 1 handed-over row from skene_events in ${where}: .*DELETE command denied`));
    assert.doesNotMatch(e.message, /hunter2-pw|\n/);
    return true;
  });
  const [left] = await d.client.query('SELECT COUNT(*) AS n FROM skene_events');
  assert.equal(Number((left as { n: number }[])[0]!.n), 1, 'rolled back: the event is still there');

  // A config that cannot be read fails the open after connecting: that connection is closed.
  const sessions = async () => {
    const [rows] = await d.client.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
    return Number((rows as { n: number }[])[0]!.n);
  };
  await assert.rejects(openMysqlCapture({ url, config: { loops: [{ id: 'l', steps: [{}] }] } as never }));
  let open = await sessions();
  for (let i = 0; i < 30 && open > 1; i++) {
    await new Promise((r) => setTimeout(r, 100));
    open = await sessions();
  }
  assert.equal(open, 1, 'only the running capture’s connection is open');
});
