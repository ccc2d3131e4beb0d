/**
 * Hostile conditions, one table per class, against the real servers: `skene check` and the plan
 * both refuse each one with the same code at the same place in the config, and afterwards nothing
 * outside the plan has changed — rows, sequences, replication slots, other sessions, advisory locks,
 * large objects, server files, Redis keys (each asserted).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { checkConfigFile, toJsonDiagnostics } from '../../src/check/index.js';
import { loadConfig } from '../../src/plan/load-config.js';
import { runPlan } from '../../src/plan/engine.js';
import { openSource, type DataSource, type SqlSource } from '../../src/sources/index.js';
import { FROM, tempMysqlDatabase, tempPostgresDatabase } from '../plan/helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');

interface Case {
  name: string;
  /** The condition object's text; `|` marks where the finding must be. */
  condition: string;
  code: string;
}

/** A config file with one database-trigger step, and the 1-based line:column of `|`. */
function writeConfig(dir: string, condition: string): { file: string; at: string } {
  const text = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  id: 'hostile',
  type: 'activation',
  opinion: 'Tries to escape the plan',
  steps: [{
    trigger: { type: 'database', table: 'users', event: 'insert' },
    condition: ${condition},
    action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
  }],
});
`;
  const marker = text.indexOf('|');
  const before = text.slice(0, marker);
  const line = before.split('\n').length;
  const column = marker - before.lastIndexOf('\n');
  const file = join(dir, `skene-${Math.random().toString(36).slice(2)}.config.ts`);
  writeFileSync(file, before + text.slice(marker + 1));
  return { file, at: `${line}:${column}` };
}

function projectDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-hostile-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>Hi {{name}}</p>');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Check and plan refuse `c` with the same code at the same place; the plan sent no email. */
async function assertBothRefuse(dir: string, c: Case, source: DataSource, dialect: 'postgres' | 'mysql' | 'redis') {
  const { file, at } = writeConfig(dir, c.condition);
  const checked = await checkConfigFile(file, { dialect });
  const errors = toJsonDiagnostics(checked).filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => `${d.code} ${d.line}:${d.column}`),
    [`${c.code} ${at}`],
    `check: ${JSON.stringify(errors)}`,
  );
  const report = await runPlan({ config: await loadConfig(file), source, at: AT, env: FROM });
  const step = report.loops[0]!.steps[0]!;
  assert.equal(step.counts.emails, 0);
  assert.equal(step.errors.length, 1, JSON.stringify(step.errors));
  const error = step.errors[0]!;
  assert.equal(error.kind, 'read-only');
  assert.equal(error.code, c.code, error.message);
  assert.equal(error.location?.replace(/^.*:(\d+:\d+)$/, '$1'), at, `plan: ${error.location} ${error.message}`);
  assert.match(error.message, /^refused: /);
}

const PG_SEED = `
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL);
CREATE SEQUENCE counter;
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');
INSERT INTO user_actions VALUES (1, 1, 'first_project_created');`;

/** PostgreSQL classes; `$DB` is the database's name (dblink connects back to it). */
const PG_CASES: Case[] = [
  // A second connection, outside the READ ONLY transaction: the DELETE would commit.
  {
    name: 'dblink_exec deletes through a second connection',
    code: 'SKN026',
    condition:
      "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 AND |dblink_exec('dbname=$DB host=127.0.0.1 user=postgres', 'DELETE FROM users') IS NOT NULL` }",
  },
  {
    name: 'dblink in a lateral join',
    code: 'SKN026',
    condition:
      "{ type: 'query', query: `SELECT 1 FROM users u CROSS JOIN LATERAL |dblink('dbname=$DB host=127.0.0.1 user=postgres', 'DELETE FROM user_actions RETURNING 1') AS d(x int) WHERE u.id = $1` }",
  },
  {
    name: 'query_to_xml runs SQL text',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT |query_to_xml('DELETE FROM users RETURNING 1', true, false, '') WHERE $1 > 0` }",
  },
  {
    name: 'pg_terminate_backend ends another session',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT 1 FROM pg_stat_activity WHERE application_name = 'skene-victim' AND |pg_terminate_backend(pid) AND $1 > 0` }",
  },
  {
    name: 'a replication slot outlives the plan',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT * FROM |pg_create_physical_replication_slot('skene_attack') WHERE $1 > 0` }",
  },
  {
    name: 'an advisory lock is held by the session',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT 1 WHERE $1 > 0 AND (SELECT |pg_advisory_lock(4242)) IS NOT NULL` }",
  },
  {
    name: 'a server file read into the email',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT |pg_read_file('/etc/hostname') AS subject WHERE $1 > 0` }",
  },
  {
    name: 'a large object imported from a server file',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT |lo_import('/etc/hostname') WHERE $1 > 0` }",
  },
  { name: 'a server file written', code: 'SKN026', condition: "{ type: 'query', query: `SELECT |lo_export(0, '$FILE') WHERE $1 > 0` }" },
  { name: 'a sequence advanced', code: 'SKN026', condition: "{ type: 'query', query: `SELECT |nextval('counter') WHERE $1 > 0` }" },
  { name: 'a setting changed', code: 'SKN026', condition: "{ type: 'query', query: `SELECT |set_config('statement_timeout', '0', false) WHERE $1 > 0` }" },
  {
    name: 'a cast to a type that is not built in',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 AND name::|plan_tier IS NOT NULL` }",
  },
  {
    name: 'splice: closes the wrapper and deletes',
    code: 'SKN020',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1|) AS __skene_c LIMIT 1) AS __skene_m ON true; DELETE FROM users; --` }",
  },
  {
    name: 'splice: a second lateral sub-query',
    code: 'SKN020',
    condition: "{ type: 'query', query: `SELECT 1 WHERE $1 > 0|) AS __skene_c, LATERAL (SELECT pg_advisory_lock(1)` }",
  },
  // Attribute notation: `(x).f` and `t.f` are f(x) and f(t) when there is no such field or column.
  {
    name: 'attribute notation on an expression calls dblink_exec',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT |('DELETE FROM user_actions').dblink_exec FROM users WHERE id = $1` }",
  },
  {
    name: 'attribute notation on a function alias reads a server file',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT |f.pg_read_file AS subject FROM unnest(ARRAY['/etc/hostname']) AS f WHERE $1 > 0` }",
  },
  {
    name: 'an operator of another schema in ANY (sub-select)',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT 1 FROM users u WHERE u.id = $1 AND u.id |OPERATOR(public.===) ANY (SELECT user_id FROM user_actions)` }",
  },
  {
    name: 'a write inside WITH',
    code: 'SKN021',
    condition: "{ type: 'query', query: `WITH d AS (|DELETE FROM users RETURNING id) SELECT * FROM d WHERE id = $1` }",
  },
  // The parser gives a locking clause no position of its own: the finding is on the statement.
  { name: 'row locks', code: 'SKN021', condition: "{ type: 'query', query: `|SELECT 1 FROM users WHERE id = $1 FOR UPDATE` }" },
];

/** What a hostile condition could change on a PostgreSQL server, read from outside the plan. */
/** What a hostile condition could change, counted in this test's database (other tests' advisory locks, e.g. pg-boss's, are theirs). */
async function pgState(url: string, exported: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const row = (
      await client.query(`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM user_actions) AS actions,
        (SELECT last_value FROM counter) AS counter, (SELECT count(*) FROM pg_replication_slots) AS slots,
        (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS advisory, (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects,
        (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'skene-victim') AS victims`)
    ).rows[0];
    return JSON.stringify({ ...row, exported: existsSync(exported) });
  } finally {
    await client.end();
  }
}

test('PostgreSQL: check and plan refuse each hostile class alike; nothing outside the plan changes', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_hostile');
  const db = new URL(url).pathname.slice(1);
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(PG_SEED);
  await setup.query('CREATE EXTENSION IF NOT EXISTS dblink'); // the threat is real: dblink is installed
  await setup.end();
  // Another session a condition could try to terminate.
  const victim = new pg.Client({ connectionString: url, application_name: 'skene-victim' });
  await victim.connect();
  victim.on('error', () => {});
  t.after(() => victim.end().catch(() => {}));
  const dir = projectDir(t);
  const exported = join(dir, 'exported.txt');
  const source = await openSource({ url });
  t.after(() => source.close());
  for (const c of PG_CASES) {
    await t.test(c.name, async () => {
      const before = await pgState(url, exported);
      await assertBothRefuse(dir, { ...c, condition: c.condition.replace('$DB', db).replace('$FILE', exported) }, source, 'postgres');
      assert.equal(await pgState(url, exported), before);
    });
  }
  assert.equal((await victim.query('SELECT 1 AS alive')).rows[0].alive, 1, 'the other session is still there');
});

test('PGlite: the same classes are refused alike, the embedded database unchanged', async (t) => {
  const source = await openSource({});
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: PG_SEED }]);
  const counts = () =>
    (source as SqlSource).readOnly(async (s) =>
      JSON.stringify(
        await s.query('SELECT (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM user_actions) AS a, (SELECT last_value FROM counter) AS c', [], {
          at: AT,
          timeoutMs: 5000,
        }),
      ),
    );
  const dir = projectDir(t);
  for (const c of PG_CASES) {
    await t.test(c.name, async () => {
      const before = await counts();
      await assertBothRefuse(dir, { ...c, condition: c.condition.replace('$DB', 'postgres').replace('$FILE', join(dir, 'x')) }, source, 'postgres');
      assert.equal(await counts(), before);
    });
  }
});

const MYSQL_SEED = `
CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type varchar(100) NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');
INSERT INTO user_actions VALUES (1, 1, 'first_project_created');`;

const MYSQL_CASES: Case[] = [
  {
    name: 'an executable comment hides a lock',
    code: 'SKN028',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 |/*! AND GET_LOCK('skene_attack', 0) */` }",
  },
  {
    name: 'a MariaDB executable comment',
    code: 'SKN028',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 |/*M!100000 AND GET_LOCK('skene_attack', 0) */` }",
  },
  { name: 'an optimizer hint', code: 'SKN028', condition: "{ type: 'query', query: `SELECT |/*+ SET_VAR(sql_mode = '') */ 1 FROM users WHERE id = $1` }" },
  // A backslash does not escape a backtick: the call after the identifier is code, not part of it.
  {
    name: 'backtick lexing: a call after a backslash in a quoted identifier',
    code: 'SKN026',
    condition: "{ type: 'query', query: 'SELECT 1 AS `a\\\\`, |GET_LOCK(\\'skene_attack\\', 0) FROM users WHERE id = $1' }",
  },
  { name: 'GET_LOCK', code: 'SKN026', condition: "{ type: 'query', query: `SELECT |GET_LOCK('skene_attack', 0) FROM users WHERE id = $1` }" },
  { name: 'SLEEP', code: 'SKN026', condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 AND |SLEEP(1) = 0` }" },
  { name: 'BENCHMARK', code: 'SKN026', condition: "{ type: 'query', query: `SELECT |BENCHMARK(100000000, MD5('x')) FROM users WHERE id = $1` }" },
  { name: 'LOAD_FILE', code: 'SKN026', condition: "{ type: 'query', query: `SELECT |LOAD_FILE('/etc/hostname') AS subject FROM users WHERE id = $1` }" },
  {
    name: 'INTO OUTFILE writes every address to a server file',
    code: 'SKN021',
    condition: "{ type: 'query', query: `SELECT email FROM users WHERE id = $1 |INTO OUTFILE '$FILE'` }",
  },
  { name: 'a session variable assigned', code: 'SKN021', condition: "{ type: 'query', query: `SELECT @x |:= 1 FROM users WHERE id = $1` }" },
  { name: 'two statements', code: 'SKN021', condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1|; DELETE FROM users` }" },
  // MySQL reads U+00A0 as part of a name, so `--` then U+00A0 is no comment: the rest is code.
  {
    name: '-- followed by a non-ASCII space is not a comment',
    code: 'SKN020',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 AND 1 = 1 |--\u00a0 AND SLEEP(1) = 0 AND GET_LOCK('skene_attack', 0)` }",
  },
  // A quoted name before ( is never a built-in: `date`(…) calls a stored function called date.
  {
    name: 'a quoted built-in name calls a stored function',
    code: 'SKN026',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1 AND |\\`date\\`(NOW()) = CURDATE()` }",
  },
  {
    name: 'splice: closes the branch and unions a lock',
    code: 'SKN020',
    condition: "{ type: 'query', query: `SELECT 1 FROM users WHERE id = $1|) AS __skene_c LIMIT 1) UNION ALL (SELECT GET_LOCK('skene_attack', 0)` }",
  },
];

async function mysqlState(url: string, file: string): Promise<string> {
  const c = await mysql.createConnection(url);
  try {
    const [rows] = await c.query(
      `SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM user_actions) AS actions, IS_FREE_LOCK('skene_attack') AS lock_free`,
    );
    return JSON.stringify({ ...(rows as object[])[0], file: existsSync(file) });
  } finally {
    await c.end();
  }
}

test('MariaDB: check and plan refuse each hostile class alike; nothing outside the plan changes', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_hostile');
  const setup = await mysql.createConnection({ uri: url, multipleStatements: true });
  await setup.query(MYSQL_SEED);
  await setup.end();
  const dir = projectDir(t);
  const outfile = join(tmpdir(), `skene-outfile-${process.pid}-${Date.now()}`);
  const source = await openSource({ url });
  t.after(() => source.close());
  for (const c of MYSQL_CASES) {
    await t.test(c.name, async () => {
      const before = await mysqlState(url, outfile);
      await assertBothRefuse(dir, { ...c, condition: c.condition.replace('$FILE', outfile) }, source, 'mysql');
      assert.equal(await mysqlState(url, outfile), before);
    });
  }
});

const REDIS_CASES: Case[] = [
  { name: 'DEL', code: 'SKN029', condition: "{ type: 'redis', command: [|'DEL', 'users:{{user.id}}'] }" },
  { name: 'FLUSHDB', code: 'SKN029', condition: "{ type: 'redis', command: [|'FLUSHDB'] }" },
  { name: 'EVAL', code: 'SKN029', condition: "{ type: 'redis', command: [|'EVAL', \"return redis.call('DEL', KEYS[1])\", '1', 'users:{{user.id}}'] }" },
  { name: 'SET', code: 'SKN029', condition: "{ type: 'redis', command: [|'set', 'users:{{user.id}}', 'x'] }" },
];

test('Redis: check and plan refuse write commands alike; the keys are unchanged', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const prefix = `skene-hostile-${process.pid}-${Date.now()}:`;
  const source = await openSource({ url, keyPrefix: prefix });
  t.after(async () => {
    await source.close();
    const { Redis } = await import('ioredis');
    const r = new Redis(url);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });
  await source.seed([
    {
      path: 'seed.redis',
      text: 'HSET users:1 email ada@example.com name Ada\nHSET users:2 email grace@example.com name Grace\nSADD user_actions:1 first_project_created\n',
    },
  ]);
  const { Redis } = await import('ioredis');
  const raw = new Redis(url);
  t.after(() => raw.disconnect());
  const state = async () =>
    JSON.stringify({ size: await raw.dbsize(), ada: await raw.hgetall(`${prefix}users:1`), grace: await raw.hgetall(`${prefix}users:2`) });
  const dir = projectDir(t);
  for (const c of REDIS_CASES) {
    await t.test(c.name, async () => {
      const before = await state();
      await assertBothRefuse(dir, c, source, 'redis');
      assert.equal(await state(), before);
    });
  }
});

/** Runs `sql` on `url` as a separate client (setting up what a plan must not be able to use). */
async function pgRun(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

test('PostgreSQL: the plan reads the database catalog — its own functions and operators cannot stand in for built-ins', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_shadow');
  await pgRun(
    url,
    `${PG_SEED}
    CREATE TABLE log (what text);
    CREATE FUNCTION public.length(integer) RETURNS integer LANGUAGE sql AS $$ INSERT INTO log VALUES ('length'); SELECT 1 $$;
    CREATE FUNCTION public.bump(users) RETURNS integer LANGUAGE sql AS $$ INSERT INTO log VALUES ('bump'); SELECT 1 $$;
    CREATE FUNCTION public.same(integer, integer) RETURNS boolean LANGUAGE sql AS $$ INSERT INTO log VALUES ('op'); SELECT true $$;
    CREATE OPERATOR public.## (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.same);`,
  );
  const dir = projectDir(t);
  const source = await openSource({ url });
  t.after(() => source.close());
  const cases = [
    // length(1) resolves to public.length(integer): an exact match beats pg_catalog.length(text).
    { name: 'a function of the database with a built-in name', query: 'SELECT 1 FROM users WHERE id = $1 AND length(1) = 1', name2: 'length' },
    { name: 'a function of the database on the row type (u.bump)', query: 'SELECT u.bump FROM users u WHERE u.id = $1', name2: 'bump' },
    { name: 'an operator of the database with a built-in symbol', query: 'SELECT 1 FROM users WHERE id = $1 AND id ## 1', name2: '##' },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const { file } = writeConfig(dir, `{ type: 'query', query: '|${c.query}' }`);
      const report = await runPlan({ config: await loadConfig(file), source, at: AT, env: FROM });
      const [error] = report.loops[0]!.steps[0]!.errors;
      assert.equal(error?.code, 'SKN026', JSON.stringify(report.loops[0]!.steps[0]));
      assert.match(error!.message, new RegExp(c.name2.replace(/[#]/g, '\\$&')));
      assert.equal(report.totals.emails, 0);
      assert.deepEqual(await pgRun(url, 'SELECT * FROM log'), [], 'nothing ran');
    });
  }
});

test('PostgreSQL: a database with standard_conforming_strings off reads strings as the guard does', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_scs');
  const db = new URL(url).pathname.slice(1);
  await pgRun(
    url,
    `${PG_SEED}; CREATE TABLE log (what text); CREATE EXTENSION IF NOT EXISTS dblink; ALTER DATABASE ${db} SET standard_conforming_strings = off;`,
  );
  const dir = projectDir(t);
  const source = await openSource({ url });
  t.after(() => source.close());
  // With the setting off, the server would read '\' as an open string and the dblink call as code;
  // the guard's parser (and, pinned, the server) read a backslash and a comment.
  const query = `SELECT '\\' AS a, 1 /* ' AS b, dblink_exec('dbname=${db} host=127.0.0.1 user=postgres', 'INSERT INTO log VALUES (''escaped'')') AS c -- */ FROM users WHERE id = $1`;
  const { file } = writeConfig(dir, `{ type: 'query', query: String.raw\`|${query}\` }`);
  const report = await runPlan({ config: await loadConfig(file), source, at: AT, env: FROM });
  assert.deepEqual(report.loops[0]!.steps[0]!.errors, []);
  assert.equal(report.totals.emails, 2, 'the condition ran, as a read');
  assert.deepEqual(await pgRun(url, 'SELECT * FROM log'), [], 'nothing was written through dblink');
});
