/**
 * `skene migrate` as a user runs it (the built CLI): install, re-run, refusals, `--print`,
 * `--down`; exit 0/1/2, one-line errors, no password in any output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { skene } from '../helpers/cli.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

/** A project whose loop welcomes users and watches `extra` tables for inserts. */
function project(...extra: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-migrate-'));
  mkdirSync(join(dir, 'emails'));
  const step = (table: string) => ({
    trigger: { type: 'database', table, event: 'insert' },
    action: { type: 'email', provider: 'resend', template: 'welcome' },
  });
  const loop = { id: 'welcome', type: 'activation', opinion: 'Welcome every user', steps: ['users', ...extra].map(step) };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Hi</title></head><body>Hi</body></html>');
  return dir;
}

/** No DATABASE_URL from the environment the tests run in: each test names its database. */
const ENV = { DATABASE_URL: '' };

test('usage: --help, an unknown option (exit 2), an unreachable Redis (exit 1)', () => {
  const help = skene(['migrate', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: skene migrate \[--config file\] \[--database-url url\] \[--print\] \[--down\]/);
  const bad = skene(['migrate', '--nope'], { cwd: project(), env: ENV });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^skene migrate: Unknown option '--nope'/);
  // MySQL/MariaDB: migrate-mysql.test.ts.
  // Redis: capture-redis.test.ts; a server that cannot be reached is one line without the password.
  const redis = skene(['migrate', '--database-url', 'redis://:hunter2-pw@127.0.0.1:1'], { cwd: project(), env: ENV });
  assert.equal(redis.status, 1);
  assert.match(redis.stderr, /^skene migrate: .*redis:\/\/:\*\*\*@127\.0\.0\.1:1.*\n$/);
  assert.doesNotMatch(redis.stderr, /hunter2-pw/);
  const none = skene(['migrate'], { cwd: project(), env: ENV });
  assert.equal(none.status, 1);
  assert.equal(
    none.stderr,
    'skene migrate: no database URL: pass --database-url, set DATABASE_URL or database.url in the config (or --print to write the SQL)\n',
  );
});

test('--print writes the SQL without a database', () => {
  const r = skene(['migrate', '--print'], { cwd: project('crm.accounts'), env: ENV });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^-- skene migrate:/);
  assert.match(r.stdout, /^--   crm\.accounts: insert$/m);
  assert.match(r.stdout, /^BEGIN;$/m);
  assert.match(r.stdout, /\nCOMMIT;\n$/);
  const down = skene(['migrate', '--print', '--down'], { cwd: project(), env: ENV });
  assert.equal(down.status, 0);
  assert.match(down.stdout, /DROP SCHEMA IF EXISTS "skene" CASCADE;/);
});

test('against PostgreSQL: install, re-run, refuse a table without a key, remove', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_migrate_cli');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(
      'CREATE TABLE users (id serial PRIMARY KEY, email text); CREATE SCHEMA crm; CREATE TABLE crm.accounts (id int PRIMARY KEY); CREATE TABLE no_key (x int)',
    );
    // A password in the URL (trust authentication ignores it) must never be printed.
    const withPassword = url.replace('postgres@', 'postgres:hunter2-pw@');
    const dir = project('crm.accounts');

    const first = skene(['migrate', '--database-url', withPassword], { cwd: dir, env: ENV });
    assert.equal(first.status, 0, first.stderr);
    assert.equal(
      first.stdout,
      `crm.accounts: capturing insert (key id)\nusers: capturing insert (key id)\nChange capture is installed in ${withPassword.replace('hunter2-pw', '***')}: 2 tables, events in skene.events, NOTIFY on skene_events.\n`,
    );
    const again = skene(['migrate'], { cwd: dir, env: { DATABASE_URL: url } });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^crm\.accounts: unchanged\nusers: unchanged\n/);

    const refused = skene(['migrate', '--database-url', withPassword], { cwd: project('no_key'), env: ENV });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^skene migrate: table no_key has no primary key: .* — nothing was changed\n$/);
    assert.doesNotMatch(refused.stderr + refused.stdout, /hunter2-pw/);

    const down = skene(['migrate', '--down', '--database-url', url], { cwd: dir, env: ENV });
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /^crm\.accounts: capture removed\nusers: capture removed\nChange capture removed from /);
    const left = await client.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'skene_capture'`);
    assert.equal(left.rows[0].n, 0);
    assert.equal((await client.query(`SELECT to_regnamespace('skene') AS s`)).rows[0].s, null);
  } finally {
    await client.end().catch(() => {});
  }
});

test('a connection error is one line, with the password masked', () => {
  const r = skene(['migrate', '--database-url', 'postgres://u:hunter2-pw@127.0.0.1:1/app'], { cwd: project(), env: ENV });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^skene migrate: cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/app: .*\n$/);
  assert.doesNotMatch(r.stderr, /hunter2-pw/);
});
