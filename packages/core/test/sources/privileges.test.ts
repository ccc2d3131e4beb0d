/**
 * Least privilege: a plan connected as a role that can write (a superuser, write grants) carries a
 * warning naming the role; a read-only role gets none. Against the real PostgreSQL and MariaDB,
 * with the reader roles docs/read-only.md gives (and that these tests create and drop). Also the
 * MySQL dialect's pure parts: which SHOW GRANTS lines can write, which server is TiDB, and the
 * statement that opens a read-only transaction there (TiDB does not enforce READ ONLY).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { beginReadOnlyStatement, mysqlFlavor, mysqlWriteGrants } from '../../src/sources/mysql.js';
import { planProject } from '../../src/plan/index.js';
import { FROM, tempMysqlDatabase, tempPostgresDatabase, writeWelcomeProject } from '../plan/helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');

function writeProject(): string {
  return join(writeWelcomeProject('skene-privileges-'), 'skene.config.ts');
}

async function warningsOf(url: string): Promise<string[] | undefined> {
  const source = (await openSource({ url })) as SqlSource;
  try {
    return source.warnings;
  } finally {
    await source.close();
  }
}

async function pgQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

test('PostgreSQL: a role that can write gets a warning naming it; a reader role gets none', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_privileges');
  const database = new URL(url).pathname.slice(1);
  await pgQuery(
    url,
    "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL); INSERT INTO users VALUES (1, 'ada@example.com', 'Ada')",
  );
  const config = writeProject();
  const hex = randomBytes(4).toString('hex');
  const as = (role: string) => {
    const u = new URL(url);
    u.username = role;
    return u.toString();
  };
  const roles: string[] = [];
  t.after(async () => {
    // Privileges in the test database go with it; the roles are server-wide.
    for (const role of roles) await pgQuery(url, `DROP OWNED BY ${role}`).catch(() => {});
    for (const role of roles) await pgQuery(server, `DROP ROLE IF EXISTS ${role}`);
  });

  await t.test('postgres (a superuser): the warning is in the source and in the report', async () => {
    const expected =
      'connected as role postgres, a superuser, which can write anything: the plan only reads (READ ONLY transactions), but plan with a read-only role (see docs/read-only.md)';
    assert.deepEqual(await warningsOf(url), [expected]);
    const { report } = await planProject({ configFile: config, databaseUrl: url, at: AT, env: FROM });
    assert.deepEqual(report.warnings, [expected]);
    assert.equal(report.totals.emails, 1);
  });

  await t.test('a role with only pg_read_all_data: no warning, and the plan reads', async () => {
    const role = `skene_reader_${hex}`;
    roles.push(role);
    // The lines docs/read-only.md gives (PostgreSQL 14 and later).
    await pgQuery(server, `CREATE ROLE ${role} LOGIN PASSWORD 'a-long-random-password'`);
    await pgQuery(server, `GRANT pg_read_all_data TO ${role}`);
    assert.equal(await warningsOf(as(role)), undefined);
    const { report } = await planProject({ configFile: config, databaseUrl: as(role), at: AT, env: FROM, showRecipients: true });
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['ada@example.com'],
    );
  });

  await t.test('the reader of docs/read-only.md (pg_read_all_data, default_transaction_read_only): no warning, and the plan reads', async () => {
    const role = `skene_docreader_${hex}`;
    roles.push(role);
    await pgQuery(server, `CREATE ROLE ${role} LOGIN PASSWORD 'change-me'`);
    await pgQuery(server, `GRANT pg_read_all_data TO ${role}`);
    await pgQuery(server, `ALTER ROLE ${role} SET default_transaction_read_only = on`);
    assert.equal(await warningsOf(as(role)), undefined);
    const { report } = await planProject({ configFile: config, databaseUrl: as(role), at: AT, env: FROM, showRecipients: true });
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['ada@example.com'],
    );
  });

  await t.test("a role with SELECT on the schema's tables (before PostgreSQL 14): no warning", async () => {
    const role = `skene_select_${hex}`;
    roles.push(role);
    await pgQuery(server, `CREATE ROLE ${role} LOGIN`);
    await pgQuery(
      url,
      `GRANT CONNECT ON DATABASE ${database} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}; ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`,
    );
    assert.equal(await warningsOf(as(role)), undefined);
  });

  await t.test('a role that may INSERT into a table, or CREATE in a schema, or is in pg_write_all_data: a warning saying which', async () => {
    const role = `skene_writer_${hex}`;
    roles.push(role);
    await pgQuery(server, `CREATE ROLE ${role} LOGIN`);
    await pgQuery(url, `GRANT SELECT, INSERT ON users TO ${role}`);
    assert.deepEqual(await warningsOf(as(role)), [
      `connected as role ${role}, which can write (INSERT/UPDATE/DELETE/TRUNCATE on public.users): the plan only reads (READ ONLY transactions), but plan with a read-only role (see docs/read-only.md)`,
    ]);
    await pgQuery(url, `REVOKE INSERT ON users FROM ${role}; GRANT CREATE ON SCHEMA public TO ${role}`);
    assert.deepEqual(await warningsOf(as(role)), [
      `connected as role ${role}, which can write (CREATE on schema public): the plan only reads (READ ONLY transactions), but plan with a read-only role (see docs/read-only.md)`,
    ]);
    await pgQuery(url, `REVOKE CREATE ON SCHEMA public FROM ${role}`);
    await pgQuery(server, `GRANT pg_write_all_data TO ${role}`);
    assert.match(
      (await warningsOf(as(role)))![0]!,
      new RegExp(`^connected as role ${role}, which can write \\(member of pg_write_all_data; INSERT/UPDATE/DELETE/TRUNCATE on public\\.users\\)`),
    );
  });
});

async function myQuery(url: string, sql: string): Promise<void> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

test('MariaDB: root gets a warning; a user with only SELECT gets none', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_privileges');
  const database = new URL(url).pathname.slice(1);
  await myQuery(
    url,
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL); INSERT INTO users VALUES (1, 'ada@example.com', 'Ada')",
  );
  const config = writeProject();
  const hex = randomBytes(4).toString('hex');
  const users: string[] = [];
  t.after(async () => {
    for (const user of users) await myQuery(server, `DROP USER IF EXISTS '${user}'@'%'`);
  });
  const as = (user: string) => {
    const u = new URL(url);
    u.username = user;
    u.password = `pw-${user}`;
    return u.toString();
  };

  await t.test('root (ALL PRIVILEGES ON *.*): the warning is in the source and in the report', async () => {
    const expected =
      "connected as 'root'@'127.0.0.1', which can write (ALL PRIVILEGES ON *.*): the plan only reads (READ ONLY transactions), but plan with a read-only user (see docs/read-only.md)";
    assert.deepEqual(await warningsOf(url), [expected]);
    const { report } = await planProject({ configFile: config, databaseUrl: url, at: AT, env: FROM });
    assert.deepEqual(report.warnings, [expected]);
  });

  await t.test('a user with only SELECT on the database: no warning, and the plan reads', async () => {
    const user = `skene_reader_${hex}`;
    users.push(user);
    // The lines docs/read-only.md gives.
    await myQuery(server, `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT SELECT ON \`${database}\`.* TO '${user}'@'%'`);
    assert.equal(await warningsOf(as(user)), undefined);
    const { report } = await planProject({ configFile: config, databaseUrl: as(user), at: AT, env: FROM, showRecipients: true });
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['ada@example.com'],
    );
  });

  await t.test('for --seed, CREATE and DROP on skene_scratch_% are not enough (the seed inserts); ALL on them is', async () => {
    const user = `skene_seeder_${hex}`;
    users.push(user);
    await myQuery(server, `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT CREATE, DROP ON \`skene_scratch_%\`.* TO '${user}'@'%'`);
    const dir = mkdtempSync(join(tmpdir(), 'skene-seeder-'));
    const seed = join(dir, 'seed.sql');
    writeFileSync(
      seed,
      "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);\nINSERT INTO users VALUES (10, 'seeded@example.com', 'Seeded');\n",
    );
    const asSeeder = `mysql://${user}:pw-${user}@127.0.0.1:3306`;
    await assert.rejects(
      planProject({ configFile: config, databaseUrl: asSeeder, seeds: [seed], at: AT, env: FROM }),
      /seed .*seed\.sql:2 failed: INSERT command denied/,
    );
    await myQuery(server, `GRANT ALL ON \`skene_scratch_%\`.* TO '${user}'@'%'`);
    const { report } = await planProject({ configFile: config, databaseUrl: asSeeder, seeds: [seed], at: AT, env: FROM, showRecipients: true });
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['seeded@example.com'],
    );
    assert.deepEqual(report.warnings, []);
  });

  await t.test('a user with INSERT on the database: a warning with the grant', async () => {
    const user = `skene_writer_${hex}`;
    users.push(user);
    await myQuery(server, `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT SELECT, INSERT ON \`${database}\`.* TO '${user}'@'%'`);
    assert.deepEqual(await warningsOf(as(user)), [
      `connected as '${user}'@'%', which can write (INSERT ON \`${database}\`.*): the plan only reads (READ ONLY transactions), but plan with a read-only user (see docs/read-only.md)`,
    ]);
  });
});

test('SHOW GRANTS lines that can write (MySQL 8, MariaDB, TiDB)', () => {
  const lines = [
    'GRANT USAGE ON *.* TO `reader`@`%`',
    'GRANT SELECT ON `shop`.* TO `reader`@`%`',
    'GRANT SELECT (`email`), UPDATE (`name`) ON `shop`.`users` TO `u`@`%`',
    'GRANT SELECT, INSERT, UPDATE ON `shop`.* TO `u`@`%`',
    'GRANT ALL PRIVILEGES ON `skene\\_scratch\\_%`.* TO `u`@`%`',
    'GRANT SELECT ON performance_schema.* TO `u`@`%`',
    'GRANT `app_role`@`%` TO `u`@`%`',
    'GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION',
    'GRANT BACKUP_ADMIN,CONNECTION_ADMIN ON *.* TO `root`@`localhost`',
    'GRANT Create View, Show View ON `my db`.* TO `u`@`%`',
  ];
  assert.deepEqual(mysqlWriteGrants(lines, false), ['UPDATE ON `shop`.`users`', 'INSERT, UPDATE ON `shop`.*', 'CREATE VIEW ON `my db`.*']);
  assert.deepEqual(mysqlWriteGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION', ...lines], true), ['ALL PRIVILEGES ON *.*']);
  assert.deepEqual(mysqlWriteGrants(['GRANT SELECT ON *.* TO `r`@`%`'], false), []);
  assert.deepEqual(mysqlWriteGrants(['GRANT SUPER ON *.* TO `r`@`%`'], false), ['SUPER ON *.*']);
});

test('TiDB: detected by VERSION() or tidb_version(); reads through a stale-read snapshot it enforces', () => {
  assert.equal(mysqlFlavor('8.0.11-TiDB-v7.5.1', false), 'tidb');
  assert.equal(mysqlFlavor('8.0.11', true), 'tidb', 'a TiDB configured with a MySQL-looking version still answers tidb_version()');
  assert.equal(mysqlFlavor('10.11.19-MariaDB-0+deb12u1', false), 'mariadb');
  assert.equal(mysqlFlavor('8.0.36', false), 'mysql');
  assert.equal(beginReadOnlyStatement('tidb'), 'START TRANSACTION READ ONLY AS OF TIMESTAMP NOW(6)');
  assert.equal(beginReadOnlyStatement('mysql'), 'START TRANSACTION READ ONLY');
  assert.equal(beginReadOnlyStatement('mariadb'), 'START TRANSACTION READ ONLY');
});
