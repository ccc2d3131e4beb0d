/**
 * `skene check` on the people table: a config whose `users` names `members` is clean, a trigger
 * table that reaches no one is a warning (exit 0) that says how to fix it, and a misspelt people
 * column is an error with its fix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { skene } from '../helpers/cli.js';

const SEED = `CREATE TABLE members (member_id bigint PRIMARY KEY, email_address text NOT NULL, full_name text);
CREATE TABLE projects (id serial PRIMARY KEY, owner bigint REFERENCES members (member_id), title text);
CREATE TABLE audit_log (id serial PRIMARY KEY, action text);`;

function project(users: string, table: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-check-people-'));
  mkdirSync(join(dir, 'emails'));
  mkdirSync(join(dir, 'skene'));
  writeFileSync(join(dir, 'emails', 'note.html'), '<p>Hi {{name}}</p>');
  writeFileSync(join(dir, 'skene', 'seed.sql'), SEED);
  writeFileSync(
    join(dir, 'skene.config.ts'),
    `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  users: ${users},
  loops: [{
    type: 'activation',
    opinion: 'New project',
    steps: [{
      trigger: { type: 'database', table: '${table}', event: 'insert' },
      action: { type: 'email', provider: 'resend', template: 'note', subject: 'Hi', personalization: { name: '{{user.full_name}}' } },
    }],
  }],
});
`,
  );
  return dir;
}

const MEMBERS = `{ table: 'members', email: 'email_address', name: 'full_name' }`;

test('skene check: users naming members, a trigger with a foreign key to it: clean', () => {
  const { status, stdout } = skene(['check'], { cwd: project(MEMBERS, 'projects') });
  assert.equal(status, 0, stdout);
  assert.equal(stdout, 'skene.config.ts: no problems found (1 loop).\n');
});

test('skene check: a trigger table that reaches no one is a warning saying how to fix it', () => {
  const { status, stdout } = skene(['check'], { cwd: project(MEMBERS, 'audit_log') });
  assert.equal(status, 0, stdout);
  assert.match(stdout, /skene\.config\.ts:8:43 - warning SKN043: 'audit_log' rows reach no person: audit_log is not the people table \(members\)/);
  assert.match(
    stdout,
    /Name the table of your people with defineConfig\(\{ users: \{ table: '…' \} \}\), or declare the foreign key \(member_id … REFERENCES members\)/,
  );
});

test('skene check: a misspelt people column is an error with its fix', () => {
  const { status, stdout } = skene(['check'], { cwd: project(`{ table: 'members', email: 'email_adress' }`, 'projects') });
  assert.equal(status, 1, stdout);
  assert.match(
    stdout,
    /error SKN042: Unknown email column 'email_adress' for users: table 'members' has member_id, email_address, full_name\. Did you mean 'email_address'\?/,
  );
});
