/**
 * Read-only by construction, against real databases: a condition that writes is refused and the
 * data is unchanged (row counts before and after); a slow condition hits its deadline and is
 * reported with its loop and step.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/index.js';
import { FROM, makeConfig, tempMysqlDatabase, tempPostgresDatabase } from './helpers.js';

const PG_SEED = `
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL);
CREATE SEQUENCE counter;
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');
INSERT INTO user_actions VALUES (1, 1, 'first_project_created');`;
const MYSQL_SEED = `
CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type varchar(100) NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');
INSERT INTO user_actions VALUES (1, 1, 'first_project_created');`;

const WRITES = [
  ['DELETE', 'DELETE FROM user_actions WHERE user_id = $1'],
  ['UPDATE', "UPDATE users SET name = 'x' WHERE id = $1"],
  ['INSERT', "INSERT INTO user_actions (id, user_id, action_type) VALUES (99, $1, 'x')"],
  ['DROP', 'DROP TABLE user_actions'],
  ['two statements', 'SELECT 1; DROP TABLE user_actions'],
] as const;
const PG_ONLY_WRITES = [
  ['DELETE in a WITH', 'WITH d AS (DELETE FROM user_actions RETURNING *) SELECT * FROM d WHERE user_id = $1'],
  // Passes the static check: only the READ ONLY transaction stops it.
  ['nextval()', "SELECT nextval('counter') WHERE $1::int > 0"],
] as const;

// Slow by work, not by a sleep function (the guard refuses pg_sleep and SLEEP).
const SLOW_PG = 'SELECT * FROM users WHERE (SELECT count(*) FROM generate_series(1, 500000000)) > 0';
const SLOW_MYSQL =
  'SELECT * FROM users WHERE (SELECT COUNT(*) FROM information_schema.COLLATIONS a, information_schema.COLLATIONS b, information_schema.COLLATIONS c, information_schema.COLLATIONS d) > 0';

function loop(query: string, timeout = '5s') {
  return {
    id: 'writer',
    type: 'activation',
    opinion: 'Tries to write',
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'query', query, timeout },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
}

async function counts(source: SqlSource): Promise<string> {
  return source.readOnly(async (s) => {
    const rows = await s.query(
      'SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM user_actions) AS actions, (SELECT MIN(name) FROM users) AS name',
      [],
      { at: new Date(), timeoutMs: 5000 },
    );
    return JSON.stringify(rows[0]);
  });
}

async function assertWritesRefused(t: TestContext, source: SqlSource, writes: readonly (readonly [string, string])[]) {
  for (const [label, query] of writes) {
    await t.test(`${source.kind}: ${label} is refused and nothing changes`, async () => {
      const before = await counts(source);
      const config = makeConfig(loop(query));
      try {
        const report = await runPlan({ config, source, at: new Date('2026-03-02T09:00:00Z'), env: FROM });
        const step = report.loops[0]!.steps[0]!;
        assert.equal(step.counts.emails, 0);
        assert.equal(step.errors.length, 1, JSON.stringify(step.errors));
        assert.equal(step.errors[0]!.loop, 'writer');
        assert.equal(step.errors[0]!.step, 1);
        assert.equal(step.errors[0]!.kind, 'read-only');
        assert.match(step.errors[0]!.message, /^refused: /);
      } finally {
        config.cleanup();
      }
      assert.equal(await counts(source), before);
    });
  }
}

async function assertTimeout(source: SqlSource, sleepQuery: string) {
  const config = makeConfig({
    id: 'sleepy',
    type: 'retention',
    opinion: 'Too slow',
    steps: [
      {
        trigger: { type: 'schedule', cron: '0 9 * * *' },
        condition: { type: 'query', query: sleepQuery, timeout: '1s' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
    recovery: { retries: 1, backoff: 'fixed' },
  });
  try {
    const report = await runPlan({ config, source, at: new Date('2026-03-02T09:00:00Z'), env: FROM, retry: { baseDelayMs: 10 } });
    const step = report.loops[0]!.steps[0]!;
    assert.equal(step.errors.length, 1);
    const error = step.errors[0]!;
    assert.deepEqual(
      { loop: error.loop, step: error.step, kind: error.kind, attempts: error.attempts },
      { loop: 'sleepy', step: 1, kind: 'timeout', attempts: 2 },
    );
    assert.match(error.message, /timed out after 1s/);
    assert.equal(report.totals.errors, 1);
  } finally {
    config.cleanup();
  }
}

test('PostgreSQL: writes refused, rows unchanged; a slow query hits the deadline', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_readonly');
  const source = (await openSource({ url })) as SqlSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: PG_SEED }]);
  await assertWritesRefused(t, source, [...WRITES, ...PG_ONLY_WRITES]);
  await t.test('postgres: a slow query times out, retried once as transient', () => assertTimeout(source, SLOW_PG));
});

test('PGlite: writes refused, rows unchanged; a slow query hits the deadline (the embedded database restarts with its seeds)', async (t) => {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: PG_SEED }]);
  await assertWritesRefused(t, source, [...WRITES, ...PG_ONLY_WRITES]);
  const before = await counts(source);
  await t.test('pglite: a slow query times out, retried once as transient', () => assertTimeout(source, SLOW_PG));
  assert.equal(await counts(source), before, 'the restarted database has the seeded rows');
});

test('MariaDB: writes refused, rows unchanged; a slow query hits the deadline', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_readonly');
  const source = (await openSource({ url })) as SqlSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: MYSQL_SEED }]);
  await assertWritesRefused(t, source, WRITES);
  await t.test('mysql: a slow query times out, retried once as transient', () => assertTimeout(source, SLOW_MYSQL));
});
