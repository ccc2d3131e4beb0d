/**
 * The people resolution on every source (see people.test.ts for the embedded PostgreSQL): a
 * PostgreSQL server and MariaDB read the declared foreign key from their catalogs (pg_constraint,
 * information_schema.KEY_COLUMN_USAGE); Redis, which declares none, finds the person by the
 * people prefix (`members:<id>`), a `member_id` field, or the hash's own email field.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { runPlan } from '../../src/plan/index.js';
import { openSource, type DataSource, type RedisSource, type SqlSource } from '../../src/sources/index.js';
import { FROM, makeConfig, tempMysqlDatabase, tempPostgresDatabase } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const USERS = { table: 'members', key: 'member_id', email: 'email_address', name: 'full_name' };

const SQL_SEED = `CREATE TABLE members (member_id bigint PRIMARY KEY, email_address varchar(200) NOT NULL, full_name varchar(200));
CREATE TABLE projects (id int PRIMARY KEY, owner bigint, title varchar(200), CONSTRAINT projects_owner FOREIGN KEY (owner) REFERENCES members (member_id));
CREATE TABLE comments (id int PRIMARY KEY, member_id bigint, body varchar(200));
CREATE TABLE invitations (id int PRIMARY KEY, email_address varchar(200) NOT NULL);
CREATE TABLE audit_log (id int PRIMARY KEY, action varchar(50));
INSERT INTO members VALUES (10, 'ada@example.com', 'Ada Lovelace'), (20, 'grace@example.com', 'Grace Hopper');
INSERT INTO projects VALUES (1, 20, 'Compiler');
INSERT INTO comments VALUES (1, 10, 'Hello');
INSERT INTO invitations VALUES (1, 'alan@example.com');
INSERT INTO audit_log VALUES (1, 'login');`;

const REDIS_SEED = `HSET members:10 email_address ada@example.com full_name "Ada Lovelace"
HSET members:20 email_address grace@example.com full_name "Grace Hopper"
HSET comments:1 member_id 10 body Hello
HSET invitations:1 email_address alan@example.com
HSET audit_log:1 action login`;

/** One loop per trigger table, each sending to `user`; the emails and reasons of each, by table. */
async function plan(t: TestContext, source: DataSource, tables: string[]) {
  const config = makeConfig({
    users: USERS,
    loops: tables.map((table) => ({
      id: table.replace('_', '-'),
      type: 'activation',
      opinion: table,
      steps: [
        {
          trigger: { type: 'database', table, event: 'insert' },
          action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.full_name}}' } },
        },
      ],
    })),
  });
  t.after(() => config.cleanup());
  const report = await runPlan({ config, source, at: AT, env: FROM });
  return Object.fromEntries(
    report.loops.map((l, i) => {
      const step = l.steps[0]!;
      return [tables[i], [...step.emails.map((e) => e.to), ...step.notSent.map((n) => n.reason), ...step.errors.map((e) => e.message)]];
    }),
  );
}

const NOBODY = (table: string) =>
  `no user: ${table} is not the people table (members), has no foreign key to it, no member_id column and no email_address column`;

async function sqlSemantics(t: TestContext, source: SqlSource) {
  await source.seed([{ path: 'seed.sql', text: SQL_SEED }]);
  assert.deepEqual(await plan(t, source, ['members', 'projects', 'comments', 'invitations', 'audit_log']), {
    members: ['ada@example.com', 'grace@example.com'],
    projects: ['grace@example.com'], // owner REFERENCES members, read from the catalog
    comments: ['ada@example.com'],
    invitations: ['alan@example.com'],
    audit_log: [NOBODY('audit_log')],
  });
}

test('PostgreSQL', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const source = (await openSource({ url: await tempPostgresDatabase(t, server, 'skene_people') })) as SqlSource;
  t.after(() => source.close());
  await sqlSemantics(t, source);
});

test('MariaDB', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const source = (await openSource({ url: await tempMysqlDatabase(t, server, 'skene_people') })) as SqlSource;
  t.after(() => source.close());
  await sqlSemantics(t, source);
});

test('Redis: the people prefix, a member_id field, or the hash with the email field', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const prefix = `skene-test-people-${process.pid}:`;
  t.after(async () => {
    const raw = new Redis(url);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
  });
  const source = (await openSource({ url, keyPrefix: prefix })) as RedisSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.redis', text: REDIS_SEED }]);
  assert.deepEqual(await plan(t, source, ['members', 'comments', 'invitations', 'audit_log']), {
    members: ['ada@example.com', 'grace@example.com'],
    comments: ['ada@example.com'],
    invitations: ['alan@example.com'],
    audit_log: [NOBODY('audit_log')], // one reason for the prefix, the hash among its examples
  });
});
