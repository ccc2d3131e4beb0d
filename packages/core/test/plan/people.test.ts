/**
 * The people table is the app's (fixtures/people: `members`, keyed by member_id, addresses in
 * email_address): on the embedded PostgreSQL seeded from the fixture, `user` is the row itself on
 * `members` and on a table with the email column, the row a declared foreign key points at (one
 * added by a later migration too), the row `member_id` names by convention, and nobody otherwise —
 * with the reason naming the people table. Schedules read every member; `to` defaults to the
 * configured email column.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPlan } from '../../src/plan/engine.ts';
import { loadConfig } from '../../src/plan/load-config.ts';
import type { PlanReport } from '../../src/report/model.ts';
import { openSource, type DataSource } from '../../src/sources/index.ts';
import { FROM, makeConfig } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/people/', import.meta.url));
const AT = new Date('2026-03-02T09:00:00Z');
const USERS = { table: 'members', key: 'member_id', email: 'email_address', name: 'full_name' };

let source: DataSource;
let report: PlanReport;

before(async () => {
  source = await openSource({ seeds: [join(FIXTURE, 'seed')], cwd: FIXTURE });
  report = await runPlan({ config: await loadConfig(join(FIXTURE, 'skene.config.ts')), source, at: AT, cwd: FIXTURE, env: FROM });
});
after(() => source?.close());

const stepOf = (loop: string) => report.loops.find((l) => l.id === loop)!.steps[0]!;
const sent = (loop: string) => stepOf(loop).emails.map((e) => [e.key, e.to, e.props.name]);

test('a trigger on the people table: the row is the person, `to` is its email column', () => {
  assert.deepEqual(sent('members'), [
    ['10', 'ada@example.com', 'Ada Lovelace'],
    ['20', 'grace@example.com', 'Grace Hopper'],
  ]);
});

test('a declared foreign key (`owner REFERENCES members`) finds the person; one without an owner names the people table', () => {
  assert.deepEqual(sent('projects'), [['1', 'grace@example.com', 'Grace Hopper']]);
  assert.deepEqual(stepOf('projects').notSent, [{ reason: 'no user: projects.owner matches no members row', count: 1, examples: ['2'] }]);
});

test('a foreign key a later migration adds counts as declared', () => {
  assert.deepEqual(sent('tasks'), [['1', 'ada@example.com', 'Ada Lovelace']]);
});

test('nothing declared: the `member_id` column by convention', () => {
  assert.deepEqual(sent('comments'), [['1', 'ada@example.com', 'Ada Lovelace']]);
});

test('a table with the email column: the row itself', () => {
  const step = stepOf('invitations');
  assert.deepEqual(
    step.emails.map((e) => [e.to, e.problems]),
    [['alan@example.com', ['missing value: {{user.full_name}} (personalization.name) is empty']]],
  );
});

test('no way to a person: not sent, and the reason says what is missing', () => {
  const step = stepOf('audit');
  assert.equal(step.emails.length, 0);
  assert.deepEqual(step.notSent, [
    {
      reason: 'no user: audit_log is not the people table (members), has no foreign key to it, no member_id column and no email_address column',
      count: 1,
      examples: ['1'],
    },
  ]);
});

test('a schedule without a condition reads every row of the people table, in key order', async (t) => {
  const config = makeConfig({
    users: USERS,
    loops: [
      {
        id: 'weekly',
        type: 'retention',
        opinion: 'Everyone, weekly',
        steps: [
          {
            trigger: { type: 'schedule', cron: '0 9 * * 1' },
            action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.full_name}}' } },
          },
        ],
      },
    ],
  });
  t.after(() => config.cleanup());
  const step = (await runPlan({ config, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
  assert.deepEqual(
    step.emails.map((e) => [e.key, e.to, e.props.name]),
    [
      ['10', 'ada@example.com', 'Ada Lovelace'],
      ['20', 'grace@example.com', 'Grace Hopper'],
    ],
  );
});

test('without `users`, a trigger on members has no person and says so; `users` is the default people table', async (t) => {
  const config = makeConfig({
    loops: [
      {
        id: 'members',
        type: 'activation',
        opinion: 'Welcome',
        steps: [{ trigger: { type: 'database', table: 'comments', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }],
      },
    ],
  });
  t.after(() => config.cleanup());
  const step = (await runPlan({ config, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
  assert.deepEqual(
    step.notSent.map((n) => n.reason),
    ['no user: comments is not the people table (users), has no foreign key to it, no user_id column and no email column'],
  );
});

test('a step that needs no person (`to` from the row, no {{user}}) sends without one, as check expects', async (t) => {
  const config = makeConfig({
    users: USERS,
    loops: [
      {
        id: 'audit',
        type: 'activation',
        opinion: 'Tell ops',
        steps: [
          {
            trigger: { type: 'database', table: 'audit_log', event: 'insert' },
            action: { type: 'email', provider: 'resend', template: 'welcome', to: 'ops@example.com', personalization: { name: '{{row.action}}' } },
          },
        ],
      },
    ],
  });
  t.after(() => config.cleanup());
  const step = (await runPlan({ config, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
  assert.deepEqual(
    step.emails.map((e) => [e.to, e.props.name]),
    [['ops@example.com', 'login']],
  );
});

test('a people table the database lacks fails the step with the fix, not a SQL error', async (t) => {
  const config = makeConfig({
    users: { table: 'member', email: 'email_address' },
    loops: [
      {
        id: 'comments',
        type: 'activation',
        opinion: 'Reply',
        steps: [{ trigger: { type: 'database', table: 'comments', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }],
      },
    ],
  });
  t.after(() => config.cleanup());
  const step = (await runPlan({ config, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
  assert.deepEqual(
    step.errors.map((e) => [e.kind, e.message]),
    [['config', 'table member does not exist in the database (member is the people table: name yours with users: { table, key } in defineConfig)']],
  );
});
