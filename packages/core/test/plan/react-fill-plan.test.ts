/**
 * A plan with a compilable React template (the Hasura example's) fills its emails from the
 * shape a render thread proved (react-fill.ts) instead of rendering each with React: the fill
 * must be taken (so the speed-up cannot silently vanish), and every email — filled, or rendered
 * because the fill does not take its values, or failing as the component fails — must be what
 * rendering the template in this thread gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/engine.js';
import { prepareRenderer } from '../../src/email/render.js';
import { emailsFilled } from '../../src/email/render-pools.js';
import { FROM, makeConfig } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const USERS = 400;
const HASURA = new URL('../../../../examples/hasura/emails/re_engagement.tsx', import.meta.url);

test('a compilable React template: most emails are filled, and every email is what React renders', async (t) => {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  // Names the fill takes (markup, quotes, a zero-width space the plain text cannot template), an
  // empty one it hands to React (React writes no text node), and missing last activities (the
  // template writes its other sentence).
  await source.seed([
    {
      path: 'seed.sql',
      text: `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, last_activity_at timestamptz);
INSERT INTO users SELECT i, 'user' || i || '@example.com',
  CASE WHEN i % 50 = 0 THEN '' WHEN i % 7 = 0 THEN 'Zoë <O''Brien> & "Co"' WHEN i % 11 = 0 THEN 'a' || chr(8203) || ' b' ELSE 'User ' || i END,
  CASE WHEN i % 13 = 0 THEN NULL ELSE timestamptz '2026-02-01Z' + i * interval '1 hour' END
FROM generate_series(1, ${USERS}) i;`,
    },
  ]);
  const c = makeConfig({
    loops: [
      {
        id: 'retention',
        type: 'retention',
        opinion: 'Re-engage idle users',
        steps: [
          {
            trigger: { type: 'schedule', cron: '0 9 * * *' },
            condition: { type: 'query', query: 'SELECT * FROM users' },
            action: {
              type: 'email',
              provider: 'resend',
              template: 're_engagement',
              personalization: { name: '{{user.name}}', lastActivity: '{{user.last_activity_at}}' },
            },
          },
        ],
      },
    ],
  });
  t.after(() => c.cleanup());
  copyFileSync(HASURA, join(c.dir, 'emails', 're_engagement.tsx'));

  const before = emailsFilled();
  const report = await runPlan({ config: c, source, at: AT, env: FROM, renderThreads: 1 });
  const filled = emailsFilled() - before;
  const emails = report.loops[0]!.steps[0]!.emails;
  assert.equal(emails.length, USERS);
  assert.ok(filled >= USERS * 0.9, `filled ${filled} of ${USERS}`);
  assert.ok(filled < USERS, 'the empty names render with React');

  const here = await prepareRenderer({ emailsDir: join(c.dir, 'emails'), template: 're_engagement' });
  for (const email of emails) {
    const expected = await here.render(email.props);
    assert.equal(email.html, expected.html, email.key);
    assert.equal(email.text, expected.text, email.key);
    assert.equal(email.subject, expected.subject, email.key);
  }
});
