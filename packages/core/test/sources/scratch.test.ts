/**
 * Seeds never touch the database a URL names: with seeds and a URL, the plan seeds a scratch
 * database it creates on that server and drops afterwards — also when the seed fails. Against the
 * real PostgreSQL, MariaDB and Redis: a hostile seed (DELETE, DROP TABLE, HSET/DEL on existing
 * keys) next to a database holding known rows; after the plan those rows are unchanged, the
 * emails come from the seed, and no scratch database is left.
 * (Ctrl-C and SIGTERM in the middle of a plan: test/plan/scratch-interrupt.test.ts.)
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { startOwnRedis, withoutOwnRedis } from '../../../../test/helpers/own-redis.js';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { openSource, scratchDatabasesInUse, type RedisSource } from '../../src/sources/index.js';
import { SCRATCH_MARKER } from '../../src/sources/redis.js';
import { planProject, runPlan } from '../../src/plan/index.js';
import { FROM, makeConfig, tempMysqlDatabase, tempPostgresDatabase } from '../plan/helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');

const LOOP = {
  id: 'welcome',
  type: 'activation',
  opinion: 'Welcome every user',
  steps: [
    {
      trigger: { type: 'database', table: 'users', event: 'insert' },
      action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
    },
  ],
};

/** A project folder: skene.config.ts (one loop: every users row gets an email) and emails/welcome.html. */
function writeProject(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skene-scratch-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([LOOP], null, 2)};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Hi {{name}}</title></head><body>Hi {{name}}</body></html>');
  return { dir, config: join(dir, 'skene.config.ts') };
}

function writeFile(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * No scratch database of ours is left: the process holds none, and none appeared on the server
 * that is still there. Another test file may be planning at the same moment (its scratch database
 * lives a few seconds), so a new name must be gone within 20 s; one of ours never would be.
 */
async function assertNoScratchLeft(list: () => Promise<string[]>, before: string[]) {
  assert.deepEqual(scratchDatabasesInUse(), [], 'this process holds no scratch database');
  let left: string[] = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(250)) {
    left = (await list()).filter((name) => !before.includes(name));
    if (!left.length) return;
  }
  assert.deepEqual(left, [], 'scratch databases left on the server');
}

// ---------------------------------------------------------------- PostgreSQL

const PG_TARGET = `
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');
INSERT INTO user_actions VALUES (1, 1, 'first_project_created');`;

/** Would wipe and replace the URL's data if it ran there. */
const PG_HOSTILE_SEED = `
CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
DELETE FROM users;
DROP TABLE IF EXISTS user_actions;
INSERT INTO users VALUES (10, 'seeded@example.com', 'Seeded'), (11, 'doomed@example.com', 'Doomed');
DELETE FROM users WHERE id = 11;
UPDATE users SET name = 'Seeded One' WHERE id = 10;
`;

const PG_BROKEN_SEED = `
CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
DELETE FROM users;
SELEC broken;
`;

async function pgQuery<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const pgState = async (url: string) =>
  JSON.stringify(
    await pgQuery(
      url,
      "SELECT (SELECT json_agg(u ORDER BY id) FROM users u) AS users, (SELECT count(*) FROM user_actions) AS actions, (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public') AS tables",
    ),
  );

const pgScratch = (server: string) => async () =>
  (await pgQuery<{ datname: string }>(server, "SELECT datname FROM pg_database WHERE datname LIKE 'skene\\_scratch\\_%'")).map((r) => r.datname);

test("PostgreSQL: the seed runs in a scratch database, dropped after; the URL's database is untouched", async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_target');
  const target = new URL(url).pathname.slice(1);
  await pgQuery(url, PG_TARGET);
  const before = await pgState(url);
  const project = writeProject();

  await t.test("a hostile seed: emails from the seed, the URL's rows unchanged, nothing left", async () => {
    const scratchBefore = await pgScratch(server)();
    const seed = writeFile(project.dir, 'hostile.sql', PG_HOSTILE_SEED);
    const { report, sourceLabel } = await planProject({
      configFile: project.config,
      databaseUrl: url,
      seeds: [seed],
      cwd: project.dir,
      at: AT,
      env: FROM,
      showRecipients: true,
    });
    const step = report.loops[0]!.steps[0]!;
    assert.deepEqual(step.errors, []);
    assert.deepEqual(
      step.emails.map((e) => [e.to, e.subject]),
      [['seeded@example.com', 'Hi Seeded One']],
    );
    assert.equal(sourceLabel, `a scratch database on postgres://postgres@127.0.0.1:5432 (seeded, dropped after the plan; database ${target} not touched)`);
    assert.equal(report.source.label, sourceLabel);
    assert.equal(await pgState(url), before);
    await assertNoScratchLeft(pgScratch(server), scratchBefore);
  });

  await t.test('a seed that fails: the error names the file and line; the scratch database is dropped', async () => {
    const scratchBefore = await pgScratch(server)();
    const seed = writeFile(project.dir, 'broken.sql', PG_BROKEN_SEED);
    await assert.rejects(planProject({ configFile: project.config, databaseUrl: url, seeds: [seed], cwd: project.dir, at: AT, env: FROM }), (error: Error) => {
      assert.match(error.message, /^seed .*broken\.sql:4 failed: syntax error at or near "SELEC"$/);
      return true;
    });
    assert.equal(await pgState(url), before);
    await assertNoScratchLeft(pgScratch(server), scratchBefore);
  });

  await t.test('a role that may not create databases: a clear error with the grant, and nothing touched', async () => {
    const role = `skene_nocreate_${randomBytes(4).toString('hex')}`;
    await pgQuery(server, `CREATE ROLE ${role} LOGIN NOCREATEDB`);
    t.after(() => pgQuery(server, `DROP ROLE IF EXISTS ${role}`));
    const asRole = new URL(url);
    asRole.username = role;
    const seed = writeFile(project.dir, 'hostile.sql', PG_HOSTILE_SEED);
    const scratchBefore = await pgScratch(server)();
    await assert.rejects(
      planProject({ configFile: project.config, databaseUrl: asRole.toString(), seeds: [seed], cwd: project.dir, at: AT, env: FROM }),
      (error: Error) => {
        assert.equal(
          error.message,
          `cannot seed: role ${role} may not create databases on postgres://${role}@127.0.0.1:5432. ` +
            'A plan with --seed never seeds the database a URL names: it creates a scratch database on that server, seeds and plans there, and drops it. ' +
            `Grant it: ALTER ROLE ${role} CREATEDB; or seed a throwaway database yourself and plan against it without --seed.`,
        );
        return true;
      },
    );
    assert.equal(await pgState(url), before);
    await assertNoScratchLeft(pgScratch(server), scratchBefore);
  });

  await t.test('the role the docs give for --seed (LOGIN CREATEDB, nothing else) plans without a warning', async () => {
    const role = `skene_planner_${randomBytes(4).toString('hex')}`;
    await pgQuery(server, `CREATE ROLE ${role} LOGIN CREATEDB PASSWORD 'not-used-on-loopback-trust'`);
    t.after(() => pgQuery(server, `DROP ROLE IF EXISTS ${role}`));
    const asRole = new URL(url);
    asRole.username = role;
    const scratchBefore = await pgScratch(server)();
    const seed = writeFile(project.dir, 'hostile.sql', PG_HOSTILE_SEED);
    const { report } = await planProject({
      configFile: project.config,
      databaseUrl: asRole.toString(),
      seeds: [seed],
      cwd: project.dir,
      at: AT,
      env: FROM,
      showRecipients: true,
    });
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['seeded@example.com'],
    );
    assert.deepEqual(report.warnings, []);
    assert.equal(await pgState(url), before);
    await assertNoScratchLeft(pgScratch(server), scratchBefore);
  });

  await t.test('openSource closes into a drop; a second close is harmless', async () => {
    const scratchBefore = await pgScratch(server)();
    const seed = writeFile(project.dir, 'hostile.sql', PG_HOSTILE_SEED);
    const source = await openSource({ url, seeds: [seed] });
    assert.equal(scratchDatabasesInUse().length, 1);
    assert.match(scratchDatabasesInUse()[0]!, /^the scratch database skene_scratch_[0-9a-f]{12} on postgres:\/\/postgres@127\.0\.0\.1:5432$/);
    const name = scratchDatabasesInUse()[0]!.split(' ')[3]!;
    assert.deepEqual(await pgScratch(server)().then((names) => names.includes(name)), true);
    await source.close();
    await source.close();
    assert.equal((await pgScratch(server)()).includes(name), false);
    await assertNoScratchLeft(pgScratch(server), scratchBefore);
  });
});

// ---------------------------------------------------------------- MariaDB

const MYSQL_TARGET = `
CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type varchar(100) NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');
INSERT INTO user_actions VALUES (1, 1, 'first_project_created');`;

const MYSQL_HOSTILE_SEED = `
CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);
DELETE FROM users;
DROP TABLE IF EXISTS user_actions;
INSERT INTO users VALUES (10, 'seeded@example.com', 'Seeded'), (11, 'doomed@example.com', 'Doomed');
DELETE FROM users WHERE id = 11;
UPDATE users SET name = 'Seeded One' WHERE id = 10;
`;

const MYSQL_BROKEN_SEED = `
CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);
DELETE FROM users;
SELEC broken;
`;

async function myQuery(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    return (await c.query(sql))[0] as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

const myState = async (url: string) =>
  JSON.stringify([
    await myQuery(url, 'SELECT * FROM users ORDER BY id'),
    await myQuery(url, 'SELECT COUNT(*) AS n FROM user_actions'),
    await myQuery(url, 'SHOW TABLES'),
  ]);

const myScratch = (server: string) => async () => (await myQuery(server, "SHOW DATABASES LIKE 'skene\\_scratch\\_%'")).map((r) => String(Object.values(r)[0]));

test("MariaDB: the seed runs in a scratch database, dropped after; the URL's database is untouched", async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_target');
  const target = new URL(url).pathname.slice(1);
  await myQuery(url, MYSQL_TARGET);
  const before = await myState(url);
  const project = writeProject();

  await t.test("a hostile seed: emails from the seed, the URL's rows unchanged, nothing left", async () => {
    const scratchBefore = await myScratch(server)();
    const seed = writeFile(project.dir, 'hostile.sql', MYSQL_HOSTILE_SEED);
    const { report, sourceLabel } = await planProject({
      configFile: project.config,
      databaseUrl: url,
      seeds: [seed],
      cwd: project.dir,
      at: AT,
      env: FROM,
      showRecipients: true,
    });
    const step = report.loops[0]!.steps[0]!;
    assert.deepEqual(step.errors, []);
    assert.deepEqual(
      step.emails.map((e) => [e.to, e.subject]),
      [['seeded@example.com', 'Hi Seeded One']],
    );
    assert.equal(sourceLabel, `a scratch database on mysql://root@127.0.0.1:3306 (seeded, dropped after the plan; database ${target} not touched)`);
    assert.equal(await myState(url), before);
    await assertNoScratchLeft(myScratch(server), scratchBefore);
  });

  await t.test('a seed that fails: the error names the file; the scratch database is dropped', async () => {
    const scratchBefore = await myScratch(server)();
    const seed = writeFile(project.dir, 'broken.sql', MYSQL_BROKEN_SEED);
    await assert.rejects(
      planProject({ configFile: project.config, databaseUrl: url, seeds: [seed], cwd: project.dir, at: AT, env: FROM }),
      /^Error: seed .*broken\.sql:4 failed: You have an error in your SQL syntax/,
    );
    assert.equal(await myState(url), before);
    await assertNoScratchLeft(myScratch(server), scratchBefore);
  });

  await t.test('a user without CREATE: a clear error with the grant, and nothing touched', async () => {
    const user = `skene_nocreate_${randomBytes(4).toString('hex')}`;
    await myQuery(server, `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT SELECT ON \`${target}\`.* TO '${user}'@'%'`);
    t.after(() => myQuery(server, `DROP USER IF EXISTS '${user}'@'%'`));
    const asUser = new URL(url);
    asUser.username = user;
    asUser.password = `pw-${user}`;
    const seed = writeFile(project.dir, 'hostile.sql', MYSQL_HOSTILE_SEED);
    const scratchBefore = await myScratch(server)();
    await assert.rejects(
      planProject({ configFile: project.config, databaseUrl: asUser.toString(), seeds: [seed], cwd: project.dir, at: AT, env: FROM }),
      (error: Error) => {
        assert.equal(
          error.message,
          `cannot seed: '${user}'@'%' may not create databases on mysql://${user}:***@127.0.0.1:3306. ` +
            'A plan with --seed never seeds the database a URL names: it creates a scratch database on that server, seeds and plans there, and drops it. ' +
            `Grant it: GRANT ALL ON \`skene\\_scratch\\_%\`.* TO '${user}'@'%'; or seed a throwaway database yourself and plan against it without --seed.`,
        );
        assert.ok(!error.message.includes(`pw-${user}`));
        return true;
      },
    );
    assert.equal(await myState(url), before);
    await assertNoScratchLeft(myScratch(server), scratchBefore);
  });

  await t.test('the user the docs give for --seed (ALL on skene\\_scratch\\_%.* only) plans without a warning', async () => {
    const user = `skene_planner_${randomBytes(4).toString('hex')}`;
    await myQuery(server, `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT ALL ON \`skene\\_scratch\\_%\`.* TO '${user}'@'%'`);
    t.after(() => myQuery(server, `DROP USER IF EXISTS '${user}'@'%'`));
    // No database in the URL: this user may not use the others.
    const asUser = `mysql://${user}:pw-${user}@127.0.0.1:3306`;
    const scratchBefore = await myScratch(server)();
    const seed = writeFile(project.dir, 'hostile.sql', MYSQL_HOSTILE_SEED);
    const { report, sourceLabel } = await planProject({
      configFile: project.config,
      databaseUrl: asUser,
      seeds: [seed],
      cwd: project.dir,
      at: AT,
      env: FROM,
      showRecipients: true,
    });
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['seeded@example.com'],
    );
    assert.deepEqual(report.warnings, []);
    assert.equal(sourceLabel, `a scratch database on mysql://${user}:***@127.0.0.1:3306 (seeded, dropped after the plan; the URL's database not touched)`);
    assert.equal(await myState(url), before);
    await assertNoScratchLeft(myScratch(server), scratchBefore);
  });
});

// ---------------------------------------------------------------- Redis

const REDIS_HOSTILE_SEED = `# would overwrite and delete the URL's users if it ran there
HSET users:1 email seeded@example.com name Seeded
DEL users:2
HSET users:3 email third@example.com name Third
`;

/** Logical databases 1–15 that hold the scratch marker. */
async function redisMarked(server: string): Promise<string[]> {
  const client = new Redis(server);
  try {
    const marked: string[] = [];
    for (let db = 1; db <= 15; db++) {
      await client.select(db);
      if (await client.exists(SCRATCH_MARKER)) marked.push(`db${db}=${await client.get(SCRATCH_MARKER)}`);
    }
    return marked;
  } finally {
    client.disconnect();
  }
}

test("Redis: the seed runs in a scratch logical database, flushed after; the URL's database is untouched", async (t) => {
  const server = await serviceOrSkip(t, 'redis');
  if (!server) return;
  const prefix = `skene-scratch-test-${process.pid}:`;
  const url = `${server}/0`;
  const raw = new Redis(url);
  t.after(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
  });
  await raw.hset(`${prefix}users:1`, { email: 'ada@example.com', name: 'Ada' });
  await raw.hset(`${prefix}users:2`, { email: 'grace@example.com', name: 'Grace' });
  const state = async () =>
    JSON.stringify([await raw.keys(`${prefix}*`).then((k) => k.sort()), await raw.hgetall(`${prefix}users:1`), await raw.hgetall(`${prefix}users:2`)]);
  const before = await state();
  const project = writeProject();
  const config = makeConfig(LOOP);
  t.after(() => config.cleanup());

  await t.test("a hostile seed (HSET and DEL on the URL's keys): emails from the seed, keys unchanged, nothing left", async () => {
    const markedBefore = await redisMarked(server);
    const seed = writeFile(project.dir, 'hostile.redis', REDIS_HOSTILE_SEED);
    const source = (await openSource({ url, seeds: [seed], keyPrefix: prefix })) as RedisSource;
    let scratchDb: number;
    try {
      assert.equal(source.label, 'a scratch logical database on redis://127.0.0.1:6379 (seeded, flushed after the plan; database 0 not touched)');
      scratchDb = Number(/logical database (\d+)/.exec(scratchDatabasesInUse()[0]!)![1]);
      assert.ok(scratchDb >= 1 && scratchDb <= 15, `scratch database ${scratchDb}`);
      const report = await runPlan({ config, source, at: AT, env: FROM });
      assert.deepEqual(
        report.loops[0]!.steps[0]!.emails.map((e) => e.to),
        ['seeded@example.com', 'third@example.com'],
      );
      assert.equal(await state(), before);
    } finally {
      await source.close();
    }
    const scratch = new Redis(`${server}/${scratchDb}`);
    assert.equal(await scratch.dbsize(), 0, 'the scratch database is flushed');
    scratch.disconnect();
    assert.equal(await state(), before);
    await assertNoScratchLeft(() => redisMarked(server), markedBefore);
  });

  await t.test('a seed that fails (FLUSHDB is not a seed command): nothing touched, nothing left', async () => {
    const markedBefore = await redisMarked(server);
    const seed = writeFile(project.dir, 'flush.redis', 'HSET users:9 email nine@example.com\nFLUSHDB\n');
    await assert.rejects(openSource({ url, seeds: [seed], keyPrefix: prefix }), /flush\.redis:2: FLUSHDB is not a command a seed file may use/);
    assert.equal(await state(), before);
    await assertNoScratchLeft(() => redisMarked(server), markedBefore);
  });

  await t.test('two plans at once claim two different logical databases', async () => {
    const seed = writeFile(project.dir, 'hostile.redis', REDIS_HOSTILE_SEED);
    const [a, b] = await Promise.all([openSource({ url, seeds: [seed], keyPrefix: prefix }), openSource({ url, seeds: [seed], keyPrefix: prefix })]);
    try {
      const dbs = scratchDatabasesInUse().map((d) => /logical database (\d+)/.exec(d)![1]);
      assert.equal(dbs.length, 2);
      assert.notEqual(dbs[0], dbs[1]);
    } finally {
      await a!.close();
      await b!.close();
    }
    assert.equal(await state(), before);
  });

  await t.test('a URL naming another logical database: that one is not used either', async (t) => {
    // A server of its own: on the shared one, a plan in another test file may claim database 1 as its scratch.
    const ownServer = await ownRedis(t, 16);
    if (!ownServer) return;
    const own = new Redis(`${ownServer}/1`);
    t.after(() => own.disconnect());
    const seed = writeFile(project.dir, 'hostile.redis', REDIS_HOSTILE_SEED);
    const source = await openSource({ url: `${ownServer}/1`, seeds: [seed], keyPrefix: prefix });
    try {
      assert.doesNotMatch(scratchDatabasesInUse()[0]!, /logical database 1 /);
      assert.match(source.label, /database 1 not touched/);
      assert.equal(await own.exists(SCRATCH_MARKER), 0);
    } finally {
      await source.close();
    }
  });
});

/** A Redis server of our own (`redis-server --databases n`), stopped when the test ends. */
async function ownRedis(t: TestContext, databases: number): Promise<string | undefined> {
  const own = await startOwnRedis({ databases });
  if (!own) return withoutOwnRedis(t);
  t.after(() => own.stop());
  return own.url;
}

test('Redis: no free logical database, or a server with one: a clear error, nothing written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-redis-full-'));
  const seed = writeFile(dir, 'seed.redis', REDIS_HOSTILE_SEED);

  await t.test('a server with a single database', async (t) => {
    const url = await ownRedis(t, 1);
    if (!url) return;
    await assert.rejects(
      openSource({ url: `${url}/0`, seeds: [seed] }),
      new RegExp(
        `^Error: cannot seed on ${url.replace(/\./g, '\\.')}: it has a single logical database \\(or refuses SELECT\\)\\. A plan with --seed never seeds the database a URL names \\(here 0\\)`,
      ),
    );
    const c = new Redis(url);
    assert.equal(await c.dbsize(), 0);
    c.disconnect();
  });

  await t.test('every other logical database holds keys', async (t) => {
    const url = await ownRedis(t, 3);
    if (!url) return;
    const c = new Redis(url);
    t.after(() => c.disconnect());
    for (const db of [1, 2]) {
      await c.select(db);
      await c.set('someone-else', 'x');
    }
    await assert.rejects(
      openSource({ url: `${url}/0`, seeds: [seed] }),
      /: all 2 other logical databases hold keys\. .*Free one, or seed a throwaway Redis yourself and plan against it without --seed\.$/,
    );
    for (const db of [0, 1, 2]) {
      await c.select(db);
      assert.deepEqual(await c.keys('*'), db === 0 ? [] : ['someone-else'], `database ${db}`);
    }
    // With database 2 free again, it is the one claimed (never 0, and never the URL's own 1).
    await c.flushdb();
    const source = await openSource({ url: `${url}/1`, seeds: [seed] });
    assert.match(scratchDatabasesInUse()[0]!, /logical database 2 /);
    await source.close();
    assert.equal(await c.dbsize(), 0);
  });
});

test('an Upstash REST URL with seeds is refused before anything connects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-upstash-seed-'));
  const seed = writeFile(dir, 'seed.redis', 'HSET users:1 email a@example.com\n');
  await assert.rejects(openSource({ url: 'https://eu1-nothing-here.upstash.invalid', token: 'secret-token', seeds: [seed] }), (error: Error) => {
    assert.equal(
      error.message,
      'refusing to seed https://eu1-nothing-here.upstash.invalid/: an Upstash REST URL names a single database, and a plan never seeds the database a URL names. ' +
        'Seed a throwaway Upstash database yourself and plan against it without --seed (or drop the URL to seed the embedded PostgreSQL).',
    );
    return true;
  });
});
