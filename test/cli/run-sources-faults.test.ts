/**
 * The PostgreSQL runner's fault tests, on every other source (issue 16): a worker killed with
 * SIGKILL mid-work then restarted, two workers at once, Resend answering 429, 500 and 422, and a
 * condition that expires — MariaDB with triggers, MariaDB in TiDB's watermark mode, Redis over
 * TCP and Upstash's REST API, with the job state in PostgreSQL (pg-boss) or embedded (PGlite).
 * Each time every email is delivered exactly once and the ledger says so.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { SKENE_BIN } from '../helpers/cli.js';
import { runSummary, skeneAsync } from '../helpers/fidelity.js';
import { faults, startResendDouble, type ResendDouble } from '../helpers/resend-double.js';
import {
  assertAllSent,
  databaseSettings,
  openSourceFor,
  SOURCE_ENV,
  SOURCES,
  stateFor,
  writeProject,
  type NewUser,
  type SourceName,
  type StateName,
} from '../helpers/run-sources.js';

const WELCOME = {
  id: 'welcome',
  type: 'activation',
  opinion: 'Welcome every new user',
  steps: [
    {
      trigger: { type: 'database', table: 'users', event: 'insert' },
      action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
    },
  ],
};
const TEMPLATES = { 'welcome.html': '<html><head><title>Welcome, {{name}}</title></head><body>Hi {{name}}</body></html>' };

const users = (n: number, from = 1): NewUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: from + i, email: `u${from + i}@example.com`, name: `User ${from + i}` }));

interface Fixture {
  cwd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  double: ResendDouble;
  ledger: () => Promise<Map<string, { state: string; providerId: string | null }>>;
}

/** The source with capture installed, `count` users added, the state, and a Resend double. */
async function fixture(t: TestContext, options: { source: SourceName; state: StateName; loops?: unknown[]; count: number; latencyMs?: number }) {
  const setup = await openSourceFor(t, options.source);
  if (!setup) return undefined;
  const cwd = writeProject(t, { loops: options.loops ?? [WELCOME], templates: TEMPLATES }, databaseSettings(options.source));
  const state = await stateFor(t, options.state, cwd, setup);
  if (!state) return undefined;
  const double = await startResendDouble({ latencyMs: options.latencyMs ?? 0 });
  t.after(() => double.close());
  const env = { ...SOURCE_ENV, ...setup.env, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };
  if (setup.migrates) {
    const migrate = await skeneAsync(['migrate', ...setup.source], { cwd, env });
    assert.equal(migrate.status, 0, migrate.stderr);
  }
  await setup.addUsers(users(options.count));
  return { cwd, args: [...setup.source, ...state.state], env, double, ledger: state.ledger, setup } satisfies Fixture & Record<string, unknown>;
}

function startWorker(t: TestContext, f: Fixture) {
  const child = spawn(process.execPath, [SKENE_BIN, 'run', ...f.args], { cwd: f.cwd, env: { ...process.env, ...f.env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return { child, exited, output: () => output };
}

function runOnce(f: Fixture, extra: string[] = []): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SKENE_BIN, 'run', '--once', ...f.args, ...extra],
      { cwd: f.cwd, env: { ...process.env, ...f.env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function until(what: string, check: () => boolean, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every user's email delivered once, under its own key, and the ledger says sent for each. */
async function assertExactlyOnce(f: Fixture, count: number): Promise<void> {
  const keys = f.double.delivered.map((d) => d.idempotencyKey);
  assert.equal(keys.length, count, 'one delivery per user');
  assert.equal(new Set(keys).size, count, 'no key delivered twice');
  assert.equal(new Set(f.double.delivered.map((d) => String(d.email.to))).size, count, 'every user got their own email');
  const ledger = await f.ledger();
  assert.equal(ledger.size, count);
  assertAllSent(ledger);
}

const CASES: { source: SourceName; state: StateName }[] = [
  ...SOURCES.map((source) => ({ source, state: 'postgres' as StateName })),
  { source: 'mariadb-triggers', state: 'embedded' },
  { source: 'redis-tcp', state: 'redis' },
];

for (const { source, state } of CASES) {
  const on = `${source}, state ${state}`;

  test(`${on}: kill -9 in the middle of the work, then a restart: every email exactly once`, async (t) => {
    const f = await fixture(t, { source, state, count: 120, latencyMs: 20 });
    if (!f) return;
    const worker = startWorker(t, f);
    await until('some deliveries', () => f.double.delivered.length >= 40, worker.output);
    worker.child.kill('SIGKILL');
    await worker.exited;
    assert.ok(f.double.delivered.length < 120, `killed before the end (${f.double.delivered.length} delivered)`);
    const restart = await runOnce(f);
    assert.equal(restart.status, 0, restart.stderr);
    await assertExactlyOnce(f, 120);
    assert.ok(f.double.requestCount('/emails') <= 121, `${f.double.requestCount('/emails')} requests: at most the one in flight repeated`);
  });

  if (state !== 'embedded') {
    // The embedded state is one process's (one machine, one runner): two workers share a PostgreSQL state.
    test(`${on}: two workers at once over the same changes: every email exactly once`, async (t) => {
      const f = await fixture(t, { source, state, count: 120, latencyMs: 5 });
      if (!f) return;
      const workers = [startWorker(t, f), startWorker(t, f)];
      await until(
        'every delivery',
        () => f.double.delivered.length >= 120,
        () => workers.map((w) => w.output()).join('\n---\n'),
      );
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a duplicate would arrive now
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await assertExactlyOnce(f, 120);
      assert.ok(
        workers.every((w) => /sent +welcome/.test(w.output())),
        `both workers sent some emails:\n${workers.map((w) => w.output().slice(-400)).join('\n---\n')}`,
      );
    });
  }

  test(`${on}: Resend answers 429, then 500, then 422: retried, retried, failed once`, async (t) => {
    const f = await fixture(t, { source, state, count: 6 });
    if (!f) return;
    f.double.script('/emails', faults.rateLimit(1), faults.serverError(500), faults.validation('Invalid `to` field.'));
    const run = await runOnce(f);
    assert.equal(run.status, 0, run.stderr);
    const at = /^run at (\S+):/m.exec(run.stdout)?.[1];
    assert.ok(at, run.stdout);
    assert.deepEqual({ ...runSummary(run.stdout, at) }, { sent: 5, waiting: 0, expired: 0, failed: 1, skipped: 0 });
    assert.equal(f.double.delivered.length, 5);
    const ledger = await f.ledger();
    assert.deepEqual([...ledger.values()].map((r) => r.state).sort(), ['failed', 'sent', 'sent', 'sent', 'sent', 'sent']);
    const again = await runOnce(f);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(f.double.delivered.length, 5, 'a failed email is not sent again, a sent one neither');
  });

  test(`${on}: a condition that never holds expires at its timeout`, async (t) => {
    const never = source.startsWith('mariadb')
      ? { type: 'query', query: "SELECT 1 FROM users WHERE id = $1 AND name = 'nobody'", timeout: '10m' }
      : { type: 'redis', command: ['SISMEMBER', 'never:{{user.id}}', 'x'], timeout: '10m' };
    const loop = { ...WELCOME, steps: [{ ...WELCOME.steps[0], condition: never }] };
    const f = await fixture(t, { source, state, count: 3, loops: [loop] });
    if (!f) return;
    // The rows' creation times have microseconds and the run's clock milliseconds: a clock read in
    // the millisecond of the last insert would stand before it (a watermark reads nothing after `at`).
    await new Promise((resolve) => setTimeout(resolve, 2));
    const now = new Date();
    const first = await runOnce(f, ['--at', now.toISOString()]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(runSummary(first.stdout, now.toISOString()).waiting, 3, first.stdout);
    const later = new Date(now.getTime() + 3_600_000);
    const second = await runOnce(f, ['--at', later.toISOString()]);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual({ ...runSummary(second.stdout, later.toISOString()) }, { sent: 0, waiting: 0, expired: 3, failed: 0, skipped: 0 });
    assert.equal(f.double.delivered.length, 0);
  });
}
