/**
 * `skene run --seed` with no database URL, as a newcomer runs it (the built CLI): the embedded
 * PostgreSQL in `.skene/pglite`, the outbox without a Resend key, the emails the plan lists for
 * the same seeds and instant, and nothing again on a second run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, skene } from '../helpers/cli.js';

const ENV = { DATABASE_URL: '', RESEND_API_KEY: '', RESEND_BASE_URL: '', SKENE_EMAIL_FROM: 'growth@example.com', SKENE_CONFIG_DIR: tmpdir(), NO_COLOR: '1' };
const AT = '2026-11-21T09:00:00Z';

test('skene run --seed: the embedded database, the outbox, what the plan lists, once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-run-embedded-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'examples', 'hasura'), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });

  const plan = skene(['plan', '--seed', 'seed', '--at', AT, '--format', 'json', '--show-recipients'], { cwd: dir, env: ENV, timeout: 120_000 });
  assert.equal(plan.status, 0, plan.stderr);
  const planned = (JSON.parse(plan.stdout) as { loops: { steps: { emails: { id: string }[] }[] }[] }).loops.flatMap((l) =>
    l.steps.flatMap((s) => s.emails.map((e) => e.id)),
  );
  assert.equal(planned.length, 5);

  const first = skene(['run', '--seed', 'seed', '--at', AT], { cwd: dir, env: ENV, timeout: 120_000 });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /the embedded PostgreSQL in \.skene\/pglite \(made and seeded from seed\)/);
  assert.match(first.stderr, /no Resend key .*emails go to the outbox .*\.skene\/outbox, nothing is sent/);
  const sent = first.stdout
    .split('\n')
    .filter((l) => l.startsWith('sent '))
    .map((l) => l.split(/\s+/)[1]);
  assert.deepEqual(sent.sort(), [...planned].sort());
  assert.match(first.stdout, /^run at 2026-11-21T09:00:00\.000Z: 5 sent, 0 waiting/m);
  assert.ok(!/@example\.com/.test(first.stdout.replace(/[a-z]\*\*\*@example\.com/g, '')), 'addresses masked');
  assert.equal(readdirSync(join(dir, '.skene', 'outbox')).length, 5);

  const second = skene(['run', '--at', AT], { cwd: dir, env: ENV, timeout: 120_000 });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /reused: delete the folder to start over/);
  assert.match(second.stdout, /^run at 2026-11-21T09:00:00\.000Z: 0 sent/m);
  assert.equal(readdirSync(join(dir, '.skene', 'outbox')).length, 5);
});

test('skene run with no URL and no --seed says how to give it a database', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-run-embedded-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'examples', 'hasura'), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const none = skene(['run', '--once'], { cwd: dir, env: ENV });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^skene run: no database URL: pass --database-url, .* or pass --seed files to run on the embedded PostgreSQL/);
});
