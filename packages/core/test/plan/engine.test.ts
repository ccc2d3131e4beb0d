/**
 * The plan's semantics on each SQL source: per-row conditions in batches (counted statements,
 * not timings), waiting rows counted, `--since`, schedule occurrences each seeing its own clock,
 * missing values reported, and the clock flag.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { openSource, type SqlSource, type SqlSession } from '../../src/sources/index.js';
import { runPlan, WAITING } from '../../src/plan/index.js';
import { FROM, makeConfig, tempMysqlDatabase, tempPostgresDatabase } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const USERS = 2500;

function seedSql(dialect: 'postgres' | 'mysql'): string {
  const text = dialect === 'postgres' ? 'text' : 'varchar(200)';
  const ts = dialect === 'postgres' ? 'timestamptz' : 'datetime';
  const rows: string[] = [];
  const actions: string[] = [];
  for (let id = 1; id <= USERS; id++) {
    // Signed up one hour apart, ending at 2026-03-02 08:00; every third user created a project.
    const created = new Date(Date.UTC(2026, 2, 2, 8) - (USERS - id) * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
    rows.push(`(${id}, 'user${id}@example.com', 'User ${id}', ${id === 7 ? 'NULL' : `'https://app.example/a/${id}'`}, '${created}')`);
    if (id % 3 === 0) actions.push(`(${id}, ${id}, 'first_project_created')`);
  }
  return `CREATE TABLE users (id integer PRIMARY KEY, email ${text} NOT NULL, name ${text} NOT NULL, link ${text}, created_at ${ts} NOT NULL);
CREATE TABLE user_actions (id integer PRIMARY KEY, user_id integer NOT NULL, action_type ${text} NOT NULL);
CREATE TABLE projects (id integer PRIMARY KEY, user_id integer NOT NULL, title ${text} NOT NULL);
INSERT INTO users VALUES ${rows.join(',\n')};
INSERT INTO user_actions VALUES ${actions.join(',\n')};
INSERT INTO projects VALUES (1, 3, 'Rocket'), (2, 6, 'Garden'), (3, 99999, 'Orphan');`;
}

/** Counts the statements the engine sends, by what they are. */
function counting(source: SqlSource) {
  const statements: string[] = [];
  const wrapped: SqlSource = {
    ...source,
    readOnly: (fn) =>
      source.readOnly((session) =>
        fn({
          query: (sql, params, options) => (statements.push(sql), session.query(sql, params, options)),
          ...(session.queryArrays ? { queryArrays: (sql, params, options) => (statements.push(sql), session.queryArrays!(sql, params, options)) } : {}),
        } as SqlSession),
      ),
  };
  return { source: wrapped, statements };
}

const activation = (query: string) => ({
  id: 'welcome',
  type: 'activation',
  opinion: 'Welcome users who created a project',
  steps: [
    {
      trigger: { type: 'database', table: 'users', event: 'insert' },
      condition: { type: 'query', query, timeout: '5m' },
      action: {
        type: 'email',
        provider: 'resend',
        template: 'welcome',
        personalization: { name: '{{user.name}}', link: '{{user.link}}', action: '{{match.action_type}}' },
      },
    },
  ],
});

async function semantics(t: TestContext, source: SqlSource) {
  const dialect = source.dialect;
  await source.seed([{ path: 'seed.sql', text: seedSql(dialect) }]);

  await t.test(`${source.kind}: a per-row condition runs in batches, not once per row`, async () => {
    const config = makeConfig(activation(`SELECT * FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'`));
    t.after(() => config.cleanup());
    const { source: counted, statements } = counting(source);
    const report = await runPlan({ config, source: counted, at: AT, env: FROM });
    const step = report.loops[0]!.steps[0]!;
    assert.deepEqual(step.errors, []);
    assert.equal(step.counts.events, USERS);
    assert.equal(step.counts.emails, Math.floor(USERS / 3));
    assert.equal(step.counts.waiting, USERS - Math.floor(USERS / 3));
    assert.deepEqual(step.notSent[0], { reason: WAITING, count: USERS - Math.floor(USERS / 3), examples: ['1', '2', '4', '5', '7'] });
    assert.equal(statements.filter((s) => s.includes('__skene_c')).length, Math.ceil(USERS / 1000), 'one condition statement per batch of 1000');
    assert.ok(statements.length < 15, `${statements.length} statements in all`);
    assert.deepEqual(
      step.emails.slice(0, 2).map((e) => [e.id, e.to, e.subject, e.props]),
      [
        ['welcome/1/3', 'user3@example.com', 'Welcome, User 3', { name: 'User 3', link: 'https://app.example/a/3', action: 'first_project_created' }],
        ['welcome/1/6', 'user6@example.com', 'Welcome, User 6', { name: 'User 6', link: 'https://app.example/a/6', action: 'first_project_created' }],
      ],
    );
  });

  await t.test(`${source.kind}: --since counts only rows created since; a missing value is reported, never "undefined"`, async () => {
    const config = makeConfig(activation(`SELECT 1 AS ok FROM users WHERE id = $1 AND id % 2 = 1`));
    t.after(() => config.cleanup());
    // Users 2491..2500 were created in the last 10 hours before 08:00.
    const report = await runPlan({ config, source, at: AT, since: new Date('2026-03-01T23:00:00Z'), env: FROM });
    const step = report.loops[0]!.steps[0]!;
    assert.deepEqual(step.errors, []);
    assert.equal(report.clock.since, '2026-03-01T23:00:00.000Z');
    assert.deepEqual(
      step.emails.map((e) => e.key),
      ['2491', '2493', '2495', '2497', '2499'],
    );
    assert.equal(step.counts.waiting, 5);

    const all = await runPlan({ config, source, at: AT, env: FROM });
    const seven = all.loops[0]!.steps[0]!.emails.find((e) => e.key === '7')!;
    assert.equal(seven.props.link, '');
    assert.ok(!seven.html!.includes('undefined'));
    assert.deepEqual(seven.problems, [
      'missing value: {{user.link}} (personalization.link) is empty',
      'missing value: {{match.action_type}} (personalization.action) is empty',
    ]);
  });

  await t.test(`${source.kind}: a trigger on another table finds the user through user_id`, async () => {
    const config = makeConfig({
      id: 'projects',
      type: 'milestone',
      opinion: 'Celebrate projects',
      steps: [
        {
          trigger: { type: 'database', table: 'projects', event: 'insert' },
          action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}} / {{row.title}}' } },
        },
      ],
    });
    t.after(() => config.cleanup());
    const step = (await runPlan({ config, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
    assert.deepEqual(
      step.emails.map((e) => [e.to, e.props.name]),
      [
        ['user3@example.com', 'User 3 / Rocket'],
        ['user6@example.com', 'User 6 / Garden'],
      ],
    );
    assert.deepEqual(step.notSent, [{ reason: 'no user: projects.user_id matches no users row', count: 1, examples: ['3'] }]);
  });

  await t.test(`${source.kind}: each schedule occurrence sees the clock at that occurrence`, async () => {
    const recent = dialect === 'postgres' ? `now() - INTERVAL '3 hours'` : 'NOW() - INTERVAL 3 HOUR';
    const config = makeConfig({
      id: 'recent',
      type: 'retention',
      opinion: 'Users who signed up in the three hours before each run',
      steps: [
        {
          trigger: { type: 'schedule', cron: '0 */6 * * *', timezone: 'Europe/Helsinki' },
          condition: {
            type: 'query',
            query: `SELECT * FROM users WHERE created_at >= ${recent} AND created_at < ${dialect === 'postgres' ? 'CURRENT_TIMESTAMP' : 'CURRENT_TIMESTAMP()'}`,
          },
          action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}} at {{now}}' } },
        },
      ],
    });
    t.after(() => config.cleanup());
    // Helsinki is UTC+2 in March: 00/06/12/18 local = 22/04/10/16 UTC. From 01:00 UTC for 12 h: 04:00 and 10:00 UTC.
    const report = await runPlan({ config, source, at: new Date('2026-03-02T01:00:00Z'), horizon: '12h', env: FROM });
    const step = report.loops[0]!.steps[0]!;
    assert.deepEqual(step.errors, []);
    assert.deepEqual(step.trigger, {
      type: 'schedule',
      cron: '0 */6 * * *',
      timezone: 'Europe/Helsinki',
      occurrences: ['2026-03-02T04:00:00.000Z', '2026-03-02T10:00:00.000Z'],
    });
    // At 04:00 the users created in [01:00, 04:00) (ids 2493..2495); at 10:00 those in [07:00, 10:00) (2499, 2500).
    assert.deepEqual(
      step.emails.map((e) => e.id),
      [
        'recent/1/2493@2026-03-02T04:00:00.000Z',
        'recent/1/2494@2026-03-02T04:00:00.000Z',
        'recent/1/2495@2026-03-02T04:00:00.000Z',
        'recent/1/2499@2026-03-02T10:00:00.000Z',
        'recent/1/2500@2026-03-02T10:00:00.000Z',
      ],
    );
    assert.equal(step.emails[0]!.props.name, 'User 2493 at 2026-03-02T04:00:00.000Z');
  });

  await t.test(`${source.kind}: a trailing semicolon and comment do not break the batched or the scheduled query`, async () => {
    const config = makeConfig(activation(`SELECT * FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'; -- the page's query`));
    t.after(() => config.cleanup());
    const step = (await runPlan({ config, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
    assert.deepEqual(step.errors, []);
    assert.equal(step.counts.emails, Math.floor(USERS / 3));
    const scheduled = makeConfig({
      id: 'semi',
      type: 'retention',
      opinion: 'x',
      steps: [
        {
          trigger: { type: 'schedule', cron: '0 9 * * *' },
          condition: { type: 'query', query: 'SELECT * FROM users WHERE id <= 2; # two\n'.replace('#', '--') },
          action: { type: 'email', provider: 'resend', template: 'welcome' },
        },
      ],
    });
    t.after(() => scheduled.cleanup());
    const s2 = (await runPlan({ config: scheduled, source, at: AT, env: FROM })).loops[0]!.steps[0]!;
    assert.deepEqual([s2.errors, s2.emails.map((e) => e.key)], [[], ['1', '2']]);
  });

  await t.test(`${source.kind}: $1 in a schedule condition is an error with the loop and step`, async () => {
    const config = makeConfig({
      id: 'bad',
      type: 'retention',
      opinion: 'Bad',
      steps: [
        {
          trigger: { type: 'schedule', cron: '0 9 * * *' },
          condition: { type: 'query', query: 'SELECT * FROM users WHERE id = $1' },
          action: { type: 'email', provider: 'resend', template: 'welcome' },
        },
      ],
    });
    t.after(() => config.cleanup());
    const report = await runPlan({ config, source, at: AT, env: FROM });
    assert.equal(report.loops[0]!.steps[0]!.errors[0]!.loop, 'bad');
    assert.match(report.loops[0]!.steps[0]!.errors[0]!.message, /uses \$1, but a schedule trigger has no row/);
  });
}

test('PGlite', async (t) => {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await semantics(t, source);

  await t.test('an unpinned clock is flagged in the report', async () => {
    const config = makeConfig(activation('SELECT 1 WHERE $1::int = 3'));
    t.after(() => config.cleanup());
    const report = await runPlan({ config, source, env: FROM, now: () => new Date('2030-01-01T00:00:00Z') });
    assert.deepEqual(report.clock, { at: '2030-01-01T00:00:00.000Z', pinned: false, horizon: '1d' });
    assert.match(report.warnings[0]!, /^clock not pinned/);
    const pinned = await runPlan({ config, source, env: FROM, at: AT });
    assert.deepEqual(pinned.warnings, []);
    assert.equal(pinned.clock.pinned, true);
  });
});

test('PostgreSQL', async (t) => {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return;
  const source = (await openSource({ url: await tempPostgresDatabase(t, server, 'skene_engine') })) as SqlSource;
  t.after(() => source.close());
  await semantics(t, source);
});

test('MariaDB', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const source = (await openSource({ url: await tempMysqlDatabase(t, server, 'skene_engine') })) as SqlSource;
  t.after(() => source.close());
  await semantics(t, source);
});
