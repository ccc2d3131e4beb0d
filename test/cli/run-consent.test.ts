/**
 * Consent as a user runs it (the built CLI) against the real PostgreSQL and the Resend double:
 * `skene run` refuses a retention loop without its unsubscribe settings; with them every
 * retention email carries both headers; `skene run --listen` takes the one-click POST and a
 * Svix-signed Resend webhook; `skene plan` (with the database's own state, or `--state-url`)
 * reports the suppressed addresses as not sent; and the next run skips them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Webhook } from 'svix';
import { SKENE_BIN, skeneAsync } from '../helpers/cli.js';
import { startResendDouble } from '../helpers/resend-double.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';
import { importPglite } from '../../packages/core/src/sources/pglite-module.js';

const SECRET = 'cli-consent-secret-0123456789abcdef';
const WEBHOOK_SECRET = `whsec_${Buffer.from('cli-consent-webhook-secret-32byt').toString('base64')}`;
const AT = '2026-03-02T09:00:00Z';
const CONSENT = { SKENE_UNSUBSCRIBE_SECRET: SECRET, SKENE_PUBLIC_URL: 'https://skene.example.com', RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET };
const BASE_ENV = {
  DATABASE_URL: '',
  SKENE_STATE_URL: '',
  SKENE_EMAIL_FROM: 'Acme <hello@acme.example>',
  SKENE_CONFIG_DIR: tmpdir(),
  SKENE_RESEND_RATE: '1000',
  NO_COLOR: '1',
};

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-consent-'));
  mkdirSync(join(dir, 'emails'));
  const loop = (id: string, type: string) => ({
    id,
    type,
    opinion: `${id} every new user`,
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        action: { type: 'email', provider: 'resend', template: 'hello', subject: 'Hi {{user.name}}', personalization: { name: '{{user.name}}' } },
      },
    ],
  });
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop('winback', 'retention'), loop('receipt', 'activation')])};\n`);
  writeFileSync(join(dir, 'emails', 'hello.html'), '<html><body><p>Hi {{name}}</p><a href="{{unsubscribeUrl}}">Unsubscribe</a></body></html>');
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `skene run --listen` until its listener is up; `stop` (also when the test ends) sends SIGTERM. */
async function listening(t: { after(fn: () => Promise<void>): void }, cwd: string, env: NodeJS.ProcessEnv, url: string) {
  const port = await freePort();
  const child = spawn(process.execPath, [SKENE_BIN, 'run', '--database-url', url, '--listen', `127.0.0.1:${port}`], { cwd, env: { ...process.env, ...env } });
  let stderr = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  t.after(stop);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listener after 30 s: ${stderr}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!stderr.includes('/resend')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`skene run exited ${code}: ${stderr}`));
    });
  });
  assert.match(stderr, /listening on http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/<token>\n/);
  assert.ok(!stderr.includes(SECRET) && !stderr.includes(WEBHOOK_SECRET), 'no secret in the output');
  return { url: `http://127.0.0.1:${port}`, stop };
}

const notSent = (stdout: string, loop: string) => {
  const report = JSON.parse(stdout) as { loops: { id: string; steps: { notSent: { reason: string; count: number }[]; emails: { to: string }[] }[] }[] };
  const step = report.loops.find((l) => l.id === loop)!.steps[0]!;
  return { notSent: step.notSent.map((n) => `${n.reason} ${n.count}`), to: step.emails.map((e) => e.to) };
};

test('skene run refuses retention emails without unsubscribe; with it, headers, one-click, webhooks, plan and the next run agree', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const url = await tempPostgresDatabase(t, server, 'skene_cli_consent');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query(`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL)`);
  const double = await startResendDouble();
  t.after(() => double.close());
  const dir = project();
  const env = { ...BASE_ENV, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url };
  assert.equal((await skeneAsync(['migrate', '--database-url', url], { cwd: dir, env })).status, 0);
  await client.query(`INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob')`);

  // No secret, no URL: the run refuses, naming what to set, and sends nothing.
  const refused = await skeneAsync(['run', '--once', '--database-url', url, '--at', AT], { cwd: dir, env });
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(
    refused.stderr,
    /refusing to send: loop winback \(retention\) must carry a one-click unsubscribe link.*SKENE_UNSUBSCRIBE_SECRET.*email\.unsubscribe\.url in the config or SKENE_PUBLIC_URL/,
  );
  assert.equal(double.delivered.length, 0);
  // The plan says the same, as a warning.
  const warned = await skeneAsync(['plan', '--database-url', url, '--at', AT], { cwd: dir, env });
  assert.match(warned.stdout, /! loop winback \(retention\) must carry a one-click unsubscribe link/);

  const run = await skeneAsync(['run', '--once', '--database-url', url, '--at', AT], { cwd: dir, env: { ...env, ...CONSENT } });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(double.delivered.length, 4);
  for (const d of double.delivered) {
    const headers = d.email.headers as Record<string, string> | undefined;
    if (d.idempotencyKey!.startsWith('receipt/')) assert.equal(headers, undefined);
    else {
      assert.match(headers?.['List-Unsubscribe'] ?? '', /^<https:\/\/skene\.example\.com\/unsubscribe\/[A-Za-z0-9_-]+>$/);
      assert.equal(headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
      assert.ok(String(d.email.html).includes(headers!['List-Unsubscribe']!.slice(1, -1)), 'the body links to the same address');
    }
  }

  const { url: listener, stop } = await listening(t, dir, { ...env, ...CONSENT }, url);
  const adaLink = (double.delivered.find((d) => d.idempotencyKey === 'winback/1/1')!.email.headers as Record<string, string>)['List-Unsubscribe']!;
  const path = new URL(adaLink.slice(1, -1)).pathname;
  const tampered = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  assert.equal((await fetch(listener + tampered, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' })).status, 403);
  assert.equal((await fetch(listener + path, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' })).status, 200);
  const bobId = double.delivered.find((d) => d.idempotencyKey === 'winback/1/2')!.id;
  const bounce = JSON.stringify({
    type: 'email.bounced',
    created_at: new Date().toISOString(),
    data: { email_id: bobId, to: ['bob@example.com'], bounce: { type: 'Permanent' } },
  });
  const sign = (secret: string, at: Date) => {
    const id = `msg_${at.getTime()}`;
    return {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, at, bounce),
    };
  };
  const stale = await fetch(`${listener}/resend`, { method: 'POST', headers: sign(WEBHOOK_SECRET, new Date(Date.now() - 6 * 60_000)), body: bounce });
  assert.equal(stale.status, 401);
  const bad = await fetch(`${listener}/resend`, {
    method: 'POST',
    headers: sign(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`, new Date()),
    body: bounce,
  });
  assert.equal(bad.status, 401);
  assert.deepEqual((await client.query('SELECT count(*)::int AS n FROM skene.suppressions WHERE address = $1', ['bob@example.com'])).rows, [{ n: 0 }]);
  assert.equal((await fetch(`${listener}/resend`, { method: 'POST', headers: sign(WEBHOOK_SECRET, new Date()), body: bounce })).status, 200);
  const rows = await client.query<{ row: string }>(`SELECT address || ' ' || scope || ' ' || reason AS row FROM skene.suppressions ORDER BY 1`);
  assert.deepEqual(
    rows.rows.map((r) => r.row),
    ['ada@example.com winback unsubscribed', 'bob@example.com * bounced'],
  );

  // The long-running runner would send the next rows itself: stopped, so the next --once does.
  await stop();
  // New rows for the same people: the plan with the state (the database's own, or --state-url) leaves them out.
  await client.query(`INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob'), ('cy@example.com', 'Cy')`);
  for (const extra of [[], ['--state-url', url]]) {
    const plan = await skeneAsync(['plan', '--database-url', url, '--at', AT, '--format', 'json', '--show-recipients', ...extra], {
      cwd: dir,
      env: { ...env, ...CONSENT },
    });
    assert.equal(plan.status, 0, plan.stderr);
    assert.deepEqual(notSent(plan.stdout, 'winback'), { notSent: ['not sent: unsubscribed 2', 'not sent: bounced 2'], to: ['cy@example.com'] });
    assert.deepEqual(notSent(plan.stdout, 'receipt'), { notSent: ['not sent: bounced 2'], to: ['ada@example.com', 'ada@example.com', 'cy@example.com'] });
  }
  const before = double.delivered.length;
  const next = await skeneAsync(['run', '--once', '--database-url', url, '--at', AT], { cwd: dir, env: { ...env, ...CONSENT } });
  assert.equal(next.status, 0, next.stderr);
  assert.deepEqual(
    double.delivered
      .slice(before)
      .map((d) => `${d.idempotencyKey} ${String(d.email.to)}`)
      .sort(),
    ['receipt/1/3 ada@example.com', 'receipt/1/5 cy@example.com', 'winback/1/5 cy@example.com'],
  );
  assert.match(next.stdout, /^skipped  winback\/1 key 3: not sent: unsubscribed$/m);
  assert.match(next.stdout, /^skipped  winback\/1 key 4: not sent: bounced$/m);
});

/** A project planned on its seed (no URL), whose users' addresses are unique to this test. */
function seededProject(tag: string): string {
  const dir = project();
  mkdirSync(join(dir, 'seed'));
  writeFileSync(
    join(dir, 'seed', 'users.sql'),
    `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO users (email, name) VALUES ('ada-${tag}@example.com', 'Ada'), ('bob-${tag}@example.com', 'Bob'), ('cy-${tag}@example.com', 'Cy');`,
  );
  return dir;
}

test('skene plan --state-url redis://… and the embedded state (.skene/pglite) report suppressed addresses as not sent', async (t) => {
  const tag = `${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const env = { ...BASE_ENV, ...CONSENT, RESEND_API_KEY: '' };
  const plan = async (dir: string, extra: string[] = []) => {
    const result = await skeneAsync(['plan', '--at', AT, '--format', 'json', '--show-recipients', ...extra], { cwd: dir, env });
    assert.equal(result.status, 0, result.stderr);
    return notSent(result.stdout, 'winback');
  };

  const redisUrl = await serviceOrSkip(t, 'redis');
  if (redisUrl) {
    const { Redis } = await import('ioredis');
    const { redisStateStore } = await import('../../packages/core/src/run/state-store-redis.js');
    const redis = new Redis(redisUrl);
    t.after(async () => {
      const keys = await redis.keys(`skene:{state}:suppress:*-${tag}@example.com`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });
    const store = redisStateStore(redis);
    await store.suppress({ address: `ada-${tag}@example.com`, scope: 'winback', reason: 'unsubscribed', source: 'test' });
    await store.suppress({ address: `bob-${tag}@example.com`, scope: '*', reason: 'complained', source: 'test' });
    const dir = seededProject(tag);
    assert.deepEqual(
      await plan(dir),
      { notSent: [], to: [`ada-${tag}@example.com`, `bob-${tag}@example.com`, `cy-${tag}@example.com`] },
      'no state: no suppressions',
    );
    assert.deepEqual(await plan(dir, ['--state-url', redisUrl]), {
      notSent: ['not sent: unsubscribed 1', 'not sent: complained 1'],
      to: [`cy-${tag}@example.com`],
    });
  }

  // `skene run --seed` keeps its state in .skene/pglite; a plan with no URL reads a copy of it.
  const dir = seededProject(tag);
  const run = await skeneAsync(['run', '--seed', 'seed', '--at', AT], { cwd: dir, env });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /run at .*: 6 sent/);
  const { PGlite } = await importPglite();
  const { postgresStateStore } = await import('../../packages/core/src/run/state-store-postgres.js');
  const db = await PGlite.create({ dataDir: join(dir, '.skene', 'pglite') });
  const query = async (sql: string, params?: unknown[]) => ({ ...(await db.query<Record<string, unknown>>(sql, params)), rowCount: null });
  await postgresStateStore({ query } as Parameters<typeof postgresStateStore>[0]).suppress({
    address: `cy-${tag}@example.com`,
    scope: '*',
    reason: 'bounced',
    source: 'test',
  });
  await db.close();
  assert.deepEqual(await plan(dir), { notSent: ['not sent: bounced 1'], to: [`ada-${tag}@example.com`, `bob-${tag}@example.com`] });
});
