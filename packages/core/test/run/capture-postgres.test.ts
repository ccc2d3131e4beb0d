/**
 * Change capture (`skene migrate`) against the real PostgreSQL on loopback and on PGlite:
 * idempotent installs, the events and NOTIFY a change produces, refusals, removal, and the
 * printed SQL applied as a migration tool would apply it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { createPglite } from '../../src/sources/pglite-snapshot.js';
import { captureChannel, captureSql, captureTargets, downSql, migrate, migratePglite, type CaptureConfig } from '../../src/run/index.js';
import { tempPostgresDatabase } from '../plan/helpers.js';

function config(...triggers: [string, 'insert' | 'update' | 'delete'][]): CaptureConfig {
  return { loops: [{ id: 'l', steps: triggers.map(([table, event]) => ({ trigger: { type: 'database', table, event } })) }] };
}

const ALL = config(['users', 'insert'], ['users', 'update'], ['users', 'delete'], ['crm.Accounts', 'insert']);
const SCHEMA = `
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
  CREATE SCHEMA crm;
  CREATE TABLE crm."Accounts" (region text, n int, name text, PRIMARY KEY (region, n));
  CREATE TABLE no_key (email text);
  INSERT INTO users (email) VALUES ('before@example.com');`;

interface EventRow {
  table_schema: string;
  table_name: string;
  op: string;
  key: unknown;
  row: Record<string, unknown>;
}

async function events(client: pg.Client): Promise<EventRow[]> {
  return (await client.query<EventRow>('SELECT table_schema, table_name, op, key, row FROM skene.events ORDER BY id')).rows;
}

async function connect(t: TestContext, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // The database is dropped WITH (FORCE) when the test ends, which may end this connection first.
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  return client;
}

/** Skene's triggers and schema, as the catalog shows them. */
async function installed(client: pg.Client) {
  const triggers = await client.query(`SELECT tgrelid::regclass::text AS rel, oid FROM pg_trigger WHERE tgname = 'skene_capture' ORDER BY 1`);
  const schema = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'skene'`);
  return { triggers: triggers.rows as { rel: string; oid: number }[], schema: schema.rowCount === 1 };
}

test('the SQL: every table a database trigger names, its events merged, identifiers quoted', () => {
  assert.deepEqual(captureTargets(ALL), [
    { table: 'crm.Accounts', events: ['insert'] },
    { table: 'users', events: ['insert', 'update', 'delete'] },
  ]);
  const sql = captureSql({ config: ALL });
  assert.match(sql, /^BEGIN;$/m);
  assert.match(sql, /^COMMIT;\n$/m);
  assert.match(sql, /\('"crm"\."Accounts"', 'crm\.Accounts', 4\)/);
  assert.match(sql, /SECURITY DEFINER SET search_path = pg_catalog, pg_temp/);
  assert.equal(captureChannel(), 'skene_events');
  const hostile = captureSql({ config: config(["o'brien", 'insert']) });
  assert.match(hostile, /\('"o''brien"', 'o''brien', 4\)/);
  assert.match(downSql(), /DROP SCHEMA IF EXISTS "skene" CASCADE;/);
  assert.throws(() => captureSql({ config: ALL, schema: 'Bad; DROP' }), /plain lower-case name/);
});

test('URLs: MySQL and Redis go to their own migrations, Redis has no SQL to print, no password reaches an error', async () => {
  await assert.rejects(migrate({ config: ALL, databaseUrl: 'mysql://root:s3cret-pw@127.0.0.1:1/app', connectTimeoutMs: 2000 }), (e: Error) => {
    assert.match(e.message, /^cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/app: /);
    assert.doesNotMatch(e.message, /s3cret-pw/);
    return true;
  });
  await assert.rejects(migrate({ config: ALL, databaseUrl: 'redis://:s3cret-pw@127.0.0.1:6379', print: true }), (e: Error) => {
    assert.equal(e.message, 'redis://:***@127.0.0.1:6379 is Redis: there is no SQL to print — run skene migrate with the URL');
    return true;
  });
  await assert.rejects(migrate({ config: ALL, databaseUrl: 'postgres://u:s3cret-pw@127.0.0.1:1/app', connectTimeoutMs: 2000 }), (e: Error) => {
    assert.match(e.message, /^cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/app/);
    assert.doesNotMatch(e.message, /s3cret-pw/);
    return true;
  });
  await assert.rejects(migrate({ config: ALL }), /no database URL/);
  const printed = await migrate({ config: ALL, print: true });
  assert.equal(printed.applied, false);
  assert.equal(printed.sql, captureSql({ config: ALL }));
});

test('PostgreSQL', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_capture');
  const client = await connect(t, url);
  await client.query(SCHEMA);

  await t.test('a table without a primary key is refused, naming the table and the fix; nothing is changed', async () => {
    await assert.rejects(migrate({ config: config(['users', 'insert'], ['no_key', 'insert']), databaseUrl: url }), (e: Error) => {
      assert.match(e.message, /^table no_key has no primary key: .*ALTER TABLE no_key ADD PRIMARY KEY \(<column>\).* — nothing was changed$/);
      return true;
    });
    await assert.rejects(migrate({ config: config(['crm.missing', 'insert']), databaseUrl: url }), /Error: table crm\.missing does not exist/);
    assert.deepEqual(await installed(client), { triggers: [], schema: false });
  });

  await t.test('installs, and a second run changes nothing and errors nothing', async () => {
    const first = await migrate({ config: ALL, databaseUrl: url });
    assert.deepEqual(first.changes, ['crm."Accounts": capturing insert (key region, n)', 'users: capturing insert, update, delete (key id)']);
    const before = await installed(client);
    const second = await migrate({ config: ALL, databaseUrl: url });
    assert.deepEqual(second.changes, ['crm."Accounts": unchanged', 'users: unchanged']);
    assert.deepEqual(await installed(client), before, 'the same triggers, not re-created');
    assert.deepEqual((await client.query('SELECT version FROM skene.migrations')).rows, [{ version: 1 }]);
  });

  await t.test('rows that existed before migrate produce no events', async () => {
    assert.deepEqual(await events(client), []);
  });

  await t.test('insert, update and delete: one event each, with op, key and row, and a NOTIFY with its id', async () => {
    const listener = await connect(t, url);
    const ids: string[] = [];
    listener.on('notification', (n) => n.channel === 'skene_events' && ids.push(n.payload!));
    await listener.query('LISTEN skene_events');
    await client.query(`INSERT INTO users (email) VALUES ('a@example.com')`);
    await client.query(`UPDATE users SET email = 'b@example.com' WHERE email = 'a@example.com'`);
    await client.query(`DELETE FROM users WHERE email = 'b@example.com'`);
    await client.query(`INSERT INTO crm."Accounts" VALUES ('eu', 7, 'Acme')`);
    await client.query(`UPDATE crm."Accounts" SET name = 'not captured'`);
    const rows = await events(client);
    assert.deepEqual(rows, [
      { table_schema: 'public', table_name: 'users', op: 'insert', key: 2, row: { id: 2, email: 'a@example.com' } },
      { table_schema: 'public', table_name: 'users', op: 'update', key: 2, row: { id: 2, email: 'b@example.com' } },
      { table_schema: 'public', table_name: 'users', op: 'delete', key: 2, row: { id: 2, email: 'b@example.com' } },
      { table_schema: 'crm', table_name: 'Accounts', op: 'insert', key: { region: 'eu', n: 7 }, row: { region: 'eu', n: 7, name: 'Acme' } },
    ]);
    for (let i = 0; i < 50 && ids.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    const eventIds = (await client.query('SELECT id::text FROM skene.events ORDER BY id')).rows.map((r) => r.id);
    assert.deepEqual(ids, eventIds);
  });

  await t.test('the application role needs no right on skene: the trigger writes the event for it', async () => {
    await client.query(
      `DROP ROLE IF EXISTS skene_capture_app; CREATE ROLE skene_capture_app; GRANT INSERT, SELECT ON users TO skene_capture_app; GRANT USAGE ON SEQUENCE users_id_seq TO skene_capture_app`,
    );
    try {
      await client.query(`SET ROLE skene_capture_app; INSERT INTO users (email) VALUES ('app@example.com'); RESET ROLE`);
      assert.equal((await events(client)).at(-1)?.row.email, 'app@example.com');
      await assert.rejects(
        client.query(
          `SET ROLE skene_capture_app; INSERT INTO skene.events (table_schema, table_name, op, key, row) VALUES ('public', 'users', 'insert', '1', '{}')`,
        ),
        /permission denied/,
      );
    } finally {
      // Roles are cluster-wide: this one must not outlive the test database.
      await client.query('RESET ROLE; DROP OWNED BY skene_capture_app; DROP ROLE skene_capture_app');
    }
  });

  await t.test('a table the config no longer names loses its trigger', async () => {
    const result = await migrate({ config: config(['users', 'insert']), databaseUrl: url });
    assert.deepEqual(result.changes, ['users: capturing insert (key id)', 'crm."Accounts": capture removed (no database trigger in the config names it)']);
    assert.deepEqual(
      (await installed(client)).triggers.map((r) => r.rel),
      ['users'],
    );
  });

  await t.test('--down removes the triggers and the schema; a second --down is a no-op', async () => {
    const down = await migrate({ config: ALL, databaseUrl: url, down: true });
    assert.deepEqual(down.changes, ['users: capture removed']);
    assert.deepEqual(await installed(client), { triggers: [], schema: false });
    await migrate({ config: ALL, databaseUrl: url, down: true });
    await client.query(`INSERT INTO users (email) VALUES ('after-down@example.com')`);
  });

  await t.test('--print output applies cleanly with psql, twice, and --down --print removes it', async (st) => {
    if (spawnSync('psql', ['--version']).status !== 0) return st.skip('SKIPPED: psql is not installed');
    const psql = (sql: string) => spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url], { input: sql, encoding: 'utf8' });
    const printed = (await migrate({ config: ALL, print: true })).sql;
    for (const _ of [1, 2]) {
      const run = psql(printed);
      assert.equal(run.status, 0, run.stderr);
    }
    assert.deepEqual(
      (await installed(client)).triggers.map((r) => r.rel),
      ['crm."Accounts"', 'users'],
    );
    await client.query(`INSERT INTO crm."Accounts" VALUES ('us', 1, 'Initech')`);
    assert.deepEqual(
      (await events(client)).map((e) => e.key),
      [{ region: 'us', n: 1 }],
    );
    const down = psql((await migrate({ config: ALL, print: true, down: true })).sql);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(await installed(client), { triggers: [], schema: false });
  });
});

test('PGlite: the same capture, idempotent, with events and NOTIFY', async (t) => {
  const { db } = await createPglite();
  t.after(() => db.close());
  await db.exec(SCHEMA);
  await migratePglite(db, { config: ALL });
  await migratePglite(db, { config: ALL });
  const notified: string[] = [];
  await db.listen('skene_events', (payload) => notified.push(payload));
  await db.exec(
    `INSERT INTO users (email) VALUES ('p@example.com'); DELETE FROM users WHERE email = 'before@example.com'; INSERT INTO crm."Accounts" VALUES ('eu', 1, 'A')`,
  );
  const rows = (await db.query<EventRow>('SELECT table_schema, table_name, op, key, row FROM skene.events ORDER BY id')).rows;
  assert.deepEqual(rows, [
    { table_schema: 'public', table_name: 'users', op: 'insert', key: 2, row: { id: 2, email: 'p@example.com' } },
    { table_schema: 'public', table_name: 'users', op: 'delete', key: 1, row: { id: 1, email: 'before@example.com' } },
    { table_schema: 'crm', table_name: 'Accounts', op: 'insert', key: { region: 'eu', n: 1 }, row: { region: 'eu', n: 1, name: 'A' } },
  ]);
  for (let i = 0; i < 50 && notified.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(notified, ['1', '2', '3']);
  await assert.rejects(migratePglite(db, { config: config(['no_key', 'insert']) }), /Error: table no_key has no primary key/);
  await migratePglite(db, { config: ALL, down: true });
  const left = await db.query(
    `SELECT (SELECT count(*) FROM pg_trigger WHERE tgname = 'skene_capture')::int AS triggers, to_regnamespace('skene') IS NULL AS gone`,
  );
  assert.deepEqual(left.rows, [{ triggers: 0, gone: true }]);
});
