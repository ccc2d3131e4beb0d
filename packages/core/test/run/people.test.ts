/**
 * The runner finds the person as the plan does (analysis/people.ts): with `users` naming
 * `members`, a captured insert into `projects` goes to the member its declared foreign key points
 * at, addressed from `email_address`; an insert into a table that reaches no one is skipped with
 * the plan's reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startResendDouble } from '../../../../test/helpers/resend-double.js';
import { openEmbeddedBackend } from '../../src/run/embedded.js';
import { runOnce } from '../../src/run/runner.js';
import { makeConfig } from '../plan/helpers.js';
import { FROM, newSender } from './runner-helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const SEED = `CREATE TABLE members (member_id bigint PRIMARY KEY, email_address text NOT NULL, full_name text);
CREATE TABLE projects (id serial PRIMARY KEY, owner bigint REFERENCES members (member_id), title text);
CREATE TABLE audit_log (id serial PRIMARY KEY, action text);
INSERT INTO members VALUES (10, 'ada@example.com', 'Ada'), (20, 'grace@example.com', 'Grace');
INSERT INTO projects (owner, title) VALUES (20, 'Compiler');
INSERT INTO audit_log (action) VALUES ('login');`;

test('the runner sends to the people table a foreign key points at, and skips a table that reaches no one', async (t) => {
  const step = (table: string) => ({
    trigger: { type: 'database', table, event: 'insert' },
    action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.full_name}}' } },
  });
  const config = makeConfig({
    users: { table: 'members', email: 'email_address', name: 'full_name' },
    loops: [
      { id: 'projects', type: 'activation', opinion: 'New project', steps: [step('projects')] },
      { id: 'audit', type: 'activation', opinion: 'No one', steps: [step('audit_log')] },
    ],
  });
  t.after(() => config.cleanup());
  const dir = mkdtempSync(join(tmpdir(), 'skene-people-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const double = await startResendDouble();
  t.after(() => double.close());
  const backend = await openEmbeddedBackend({ dir: join(dir, 'pglite'), seeds: [{ path: 'seed.sql', text: SEED }], config });
  try {
    const summary = await runOnce({ config, backend, sender: newSender(double), at: AT, env: FROM, maxWaitMs: 1000 });
    assert.equal(summary.counts.sent, 1);
    assert.equal(summary.counts.skipped, 1);
  } finally {
    await backend.close();
  }
  assert.deepEqual(
    double.delivered.map((d) => [d.email.to, d.idempotencyKey]),
    [['grace@example.com', 'projects/1/1']],
  );
});
