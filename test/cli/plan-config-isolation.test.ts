/**
 * `skene plan` with a config that misbehaves while it loads: the built CLI, as CI runs it. An
 * exit, a hang, an unsettled top-level await or a wrong type is a non-zero exit and one line
 * naming the file, never a silent success; what the config prints never reaches `--format json`;
 * a timer that throws while it loads is one line too, one it leaves behind never runs; and no
 * compiled bundle stays beside the config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skene } from '../helpers/cli.js';

const LOOP = `defineLoop({ type: 'activation', opinion: 'Welcome', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' },
  action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } } }] })`;
const SEED = `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob');`;

/** A project whose skene.config.ts is `config`; returns the plan's result and what is left in its folder. */
function plan(config: string, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'skene-cli-isolation-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Hi {{name}}</title></head><body>Hi {{name}}</body></html>');
  writeFileSync(join(dir, 'seed.sql'), SEED);
  writeFileSync(join(dir, 'skene.config.ts'), config);
  const result = skene(['plan', '--seed', 'seed.sql', '--at', '2026-03-02T09:00:00Z', ...args], {
    cwd: dir,
    env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
    timeout: 120_000,
  });
  return { ...result, left: readdirSync(dir).filter((f) => f.startsWith('.skene') || f.includes('skene-config')) };
}

function assertFails(r: ReturnType<typeof plan>, line: RegExp) {
  assert.equal(r.status, 1, `exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, line);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, `one line: ${r.stderr}`);
  assert.deepEqual(r.left, []);
}

test('process.exit(0) while loading fails the plan, naming the line', () => {
  const r = plan(`import { defineLoop } from '@skene/sdk';\n\nprocess.exit(0);\nexport default ${LOOP};\n`, '--format', 'json');
  assertFails(r, /^skene plan: skene\.config\.ts:3:\d+: the config called process\.exit\(0\) while loading — /);
});

test('a config that loops forever fails at its deadline', () => {
  const r = plan(`import { defineLoop } from '@skene/sdk';\nwhile (true) {}\nexport default ${LOOP};\n`);
  assertFails(r, /^skene plan: skene\.config\.ts: the config did not finish loading within 10 s: /);
});

test('a top-level await that never settles fails with a message, not exit code 13', () => {
  const r = plan(`import { defineLoop } from '@skene/sdk';\nawait new Promise(() => {});\nexport default ${LOOP};\n`);
  assertFails(r, /^skene plan: skene\.config\.ts: the config stopped before it finished loading: a top-level await that never settles\?$/m);
});

test('a wrong type in defineLoop names the field, not "["', () => {
  const r = plan(
    `import { defineLoop } from '@skene/sdk';\nexport default defineLoop({ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' },\n  action: { type: 'email', provider: 'resend', template: 3 } }] });\n`,
  );
  assertFails(r, /^skene plan: skene\.config\.ts:2:\d+ is not a valid Skene config: steps\.0\.action\.template: .*expected string, received number$/m);
});

test('what a config prints goes to stderr: --format json stays JSON; a timer it leaves behind never runs', () => {
  const r = plan(
    `import { defineLoop } from '@skene/sdk';\nconsole.log('hello from the config');\nsetTimeout(() => { throw new Error('late'); }, 3000);\nexport default ${LOOP};\n`,
    '--format',
    'json',
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { totals: { emails: number } };
  assert.equal(report.totals.emails, 2);
  assert.match(r.stderr, /hello from the config/);
  assert.doesNotMatch(r.stderr, /late|\n\s+at /);
  assert.deepEqual(r.left, []);
});

test('a timer that throws while the config loads is one line naming it, not a stack', () => {
  const r = plan(`import { defineLoop } from '@skene/sdk';\nsetTimeout(() => {\n  throw new Error('late');\n}, 0);\nexport default ${LOOP};\n`);
  assertFails(r, /^skene plan: skene\.config\.ts:3:9: the config threw from a callback while loading \(a timer or event\): late$/m);
});
