/**
 * A loop's goal end to end, as a user runs it (the built CLI) against the real PostgreSQL and a
 * Resend double: each email's goal is checked after it is sent; a goal reached within the window
 * is counted once, with the goal's own time; a goal reached before step 2 stops step 2 in the run
 * and in the plan alike; one reached after the window is not a conversion; `skene status` shows
 * sent, converted, the conversion rate and the median time to convert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { skene, skeneAsync } from '../helpers/cli.js';
import { startResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

const DAY = 86_400_000;
const GOAL = `SELECT created_at FROM user_actions WHERE user_id = $1 AND action_type = 'invited_teammate' AND created_at <= now() ORDER BY created_at LIMIT 1`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-goals-'));
  mkdirSync(join(dir, 'emails'));
  const action = { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } };
  const loop = {
    id: 'invite',
    type: 'referral',
    opinion: 'Users who invite a teammate stay',
    goal: { type: 'query', query: GOAL, within: '7d' },
    steps: [
      { trigger: { type: 'database', table: 'users', event: 'insert' }, action },
      { trigger: { type: 'database', table: 'projects', event: 'insert' }, action },
    ],
  };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Welcome, {{name}}</title></head><body>Hi {{name}}</body></html>');
  return dir;
}

const ENV = {
  DATABASE_URL: '',
  RESEND_API_KEY: '',
  RESEND_BASE_URL: '',
  SKENE_EMAIL_FROM: 'Acme <hello@acme.example>',
  SKENE_CONFIG_DIR: tmpdir(),
  // A referral loop's emails carry one-click unsubscribe.
  SKENE_UNSUBSCRIBE_SECRET: 'goal-test-secret-0123456789abcdef',
  SKENE_PUBLIC_URL: 'https://skene.example.com',
};

test('goals: converted once with its time, step 2 stopped in plan and run alike, the rate in skene status', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_goals_cli');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), name text NOT NULL);
    CREATE TABLE user_actions (id serial PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL, created_at timestamptz NOT NULL);`);
  const dir = project();
  assert.equal(skene(['migrate', '--database-url', url], { cwd: dir, env: ENV }).status, 0);
  const double = await startResendDouble();
  t.after(() => double.close());
  const env = { ...ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };
  const T0 = new Date(Date.now() + 1000);
  const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();
  const run = async (clock: string) => {
    const r = await skeneAsync(['run', '--once', '--at', clock, '--database-url', url], { cwd: dir, env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  // Step 1 to three new users; nobody has reached the goal yet.
  await client.query(`INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('cy@example.com', 'Cy')`);
  const first = await run(at(0));
  assert.match(first, /: 3 sent, 0 waiting, 0 expired, 0 failed, 0 skipped$/m);
  assert.equal(double.delivered.length, 3);
  const recorded = await client.query(`SELECT email_id, user_key, state FROM skene.goals ORDER BY email_id`);
  assert.deepEqual(
    recorded.rows.map((r) => [r.email_id, r.user_key, r.state]),
    [
      ['invite/1/1', '1', 'checking'],
      ['invite/1/2', '2', 'checking'],
      ['invite/1/3', '3', 'checking'],
    ],
  );

  // Ann invites a teammate a minute after her email: converted at that time, at the next check.
  await client.query(`INSERT INTO user_actions (user_id, action_type, created_at) VALUES (1, 'invited_teammate', $1)`, [at(60_000)]);
  const second = await run(at(120_000));
  assert.match(second, /^converted invite\/1\/1: goal reached at /m);
  assert.match(second, /: 0 sent, 0 waiting, 0 expired, 0 failed, 0 skipped, 1 converted, 0 not converted$/m);
  // The same clock again, and later: counted once.
  assert.doesNotMatch(await run(at(120_000)), /converted invite/);
  assert.doesNotMatch(await run(at(180_000)), /converted invite\/1\/1/);
  const ann = await client.query(`SELECT state, converted_at, checks FROM skene.goals WHERE email_id = 'invite/1/1'`);
  assert.equal(ann.rows[0].state, 'converted');
  assert.equal(new Date(ann.rows[0].converted_at).toISOString(), at(60_000), "the goal's own time, not the check's");

  // Ann and Bo create a project: step 2 goes to Bo only, and the plan at that clock says the same.
  await client.query(`INSERT INTO projects (user_id, name) VALUES (1, 'Rocket'), (2, 'Garden')`);
  const planned = await skeneAsync(['plan', '--at', at(240_000), '--database-url', url, '--format', 'json', '--show-recipients'], { cwd: dir, env });
  assert.equal(planned.status, 0, planned.stderr);
  const step2 = JSON.parse(planned.stdout).loops[0].steps[1];
  assert.deepEqual(
    step2.emails.map((e: { id: string }) => e.id),
    ['invite/2/2'],
  );
  assert.deepEqual(step2.notSent, [{ reason: 'goal reached', count: 1, examples: ['1'] }]);
  assert.equal(step2.goalReached, 1);
  const third = await run(at(240_000));
  assert.match(third, /^skipped {2}invite\/2 key 1: goal reached$/m);
  assert.match(third, /^sent {5}invite\/2\/2 to b\*\*\*@example\.com/m);
  assert.deepEqual(
    double.delivered.slice(3).map((d) => d.idempotencyKey),
    step2.emails.map((e: { id: string }) => e.id),
    'the run sends what the plan listed',
  );

  // Cy invites only after her window; the week passes for Bo too: not converted.
  await client.query(`INSERT INTO user_actions (user_id, action_type, created_at) VALUES (3, 'invited_teammate', $1)`, [at(8 * DAY)]);
  const late = await run(at(8 * DAY + 60_000));
  assert.match(late, /: 0 sent, 0 waiting, 0 expired, 0 failed, 0 skipped, 0 converted, 3 not converted$/m);

  const json = await skeneAsync(['status', '--format', 'json', '--database-url', url], { cwd: dir, env });
  assert.equal(json.status, 0, json.stderr);
  const [one, two] = JSON.parse(json.stdout).loops[0].steps;
  assert.deepEqual([one.sent, one.goal], [3, { sent: 3, converted: 1, notConverted: 2, checking: 0, conversionRate: 1 / 3, medianMs: 60_000, median: '1m' }]);
  assert.deepEqual(
    [two.sent, two.skipped, two.goal],
    [1, 1, { sent: 1, converted: 0, notConverted: 1, checking: 0, conversionRate: 0, medianMs: null, median: null }],
  );
  const text = await skeneAsync(['status', '--database-url', url], { cwd: dir, env });
  assert.match(text.stdout, /^ {4}goal: 3 sent, 1 converted, 33\.3% conversion rate, median time to convert 1m, 2 not converted$/m);
  assert.match(text.stdout, /^ {4}goal: 1 sent, 0 converted, 0% conversion rate, median time to convert —, 1 not converted$/m);
});
