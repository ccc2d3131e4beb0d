/**
 * `skene run --once` and `skene status` as a user runs them (the built CLI) against the real
 * PostgreSQL and a Resend double: one log line per decision, addresses masked unless
 * --show-recipients, never the API key; the outbox without a key; exit 0/1/2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { skene, skeneAsync } from '../helpers/cli.js';
import { startResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-run-'));
  mkdirSync(join(dir, 'emails'));
  const loop = {
    id: 'activated',
    type: 'activation',
    opinion: 'Congratulate users who created a project',
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'query', query: 'SELECT 1 FROM projects WHERE user_id = $1', timeout: '5m' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Welcome, {{name}}</title></head><body>Hi {{name}}</body></html>');
  return dir;
}

const ENV = { DATABASE_URL: '', RESEND_API_KEY: '', RESEND_BASE_URL: '', SKENE_EMAIL_FROM: 'Acme <hello@acme.example>', SKENE_CONFIG_DIR: tmpdir() };

test('usage: --help, a bad --log-format (exit 2), no database URL (exit 1)', () => {
  const help = skene(['run', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: skene run \[--config file\] \[--database-url url\] \[--once\]/);
  const bad = skene(['run', '--once', '--log-format', 'xml'], { cwd: project(), env: ENV });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^skene run: --log-format must be text or json/);
  const none = skene(['run', '--once'], { cwd: project(), env: ENV });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^skene run: no database URL/);
  assert.equal(skene(['status', '--help']).status, 0);
  const listenOnce = skene(['run', '--once', '--listen', '127.0.0.1:8787'], { cwd: project(), env: ENV });
  assert.equal(listenOnce.status, 2);
  assert.match(listenOnce.stderr, /^skene run: --listen takes deliveries while the runner runs: not with --once/);
  const badListen = skene(['run', '--listen', 'localhost'], { cwd: project(), env: ENV });
  assert.equal(badListen.status, 2);
  assert.match(badListen.stderr, /^skene run: --listen must be host:port, such as 127\.0\.0\.1:8787, not 'localhost'/);
});

test('run --once sends through Resend with masked logs; status counts it; the outbox without a key', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_run_cli');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL, name text NOT NULL);`);
  const dir = project();
  assert.equal(skene(['migrate', '--database-url', url], { cwd: dir, env: ENV }).status, 0);
  await client.query(`INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo');
    INSERT INTO projects (user_id, name) VALUES (1, 'first');`);
  const double = await startResendDouble();
  t.after(() => double.close());
  const env = { ...ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };
  const at = new Date(Date.now() + 1000).toISOString();

  const run = await skeneAsync(['run', '--once', '--at', at, '--database-url', url], { cwd: dir, env });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^sent {5}activated\/1\/1 to a\*\*\*@example\.com \(id [0-9a-f-]+\)$/m);
  assert.match(run.stdout, /^waiting {2}activated\/1 key 2: condition not met yet; next check /m);
  assert.match(run.stdout, /: 1 sent, 1 waiting, 0 expired, 0 failed, 0 skipped$/m);
  assert.doesNotMatch(run.stdout + run.stderr, /ann@example\.com|re_test_double_key/);
  assert.equal(double.delivered.length, 1);

  const json = await skeneAsync(['status', '--format', 'json', '--database-url', url], { cwd: dir, env });
  assert.equal(json.status, 0, json.stderr);
  const status = JSON.parse(json.stdout);
  assert.equal(status.loops[0].steps[0].sent, 1);
  assert.equal(status.loops[0].steps[0].waiting, 1);
  const text = await skeneAsync(['status', '--database-url', url], { cwd: dir, env });
  assert.match(text.stdout, /^ {2}step 1 \(insert on users\): 1 sent, 1 waiting, 0 expired, 0 failed, 0 skipped$/m);

  // Without a key: the outbox, said on standard error; JSON logs with --show-recipients.
  await client.query(`INSERT INTO projects (user_id, name) VALUES (2, 'second')`);
  const later = new Date(Date.parse(at) + 60_000).toISOString();
  const outbox = await skeneAsync(['run', '--once', '--at', later, '--database-url', url, '--log-format', 'json', '--show-recipients'], {
    cwd: dir,
    env: ENV,
  });
  assert.equal(outbox.status, 0, outbox.stderr);
  assert.match(outbox.stderr, /no Resend key .*: emails go to the outbox .*\.skene\/outbox, nothing is sent/);
  const line = JSON.parse(outbox.stdout.split('\n')[0]!);
  assert.equal(line.decision, 'sent');
  assert.equal(line.to, 'bo@example.com');
  assert.equal(readdirSync(join(dir, '.skene', 'outbox')).filter((f) => f.endsWith('.json')).length, 1);
  assert.equal(double.delivered.length, 1);
});
