/**
 * Crash safety of `skene run` with real processes (the built CLI) on the real PostgreSQL and a
 * Resend double that takes 20 ms per request: a worker killed with SIGKILL in the middle of its
 * work, two workers started at once, and SIGTERM. Each time every email is delivered exactly once
 * and the ledger says `sent` for each. The double replays a repeated idempotency key instead of
 * delivering it again, so its request count is checked too: at most the one request a killed
 * worker had in flight is repeated.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SKENE_BIN, skene } from '../helpers/cli.js';
import { startResendDouble, type ResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

const USERS = 200;
const ENV = { DATABASE_URL: '', SKENE_EMAIL_FROM: 'Acme <hello@acme.example>', SKENE_CONFIG_DIR: tmpdir(), SKENE_RESEND_RATE: '1000', NO_COLOR: '1' };

/** A loop that welcomes every new user: one email per inserted row. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-crash-'));
  mkdirSync(join(dir, 'emails'));
  const loop = {
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
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Welcome, {{name}}</title></head><body>Hi {{name}}</body></html>');
  return dir;
}

interface Setup {
  url: string;
  dir: string;
  client: pg.Client;
  double: ResendDouble;
  env: NodeJS.ProcessEnv;
}

/** A throwaway database with capture installed and USERS users inserted (their events), and the double. */
async function setup(t: TestContext): Promise<Setup | undefined> {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_run_crash');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query('CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL)');
  const dir = project();
  const migrate = skene(['migrate', '--database-url', url], { cwd: dir, env: ENV });
  assert.equal(migrate.status, 0, migrate.stderr);
  await client.query(`INSERT INTO users (email, name) SELECT 'u' || g || '@example.com', 'User ' || g FROM generate_series(1, ${USERS}) g`);
  const double = await startResendDouble({ latencyMs: 20 });
  t.after(() => double.close());
  return { url, dir, client, double, env: { ...ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url } };
}

interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `skene run` (long-running) as a child process; killed when the test ends if still running. */
function startWorker(t: TestContext, s: Setup): Worker {
  const child = spawn(process.execPath, [SKENE_BIN, 'run', '--database-url', s.url], { cwd: s.dir, env: { ...process.env, ...s.env } });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return { child, output: () => output, exited };
}

/** `skene run --once`, without blocking this process: the double answers from its event loop. */
function runOnce(s: Setup): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SKENE_BIN, 'run', '--once', '--database-url', s.url],
      { cwd: s.dir, env: { ...process.env, ...s.env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every user's email delivered once, under its own key, and the ledger says sent for each. */
async function assertExactlyOnce(s: Setup): Promise<void> {
  const keys = s.double.delivered.map((d) => d.idempotencyKey);
  assert.equal(keys.length, USERS, 'one delivery per user');
  assert.equal(new Set(keys).size, USERS, 'no key delivered twice');
  const recipients = new Set(s.double.delivered.map((d) => String(d.email.to)));
  assert.equal(recipients.size, USERS, 'every user got their own email');
  const { rows } = await s.client.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM skene.sends GROUP BY state');
  assert.deepEqual(rows, [{ state: 'sent', n: USERS }]);
}

test('kill -9 in the middle of the work, then a restart: every email exactly once', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const worker = startWorker(t, s);
  await until('some deliveries', () => s.double.delivered.length >= 70);
  worker.child.kill('SIGKILL');
  const killedAt = Date.now();
  await worker.exited;
  const beforeRestart = s.double.delivered.length;
  assert.ok(beforeRestart < USERS, `killed before the end (${beforeRestart} delivered)`);

  // The killed worker held a batch of jobs: they come back once their heartbeat is stale.
  const restart = await runOnce(s);
  const recoveredMs = Date.now() - killedAt;
  assert.equal(restart.status, 0, restart.stderr);
  assert.doesNotMatch(restart.stdout, /retry later/);
  await assertExactlyOnce(s);
  // At most the one request the killed worker had in flight was made again (and replayed).
  assert.ok(s.double.requestCount('/emails') <= USERS + 1, `${s.double.requestCount('/emails')} requests`);
  assert.ok(recoveredMs < 30_000, `recovered in ${recoveredMs} ms`);
  t.diagnostic(
    `killed after ${beforeRestart} deliveries; all ${USERS} delivered ${recoveredMs} ms after kill -9; ${s.double.requestCount('/emails')} requests`,
  );
});

test('two workers started at once over the same events: every email exactly once', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const workers = [startWorker(t, s), startWorker(t, s)];
  await until('every delivery', () => s.double.delivered.length >= USERS);
  for (const w of workers) w.child.kill('SIGTERM');
  for (const w of workers) assert.deepEqual(await w.exited, { code: 0, signal: null }, w.output());
  await assertExactlyOnce(s);
  assert.equal(s.double.requestCount('/emails'), USERS, 'no email was even attempted twice');
  const sent = workers.map((w) => w.output().match(/^sent /gm)?.length ?? 0);
  assert.equal(sent[0]! + sent[1]!, USERS);
  t.diagnostic(`sent per worker: ${sent.join(' + ')}`);
});

test('SIGTERM finishes the batch in hand and exits 0; a restart sends the rest exactly once', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const worker = startWorker(t, s);
  await until('some deliveries', () => s.double.delivered.length >= 20);
  worker.child.kill('SIGTERM');
  assert.deepEqual(await worker.exited, { code: 0, signal: null }, worker.output());
  assert.match(worker.output(), /^stopped \(SIGTERM\/SIGINT\): the work in flight was finished$/m);
  const atStop = s.double.delivered.length;
  assert.ok(atStop < USERS, `it stopped taking work (${atStop} delivered)`);
  // Nothing was left half-done: no send between its two ledger writes.
  const { rows } = await s.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM skene.sends WHERE state <> 'sent'`);
  assert.equal(rows[0]!.n, 0);

  const restart = await runOnce(s);
  assert.equal(restart.status, 0, restart.stderr);
  assert.match(restart.stdout, new RegExp(`: ${USERS - atStop} sent, 0 waiting, 0 expired, 0 failed, 0 skipped$`, 'm'));
  await assertExactlyOnce(s);
  assert.equal(s.double.requestCount('/emails'), USERS, 'no email was even attempted twice');
});
