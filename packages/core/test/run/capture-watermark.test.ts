/**
 * TiDB's watermark capture, on the real MariaDB with `database.flavor: 'tidb'` forced (TiDB has no
 * triggers; MariaDB stands in for its SQL): order, ids, ties and late commits behind the
 * watermark, a failed enqueue, two runners on one position store, the run's clock, the columns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type mysql from 'mysql2/promise';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { describeWatermarks, isTidb, openWatermarkCapture, OVERLAP_MICROS, tidbFromConfig } from '../../src/run/capture-watermark.js';
import { isTidbUrl } from '../../src/run/capture-mode.js';
import { analyze } from '../../src/analysis/analyze.js';
import { formatMicros, TIDB_DELETE_MESSAGE } from '../../src/run/watermark-tables.js';
import { at, context, database, makeConfig, memoryPositions, ts, µs, type Trigger } from './watermark-helpers.js';

const USERS = `CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(100),
  created_at TIMESTAMP(6) NULL DEFAULT NULL,
  updated_at TIMESTAMP(6) NULL DEFAULT NULL
)`;

async function insertUser(db: mysql.Connection, id: number, created: string) {
  await db.query('INSERT INTO users (id, email, created_at, updated_at) VALUES (?, ?, ?, ?)', [id, `u${id}@example.com`, created, created]);
}

test('the source is TiDB: a forced flavor wins, then the URL, then the server', async (t) => {
  const none = { database: {} };
  assert.equal(tidbFromConfig({ url: 'mysql://u@gateway01.eu-central-1.prod.aws.tidbcloud.com:4000/app', config: none }), true);
  assert.equal(tidbFromConfig({ url: 'tidb://u@10.0.0.5:4000/app', config: none }), true);
  assert.equal(tidbFromConfig({ url: 'mysql://u@db.example.com:3306/app', config: none }), undefined);
  assert.equal(tidbFromConfig({ url: 'mysql://u@db.example.com/app', config: { database: { flavor: 'tidb' } } }), true);
  assert.equal(tidbFromConfig({ url: 'mysql://u@x.tidbcloud.com/app', config: { database: { flavor: 'mariadb' } } }), false);
  assert.equal(isTidbUrl('mysql://u@tidbcloud.com.evil.example/app'), false);
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  assert.equal(await isTidb({ url: server, config: none }), false, 'MariaDB answers no tidb_version()');
  assert.equal(await isTidb({ url: server, config: { database: { flavor: 'tidb' } } }), true);
});

test('the config: database.flavor and database.capture are validated by the schema', () => {
  const config = makeConfig([['users', 'insert']], { capture: { users: { createdAt: 'signup_at', updatedAt: 'modified_at' } } });
  assert.deepEqual(config.database, { flavor: 'tidb', capture: { users: { createdAt: 'signup_at', updatedAt: 'modified_at' } } });
  assert.throws(() => makeConfig([], { flavor: 'oracle' }), /flavor/);
  assert.throws(() => makeConfig([], { capture: { users: { created: 'x' } } }), /created/);
  assert.throws(() => makeConfig([], { capture: { users: { createdAt: '' } } }), /createdAt/);
});

test('inserts: read in (created_at, key) order from an hour before the first start, nothing after `at`, ids for ever', async (t) => {
  const s = await database(t, USERS);
  if (!s) return;
  await insertUser(s.db, 1, ts(-3601)); // over an hour before the first start: history, not a change
  await insertUser(s.db, 2, ts(-1)); // within the hour: written while no runner ran
  const capture = await openWatermarkCapture({
    url: s.url,
    config: makeConfig([
      ['users', 'insert'],
      ['users', 'update'],
    ]),
  });
  t.after(() => capture.close());
  assert.match(capture.label, /^TiDB watermarks on mysql:\/\/root@127\.0\.0\.1:3306\//);
  const positions = memoryPositions();
  const first = context(positions, 0);
  assert.equal(await capture.drain(first), 1, 'the first start reads the hour before `at`');
  assert.deepEqual(
    first.events.map((e) => e.id),
    [`w:${s.name}.users:insert:2:${µs(ts(-1))}`],
  );

  await insertUser(s.db, 12, ts(2));
  await insertUser(s.db, 11, ts(1, 500));
  await insertUser(s.db, 10, ts(1, 500)); // same time as 11: the key orders them
  await insertUser(s.db, 13, ts(600)); // after the run's clock
  const ctx = context(positions, 5);
  assert.equal(await capture.drain(ctx), 3);
  assert.deepEqual(
    ctx.events.map((e) => [e.id, e.op, e.key, e.occurredAt.toISOString()]),
    [
      [`w:${s.name}.users:insert:10:${µs(ts(1, 500))}`, 'insert', 10, '2026-03-02T09:00:01.000Z'],
      [`w:${s.name}.users:insert:11:${µs(ts(1, 500))}`, 'insert', 11, '2026-03-02T09:00:01.000Z'],
      [`w:${s.name}.users:insert:12:${µs(ts(2))}`, 'insert', 12, '2026-03-02T09:00:02.000Z'],
    ],
    'an insert sets updated_at too: it is no update',
  );
  assert.deepEqual(JSON.parse(positions.values.get(`watermark:${s.name}.users/insert/created_at`)!), { after: [ts(2), 12], since: ts(-3600) });

  const writes = positions.writes;
  const again = context(positions, 5);
  assert.equal(await capture.drain(again), 0, 'what this capture enqueued is not handed over again');
  assert.equal(positions.writes, writes, 'a drain that finds nothing new writes no position');
  const later = context(positions, 601);
  assert.equal(await capture.drain(later), 1);
  assert.deepEqual(
    later.events.map((e) => e.id),
    [`w:${s.name}.users:insert:13:${µs(ts(600))}`],
  );
});

test('updates: by updated_at, one event per update time; a later commit behind the watermark is still read', async (t) => {
  const s = await database(t, USERS);
  if (!s) return;
  const capture = await openWatermarkCapture({
    url: s.url,
    config: makeConfig([
      ['users', 'insert'],
      ['users', 'update'],
    ]),
  });
  t.after(() => capture.close());
  const positions = memoryPositions();
  await capture.drain(context(positions, 0));
  await insertUser(s.db, 10, ts(2));
  await capture.drain(context(positions, 3));

  await s.db.query('UPDATE users SET updated_at = ? WHERE id = 10', [ts(4, 250)]);
  // Committed after the watermark moved to 2 s, with the watermark's own time and a smaller key.
  await insertUser(s.db, 5, ts(2));
  // And one whose creation time is earlier still, within the overlap.
  await insertUser(s.db, 6, ts(1));
  const ctx = context(positions, 5);
  assert.equal(await capture.drain(ctx), 3);
  assert.deepEqual(
    ctx.events.map((e) => e.id),
    [`w:${s.name}.users:insert:6:${µs(ts(1))}`, `w:${s.name}.users:insert:5:${µs(ts(2))}`, `w:${s.name}.users:update:10:${µs(ts(4, 250))}`],
  );
  assert.equal(ctx.events[2]!.op, 'update');

  await s.db.query('UPDATE users SET updated_at = ? WHERE id = 10', [ts(4, 900)]);
  const second = context(positions, 6);
  assert.equal(await capture.drain(second), 1);
  assert.deepEqual(
    second.events.map((e) => e.id),
    [`w:${s.name}.users:update:10:${µs(ts(4, 900))}`],
  );

  // The insert watermark moves to 2 h; then two rows commit late, one within the overlap (65 min by
  // default) behind it and one further back, which is not seen (docs/run.md says so).
  await insertUser(s.db, 20, ts(7200));
  await capture.drain(context(positions, 7201));
  await insertUser(s.db, 21, formatMicros(µs(ts(7200)) - OVERLAP_MICROS + 1_000_000));
  await insertUser(s.db, 22, formatMicros(µs(ts(7200)) - OVERLAP_MICROS - 1_000_000));
  // A poll reads 60 s back; the whole overlap is read again once a minute (by the run's clock).
  const soon = context(positions, 7202);
  await capture.drain(soon);
  assert.deepEqual(soon.events, []);
  const late = context(positions, 7262);
  await capture.drain(late);
  assert.deepEqual(
    late.events.map((e) => e.key),
    [21],
  );
});

test('a failed enqueue leaves the watermark where it was; the next drain hands over the same events', async (t) => {
  const s = await database(t, USERS);
  if (!s) return;
  const capture = await openWatermarkCapture({ url: s.url, config: makeConfig([['users', 'insert']]) });
  t.after(() => capture.close());
  const positions = memoryPositions();
  await capture.drain(context(positions, 0));
  const before = positions.values.get(`watermark:${s.name}.users/insert/created_at`);
  await insertUser(s.db, 1, ts(1));
  await insertUser(s.db, 2, ts(2));
  const failure = new Error('state database is gone');
  await assert.rejects(capture.drain(context(positions, 5, failure)), (e) => e === failure);
  assert.equal(positions.values.get(`watermark:${s.name}.users/insert/created_at`), before);
  const retry = context(positions, 5);
  assert.equal(await capture.drain(retry), 2);
  assert.deepEqual(
    retry.events.map((e) => e.key),
    [1, 2],
  );
});

test('two runners on one position store hand over the same ids', async (t) => {
  const s = await database(t, USERS);
  if (!s) return;
  const config = makeConfig([['users', 'insert']]);
  const a = await openWatermarkCapture({ url: s.url, config });
  const b = await openWatermarkCapture({ url: s.url, config });
  t.after(() => Promise.all([a.close(), b.close()]));
  const positions = memoryPositions();
  await a.drain(context(positions, 0));
  for (const id of [1, 2, 3]) await insertUser(s.db, id, ts(id));
  const fromA = context(positions, 5);
  await a.drain(fromA);
  const fromB = context(positions, 5);
  await b.drain(fromB);
  assert.equal(fromA.events.length, 3);
  assert.deepEqual(
    fromB.events.map((e) => e.id),
    fromA.events.map((e) => e.id),
    'B re-reads the overlap: the same events, whose jobs the runner stores once',
  );
});

test('columns from database.capture, an AUTO_INCREMENT key (AUTO_ID_CACHE=1) as the creation column, and what migrate prints', async (t) => {
  const s = await database(
    t,
    `CREATE TABLE members (id INT AUTO_INCREMENT PRIMARY KEY, signup_at DATETIME(6) NULL, modified_at DATETIME(6) NULL);
     SET SESSION sql_mode = 'IGNORE_BAD_TABLE_OPTIONS'; -- TiDB's option, which MariaDB keeps as an ignored one
     CREATE TABLE orders (order_no BIGINT AUTO_INCREMENT PRIMARY KEY, total INT) ENGINE=InnoDB AUTO_ID_CACHE=1;
     INSERT INTO orders (order_no, total) VALUES (100, 1), (101, 2);`,
  );
  if (!s) return;
  const config = makeConfig(
    [
      ['members', 'insert'],
      ['members', 'update'],
      ['orders', 'insert'],
    ],
    { capture: { members: { createdAt: 'signup_at', updatedAt: 'modified_at' }, orders: { createdAt: 'order_no' } } },
  );
  assert.deepEqual(await describeWatermarks({ url: s.url, config }), [
    'members: inserts by signup_at, updates by modified_at (watermark; TiDB has no triggers)',
    'orders: inserts by order_no (increasing key) (watermark; TiDB has no triggers)',
  ]);
  const capture = await openWatermarkCapture({ url: s.url, config });
  t.after(() => capture.close());
  assert.deepEqual(
    capture.warnings?.map((w) => w.split(' is DATETIME')[0]),
    ['members.signup_at', 'members.modified_at'],
    'a DATETIME is read as UTC: the runner says so',
  );
  const positions = memoryPositions();
  await capture.drain(context(positions, 0));
  assert.deepEqual(JSON.parse(positions.values.get(`watermark:${s.name}.orders/insert/order_no`)!), { after: ['101', null], since: '101' });
  await s.db.query('INSERT INTO members (id, signup_at, modified_at) VALUES (1, ?, ?)', [ts(1), ts(1)]);
  await s.db.query('INSERT INTO orders (total) VALUES (3), (4)');
  await s.db.query('UPDATE members SET modified_at = ? WHERE id = 1', [ts(2)]);
  const ctx = context(positions, 5);
  assert.equal(await capture.drain(ctx), 4);
  assert.deepEqual(
    ctx.events.map((e) => [e.id, e.table, e.op]),
    [
      [`w:${s.name}.members:insert:1:${µs(ts(1))}`, 'members', 'insert'],
      [`w:${s.name}.members:update:1:${µs(ts(2))}`, 'members', 'update'],
      [`w:${s.name}.orders:insert:102`, 'orders', 'insert'],
      [`w:${s.name}.orders:insert:103`, 'orders', 'insert'],
    ],
  );
  assert.equal(ctx.events[2]!.occurredAt.getTime(), at(5).getTime(), 'a key has no time: dated when seen');
});

test('refusals: a missing column names the table, the column and database.capture; deletes cannot be captured', async (t) => {
  const s = await database(
    t,
    `CREATE TABLE users (id INT PRIMARY KEY, signup DATE, updated_at TIMESTAMP(6) NULL); CREATE TABLE nokey (created_at TIMESTAMP NULL);`,
  );
  if (!s) return;
  const refused = async (triggers: Trigger[], database: Record<string, unknown>, message: RegExp) => {
    const config = makeConfig(triggers, database);
    const oneLine = (e: Error) => {
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    };
    await assert.rejects(openWatermarkCapture({ url: s.url, config }), oneLine);
    await assert.rejects(describeWatermarks({ url: s.url, config }), oneLine);
  };
  await refused(
    [['users', 'insert']],
    {},
    /^users has no column created_at, which Skene's TiDB capture reads inserts by \(the default\): name the column in database\.capture — defineConfig\(\{ database: \{ capture: \{ 'users': \{ createdAt: '<column>' \} \} \} \}\)$/,
  );
  await refused(
    [['users', 'update']],
    { capture: { users: { updatedAt: 'changed_at' } } },
    /^users has no column changed_at, which Skene's TiDB capture reads updates by: .*updatedAt/,
  );
  await refused(
    [['users', 'insert']],
    { capture: { users: { createdAt: 'signup' } } },
    /^users\.signup is date: .*TIMESTAMP or DATETIME column \(or an AUTO_INCREMENT key\)/,
  );
  await refused([['users', 'delete']], {}, /^users: a database trigger watches deletes\. TiDB has no triggers: .*cannot see deletes.*deleted_at.*TiCDC/);
  // skene check says the same (SKN044) before the runner is ever started.
  const checked = analyze(`export default { database: { flavor: 'tidb' }, loops: ${JSON.stringify(makeConfig([['users', 'delete']]).loops)} };`);
  assert.deepEqual(
    checked.diagnostics.filter((d) => d.code === 'SKN044').map((d) => d.message),
    [TIDB_DELETE_MESSAGE],
  );
  await refused([['nokey', 'insert']], {}, /^nokey: no primary key/);
  await refused([['missing', 'insert']], {}, /^missing: no such table/);
  // Update-only on a table with updated_at: fine without created_at.
  const capture = await openWatermarkCapture({ url: s.url, config: makeConfig([['users', 'update']]) });
  await capture.close();
  await assert.rejects(
    openWatermarkCapture({ url: 'mysql://root:s3cret-pw@127.0.0.1:1/x', config: makeConfig([['users', 'insert']]) }),
    (e: Error) => !e.message.includes('s3cret-pw') && /^cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/x/.test(e.message),
  );
});

test('waitForChange polls: at most pollMs, at once on abort', async (t) => {
  const s = await database(t, USERS);
  if (!s) return;
  const capture = await openWatermarkCapture({ url: s.url, config: makeConfig([['users', 'insert']]), pollMs: 50 });
  t.after(() => capture.close());
  const started = Date.now();
  await capture.waitForChange(60_000, new AbortController().signal);
  const waited = Date.now() - started;
  assert.ok(waited >= 40 && waited < 5000, `waited ${waited} ms for a 50 ms poll`);
  const quick = Date.now();
  await capture.waitForChange(60_000, AbortSignal.abort());
  assert.ok(Date.now() - quick < 40);
});

test('a connection the server ended is opened again; a failing read names the table and column', async (t) => {
  const s = await database(t, USERS);
  if (!s) return;
  const capture = await openWatermarkCapture({ url: s.url, config: makeConfig([['users', 'insert']]) });
  t.after(() => capture.close());
  const positions = memoryPositions();
  await capture.drain(context(positions, 0));
  await insertUser(s.db, 1, ts(1));
  const killOthers = async () => {
    const [rows] = await s.db.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()');
    for (const row of rows as { id: number }[]) await s.db.query(`KILL ${Number(row.id)}`);
    return (rows as unknown[]).length;
  };
  assert.equal(await killOthers(), 1, "the capture's one connection");
  const ctx = context(positions, 5);
  assert.equal(await capture.drain(ctx), 1);
  assert.deepEqual(
    ctx.events.map((e) => e.key),
    [1],
  );
  await s.db.query('ALTER TABLE users RENAME COLUMN created_at TO made_at');
  await assert.rejects(capture.drain(context(positions, 6)), (e: Error) => {
    assert.match(e.message, /^users: reading inserts by created_at: .*created_at/);
    return true;
  });
});
