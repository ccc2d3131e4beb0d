/**
 * Big React steps render on worker threads: the plan must be the same, email for email, as one
 * rendered in the plan's own thread, errors included; a pool that cannot start is no pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan, RENDER_POOL_AFTER } from '../../src/plan/engine.js';
import { emailsRenderedInWorkers, startRenderPool } from '../../src/email/render-pool.js';
import { FROM, makeConfig } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const USERS = RENDER_POOL_AFTER + 400;

const COMPONENT = `import { Html, Body, Heading, Text } from '@react-email/components';
export const subject = ({ name }) => 'Hello ' + name;
export default function Digest({ name, seen }) {
  if (name === 'User ${USERS - 3}' && process.env.SKENE_TEST_THROW === '1') throw new Error('cannot greet ' + name);
  return <Html><Body><Heading>Hi {name}</Heading><Text>Last seen {seen}; {name.length} letters</Text></Body></Html>;
}`;

function config() {
  const c = makeConfig({
    loops: [
      {
        id: 'digest',
        type: 'retention',
        opinion: 'A daily digest for everyone',
        steps: [
          {
            trigger: { type: 'schedule', cron: '0 9 * * *' },
            condition: { type: 'query', query: 'SELECT * FROM users' },
            action: { type: 'email', provider: 'resend', template: 'digest', personalization: { name: '{{user.name}}', seen: '{{user.seen_at}}' } },
          },
        ],
      },
    ],
  });
  writeFileSync(join(c.dir, 'emails', 'digest.tsx'), COMPONENT);
  return c;
}

test('a big React step renders on worker threads and plans exactly what one thread plans', async (t) => {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([
    {
      path: 'seed.sql',
      text: `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, seen_at timestamptz);
INSERT INTO users SELECT i, 'user' || i || '@example.com', 'User ' || i, timestamptz '2026-02-01Z' + i * interval '1 hour' FROM generate_series(1, ${USERS}) i;`,
    },
  ]);
  const c = config();
  t.after(() => c.cleanup());

  const before = emailsRenderedInWorkers();
  const pooled = await runPlan({ config: c, source, at: AT, env: FROM, renderThreads: 2 });
  const inWorkers = emailsRenderedInWorkers() - before;
  const alone = await runPlan({ config: c, source, at: AT, env: FROM, renderThreads: 1 });
  assert.equal(emailsRenderedInWorkers() - before, inWorkers, 'one thread: no worker renders');
  assert.equal(inWorkers, USERS - RENDER_POOL_AFTER, 'the first emails render here, every later one in a worker');

  assert.equal(pooled.totals.emails, USERS);
  assert.deepEqual(pooled, alone);
  const last = pooled.loops[0]!.steps[0]!.emails.at(-1)!;
  assert.equal(last.subject, `Hello User ${USERS}`);
  assert.match(last.html!, new RegExp(`Hi <!-- -->User ${USERS}`));
  assert.match(last.text!, new RegExp(`Last seen 2026-\\d\\d-\\d\\dT\\d\\d:00:00.000Z; ${`User ${USERS}`.length} letters`));

  await t.test('a component that throws in a worker fails the step as it does in one thread', async () => {
    process.env.SKENE_TEST_THROW = '1';
    t.after(() => delete process.env.SKENE_TEST_THROW);
    const c2 = config(); // a new file: compiled afresh, workers read the variable too
    t.after(() => c2.cleanup());
    const pooledError = (await runPlan({ config: c2, source, at: AT, env: FROM, renderThreads: 2 })).loops[0]!.steps[0]!.errors;
    const aloneError = (await runPlan({ config: c2, source, at: AT, env: FROM, renderThreads: 1 })).loops[0]!.steps[0]!.errors;
    assert.equal(pooledError.length, 1);
    assert.match(pooledError[0]!.message, new RegExp(`cannot greet User ${USERS - 3}`));
    assert.deepEqual(pooledError, aloneError);
  });
});

test('a pool whose template cannot be prepared does not start (the plan renders in its own thread)', async (t) => {
  const c = config();
  t.after(() => c.cleanup());
  assert.equal(await startRenderPool({ emailsDir: join(c.dir, 'emails'), template: 'no_such_template', threads: 2 }), undefined);
});
