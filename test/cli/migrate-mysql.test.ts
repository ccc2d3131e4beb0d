/**
 * `skene migrate` on MySQL/MariaDB as a user runs it (the built CLI): install, re-run, a refusal
 * that changes nothing, `--print`, `--down`, TiDB; one-line errors, no password in any output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { skene } from '../helpers/cli.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempMysqlDatabase } from '../../packages/core/test/plan/helpers.js';

const step = (table: string) => ({
  trigger: { type: 'database', table, event: 'insert' },
  action: { type: 'email', provider: 'resend', template: 'welcome' },
});

/** A project whose loop welcomes users and watches `extra` tables for inserts. */
function project(...extra: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-migrate-mysql-'));
  mkdirSync(join(dir, 'emails'));
  const loop = { id: 'welcome', type: 'activation', opinion: 'Welcome every user', steps: ['users', ...extra].map(step) };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Hi</title></head><body>Hi</body></html>');
  return dir;
}

const ENV = { DATABASE_URL: '' };

test('against MariaDB: install, re-run, print, refuse a table without a key, remove', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_migrate_cli');
  const client = await mysql.createConnection({ uri: url, multipleStatements: true });
  t.after(() => client.end().catch(() => {}));
  await client.query('CREATE TABLE users (id INT PRIMARY KEY, email TEXT); CREATE TABLE accounts (id BIGINT PRIMARY KEY); CREATE TABLE no_key (x INT)');
  const triggers = async () =>
    ((await client.query(`SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1`))[0] as { n: string }[]).map(
      (r) => r.n,
    );
  const dir = project('accounts');

  const printed = skene(['migrate', '--print', '--database-url', url], { cwd: dir, env: ENV });
  assert.equal(printed.status, 0, printed.stderr);
  assert.match(printed.stdout, /^-- skene migrate: Skene's change capture for MySQL\/MariaDB/);
  assert.match(printed.stdout, /^CREATE TRIGGER `skene_insert_users` AFTER INSERT ON `users` FOR EACH ROW INSERT INTO `skene_events` /m);
  assert.deepEqual(await triggers(), []);

  const first = skene(['migrate', '--database-url', url], { cwd: dir, env: ENV });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(
    first.stdout,
    `accounts: capturing insert (key id)\nusers: capturing insert (key id)\nChange capture is installed in ${url}: 2 tables, events in skene_events, which skene run polls.\n`,
  );
  assert.deepEqual(await triggers(), ['skene_insert_accounts', 'skene_insert_users']);
  const again = skene(['migrate'], { cwd: dir, env: { DATABASE_URL: url } });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^accounts: unchanged\nusers: unchanged\n/);

  // A password in the URL (MariaDB refuses it for root) is never printed.
  const withPassword = url.replace('root@', 'root:hunter2-pw@');
  const denied = skene(['migrate', '--database-url', withPassword], { cwd: dir, env: ENV });
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, /^skene migrate: cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/\S+: .*\n$/);
  assert.doesNotMatch(denied.stderr + denied.stdout, /hunter2-pw/);

  const refused = skene(['migrate', '--database-url', url], { cwd: project('no_key'), env: ENV });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^skene migrate: table no_key has no primary key: .* — nothing was changed\n$/);
  assert.deepEqual(await triggers(), ['skene_insert_accounts', 'skene_insert_users']);

  const down = skene(['migrate', '--down', '--database-url', url], { cwd: dir, env: ENV });
  assert.equal(down.status, 0, down.stderr);
  assert.equal(down.stdout, `accounts: capture removed\nusers: capture removed\nChange capture removed from ${url}: Skene's triggers and skene_events.\n`);
  assert.deepEqual(await triggers(), []);
  const [left] = await client.query(`SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'skene_events'`);
  assert.equal((left as unknown[]).length, 0);
});

test('TiDB: nothing to install; the watermark columns checked and named, a missing one refused', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_migrate_tidb');
  const client = await mysql.createConnection({ uri: url });
  t.after(() => client.end().catch(() => {}));
  await client.query('CREATE TABLE users (id INT PRIMARY KEY, email TEXT, created_at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))');
  // There is no TiDB here: the flavor is forced in the config, as on a TiDB whose version string looks like MySQL's.
  const dir = project();
  const loop = { id: 'welcome', type: 'activation', opinion: 'Welcome every user', steps: [step('users')] };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify({ database: { flavor: 'tidb' }, loops: [loop] })};\n`);
  const r = skene(['migrate', '--database-url', url], { cwd: dir, env: ENV });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^users: inserts by created_at .*\n.* is TiDB, which has no triggers: nothing to install; skene run reads its changes by watermark columns\.\n$/,
  );
  const [triggers] = await client.query(`SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()`);
  assert.deepEqual(triggers, [], 'nothing installed');

  await client.query('ALTER TABLE users DROP COLUMN created_at');
  const missing = skene(['migrate', '--database-url', url], { cwd: dir, env: ENV });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^skene migrate: .*created_at.*database\.capture.*\n$/);

  // A TiDB URL that cannot be reached: one line, no password.
  const away = skene(['migrate', '--database-url', 'tidb://root:hunter2-pw@127.0.0.1:1/app'], { cwd: project(), env: ENV });
  assert.equal(away.status, 1);
  assert.match(away.stderr, /^skene migrate: cannot connect to tidb:\/\/root:\*\*\*@127\.0\.0\.1:1\/app: .*\n$/);
  assert.doesNotMatch(away.stderr, /hunter2-pw/);
});
