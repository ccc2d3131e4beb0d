/**
 * The frequency cap as a user meets it (the built CLI, the real PostgreSQL, the Resend double):
 * two loops that both want to mail a person at T — a welcome on signup and a daily digest at the
 * same instant — under `limits.perUser: { emails: 1, per: '1d' }`. `skene plan --at T` says which
 * email each capped one lost its slot to, and `skene run --once --at T` sends exactly the plan's
 * emails: one per person.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { assertSameEmails, deliveredEmails, plannedEmails, skeneAsync } from '../helpers/fidelity.js';
import { startResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

const T = '2026-03-02T09:00:00.000Z';
const ENV = {
  DATABASE_URL: '',
  RESEND_API_KEY: '',
  RESEND_BASE_URL: '',
  SKENE_EMAIL_FROM: 'Acme <hello@acme.example>',
  SKENE_CONFIG_DIR: tmpdir(),
  NO_COLOR: '1',
  // The digest is a retention loop: its emails carry one-click unsubscribe.
  SKENE_UNSUBSCRIBE_SECRET: 'cap-test-secret-0123456789abcdef',
  SKENE_PUBLIC_URL: 'https://skene.example.com',
};

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-cap-'));
  mkdirSync(join(dir, 'emails'));
  const welcome = {
    id: 'welcome',
    type: 'activation',
    opinion: 'Welcome users who created a project',
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'query', query: 'SELECT 1 FROM projects WHERE user_id = $1', timeout: '5m' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  const digest = {
    id: 'digest',
    type: 'retention',
    opinion: 'A daily digest',
    steps: [
      {
        trigger: { type: 'schedule', cron: '0 9 * * *' },
        condition: { type: 'query', query: 'SELECT id, email, name FROM users' },
        action: { type: 'email', provider: 'resend', template: 'digest', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  const config = { limits: { perUser: { emails: 1, per: '1d' } }, loops: [welcome, digest] };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify(config)};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Welcome, {{name}}</title></head><body>Hi {{name}}</body></html>');
  writeFileSync(join(dir, 'emails', 'digest.html'), '<html><head><title>Your day, {{name}}</title></head><body>News for {{name}}</body></html>');
  return dir;
}

test('two loops want Ann and Bo at T: the plan says which email took each slot, the run sends one email each', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_cap_cli');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL, name text NOT NULL);`);
  const double = await startResendDouble();
  t.after(() => double.close());
  const cwd = project();
  const env = { ...ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };

  const migrated = await skeneAsync(['migrate', '--database-url', url], { cwd, env });
  assert.equal(migrated.status, 0, migrated.stderr);
  await client.query(`INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('cy@example.com', 'Cy');
    INSERT INTO projects (user_id, name) VALUES (1, 'first'), (2, 'second');`);

  const text = await skeneAsync(['plan', '--database-url', url, '--at', T], { cwd, env });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /– not sent: frequency cap: 2 \(1 \(slot taken by welcome\/1\/1\), 2 \(slot taken by welcome\/1\/2\)\)/);
  assert.match(text.stdout, /3 emails would be sent · 1 waiting · 2 not sent · 0 errors/);

  const json = await skeneAsync(['plan', '--database-url', url, '--at', T, '--show-recipients', '--format', 'json'], { cwd, env });
  assert.equal(json.status, 0, json.stderr);
  const planned = plannedEmails(json.stdout).emails;
  assert.deepEqual([...planned.keys()].sort(), ['digest/1/3@2026-03-02T09:00:00.000Z', 'welcome/1/1', 'welcome/1/2']);

  const run = await skeneAsync(['run', '--once', '--database-url', url, '--at', T], { cwd, env });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /3 sent, 1 waiting/);
  const delivered = await deliveredEmails(double, client);
  assert.deepEqual([...delivered.values()].map((e) => e.to).sort(), ['ann@example.com', 'bo@example.com', 'cy@example.com'], 'one email per person');
  assertSameEmails(planned, delivered);
});
