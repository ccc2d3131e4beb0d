/**
 * A loop's goal in the runner, on a schedule step (its emails recorded for an occurrence and sent
 * in chunks): each sent email's goal is armed by its chunk's send and checked at the run's clock;
 * a goal reached before the email counts as converted at 0, one reached later at its own time, and
 * `skene status` reports the median of the two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runStatus } from '../../src/run/index.js';
import { makeConfig } from '../plan/helpers.js';
import { harness, TEMPLATES } from './runner-helpers.js';

const AT = new Date('2026-03-02T09:00:30Z');
const TABLES = `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
  CREATE TABLE user_actions (id serial PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL, created_at timestamptz NOT NULL);
  INSERT INTO users (email, name) SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, 4) i;
  INSERT INTO user_actions (user_id, action_type, created_at) VALUES
    (2, 'invited_teammate', '2026-03-02T09:00:40Z'), (3, 'invited_teammate', '2026-03-01T09:00:00Z'), (4, 'logged_in', '2026-03-02T09:00:35Z');`;

test('a schedule step: goals armed by their chunk, converted at their own time, the median in status', async (t) => {
  const config = makeConfig(
    {
      loops: [
        {
          id: 'digest',
          type: 'retention',
          opinion: 'An hourly digest',
          goal: {
            type: 'query',
            query: `SELECT created_at FROM user_actions WHERE user_id = $1 AND action_type = 'invited_teammate' AND created_at <= now()`,
            within: '1d',
          },
          steps: [
            {
              trigger: { type: 'schedule', cron: '0 * * * *' },
              condition: { type: 'query', query: 'SELECT id, email, name FROM users' },
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

  const first = await h.run({ at: AT });
  assert.equal(first.counts.sent, 4);
  // User 3 had invited the day before: converted at once (at that time); user 2 not yet at 09:00:30.
  assert.equal(first.counts.converted, 1);
  const goals = async () =>
    (await h.client.query(`SELECT email_id, user_key, state, sent_at, converted_at FROM skene.goals ORDER BY email_id`)).rows.map((r) => [
      r.email_id,
      r.user_key,
      r.state,
      new Date(r.sent_at).toISOString(),
      r.converted_at && new Date(r.converted_at).toISOString(),
    ]);
  const occurrence = '2026-03-02T09:00:00.000Z';
  assert.deepEqual(await goals(), [
    [`digest/1/1@${occurrence}`, '1', 'checking', AT.toISOString(), null],
    [`digest/1/2@${occurrence}`, '2', 'checking', AT.toISOString(), null],
    [`digest/1/3@${occurrence}`, '3', 'converted', AT.toISOString(), '2026-03-01T09:00:00.000Z'],
    [`digest/1/4@${occurrence}`, '4', 'checking', AT.toISOString(), null],
  ]);

  const later = await h.run({ at: new Date(AT.getTime() + 60_000) });
  assert.equal(later.counts.converted, 1, 'user 2, once');
  assert.equal(later.counts.sent, 0);
  assert.equal((await goals())[1]![4], '2026-03-02T09:00:40.000Z');

  const status = await runStatus({ databaseUrl: h.url, config, now: AT });
  // Times to convert: 0 (before the email) and 10 s: the median is 5 s.
  assert.deepEqual(status.loops[0]!.steps[0]!.goal, {
    sent: 4,
    converted: 2,
    notConverted: 0,
    checking: 2,
    conversionRate: 0.5,
    medianMs: 5000,
    median: '5s',
  });
});
