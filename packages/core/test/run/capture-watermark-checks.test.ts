/**
 * What TiDB's watermark capture refuses or warns about so that no change is skipped and no two
 * changes share an event id (watermark-checks.ts): an integer key TiDB hands out out of order,
 * times coarser than microseconds, DATETIME's time zone; the overlap setting; ids that do not
 * depend on how the config spells the table, on the runner's zone or on 2^53.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/analysis/analyze.js';
import { openWatermarkCapture } from '../../src/run/capture-watermark.js';
import { autoIdCacheOf, datetimeZoneWarnings, isUtcZone, serverZone } from '../../src/run/watermark-checks.js';
import { formatMicros, watermarkTables } from '../../src/run/watermark-tables.js';
import { at, context, database, makeConfig, memoryPositions, ts, µs } from './watermark-helpers.js';

/** TiDB's table options (MariaDB keeps them, unknown, under sql_mode IGNORE_BAD_TABLE_OPTIONS). */
const TIDB_OPTIONS = "SET SESSION sql_mode = 'IGNORE_BAD_TABLE_OPTIONS'";

const oneLine = (pattern: RegExp) => (e: Error) => {
  assert.match(e.message, pattern);
  assert.doesNotMatch(e.message, /\n/);
  return true;
};

test('an integer creation column is read only as an AUTO_INCREMENT primary key with AUTO_ID_CACHE=1', async (t) => {
  const s = await database(
    t,
    `${TIDB_OPTIONS};
     CREATE TABLE cached (id BIGINT AUTO_INCREMENT PRIMARY KEY);
     CREATE TABLE counted (id BIGINT PRIMARY KEY, n INT);
     CREATE TABLE ordered (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB AUTO_ID_CACHE=1;
     INSERT INTO ordered (id) VALUES (9007199254740992);`,
  );
  if (!s) return;
  const open = (table: string, createdAt: string) =>
    openWatermarkCapture({ url: s.url, config: makeConfig([[table, 'insert']], { capture: { [table]: { createdAt } } }) });
  await assert.rejects(open('cached', 'id'), oneLine(/^cached\.id is an AUTO_INCREMENT key without AUTO_ID_CACHE=1: .*30000.*database\.capture/));
  await assert.rejects(open('counted', 'n'), oneLine(/^counted\.n is not the AUTO_INCREMENT primary key.*AUTO_RANDOM.*TIMESTAMP\(6\)/));
  await assert.rejects(open('counted', 'id'), oneLine(/^counted\.id is not the AUTO_INCREMENT primary key/));

  // Allowed: and its values pass 2^53 exactly (a Number would make 2^53 + 1 equal 2^53).
  const capture = await open('ordered', 'id');
  t.after(() => capture.close());
  const positions = memoryPositions();
  await capture.drain(context(positions, 0));
  assert.deepEqual(JSON.parse(positions.values.get(`watermark:${s.name}.ordered/insert/id`)!).since, '9007199254740992');
  await s.db.query('INSERT INTO ordered (id) VALUES (9007199254740993), (9007199254740994)');
  const ctx = context(positions, 5);
  assert.equal(await capture.drain(ctx), 2);
  assert.deepEqual(
    ctx.events.map((e) => e.id),
    [`w:${s.name}.ordered:insert:9007199254740993`, `w:${s.name}.ordered:insert:9007199254740994`],
  );
  assert.equal(await capture.drain(context(positions, 6)), 0, 'nothing handed over twice');
});

test("AUTO_ID_CACHE is read from the table's options as TiDB and MariaDB show them, not from a comment", () => {
  const tidb = 'CREATE TABLE `t` (\n  `id` bigint NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */\n)';
  assert.equal(autoIdCacheOf(`${tidb} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin /*T![auto_id_cache] AUTO_ID_CACHE=1 */`), 1);
  assert.equal(autoIdCacheOf(`${tidb} ENGINE=InnoDB /*T![auto_id_cache] AUTO_ID_CACHE=100 */`), 100);
  assert.equal(autoIdCacheOf(`${tidb} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 \`AUTO_ID_CACHE\`='1'`), 1);
  assert.equal(autoIdCacheOf(`${tidb} ENGINE=InnoDB AUTO_INCREMENT=30001`), undefined);
  assert.equal(autoIdCacheOf(`${tidb} ENGINE=InnoDB COMMENT='set AUTO_ID_CACHE=1 later'`), undefined);
  assert.equal(autoIdCacheOf('CREATE TABLE `t` (\n  `AUTO_ID_CACHE=1` int\n) ENGINE=InnoDB'), undefined, 'a column name is not an option');
});

test('a creation or update time coarser than microseconds is refused: two changes in one tick would share an id', async (t) => {
  const s = await database(
    t,
    `CREATE TABLE seconds (id INT PRIMARY KEY, created_at TIMESTAMP(6) NULL, updated_at TIMESTAMP NULL);
     CREATE TABLE millis (id INT PRIMARY KEY, created_at DATETIME(3) NULL, updated_at TIMESTAMP(6) NULL);`,
  );
  if (!s) return;
  const open = (triggers: [string, 'insert' | 'update'][]) => openWatermarkCapture({ url: s.url, config: makeConfig(triggers) });
  await assert.rejects(
    open([['seconds', 'update']]),
    oneLine(/^seconds\.updated_at is TIMESTAMP: two updates of a row within one tick .* ALTER TABLE seconds MODIFY updated_at TIMESTAMP\(6\)/),
  );
  await assert.rejects(open([['millis', 'insert']]), oneLine(/^millis\.created_at is DATETIME\(3\): .* MODIFY created_at DATETIME\(6\)/));
  // Updates are told from the insert by the creation time: a coarser one never equals the update time.
  await assert.rejects(open([['millis', 'update']]), oneLine(/^millis\.created_at is DATETIME\(3\)/));
  await (await open([['seconds', 'insert']])).close();
});

test("DATETIME is read as UTC: refused when the server's zone is not UTC, else a warning", async (t) => {
  assert.equal(serverZone('SYSTEM', 'UTC'), 'UTC');
  assert.equal(serverZone('+02:00', 'UTC'), '+02:00');
  for (const zone of ['+00:00', 'UTC', 'Etc/UTC', 'utc', 'GMT']) assert.ok(isUtcZone(zone), zone);
  for (const zone of ['-05:00', 'CET', 'Europe/London', 'SYSTEM']) assert.ok(!isUtcZone(zone), zone);
  const s = await database(t, 'CREATE TABLE users (id INT PRIMARY KEY, created_at DATETIME(6) NULL, updated_at TIMESTAMP(6) NULL)');
  if (!s) return;
  const config = makeConfig([
    ['users', 'insert'],
    ['users', 'update'],
  ]);
  const tables = await (async () => {
    const capture = await openWatermarkCapture({ url: s.url, config });
    assert.deepEqual(capture.warnings?.length, 1, 'one DATETIME read: one warning (the server here runs in UTC)');
    assert.match(capture.warnings![0]!, /^users\.created_at is DATETIME, read as UTC: a writer whose session time zone is not UTC .* TIMESTAMP\(6\)/);
    await capture.close();
    return watermarkTables(s.db, config);
  })();
  // A server in another zone (a shared test server's zone is not changed): as the catalog would answer.
  const answering = (g: string, zone: string) => ({ query: async () => [[{ g, s: zone }]] }) as never;
  await assert.rejects(
    datetimeZoneWarnings(answering('SYSTEM', 'CET'), tables),
    oneLine(/^users\.created_at is DATETIME, which holds the writer's local time, and the server's time zone is CET: .*TIMESTAMP\(6\)/),
  );
  assert.equal((await datetimeZoneWarnings(answering('+00:00', 'CET'), tables)).length, 1);
});

test('the overlap: 65 min behind by default, as database.capture.<table>.overlap says otherwise; read whole once a minute', async (t) => {
  const s = await database(t, 'CREATE TABLE users (id INT PRIMARY KEY, created_at TIMESTAMP(6) NULL); CREATE TABLE orders LIKE users;');
  if (!s) return;
  const config = makeConfig(
    [
      ['users', 'insert'],
      ['orders', 'insert'],
    ],
    { capture: { orders: { overlap: '30s' } } },
  );
  const capture = await openWatermarkCapture({ url: s.url, config });
  t.after(() => capture.close());
  const positions = memoryPositions();
  await capture.drain(context(positions, 0));
  await s.db.query('INSERT INTO users VALUES (1, ?); INSERT INTO orders VALUES (1, ?)', [ts(100), ts(100)]);
  await capture.drain(context(positions, 101));
  // Transactions that began 61 s and 31 s before the watermark commit now.
  const late = (seconds: number) => formatMicros(µs(ts(100)) - seconds * 1_000_000);
  await s.db.query('INSERT INTO users VALUES (2, ?), (3, ?); INSERT INTO orders VALUES (2, ?), (3, ?)', [late(61), late(3599), late(29), late(31)]);
  const poll = context(positions, 102);
  await capture.drain(poll);
  assert.deepEqual(
    poll.events.map((e) => `${e.table} ${e.key}`),
    ['orders 2'],
    'a poll reads 60 s back (orders: its 30 s)',
  );
  const sweep = context(positions, 161);
  await capture.drain(sweep);
  assert.deepEqual(
    sweep.events.map((e) => `${e.table} ${e.key}`),
    ['users 3', 'users 2'],
    'once a minute the whole overlap: users 65 min back; orders still 30 s',
  );
  assert.throws(() => makeConfig([['users', 'insert']], { capture: { users: { overlap: '1 hour' } } }), /overlap/);
  // skene check says so before the runner starts (SKN012, as for a timeout).
  const loops = JSON.stringify(makeConfig([['users', 'insert']]).loops);
  const checked = (overlap: string) =>
    analyze(`export default { database: { flavor: 'tidb', capture: { users: { overlap: '${overlap}' } } }, loops: ${loops} };`)
      .diagnostics.filter((d) => d.code === 'SKN012')
      .map((d) => d.message);
  assert.deepEqual(checked('1 hour'), ["Invalid duration '1 hour'. Write a whole number and one unit: '500ms', '30s', '5m', '1h', '7d'. Did you mean '1h'?"]);
  assert.deepEqual(checked('0m'), ["Duration '0m' is zero; an overlap must be positive, for example '30s' or '5m'."]);
  assert.deepEqual(checked('65m'), []);
});

test('ids and positions use the table as the catalog names it, and a time key as ISO text with µs', async (t) => {
  const s = await database(t, 'CREATE TABLE visits (at_key DATETIME(6) PRIMARY KEY, created_at TIMESTAMP(6) NULL)');
  if (!s) return;
  await s.db.query('INSERT INTO visits VALUES (?, ?)', ['2026-03-02 08:59:59.123456', ts(1)]);
  const drained = async (table: string) => {
    const capture = await openWatermarkCapture({ url: s.url, config: makeConfig([[table, 'insert']]) });
    const positions = memoryPositions();
    const ctx = context(positions, 5);
    await capture.drain(ctx);
    await capture.close();
    return { ids: ctx.events.map((e) => e.id), names: [...positions.values.keys()], tables: ctx.events.map((e) => e.table) };
  };
  const plain = await drained('visits');
  const qualified = await drained(`${s.name}.visits`);
  assert.deepEqual(plain.ids, [`w:${s.name}.visits:insert:2026-03-02T08:59:59.123456:${µs(ts(1))}`]);
  assert.deepEqual(qualified.ids, plain.ids, '`visits` and `<db>.visits` are one table: the same events');
  assert.deepEqual(qualified.names, plain.names);
  assert.deepEqual(qualified.tables, [`${s.name}.visits`], "the event's table is the trigger's, which its jobs match");
  assert.equal(at(0).getTime(), Date.parse('2026-03-02T09:00:00Z'));
});
