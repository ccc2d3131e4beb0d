/**
 * `keys`: the runner evaluates a database trigger for the captured events' rows only, with the
 * plan's own code. Restricted to some keys, a step plans exactly the emails (and waiting rows)
 * the whole-table plan has for those keys — on PostgreSQL (PGlite) and the MySQL dialect.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/engine.js';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { FROM, makeConfig, tempMysqlDatabase } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const SEED = `CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100) NOT NULL, activated integer NOT NULL);
INSERT INTO users VALUES (1, 'ann@example.com', 'Ann', 1), (2, 'bo@example.com', 'Bo', 0), (3, 'cy@example.com', 'Cy', 1), (4, 'di@example.com', 'Di', 1);`;

function config(t: TestContext) {
  const c = makeConfig({
    loops: [
      {
        id: 'welcome',
        type: 'activation',
        opinion: 'Welcome the activated',
        steps: [
          {
            trigger: { type: 'database', table: 'users', event: 'insert' },
            condition: { type: 'query', query: 'SELECT 1 FROM users WHERE id = $1 AND activated = 1' },
            action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
          },
        ],
      },
    ],
  });
  t.after(() => c.cleanup());
  return c;
}

async function assertKeysPlanTheirRows(t: TestContext, source: SqlSource) {
  const c = config(t);
  const whole = await runPlan({ config: c, source, at: AT, env: FROM });
  const some = await runPlan({ config: c, source, at: AT, env: FROM, keys: [2, 3] });
  const step = (r: typeof whole) => r.loops[0]!.steps[0]!;
  assert.deepEqual(
    step(whole).emails.map((e) => e.key),
    ['1', '3', '4'],
  );
  assert.deepEqual(
    step(some).emails,
    step(whole).emails.filter((e) => e.key === '3'),
  );
  assert.equal(step(some).counts.events, 2);
  assert.deepEqual(step(some).notSent, [{ reason: 'waiting: condition not met', count: 1, examples: ['2'] }]);
  const none = await runPlan({ config: c, source, at: AT, env: FROM, keys: [] });
  assert.equal(step(none).counts.events, 0);
}

test('keys restrict a database trigger to those rows: PostgreSQL (PGlite)', async (t) => {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: SEED }]);
  await assertKeysPlanTheirRows(t, source);
});

test('keys restrict a database trigger to those rows: the MySQL dialect (MariaDB)', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const url = await tempMysqlDatabase(t, server, 'skene_keys');
  const source = (await openSource({ url })) as SqlSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: SEED }]);
  await assertKeysPlanTheirRows(t, source);
});

test('only: the steps asked for, numbered as in the config', async (t) => {
  const c = makeConfig({
    loops: [
      {
        id: 'two',
        type: 'activation',
        opinion: 'Two steps',
        steps: [
          { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } },
          { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } },
        ],
      },
      {
        id: 'other',
        type: 'activation',
        opinion: 'Not asked for',
        steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }],
      },
    ],
  });
  t.after(() => c.cleanup());
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([{ path: 'seed.sql', text: SEED }]);
  const report = await runPlan({ config: c, source, at: AT, env: FROM, only: [{ loop: 'two', step: 2 }], keys: [4] });
  assert.deepEqual(
    report.loops.map((l) => [l.id, l.steps.map((s) => s.step)]),
    [['two', [2]]],
  );
  assert.deepEqual(
    report.loops[0]!.steps[0]!.emails.map((e) => e.id),
    ['two/2/4'],
  );
});
