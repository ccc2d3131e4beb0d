/**
 * `kill -9` of a worker in the middle of a schedule occurrence's batches, on its job's last attempt
 * (`recovery.retries: 0`), with real processes (the built CLI), the real PostgreSQL and a Resend
 * double that takes 30 ms per request. The occurrence was recorded in the ledger and queued in
 * chunks; the killed worker's chunk has no retry left, so the restart starts it again as a new job
 * and every email is delivered exactly once — none left 'sending', none sent twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SKENE_BIN } from '../helpers/cli.js';
import { startResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';

const USERS = 1200;
const AT = '2026-03-02T09:00:30Z';
// The digest is a retention loop: without unsubscribe settings the run would refuse to send it.
const ENV = {
  DATABASE_URL: '',
  SKENE_EMAIL_FROM: 'Acme <hello@acme.example>',
  SKENE_CONFIG_DIR: tmpdir(),
  SKENE_RESEND_RATE: '1000',
  NO_COLOR: '1',
  SKENE_UNSUBSCRIBE_SECRET: 'crash-test-secret-0123456789abcdef',
  SKENE_PUBLIC_URL: 'https://skene.example.com',
};

/** A daily digest to every user, with no retry: a crash uses up the job's only attempt. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-crash-schedule-'));
  mkdirSync(join(dir, 'emails'));
  const loop = {
    id: 'digest',
    type: 'retention',
    opinion: 'A daily digest to every user',
    recovery: { retries: 0, backoff: 'fixed' },
    steps: [
      {
        trigger: { type: 'schedule', cron: '0 9 * * *' },
        condition: { type: 'query', query: 'SELECT id, email, name FROM users' },
        action: { type: 'email', provider: 'resend', template: 'digest', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'digest.html'), '<html><head><title>Your digest, {{name}}</title></head><body>Hi {{name}}</body></html>');
  return dir;
}

test('kill -9 on the last attempt of a chunk, then a restart: the chunk is started again, every email exactly once', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_crash_schedule');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    INSERT INTO users (email, name) SELECT 'u' || g || '@example.com', 'User ' || g FROM generate_series(1, ${USERS}) g;`);
  const dir = project();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const double = await startResendDouble({ latencyMs: 30 });
  t.after(() => double.close());
  const env = { ...process.env, ...ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };
  const args = [SKENE_BIN, 'run', '--once', '--at', AT, '--database-url', url];

  const first = spawn(process.execPath, args, { cwd: dir, env });
  t.after(() => void (first.exitCode === null && first.signalCode === null && first.kill('SIGKILL')));
  const exited = new Promise((resolve) => first.on('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (double.delivered.length < 300 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  first.kill('SIGKILL');
  await exited;
  const atKill = double.delivered.length;
  assert.ok(atKill >= 300 && atKill < USERS, `killed in the middle (${atKill} delivered)`);

  const restart = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, args, { cwd: dir, env, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
  assert.equal(restart.code, 0, restart.stderr);

  const recipients = double.delivered.map((d) => String(d.email.to));
  assert.equal(new Set(recipients).size, USERS, 'every user got the digest');
  assert.equal(recipients.length, USERS, 'nobody got it twice');
  const { rows } = await client.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM skene.sends GROUP BY state');
  assert.deepEqual(rows, [{ state: 'sent', n: USERS }], 'nothing left sending');
  // 12 requests of 100, and at most the two the killed worker had in flight again (replayed by key).
  assert.ok(double.requestCount('/emails/batch') <= USERS / 100 + 2, `${double.requestCount('/emails/batch')} batch requests`);
  t.diagnostic(`killed after ${atKill} deliveries; ${double.requestCount('/emails/batch')} batch requests in all`);
});
