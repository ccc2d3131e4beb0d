/**
 * Ctrl-C in the middle of `skene plan --seed … --database-url …`: the scratch database the plan
 * created on the URL's server is dropped before the process exits, the exit status is not zero
 * (130 for SIGINT, 143 for SIGTERM), and the URL's database is unchanged. The CLI runs as a user
 * runs it, from source: `node --conditions=source --import tsx packages/cli/src/bin.ts plan …`,
 * with a seed that takes a while (pg_sleep, SLEEP, or many Redis hashes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../helpers/services.js';
import { ROOT } from '../helpers/cli.js';
import { tempMysqlDatabase, tempPostgresDatabase, writeWelcomeProject } from '../../packages/core/test/plan/helpers.js';

const MARKER = 'skene:scratch';

function project(seedName: string, seed: string): { config: string; seed: string } {
  const dir = writeWelcomeProject('skene-interrupt-', { [seedName]: seed });
  return { config: join(dir, 'skene.config.ts'), seed: join(dir, seedName) };
}

/** `skene plan` from source, as a child process; resolves when it exits. */
function startPlan(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/cli/src/bin.ts', 'plan', '--at', '2026-03-02T09:00:00Z', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', SKENE_EMAIL_FROM: 'Acme <hello@acme.example>', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void exited.then(() => clearTimeout(timer));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Polls `probe` until it returns something (or the plan exits, or 60 s pass). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, plan: ReturnType<typeof startPlan>): Promise<T> {
  let exited = false;
  void plan.exited.then(() => (exited = true));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (exited) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  plan.child.kill('SIGKILL');
  const { stdout, stderr } = plan.output();
  assert.fail(`${what} never appeared${exited ? ' (the plan exited first)' : ''}\nstdout: ${stdout}\nstderr: ${stderr}`);
}

async function pgQuery<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function myQuery(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    return (await c.query(sql))[0] as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

test('PostgreSQL: Ctrl-C (SIGINT) while the seed runs drops the scratch database; exit 130', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_target');
  await pgQuery(
    url,
    "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL); INSERT INTO users VALUES (1, 'ada@example.com', 'Ada')",
  );
  const state = async () => JSON.stringify(await pgQuery(url, 'SELECT * FROM users ORDER BY id'));
  const before = await state();
  const files = project(
    'slow.sql',
    "CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);\nDELETE FROM users;\nINSERT INTO users VALUES (10, 'seeded@example.com', 'Seeded');\nSELECT pg_sleep(60);\n",
  );
  const plan = startPlan(['--config', files.config, '--seed', files.seed, '--database-url', url]);
  // Ours: the scratch database's comment names the process that created it.
  const name = await waitFor(
    'the scratch database, with the seed sleeping in it',
    async () =>
      (
        await pgQuery<{ datname: string }>(
          server,
          "SELECT d.datname FROM pg_database d JOIN pg_stat_activity a ON a.datname = d.datname WHERE d.datname LIKE 'skene\\_scratch\\_%' AND shobj_description(d.oid, 'pg_database') LIKE $1 AND a.query LIKE '%pg_sleep(60)%'",
          [`%pid ${plan.child.pid})%`],
        )
      )[0]?.datname,
    plan,
  );
  plan.child.kill('SIGINT');
  const result = await plan.exited;
  assert.equal(result.code, 130, result.stderr);
  assert.equal(result.signal, null);
  assert.match(
    result.stderr,
    new RegExp(
      `^skene plan: interrupted \\(SIGINT\\): dropping the scratch database ${name} on postgres://postgres@127\\.0\\.0\\.1:5432…\nskene plan: interrupted \\(SIGINT\\): scratch database dropped\n$`,
    ),
  );
  assert.equal(result.stdout, '');
  assert.deepEqual(await pgQuery(server, 'SELECT datname FROM pg_database WHERE datname = $1', [name]), []);
  assert.equal(await state(), before);
});

test('MariaDB: SIGTERM while the seed runs drops the scratch database; exit 143', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_target');
  await myQuery(
    url,
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL); INSERT INTO users VALUES (1, 'ada@example.com', 'Ada')",
  );
  const state = async () => JSON.stringify(await myQuery(url, 'SELECT * FROM users ORDER BY id'));
  const before = await state();
  const tag = `skene_interrupt_${process.pid}`;
  const files = project(
    'slow.sql',
    `CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, email varchar(200) NOT NULL, name varchar(200) NOT NULL);\nDELETE FROM users;\nINSERT INTO users VALUES (10, 'seeded@example.com', 'Seeded');\nSELECT SLEEP(60) AS ${tag};\n`,
  );
  const plan = startPlan(['--config', files.config, '--seed', files.seed, '--database-url', url]);
  const name = await waitFor(
    'the scratch database, with the seed sleeping in it',
    async () => {
      const rows = await myQuery(
        server,
        `SELECT DB AS db FROM information_schema.PROCESSLIST WHERE DB LIKE 'skene\\\\_scratch\\\\_%' AND INFO LIKE '%${tag}%'`,
      );
      return rows[0] ? String(rows[0].db) : undefined;
    },
    plan,
  );
  plan.child.kill('SIGTERM');
  const result = await plan.exited;
  assert.equal(result.code, 143, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `^skene plan: interrupted \\(SIGTERM\\): dropping the scratch database ${name} on mysql://root@127\\.0\\.0\\.1:3306…\nskene plan: interrupted \\(SIGTERM\\): scratch database dropped\n$`,
    ),
  );
  assert.deepEqual(await myQuery(server, `SHOW DATABASES LIKE '${name}'`), []);
  assert.equal(await state(), before);
});

test('Redis: Ctrl-C while the plan runs on its scratch logical database flushes it; exit 130', async (t) => {
  const server = await serviceOrSkip(t, 'redis');
  if (!server) return;
  const raw = new Redis(`${server}/0`);
  t.after(() => raw.disconnect());
  // If the seed ran in the URL's database (0), users:1 … would appear there.
  const markers = async () => {
    const c = new Redis(server);
    const found: Record<string, string> = {};
    for (let db = 1; db <= 15; db++) {
      await c.select(db);
      const v = await c.get(MARKER);
      if (v) found[db] = v;
    }
    c.disconnect();
    return found;
  };
  const before = await markers();
  // Many hashes: seeding and planning take long enough to be interrupted.
  // Ours: the scratch database holds this run's first key. Another test's plan may claim a scratch
  // database meanwhile, and interrupting ours before it is up would kill it before its handler is.
  const tag = `skene-interrupt-test:${process.pid}:${Date.now()}`;
  const lines = [`HSET ${tag} owner scratch-interrupt`];
  for (let i = 1; i <= 60_000; i++) lines.push(`HSET users:${i} email user${i}@example.com name "User ${i}"`);
  const files = project('big.redis', `${lines.join('\n')}\n`);
  const plan = startPlan(['--config', files.config, '--seed', files.seed, '--database-url', `${server}/0`]);
  const db = await waitFor(
    'the scratch marker, with this seed in its database',
    async () => {
      const now = await markers();
      for (const k of Object.keys(now).filter((k) => before[k] !== now[k])) {
        const c = new Redis(`${server}/${k}`);
        const mine = await c.exists(tag);
        c.disconnect();
        if (mine) return k;
      }
      return undefined;
    },
    plan,
  );
  plan.child.kill('SIGINT');
  const result = await plan.exited;
  assert.equal(result.code, 130, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `^skene plan: interrupted \\(SIGINT\\): dropping the scratch logical database ${db} on redis://127\\.0\\.0\\.1:6379…\nskene plan: interrupted \\(SIGINT\\): scratch database dropped\n$`,
    ),
  );
  const scratch = new Redis(`${server}/${db}`);
  t.after(() => scratch.disconnect());
  assert.equal(await scratch.dbsize(), 0, `logical database ${db} is flushed`);
  assert.equal(await raw.exists('users:1', 'users:60000'), 0);
});
