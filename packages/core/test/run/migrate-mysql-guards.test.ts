/**
 * `skene migrate` on MariaDB against names and tables that are not what they seem: a key column
 * or a table whose name holds a dot, a database trigger on Skene's own events table, an
 * application table already called `skene_events`. Each either works or is refused in one line,
 * and the application's own writes keep working.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CapturedEvent } from '../../src/run/capture.js';
import { openMysqlCapture } from '../../src/run/capture-mysql.js';
import { migrate } from '../../src/run/index.js';
import { config, database, installed } from './mysql-helpers.js';

type Cfg = Parameters<typeof openMysqlCapture>[0]['config'];

test('a dot inside a name is part of the name: key column `thing.id`, table `x.y`', async (t) => {
  const d = await database(t, 'skene_mig_dots');
  if (!d) return;
  await d.client.query('CREATE TABLE things (`thing.id` INT PRIMARY KEY, v INT); CREATE TABLE `x.y` (id INT PRIMARY KEY)');
  // `<db>.x.y`: the table `x.y` of the URL's database (the first dot ends the database's name).
  const cfg = config(['things', 'insert'], [`${d.db}.x.y`, 'insert']);
  const result = await migrate({ config: cfg, databaseUrl: d.url });
  assert.deepEqual(result.changes.sort(), ['things: capturing insert (key thing.id)', 'x.y: capturing insert (key id)']);
  assert.deepEqual(
    (await installed(d.client, d.db)).triggers.map((tr) => [tr.name, tr.tbl]),
    [
      ['skene_insert_things', 'things'],
      ['skene_insert_x.y', 'x.y'],
    ],
  );
  // The application's writes work, and the captured key is the row's.
  await d.client.query('INSERT INTO things VALUES (7, 1); INSERT INTO `x.y` VALUES (3)');
  const capture = await openMysqlCapture({ url: d.url, config: cfg as Cfg });
  t.after(() => capture.close());
  const seen: CapturedEvent[] = [];
  await capture.drain({ enqueue: async (events) => void seen.push(...events), positions: { get: async () => undefined, set: async () => {} }, at: new Date() });
  assert.deepEqual(
    seen.map((e) => [e.table, e.key]),
    [
      ['things', 7],
      [`${d.db}.x.y`, 3],
    ],
  );
  // Printed SQL quotes them whole too.
  const printed = await migrate({ config: cfg, databaseUrl: d.url, print: true });
  assert.match(printed.sql, /NEW\.`thing\.id`/);
  assert.match(printed.sql, /CREATE TRIGGER `skene_insert_x\.y` AFTER INSERT ON `x\.y` /);
});

test("a database trigger on skene_events itself is refused in one line; the application's writes keep working", async (t) => {
  const d = await database(t, 'skene_mig_self');
  if (!d) return;
  await migrate({ config: config(['users', 'insert']), databaseUrl: d.url });
  const before = await installed(d.client, d.db);
  for (const spelling of ['skene_events', `${d.db}.skene_events`]) {
    await assert.rejects(migrate({ config: config(['users', 'insert'], [spelling, 'insert']), databaseUrl: d.url }), (e: Error) => {
      assert.equal(
        e.message,
        `${spelling} is Skene's own events table, which a database trigger cannot watch (its capture would fail every write to the watched tables): remove that trigger from the config — nothing was changed`,
      );
      return true;
    });
    await assert.rejects(migrate({ config: config([spelling, 'update']), databaseUrl: d.url, print: true }), /is Skene's own events table/);
  }
  assert.deepEqual(
    (await installed(d.client, d.db)).triggers.map((tr) => [tr.name, tr.body]),
    before.triggers.map((tr) => [tr.name, tr.body]),
  );
  await d.client.query("INSERT INTO users (email) VALUES ('a@example.com')");
  const [rows] = await d.client.query('SELECT COUNT(*) AS n FROM skene_events');
  assert.equal(Number((rows as { n: number }[])[0]!.n), 1);
});

test('an application table named skene_events is neither adopted nor dropped: refused in one line, --down leaves it', async (t) => {
  const d = await database(t, 'skene_mig_theirs');
  if (!d) return;
  await d.client.query("CREATE TABLE skene_events (event_id INT PRIMARY KEY, payload TEXT); INSERT INTO skene_events VALUES (1, 'their data')");
  const line = `${d.db}.skene_events is a table that is not Skene's events table (columns: event_id int, payload text)`;
  for (const print of [false, true])
    await assert.rejects(migrate({ config: config(['users', 'insert']), databaseUrl: d.url, print }), (e: Error) => {
      assert.equal(e.message, `${line}: rename it, or install Skene's capture in another database — nothing was changed`);
      return true;
    });
  assert.deepEqual((await installed(d.client, d.db)).triggers, []);
  await d.client.query("INSERT INTO users (email) VALUES ('a@example.com')");

  const printed = await migrate({ config: config(), databaseUrl: d.url, down: true, print: true });
  assert.doesNotMatch(printed.sql, /DROP TABLE/);
  assert.match(printed.sql, /^-- .*skene_events is a table that is not Skene's events table .*: left as it is$/m);
  const down = await migrate({ config: config(), databaseUrl: d.url, down: true });
  assert.deepEqual(down.changes, [`${line}: left as it is`]);
  const [rows] = await d.client.query('SELECT event_id, payload FROM skene_events');
  assert.deepEqual(rows, [{ event_id: 1, payload: 'their data' }]);

  // Skene's own table, even empty of rows, is still recognised, and --down drops it.
  await d.client.query('DROP TABLE skene_events');
  await migrate({ config: config(['users', 'insert']), databaseUrl: d.url });
  assert.deepEqual((await migrate({ config: config(['users', 'insert']), databaseUrl: d.url })).changes, ['users: unchanged']);
  await migrate({ config: config(), databaseUrl: d.url, down: true });
  assert.deepEqual(await installed(d.client, d.db), { triggers: [], events: false });
});
