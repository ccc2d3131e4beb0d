/**
 * The embedded runner (no database URL): PGlite in a folder, capture installed before the seeds so
 * the seeded rows are the changes it sees. It sends exactly what the plan lists for the same seeds,
 * and a second start on the same folder sends nothing again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startResendDouble } from '../../../../test/helpers/resend-double.js';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/engine.js';
import { openEmbeddedBackend } from '../../src/run/embedded.js';
import { runOnce } from '../../src/run/runner.js';
import { activationConfig, FROM, newSender } from './runner-helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const SEED = `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL, name text NOT NULL);
INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('cy@example.com', 'Cy');
INSERT INTO projects (user_id, name) VALUES (1, 'First'), (3, 'Third');`;

test('embedded: sends what the plan lists for the same seeds, once across restarts', async (t) => {
  const config = activationConfig(t);
  const dir = mkdtempSync(join(tmpdir(), 'skene-embedded-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const double = await startResendDouble();
  t.after(() => double.close());
  const sender = newSender(double);

  const planSource = (await openSource({})) as SqlSource;
  t.after(() => planSource.close());
  await planSource.seed([{ path: 'seed.sql', text: SEED }]);
  const plan = await runPlan({ config, source: planSource, at: AT, env: FROM });
  const planned = plan.loops.flatMap((l) => l.steps.flatMap((s) => s.emails));
  assert.equal(planned.length, 2);

  const first = await openEmbeddedBackend({ dir: join(dir, 'pglite'), seeds: [{ path: 'seed.sql', text: SEED }], config });
  assert.equal(first.seeded, true);
  try {
    const summary = await runOnce({ config, backend: first, sender, at: AT, env: FROM, maxWaitMs: 1000 });
    assert.equal(summary.counts.sent, 2);
    assert.equal(summary.counts.waiting, 1);
  } finally {
    await first.close();
  }
  const delivered = double.delivered.map((d) => ({ to: d.email.to, subject: d.email.subject, html: d.email.html, text: d.email.text, key: d.idempotencyKey }));
  assert.deepEqual(
    delivered.sort((a, b) => String(a.key).localeCompare(String(b.key))),
    planned.map((e) => ({ to: e.to, subject: e.subject, html: e.html, text: e.text, key: e.id })),
  );

  const again = await openEmbeddedBackend({ dir: join(dir, 'pglite'), seeds: [{ path: 'seed.sql', text: SEED }], config });
  assert.equal(again.seeded, false, 'the folder is reused, not seeded again');
  try {
    const summary = await runOnce({ config, backend: again, sender, at: AT, env: FROM, maxWaitMs: 1000 });
    assert.equal(summary.counts.sent, 0);
  } finally {
    await again.close();
  }
  assert.equal(double.delivered.length, 2);
});

test('embedded: a seed that fails says which file, and leaves no half-made folder behind to reuse', async (t) => {
  const config = activationConfig(t);
  const dir = mkdtempSync(join(tmpdir(), 'skene-embedded-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(
    openEmbeddedBackend({ dir: join(dir, 'pglite'), seeds: [{ path: 'seed/broken.sql', text: 'CREATE TABLE users (id int;' }], config }),
    /seed seed\/broken\.sql failed: syntax error/,
  );
  // The next start seeds again rather than running on a database without its data.
  const next = await openEmbeddedBackend({ dir: join(dir, 'pglite'), seeds: [{ path: 'seed.sql', text: SEED }], config });
  t.after(() => next.close());
  assert.equal(next.seeded, true);
});
