/**
 * Fidelity (issue 15): `skene plan --at T --show-recipients --format json` lists exactly the emails
 * `skene run --once --at T` sends — the same ids, recipients, senders, subjects, HTML and text,
 * byte for byte — on the real PostgreSQL with the Resend double, for each PostgreSQL example and
 * for a generated 1,000-user case with a database trigger and a schedule.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../helpers/cli.js';
import { assertSameEmails, deliveredEmails, loadSeeds, plannedEmails, runSummary, skeneAsync } from '../helpers/fidelity.js';
import { startResendDouble, type ResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

// Resend's default 2 requests/s would make 600 single sends take 5 minutes: the double has no limit.
// The examples' retention loops carry one-click unsubscribe: the plan and the run make the same links from these.
const ENV = {
  DATABASE_URL: '',
  RESEND_API_KEY: '',
  RESEND_BASE_URL: '',
  SKENE_CONFIG_DIR: tmpdir(),
  NO_COLOR: '1',
  SKENE_RESEND_RATE: '1000',
  SKENE_UNSUBSCRIBE_SECRET: 'fidelity-secret-0123456789abcdef',
  SKENE_PUBLIC_URL: 'https://skene.example.com',
};

interface Setup {
  url: string;
  client: pg.Client;
  double: ResendDouble;
  env: NodeJS.ProcessEnv;
}

/** A throwaway database with a client on it, and a Resend double the CLI is pointed at. */
async function setup(t: TestContext, name: string, env: NodeJS.ProcessEnv): Promise<Setup | undefined> {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, name);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the database is dropped WITH (FORCE) at the end
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  const double = await startResendDouble();
  t.after(() => double.close());
  return { url, client, double, env: { ...ENV, ...env, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url } };
}

/** Plans at `at`, runs once at `at`, and asserts the run delivered exactly the plan's emails. */
async function planThenRun(s: Setup, cwd: string, at: string) {
  const plan = await skeneAsync(['plan', '--database-url', s.url, '--at', at, '--show-recipients', '--format', 'json'], { cwd, env: s.env });
  assert.equal(plan.status, 0, plan.stderr);
  const planned = plannedEmails(plan.stdout);
  assert.equal(s.double.delivered.length, 0, 'the plan sends nothing');

  const run = await skeneAsync(['run', '--once', '--database-url', s.url, '--at', at], { cwd, env: s.env });
  assert.equal(run.status, 0, run.stderr);
  const summary = runSummary(run.stdout, new Date(at).toISOString());
  assertSameEmails(planned.emails, await deliveredEmails(s.double, s.client));
  assert.equal(summary.sent, planned.emails.size);
  assert.deepEqual({ failed: summary.failed, skipped: summary.skipped }, { failed: 0, skipped: 0 });
  return { planned, summary };
}

for (const example of [
  // Each example README's "Expected plan" instant: the daily 09:00 occurrence, which the runner's first pass fires.
  { name: 'hasura', at: '2026-03-02T09:00:00Z', env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' }, emails: 3, from: 'Acme <hello@acme.example>' },
  // The repository README's instant (its plan and "Run the loops"): five users idle by then.
  { name: 'hasura', at: '2026-11-21T09:00:00Z', env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' }, emails: 5, from: 'Acme <hello@acme.example>' },
  // Its config sets `email.from`; no SKENE_EMAIL_FROM, so the config's sender is the one compared.
  { name: 'nestjs-postgres-stripe', at: '2026-03-02T09:00:00Z', env: { SKENE_EMAIL_FROM: '' }, emails: 5, from: 'Acme <hello@acme.example>' },
]) {
  test(`fidelity: examples/${example.name} (React Email), plan at ${example.at} = what run --once sends`, async (t) => {
    const s = await setup(t, `skene_fidelity_${example.name.replace(/\W/g, '_')}`, example.env);
    if (!s) return;
    const dir = mkdtempSync(join(tmpdir(), `skene-fidelity-${example.name}-`));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(join(ROOT, 'examples', example.name), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
    await loadSeeds(s.client, join(dir, 'seed', 'postgres'));
    const migrate = await skeneAsync(['migrate', '--database-url', s.url], { cwd: dir, env: s.env });
    assert.equal(migrate.status, 0, migrate.stderr);

    const { planned } = await planThenRun(s, dir, example.at);
    assert.equal(planned.emails.size, example.emails, "the README's expected emails");
    for (const email of planned.emails.values()) {
      assert.match(String(email.html), /^<!DOCTYPE html/, 'rendered by React Email');
      assert.equal(email.from, example.from);
    }
  });
}

// Names that HTML must escape (&, <, >, quotes) and non-ASCII ones, so escaping and encoding are compared too.
const FIRST = ['Ann', 'Zoë', 'José', 'Łukasz', '李雷', "O'Brien", '"Ace"', '<b>Bo</b>', 'Tom & Jerry', 'Ünal', 'Ольга', 'Renée 🚀'];
const LAST = ['Smith', 'Müller', 'Ñúñez', '&amp;Co', "D'Arcy", 'Østergård', '<script>x</script>'];
const USERS = 1000;

/** Whether user i (1-based) has a project: 3 in 5 do, so their welcome is sent; the others wait, and get the nudge. */
const hasProject = (i: number) => i % 5 < 3;

/**
 * A project whose first loop welcomes a new user once they have a project (a database trigger on
 * users), and whose second nudges users without one every day at `hour:minute` UTC (a schedule).
 */
function generatedProject(occurrence: Date): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-fidelity-generated-'));
  mkdirSync(join(dir, 'emails'));
  const welcome = {
    id: 'activated',
    type: 'activation',
    opinion: 'Welcome users once they created a project',
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'query', query: 'SELECT 1 FROM projects WHERE user_id = $1', timeout: '1h' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}', plan: '{{user.plan}}' } },
      },
    ],
  };
  const nudge = {
    id: 'nudge',
    type: 'activation',
    opinion: 'Nudge users who signed up but have no project yet',
    steps: [
      {
        trigger: { type: 'schedule', cron: `${occurrence.getUTCMinutes()} ${occurrence.getUTCHours()} * * *`, timezone: 'UTC' },
        condition: {
          type: 'query',
          query: `SELECT u.id, u.email, u.name, u.plan FROM users u
                  WHERE u.created_at <= NOW() AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.user_id = u.id)`,
          timeout: '1m',
        },
        action: {
          type: 'email',
          provider: 'resend',
          template: 'nudge',
          from: 'Acme Nudges <nudge@acme.example>',
          subject: 'Still there, {{user.name}}?',
          personalization: { name: '{{user.name}}', plan: '{{user.plan}}' },
        },
      },
    ],
  };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([welcome, nudge], null, 2)};\n`);
  writeFileSync(
    join(dir, 'emails', 'welcome.html'),
    `<html><head><title>Welcome, {{name}} & co</title></head><body><h1>Hi {{name}}!</h1>
<p>Your <a href="https://app.acme.example/start?name={{name}}">first project</a> is live on the {{plan}} plan.</p>
<ul><li>Invite your team &rarr;</li><li>“Ship” it</li></ul></body></html>`,
  );
  writeFileSync(
    join(dir, 'emails', 'nudge.html'),
    `<html><body><p>Hello {{name}},</p><p>You are on the <b>{{plan}}</b> plan, and have not created a project yet.</p>
<table><tr><td>Step 1</td><td>Create a project</td></tr></table><p>— Acme</p></body></html>`,
  );
  return dir;
}

/** 1,000 users with varied names, addresses and plans, and projects for 3 in 5 of them, in one statement. */
function usersSql(): string {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const users: string[] = [];
  const projects: string[] = [];
  for (let i = 1; i <= USERS; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`;
    const email = i % 4 === 0 ? `first.last+${i}@example.com` : `user${i}@example.com`;
    users.push(`(${i}, ${quote(email)}, ${quote(name)}, ${quote(['free', 'pro', 'team'][i % 3]!)})`);
    if (hasProject(i)) projects.push(`(${i}, ${quote(`Project of ${name}`)})`);
  }
  return `INSERT INTO users (id, email, name, plan) VALUES ${users.join(',\n')};
    INSERT INTO projects (user_id, name) VALUES ${projects.join(',\n')};`;
}

test('fidelity: 1,000 generated users, a database trigger and a schedule: plan at T = what run --once sends', async (t) => {
  const s = await setup(t, 'skene_fidelity_generated', { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' });
  if (!s) return;
  // T is the nudge's daily occurrence: the next whole minute at least 30 s away, after every insert.
  // The plan fires it (it is in [T, T + 1d)); the runner's first pass fires it (it is in (T − 1 h, T]).
  const T = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
  const dir = generatedProject(T);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await s.client.query(`CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, plan text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), name text NOT NULL);`);
  // Capture first: only the inserts after `skene migrate` are events.
  const migrate = await skeneAsync(['migrate', '--database-url', s.url], { cwd: dir, env: s.env });
  assert.equal(migrate.status, 0, migrate.stderr);
  await s.client.query(usersSql());
  const { rows } = await s.client.query<{ count: string }>(`SELECT count(*) FROM skene.events WHERE table_name = 'users'`);
  assert.equal(Number(rows[0]!.count), USERS, 'every insert was captured');
  assert.ok(Date.now() < T.getTime(), 'T is after the inserts');

  const started = Date.now();
  const { planned, summary } = await planThenRun(s, dir, T.toISOString());
  const activated = Array.from({ length: USERS }, (_, i) => i + 1).filter(hasProject).length;
  const ids = [...planned.emails.keys()];
  assert.equal(ids.filter((id) => id.startsWith('activated/1/')).length, activated);
  assert.equal(ids.filter((id) => id.startsWith('nudge/1/') && id.endsWith(`@${T.toISOString()}`)).length, USERS - activated);
  // The users without a project wait for it in both: the plan counts them, the run records them.
  assert.equal(planned.report.totals.waiting, USERS - activated);
  assert.equal(summary.waiting, USERS - activated);
  assert.equal(summary.expired, 0);
  assert.ok(s.double.requestCount('/emails/batch') > 0, 'the schedule went through the batch endpoint');
  // The data reached what was compared: escaped in HTML, as is in subjects and text, each sender its own.
  const zoe = planned.emails.get('activated/1/1')!;
  assert.deepEqual([zoe.subject, zoe.from], ['Welcome, Zoë Smith 1 & co', 'Acme <hello@acme.example>']);
  const bo = planned.emails.get('activated/1/7')!;
  assert.match(String(bo.html), /Hi &lt;b&gt;Bo&lt;\/b&gt; Smith 7!/);
  assert.match(String(bo.text), /<b>Bo<\/b> Smith 7/);
  const nudged = planned.emails.get(`nudge/1/4@${T.toISOString()}`)!;
  assert.deepEqual([nudged.to, nudged.from], ['first.last+4@example.com', 'Acme Nudges <nudge@acme.example>']);
  t.diagnostic(`plan + run of ${planned.emails.size} emails took ${Date.now() - started} ms`);
});
