/**
 * Schedule steps in the runner: each occurrence fires once, evaluated with the plan's code at the
 * occurrence's instant (the same emails as the plan at that instant); a run at the same clock
 * fires nothing more; after an outage only the occurrences inside the catch-up window fire, the
 * older ones are recorded as skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../src/plan/engine.js';
import { openSource } from '../../src/sources/index.js';
import { makeConfig } from '../plan/helpers.js';
import { deliveredById, FROM, harness, TEMPLATES } from './runner-helpers.js';

const TABLES = `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
  INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('bo@example.com', 'Bo'), ('nobody@example.com', 'Nobody');`;

test('schedule: one firing per occurrence, as the plan at that instant; an outage fires only the catch-up window', async (t) => {
  const config = makeConfig(
    {
      loops: [
        {
          id: 'digest',
          type: 'retention',
          opinion: 'An hourly digest',
          steps: [
            {
              trigger: { type: 'schedule', cron: '0 * * * *' },
              condition: { type: 'query', query: "SELECT id, email, name FROM users WHERE name <> 'Nobody'" },
              action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
            },
          ],
        },
      ],
    },
    TEMPLATES,
  );
  t.after(() => config.cleanup());
  const h = await harness(t, config, TABLES);
  if (!h) return;

  const first = await h.run({ at: new Date('2026-03-02T09:00:30Z') });
  assert.equal(first.counts.sent, 2);
  const source = await openSource({ url: h.url });
  t.after(() => source.close());
  const plan = await runPlan({ config, source, at: new Date('2026-03-02T09:00:00Z'), horizon: '1s', env: FROM });
  const planned = Object.fromEntries(
    plan.loops[0]!.steps[0]!.emails.map((e) => [e.id, { to: e.to, from: e.from, subject: e.subject, html: e.html, text: e.text }]),
  );
  assert.deepEqual(Object.keys(planned).sort(), ['digest/1/1@2026-03-02T09:00:00.000Z', 'digest/1/2@2026-03-02T09:00:00.000Z']);
  assert.deepEqual(deliveredById(h.double), planned);

  const again = await h.run({ at: new Date('2026-03-02T09:00:30Z') });
  assert.equal(again.counts.sent, 0);

  // Down from 09:00:30 to 12:30:30: 10:00 and 11:00 are older than the 1 h window, 12:00 fires.
  const back = await h.run({ at: new Date('2026-03-02T12:30:30Z') });
  assert.equal(back.counts.sent, 2);
  assert.deepEqual(
    h.double.delivered.slice(2).map((d) => d.idempotencyKey),
    ['digest/1/1@2026-03-02T12:00:00.000Z', 'digest/1/2@2026-03-02T12:00:00.000Z'],
  );
  const skipped = await h.client.query(`SELECT subject FROM skene.progress WHERE state = 'skipped' ORDER BY subject`);
  assert.deepEqual(
    skipped.rows.map((r) => r.subject),
    ['occurrence:2026-03-02T10:00:00.000Z', 'occurrence:2026-03-02T11:00:00.000Z'],
  );
});

test('daylight saving (Europe/Berlin): a skipped 02:30 fires at 03:30 once; a repeated 02:30 fires once', async (t) => {
  const config = makeConfig(
    {
      loops: [
        {
          id: 'nightly',
          type: 'retention',
          opinion: 'A nightly note',
          steps: [
            {
              trigger: { type: 'schedule', cron: '30 2 * * *', timezone: 'Europe/Berlin' },
              condition: { type: 'query', query: "SELECT id, email, name FROM users WHERE name = 'Ann'" },
              action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
            },
          ],
        },
      ],
    },
    TEMPLATES,
  );
  t.after(() => config.cleanup());
  const h = await harness(t, config, TABLES);
  if (!h) return;
  // March 29: 02:00 jumps to 03:00, so 02:30 does not exist; it fires at 03:30 CEST (01:30 UTC).
  for (const at of ['2026-03-29T01:00:00Z', '2026-03-29T01:30:30Z', '2026-03-29T02:10:00Z']) await h.run({ at: new Date(at) });
  // October 25: 03:00 goes back to 02:00, so 02:30 happens twice; it fires at the first (00:30 UTC) only.
  for (const at of ['2026-10-25T00:30:30Z', '2026-10-25T01:00:00Z', '2026-10-25T01:30:30Z', '2026-10-25T02:10:00Z']) await h.run({ at: new Date(at) });
  assert.deepEqual(
    h.double.delivered.map((d) => d.idempotencyKey),
    ['nightly/1/1@2026-03-29T01:30:00.000Z', 'nightly/1/1@2026-10-25T00:30:00.000Z'],
  );
});
