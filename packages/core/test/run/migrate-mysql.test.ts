/**
 * `skene migrate` on MariaDB (the real server on loopback), a throwaway database per test: the
 * triggers installed for exactly the operations asked for, re-runs that change nothing, refusals
 * that leave the database as it was (also a failure part-way, undone), `--down`, `--print`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate, type CaptureConfig } from '../../src/run/index.js';
import { migrateMysql, mysqlTriggerName } from '../../src/run/migrate-mysql.js';
import { config, database, installed } from './mysql-helpers.js';

test('install: a trigger per operation asked for, names that resolve to one table merged; re-runs change nothing', async (t) => {
  const d = await database(t, 'skene_mig_install');
  if (!d) return;
  const cfg = config(['users', 'insert'], ['users', 'delete'], [`${d.db}.users`, 'update'], ['orders', 'insert']);
  const first = await migrate({ config: cfg, databaseUrl: d.url });
  assert.equal(first.kind, 'mysql');
  assert.equal(first.tables, 2);
  assert.deepEqual(first.changes, ['orders: capturing insert (key code)', 'users: capturing insert, update, delete (key id)']);
  const before = await installed(d.client, d.db);
  assert.equal(before.events, true);
  assert.deepEqual(
    before.triggers.map((tr) => [tr.name, tr.tbl, tr.op]),
    [
      ['skene_delete_users', 'users', 'DELETE'],
      ['skene_insert_orders', 'orders', 'INSERT'],
      ['skene_insert_users', 'users', 'INSERT'],
      ['skene_update_users', 'users', 'UPDATE'],
    ],
  );
  // MariaDB's CREATED has centiseconds: a re-created trigger would show a later time.
  await new Promise((r) => setTimeout(r, 30));
  const again = await migrate({ config: cfg, databaseUrl: d.url });
  assert.deepEqual(again.changes, ['orders: unchanged', 'users: unchanged']);
  assert.deepEqual(await installed(d.client, d.db), before);

  // Fewer operations, a table no longer named: exactly those triggers go.
  const fewer = await migrate({ config: config(['users', 'insert']), databaseUrl: d.url });
  assert.deepEqual(fewer.changes, ['users: capturing insert (key id)', 'orders: capture removed (no database trigger in the config names it)']);
  assert.deepEqual(
    (await installed(d.client, d.db)).triggers.map((tr) => tr.name),
    ['skene_insert_users'],
  );

  // A new primary key: the trigger is replaced in place, keyed by the new column.
  await d.client.query('ALTER TABLE users MODIFY id INT NOT NULL, DROP PRIMARY KEY, ADD PRIMARY KEY (email)');
  const rekeyed = await migrate({ config: config(['users', 'insert']), databaseUrl: d.url });
  assert.deepEqual(rekeyed.changes, ['users: capturing insert (key email)']);
  const [trigger] = (await installed(d.client, d.db)).triggers;
  assert.equal(trigger?.name, 'skene_insert_users');
  assert.match(trigger!.body, /NEW\.`email`/);
});

test('refusals: a missing table, no key, a composite key, a clashing name: one line, nothing created', async (t) => {
  const d = await database(t, 'skene_mig_refuse');
  if (!d) return;
  const cases: [CaptureConfig, RegExp][] = [
    [
      config(['users', 'insert'], ['missing_table', 'insert']),
      /^table missing_table does not exist in \S+ \(a database trigger in the config names it\): create it first/,
    ],
    [config(['users', 'insert'], ['no_key', 'insert']), /^table no_key has no primary key: .*ALTER TABLE no_key ADD PRIMARY KEY/],
    [config(['users', 'insert'], ['pairs', 'update']), /^table pairs has a composite primary key \(a, b\): .*one-column primary key/],
    [config(['users', 'insert'], ['users_view', 'insert']), /^users_view is a view, which triggers cannot watch/],
  ];
  await d.client.query('CREATE VIEW users_view AS SELECT * FROM users');
  for (const [cfg, message] of cases) {
    await assert.rejects(migrate({ config: cfg, databaseUrl: d.url }), (e: Error) => {
      assert.match(e.message, message);
      assert.match(e.message, / — nothing was changed$/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    assert.deepEqual(await installed(d.client, d.db), { triggers: [], events: false });
  }
  // Someone's own trigger under the name Skene needs is neither replaced nor dropped.
  await d.client.query(`CREATE TRIGGER skene_insert_orders AFTER INSERT ON orders FOR EACH ROW SET @x = 1`);
  await assert.rejects(
    migrate({ config: config(['users', 'insert'], ['orders', 'insert']), databaseUrl: d.url }),
    /: a trigger named skene_insert_orders on orders is not Skene's, .* — nothing was changed$/,
  );
  const left = await installed(d.client, d.db);
  assert.deepEqual(
    left.triggers.map((tr) => [tr.name, tr.body]),
    [['skene_insert_orders', 'SET @x = 1']],
  );
  assert.equal(left.events, false);
  await migrate({ config: config(['users', 'insert']), databaseUrl: d.url, down: true });
  assert.equal((await installed(d.client, d.db)).triggers.length, 1, '--down leaves a trigger that is not Skene’s');
});

test('a failure part-way (no TRIGGER privilege on the second table) is undone; no password in the error', async (t) => {
  const d = await database(t, 'skene_mig_undo');
  if (!d) return;
  const user = `skene_t${process.pid}`;
  await d.client.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'hunter2-pw'`);
  t.after(() => d.client.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => {}));
  await d.client.query(`GRANT SELECT, INSERT, DELETE, CREATE, DROP ON \`${d.db}\`.* TO '${user}'@'%'`);
  await d.client.query(`GRANT TRIGGER ON \`${d.db}\`.orders TO '${user}'@'%'`);
  const url = d.url.replace('root@', `${user}:hunter2-pw@`);
  // Replacing a trigger must be undone too: install one Skene trigger as root, then change its operations.
  await migrate({ config: config(['orders', 'insert']), databaseUrl: d.url });
  const before = await installed(d.client, d.db);
  await assert.rejects(migrate({ config: config(['orders', 'update'], ['users', 'insert']), databaseUrl: url }), (e: Error) => {
    assert.match(e.message, /^cannot install change capture in mysql:\/\/skene_t\d+:\*\*\*@127\.0\.0\.1:3306\/\S+: .*TRIGGER.* — nothing was changed$/);
    assert.doesNotMatch(e.message, /hunter2-pw/);
    return true;
  });
  const after = await installed(d.client, d.db);
  assert.deepEqual(
    after.triggers.map((tr) => [tr.name, tr.body]),
    before.triggers.map((tr) => [tr.name, tr.body]),
  );
  assert.equal(after.events, true);

  // From an empty database: the events table this run created goes too.
  await migrate({ config: config(), databaseUrl: d.url, down: true });
  await assert.rejects(migrate({ config: config(['orders', 'insert'], ['users', 'insert']), databaseUrl: url }), / — nothing was changed$/);
  assert.deepEqual(await installed(d.client, d.db), { triggers: [], events: false });

  await assert.rejects(migrate({ config: config(['users', 'insert']), databaseUrl: d.url.replace('root@', 'root:hunter2-pw@') }), (e: Error) => {
    assert.match(e.message, /^cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\//);
    assert.doesNotMatch(e.message, /hunter2-pw/);
    return true;
  });
});

test('--down removes every Skene trigger (also of tables the config no longer names) and skene_events', async (t) => {
  const d = await database(t, 'skene_mig_down');
  if (!d) return;
  await migrate({ config: config(['users', 'insert'], ['users', 'update'], ['orders', 'delete']), databaseUrl: d.url });
  await d.client.query(`CREATE TRIGGER audit_users AFTER INSERT ON users FOR EACH ROW SET @x = 1`);
  const down = await migrate({ config: config(['users', 'insert']), databaseUrl: d.url, down: true });
  assert.deepEqual(down.changes, ['orders: capture removed', 'users: capture removed']);
  const left = await installed(d.client, d.db);
  assert.deepEqual(
    left.triggers.map((tr) => tr.name),
    ['audit_users'],
  );
  assert.equal(left.events, false);
  // Twice is fine.
  assert.deepEqual((await migrate({ config: config(), databaseUrl: d.url, down: true })).changes, []);
});

test('--print: the SQL, nothing changed; applied as a migration it installs what migrate installs', async (t) => {
  const d = await database(t, 'skene_mig_print');
  if (!d) return;
  const cfg = config(['users', 'insert'], ['orders', 'update']);
  const printed = await migrate({ config: cfg, databaseUrl: d.url, print: true });
  assert.equal(printed.applied, false);
  assert.match(printed.sql, /^-- skene migrate: Skene's change capture for MySQL\/MariaDB/);
  assert.match(printed.sql, /^--   users: insert \(key id\)$/m);
  assert.deepEqual(await installed(d.client, d.db), { triggers: [], events: false });
  await d.client.query(printed.sql);
  await d.client.query(printed.sql); // a migration applied twice
  const fromPrint = await installed(d.client, d.db);
  assert.deepEqual((await migrate({ config: cfg, databaseUrl: d.url })).changes, ['orders: unchanged', 'users: unchanged']);
  assert.deepEqual(
    fromPrint.triggers.map((tr) => [tr.name, tr.body]),
    (await installed(d.client, d.db)).triggers.map((tr) => [tr.name, tr.body]),
  );
  const down = await migrate({ config: cfg, databaseUrl: d.url, print: true, down: true });
  await d.client.query(down.sql);
  assert.deepEqual(await installed(d.client, d.db), { triggers: [], events: false });
});

test('TiDB installs no triggers (migrateMysql refuses it in one line); trigger names fit in 64 characters', async () => {
  await assert.rejects(migrateMysql({ config: config(['users', 'insert']), databaseUrl: 'tidb://root:hunter2-pw@127.0.0.1:4000/app' }), (e: Error) => {
    assert.equal(
      e.message,
      'tidb://root:***@127.0.0.1:4000/app is TiDB, which has no triggers: skene run captures it by watermark (created_at/updated_at), nothing to install',
    );
    return true;
  });
  const long = 'a'.repeat(64);
  assert.equal(mysqlTriggerName(long, 'insert').length, 64);
  assert.notEqual(mysqlTriggerName(long, 'insert'), mysqlTriggerName(`${'a'.repeat(63)}b`, 'insert'));
  assert.equal(mysqlTriggerName('users', 'delete'), 'skene_delete_users');
});
