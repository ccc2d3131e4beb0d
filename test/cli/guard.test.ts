/**
 * The read-only guard as a user meets it on the command line: `skene check` and `skene plan` (the
 * built CLI, as processes) refuse a condition that would delete rows through a second connection,
 * both naming the same code at the same file:line:column, both exiting 1 — and the rows are there
 * afterwards. packages/core/test/guard/hostile.test.ts covers every class through the services.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { skene } from '../helpers/cli.js';
import { serviceOrSkip } from '../helpers/services.js';

test('skene check and skene plan refuse dblink_exec alike, and nothing is deleted', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const db = `skene_cli_guard_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  t.after(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  });
  const url = Object.assign(new URL(server), { pathname: `/${db}` }).toString();
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the database is dropped with FORCE at the end
  await client.connect();
  await client.query(`CREATE EXTENSION dblink;
    CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace');`);

  const dir = mkdtempSync(join(tmpdir(), 'skene-cli-guard-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>Hi {{name}}</p>');
  const config = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  id: 'wipe',
  type: 'activation',
  opinion: 'Looks like a welcome',
  steps: [{
    trigger: { type: 'database', table: 'users', event: 'insert' },
    condition: { type: 'query', query: \`SELECT 1 FROM users WHERE id = $1 AND dblink_exec('dbname=${db} host=127.0.0.1 user=postgres', 'DELETE FROM users') IS NOT NULL\` },
    action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
  }],
});
`;
  writeFileSync(join(dir, 'skene.config.ts'), config);
  // Where dblink_exec stands in the file, 1-based: both commands must point there.
  const line = config.split('\n').findIndex((l) => l.includes('dblink_exec')) + 1;
  const at = `${line}:${config.split('\n')[line - 1]!.indexOf('dblink_exec') + 1}`;
  const env = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };
  const check = skene(['check', 'skene.config.ts', '--format', 'json'], { cwd: dir, env });
  assert.equal(check.status, 1, check.stderr);
  const [diagnostic] = JSON.parse(check.stdout) as { code: string; line: number; column: number }[];
  assert.deepEqual({ code: diagnostic!.code, at: `${diagnostic!.line}:${diagnostic!.column}` }, { code: 'SKN026', at });

  const plan = skene(['plan', '--database-url', url, '--at', '2026-03-02T09:00:00Z', '--format', 'json'], { cwd: dir, env });
  assert.equal(plan.status, 1, plan.stderr);
  const [error] = JSON.parse(plan.stdout).loops[0].steps[0].errors;
  assert.equal(error.code, 'SKN026');
  assert.equal(error.location, `skene.config.ts:${at}`);
  assert.match(error.message, /^refused: the function dblink_exec\(\) is not on the read-only allow-list/);

  const text = skene(['plan', '--database-url', url, '--at', '2026-03-02T09:00:00Z'], { cwd: dir, env });
  assert.ok(text.stdout.includes(`wipe step 1: skene.config.ts:${at} SKN026 refused: the function dblink_exec()`), text.stdout);
  assert.equal((await client.query('SELECT count(*)::int AS n FROM users')).rows[0].n, 2, 'no row was deleted');
  await client.end();
});
