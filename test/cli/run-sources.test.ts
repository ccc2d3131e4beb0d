/**
 * The runner on the sources that are not PostgreSQL (issue 16): MariaDB with trigger capture,
 * MariaDB in TiDB's watermark mode, Redis over TCP and Upstash's REST API (the double), each with
 * its job state in PostgreSQL (`--state-url`) or embedded (`.skene/state`). For each: what
 * `skene plan --at T` lists is what `skene run --once --at T` sends, byte for byte; a second run
 * sends nothing; a new row (key) is one more email.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { assertSameEmails, plannedEmails, runSummary, skeneAsync, type EmailFields } from '../helpers/fidelity.js';
import { startResendDouble, type ResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { assertAllSent, databaseSettings, openSourceFor, SOURCE_ENV, stateFor, writeProject, type StateSetup } from '../helpers/run-sources.js';
import { parseCommandFile } from '../../packages/core/src/sources/redis-commands.js';

interface Run {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--database-url …` for plan and run; `--state-url …` (or nothing: embedded) for run. */
  source: string[];
  state: string[];
  double: ResendDouble;
  ledger: StateSetup['ledger'];
}

/** What the double delivered since `from`, by the plan's email id (through the ledger's provider ids). */
async function delivered(run: Run, from = 0): Promise<Map<string, EmailFields>> {
  const ledger = await run.ledger();
  assertAllSent(ledger);
  const byProvider = new Map([...ledger].map(([id, r]) => [r.providerId, id]));
  const emails = new Map<string, EmailFields>();
  for (const d of run.double.delivered.slice(from)) {
    const id = byProvider.get(d.id);
    assert.ok(id, `the double delivered an email the ledger does not record (${String(d.email.subject)})`);
    assert.ok(!emails.has(id), `${id} was delivered twice`);
    emails.set(id, { to: d.email.to, from: d.email.from, subject: d.email.subject, html: d.email.html, text: d.email.text });
  }
  return emails;
}

/** Plan at T, run once at T (same emails, byte for byte), run again (nothing more). */
async function planRunRerun(run: Run, at: string) {
  const plan = await skeneAsync(['plan', ...run.source, '--at', at, '--show-recipients', '--format', 'json'], { cwd: run.cwd, env: run.env });
  assert.equal(plan.status, 0, plan.stderr);
  const planned = plannedEmails(plan.stdout);
  const first = await skeneAsync(['run', '--once', ...run.source, ...run.state, '--at', at], { cwd: run.cwd, env: run.env });
  assert.equal(first.status, 0, first.stderr);
  const summary = runSummary(first.stdout, new Date(at).toISOString());
  assertSameEmails(planned.emails, await delivered(run));
  assert.equal(summary.sent, planned.emails.size);
  assert.deepEqual({ failed: summary.failed, skipped: summary.skipped }, { failed: 0, skipped: 0 });
  const count = run.double.delivered.length;
  const again = await skeneAsync(['run', '--once', ...run.source, ...run.state, '--at', at], { cwd: run.cwd, env: run.env });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(runSummary(again.stdout, new Date(at).toISOString()).sent, 0, again.stdout);
  assert.equal(run.double.delivered.length, count, 'a second run sends nothing');
  return { planned, summary, first };
}

/** A welcome on each new user with a project, and a daily nudge at T's minute for those without, in MySQL's dialect. */
function mysqlLoops(at: Date) {
  const welcome = {
    id: 'activated',
    type: 'activation',
    opinion: 'Welcome users once they created a project',
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'query', query: 'SELECT 1 FROM projects WHERE user_id = $1', timeout: '1h' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  const nudge = {
    id: 'nudge',
    type: 'activation',
    opinion: 'Nudge users without a project',
    steps: [
      {
        trigger: { type: 'schedule', cron: `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`, timezone: 'UTC' },
        condition: { type: 'query', query: 'SELECT u.id, u.email, u.name FROM users u WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.user_id = u.id)' },
        action: { type: 'email', provider: 'resend', template: 'nudge', subject: 'Still there, {{user.name}}?', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  return {
    loops: [welcome, nudge],
    templates: {
      'welcome.html': '<html><head><title>Welcome, {{name}} & co</title></head><body><h1>Hi {{name}}!</h1></body></html>',
      'nudge.html': '<html><body><p>Hello {{name}}, create your first project.</p></body></html>',
    },
  };
}

const NAMES = ['Zoë', "O'Brien", '<b>Bo</b>', 'Tom & Jerry', '李雷', 'Renée 🚀', 'Ada', 'Linus'];
const PROJECTS = 'CREATE TABLE projects (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL) CHARACTER SET utf8mb4';

for (const variant of [
  { source: 'mariadb-triggers', state: 'postgres' },
  { source: 'mariadb-triggers', state: 'embedded' },
  { source: 'mariadb-watermark', state: 'postgres' },
] as const) {
  test(`run on ${variant.source}, state ${variant.state}: plan at T = run at T, rerun sends nothing, a new row is one email`, async (t) => {
    const setup = await openSourceFor(t, variant.source, [PROJECTS]);
    if (!setup) return;
    // T: the nudge's occurrence, the next whole minute at least 30 s away (after every insert).
    const T = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
    const cwd = writeProject(t, mysqlLoops(T), databaseSettings(variant.source));
    const state = await stateFor(t, variant.state, cwd);
    if (!state) return;
    const double = await startResendDouble();
    t.after(() => double.close());
    const run: Run = { cwd, env: { ...SOURCE_ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url }, source: setup.source, double, ...state };
    if (setup.migrates) {
      const migrate = await skeneAsync(['migrate', ...setup.source], { cwd, env: run.env });
      assert.equal(migrate.status, 0, migrate.stderr);
    }
    const addUser = async (i: number) => {
      await setup.addUsers([{ id: i, email: `user${i}@example.com`, name: `${NAMES[i % NAMES.length]} ${i}` }]);
      if (i % 3 !== 0) await setup.query!('INSERT INTO projects (user_id) VALUES (?)', [i]);
    };
    for (let i = 1; i <= 24; i++) await addUser(i);
    const { planned, summary } = await planRunRerun(run, T.toISOString());
    assert.equal([...planned.emails.keys()].filter((id) => id.startsWith('activated/1/')).length, 16);
    assert.equal([...planned.emails.keys()].filter((id) => id.startsWith('nudge/1/')).length, 8);
    assert.equal(summary.waiting, 8, 'users without a project wait for one');
    assert.match(String(planned.emails.get('activated/1/2')!.html), /Hi &lt;b&gt;Bo&lt;\/b&gt; 2!/);

    // One more user with a project: one more email, and only that one.
    const before = double.delivered.length;
    await addUser(25);
    const next = await skeneAsync(['run', '--once', ...run.source, ...run.state, '--at', T.toISOString()], { cwd, env: run.env });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual([...(await delivered(run, before)).keys()], ['activated/1/25']);
  });
}

for (const { source, state: stateName } of [
  { source: 'redis-tcp', state: 'redis' },
  { source: 'redis-tcp', state: 'postgres' },
  { source: 'upstash-rest', state: 'postgres' },
  { source: 'upstash-rest', state: 'embedded' },
] as const) {
  test(`run on ${source}, state ${stateName}: examples/upstash plan = run, rerun sends nothing, a new key is one email`, async (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'skene-run-redis-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    cpSync(join(ROOT, 'examples', 'upstash'), cwd, { recursive: true, filter: (src) => !src.includes('node_modules') });
    const setup = await openSourceFor(t, source);
    if (!setup) return;
    const seed = join(cwd, 'seed', 'redis', '001_users.redis');
    for (const command of parseCommandFile(readFileSync(seed, 'utf8'), seed)) await setup.redis!.call(command[0]!, ...command.slice(1));
    const state = await stateFor(t, stateName, cwd, setup);
    if (!state) return;
    const double = await startResendDouble();
    t.after(() => double.close());
    const env = { ...SOURCE_ENV, ...setup.env, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };
    const run: Run = { cwd, env, source: ['--config', 'skene.redis.config.ts', ...setup.source], double, ...state };
    const { planned } = await planRunRerun(run, '2026-03-02T09:00:00Z');
    assert.deepEqual(
      [...planned.emails.keys()].sort(),
      ['activation-welcome/1/1', 'activation-welcome/1/3', 'activation-welcome/1/5'],
      "the README's expected emails",
    );

    // A new user who already created a project: the next run sends their welcome, and only it.
    const before = double.delivered.length;
    await setup.redis!.call('HSET', 'users:7', 'id', '7', 'email', 'new@example.com', 'name', 'Nova', 'activation_link', 'https://app.example.com/activate/77');
    await setup.redis!.call('SADD', 'user_actions:7', 'first_project_created');
    const next = await skeneAsync(['run', '--once', ...run.source, ...run.state, '--at', '2026-03-02T09:00:00Z'], { cwd, env });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual([...(await delivered(run, before)).keys()], ['activation-welcome/1/7']);

    // `skene status` reads the same state the runs kept.
    const status = await skeneAsync(['status', ...run.source, ...run.state, '--format', 'json'], { cwd, env });
    assert.equal(status.status, 0, status.stderr);
    const step = (JSON.parse(status.stdout) as { loops: { id: string; steps: { sent: number; waiting: number }[] }[] }).loops[0]!.steps[0]!;
    assert.deepEqual({ sent: step.sent, waiting: step.waiting }, { sent: 4, waiting: 3 });
  });
}

test('a usage error found after the config is read exits 2 at once: no source is left open to hold the process', async (t) => {
  const server = await serviceOrSkip(t, 'redis');
  if (!server) return;
  const cwd = mkdtempSync(join(tmpdir(), 'skene-run-usage-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  cpSync(join(ROOT, 'examples', 'upstash'), cwd, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const started = Date.now();
  const run = await skeneAsync(['run', '--once', '--config', 'skene.redis.config.ts', '--database-url', server], {
    cwd,
    env: { ...SOURCE_ENV, SKENE_RESEND_RATE: 'abc' },
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /^skene run: SKENE_RESEND_RATE must be a positive number/);
  assert.ok(Date.now() - started < 15_000, `exited after ${Date.now() - started} ms`);
});
