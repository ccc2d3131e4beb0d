/**
 * A loop's goal in the plan, on each SQL source: every step counts the planned recipients who had
 * already reached the goal at the plan's clock, and from the second step on they are not sent
 * ("goal reached"). The goal is read in one statement per batch of keys, as a condition is. The
 * text and Markdown reports show the count only for a loop with a goal (golden/goal.*).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { Redis } from 'ioredis';
import { openSource, type RedisSource, type SqlSession, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/index.js';
import { timeOf } from '../../src/plan/goal.js';
import { maskRecipients, renderMarkdown, renderText } from '../../src/report/index.js';
import { FROM as PLAN_FROM, makeConfig, tempMysqlDatabase, tempPostgresDatabase } from './helpers.js';

/** The loop is a referral loop: its emails carry one-click unsubscribe, which needs these. */
const FROM = { ...PLAN_FROM, SKENE_UNSUBSCRIBE_SECRET: 'goal-test-secret-0123456789abcdef', SKENE_PUBLIC_URL: 'https://skene.example.com' };

const AT = new Date('2026-03-02T09:00:00Z');
const update = process.env.SKENE_UPDATE_GOLDEN === '1';

function seedSql(dialect: 'postgres' | 'mysql'): string {
  const text = dialect === 'postgres' ? 'text' : 'varchar(200)';
  const ts = dialect === 'postgres' ? 'timestamptz' : 'datetime';
  const users = Array.from({ length: 5 }, (_, i) => `(${i + 1}, 'user${i + 1}@example.com', 'User ${i + 1}')`);
  // User 2 invited a teammate before the plan's clock, user 4 only after it (not reached at the clock).
  return `CREATE TABLE users (id integer PRIMARY KEY, email ${text} NOT NULL, name ${text} NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type ${text} NOT NULL, created_at ${ts} NOT NULL);
INSERT INTO users VALUES ${users.join(', ')};
INSERT INTO user_actions VALUES (1, 2, 'invited_teammate', '2026-03-01 10:00:00'), (2, 4, 'invited_teammate', '2026-03-05 10:00:00'), (3, 3, 'logged_in', '2026-03-01 10:00:00');`;
}

export const GOAL_QUERY = `SELECT created_at FROM user_actions WHERE user_id = $1 AND action_type = 'invited_teammate' AND created_at <= now() ORDER BY created_at LIMIT 1`;

export function goalLoop(goal = true) {
  return {
    id: 'invite',
    type: 'referral',
    opinion: 'Users who invite a teammate stay',
    ...(goal ? { goal: { type: 'query', query: GOAL_QUERY, within: '7d' } } : {}),
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
      {
        trigger: { type: 'schedule', cron: '0 9 * * *' },
        condition: { type: 'query', query: 'SELECT * FROM users' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
}

/** Counts the statements the plan sends that read the goal. */
function counting(source: SqlSource) {
  const goals: string[] = [];
  const wrapped: SqlSource = {
    ...source,
    readOnly: (fn) =>
      source.readOnly((session) =>
        fn({
          query: (sql, params, options) => (sql.includes('invited_teammate') && goals.push(sql), session.query(sql, params, options)),
          ...(session.queryArrays ? { queryArrays: session.queryArrays.bind(session) } : {}),
        } as SqlSession),
      ),
  };
  return { source: wrapped, goals };
}

async function goalPlan(t: TestContext, source: SqlSource) {
  await source.seed([{ path: 'seed.sql', text: seedSql(source.dialect) }]);
  const config = makeConfig({ loops: [goalLoop()] });
  t.after(() => config.cleanup());
  const { source: counted, goals } = counting(source);
  const report = await runPlan({ config, source: counted, at: AT, env: FROM, batchSize: 2 });
  const [first, second] = report.loops[0]!.steps;
  assert.deepEqual([first!.errors, second!.errors], [[], []]);
  // Step 1 is sent to everyone; user 2 had reached the goal already, user 4 not yet at the clock.
  assert.deepEqual(
    first!.emails.map((e) => [e.key, e.userKey]),
    [1, 2, 3, 4, 5].map((k) => [String(k), String(k)]),
  );
  assert.equal(first!.goalReached, 1);
  // Step 2 leaves user 2 out.
  assert.deepEqual(
    second!.emails.map((e) => e.key),
    ['1', '3', '4', '5'],
  );
  assert.equal(second!.goalReached, 1);
  assert.deepEqual(second!.notSent, [{ reason: 'goal reached', count: 1, examples: ['2'] }]);
  assert.equal(second!.counts.emails, 4);
  assert.equal(second!.counts.skipped, 1);
  assert.equal(report.totals.emails, 9);
  // One goal statement per batch of keys (2 here): three for each step's five recipients.
  assert.equal(goals.length, 6, goals.join('\n---\n'));

  // Later in the week user 4 has invited too: the plan at that clock leaves both out of step 2.
  const later = await runPlan({ config, source, at: new Date('2026-03-06T09:00:00Z'), env: FROM });
  assert.deepEqual(
    later.loops[0]!.steps[1]!.emails.map((e) => e.key),
    ['1', '3', '5'],
  );

  // Without a goal, nothing of it in the report.
  const plain = makeConfig({ loops: [goalLoop(false)] });
  t.after(() => plain.cleanup());
  const none = await runPlan({ config: plain, source, at: AT, env: FROM });
  assert.equal(none.loops[0]!.steps[1]!.goalReached, undefined);
  assert.equal(none.loops[0]!.steps[0]!.emails[0]!.userKey, undefined);
  assert.doesNotMatch(renderText(none), /reached/);
  return report;
}

function golden(name: string, text: string) {
  const file = new URL(`./golden/${name}`, import.meta.url).pathname;
  if (update || !existsSync(file)) {
    if (!update) assert.fail(`no golden ${file}: run with SKENE_UPDATE_GOLDEN=1 and review it`);
    writeFileSync(file, text);
  }
  assert.equal(text, readFileSync(file, 'utf8'));
}

test('PGlite: goal-reached recipients are counted, and not sent later steps; the reports show it', async (t) => {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  const report = await goalPlan(t, source);
  const stable = { ...maskRecipients(report), config: 'skene.config.ts', source: { ...report.source, label: '<pglite>' } };
  golden('goal.txt', renderText(stable));
  golden('goal.md', renderMarkdown(stable));
});

test('PostgreSQL: the goal is read in batches at the plan clock', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const source = (await openSource({ url: await tempPostgresDatabase(t, server, 'skene_goal') })) as SqlSource;
  t.after(() => source.close());
  await goalPlan(t, source);
});

test('MariaDB: the goal is read in batches at the plan clock', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const source = (await openSource({ url: await tempMysqlDatabase(t, server, 'skene_goal') })) as SqlSource;
  t.after(() => source.close());
  await goalPlan(t, source);
});

test("a goal's first column is its time when it is a timestamp, as the sources hand them over", () => {
  const iso = '2026-03-02T09:00:00.123Z';
  assert.equal(timeOf(new Date(iso))?.toISOString(), iso);
  assert.equal(timeOf('2026-03-02 09:00:00.123+00')?.toISOString(), iso);
  assert.equal(timeOf('2026-03-02 10:00:00.123+01:00')?.toISOString(), iso);
  assert.equal(timeOf('2026-03-02 09:00:00.123')?.toISOString(), iso, 'no zone: UTC');
  assert.equal(timeOf('2026-03-02T04:00:00.123-0500')?.toISOString(), iso);
  for (const other of [1, '1', 'yes', '2026-03-02', null, new Date('nope')]) assert.equal(timeOf(other), null);
});

test('Redis: a goal command, filled from the people hash, stops later steps when its reply is truthy', async (t) => {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return;
  const prefix = `skene-test-goal-${process.pid}:`;
  t.after(async () => {
    const raw = new Redis(url);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
  });
  const source = (await openSource({ url, keyPrefix: prefix })) as RedisSource;
  t.after(() => source.close());
  const users = [1, 2, 3].map((n) => `HSET users:${n} email user${n}@example.com name "User ${n}" handle u${n}`);
  // The goal names its set by a field of the person (`handle`), so it is filled from the people hash.
  await source.seed([{ path: 'seed.redis', text: `${users.join('\n')}\nSADD invited:u3 teammate\nSADD invited:u1 nobody\n` }]);
  const loop = goalLoop();
  const config = makeConfig({
    loops: [
      {
        ...loop,
        goal: { type: 'redis', command: ['SISMEMBER', 'invited:{{user.handle}}', 'teammate'], within: '7d' },
        steps: [loop.steps[0], { ...loop.steps[1], condition: undefined }],
      },
    ],
  });
  t.after(() => config.cleanup());
  const report = await runPlan({ config, source, at: AT, env: FROM });
  const [first, second] = report.loops[0]!.steps;
  assert.deepEqual([first!.errors, second!.errors], [[], []]);
  assert.deepEqual(
    first!.emails.map((e) => [e.key, e.userKey]),
    [
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
    ],
  );
  assert.equal(first!.goalReached, 1);
  assert.deepEqual(
    second!.emails.map((e) => e.key),
    ['1', '2'],
  );
  assert.deepEqual(second!.notSent, [{ reason: 'goal reached', count: 1, examples: ['3'] }]);
});
