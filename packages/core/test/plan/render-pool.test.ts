/**
 * React renders on worker threads, and big steps on several: the plan must be the same, email
 * for email, whatever the number of threads (a failing step too), and the same as the template
 * rendered in this thread; the pool's failures (a throwing component, a thread that exits, a
 * render that never settles, a module that does not load) are errors naming the template.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/engine.js';
import { prepareRenderer } from '../../src/email/render.js';
import { emailsRenderedInWorkers, renderThreadsAlive, startRenderPool } from '../../src/email/render-pool.js';
import { EmailTemplateError } from '../../src/email/errors.js';
import { FROM, makeConfig } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const USERS = 2000;
const THROWS_AT = 1500; // past the first 1,024-render window

// SKENE_TEST_SLOW: about 1.5 ms per render, so that the pool (well under a second to start) is
// up long before this thread could render every email. SKENE_TEST_THROW: one user breaks it.
const COMPONENT = `import { use } from 'react';
import { Html, Body, Heading, Text } from '@react-email/components';
export const subject = ({ name }) => 'Hello ' + name;
export default function Digest({ name, seen }) {
  if (process.env.SKENE_TEST_SLOW === '1') { const end = performance.now() + 1.5; while (performance.now() < end); }
  if (name === 'User ${THROWS_AT}' && process.env.SKENE_TEST_THROW === '1') throw new Error('cannot greet ' + name);
  if (name === 'exit') process.exit(3);
  if (name === 'never') use(new Promise(() => {}));
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

/** An embedded database with `count` users; `name` and `seen` are SQL over `i`, the user's id. */
async function usersDatabase(t: TestContext, count: number, name: string, seen: string): Promise<SqlSource> {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([
    {
      path: 'seed.sql',
      text: `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, seen_at timestamptz);
INSERT INTO users SELECT i, 'user' || i || '@example.com', ${name}, ${seen} FROM generate_series(1, ${count}) i;`,
    },
  ]);
  return source;
}

function withEnv(t: { after(fn: () => void): void }, name: string, value: string) {
  process.env[name] = value; // render threads copy the environment when they start
  t.after(() => delete process.env[name]);
}

test('a big React step renders on several threads and plans exactly what one render thread plans', async (t) => {
  const source = await usersDatabase(t, USERS, `'User ' || i`, `timestamptz '2026-02-01Z' + i * interval '1 hour'`);
  withEnv(t, 'SKENE_TEST_SLOW', '1');
  const c = config();
  t.after(() => c.cleanup());

  const before = emailsRenderedInWorkers();
  const pooled = await runPlan({ config: c, source, at: AT, env: FROM, renderThreads: 2, renderPoolAfter: 100 });
  assert.equal(emailsRenderedInWorkers() - before, USERS, 'every email renders in a render thread');
  const alone = await runPlan({ config: c, source, at: AT, env: FROM, renderThreads: 1, renderPoolAfter: 100 });
  assert.equal(emailsRenderedInWorkers() - before, 2 * USERS, 'one render thread: none in the plan’s thread either');

  assert.equal(pooled.totals.emails, USERS);
  assert.deepEqual(pooled, alone);
  const last = pooled.loops[0]!.steps[0]!.emails.at(-1)!;
  assert.equal(last.subject, `Hello User ${USERS}`);
  assert.match(last.html!, new RegExp(`Hi <!-- -->User ${USERS}`));
  assert.match(last.text!, new RegExp(`Last seen 2026-\\d\\d-\\d\\dT\\d\\d:00:00.000Z; ${`User ${USERS}`.length} letters`));

  await t.test('a step that fails in a worker reports what it does in one thread, to the email', async (t) => {
    withEnv(t, 'SKENE_TEST_THROW', '1');
    const c2 = config(); // a new file: compiled afresh
    t.after(() => c2.cleanup());
    const pooledFail = await runPlan({ config: c2, source, at: AT, env: FROM, renderThreads: 2, renderPoolAfter: 100 });
    const aloneFail = await runPlan({ config: c2, source, at: AT, env: FROM, renderThreads: 1 });
    const errors = pooledFail.loops[0]!.steps[0]!.errors;
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, new RegExp(`cannot greet User ${THROWS_AT}`));
    assert.deepEqual(pooledFail, aloneFail); // counts and emails kept: the same cut, whatever the threads
  });
});

test('the pool: results and errors as in this thread; a thread that exits or never finishes fails with the template named', async (t) => {
  const c = config();
  t.after(() => c.cleanup());
  const emailsDir = join(c.dir, 'emails');
  const here = await prepareRenderer({ emailsDir, template: 'digest' });

  const compiled = { template: 'digest', file: here.file, bundle: here.bundle! };
  const pool = await startRenderPool({ ...compiled, threads: 2 });
  assert.ok(pool, 'the pool starts');
  t.after(() => pool.close());
  const [ok, odd] = await Promise.all([pool.render({ name: 'Ada', seen: 'today' }), pool.render({ name: 'Zoë <&>', seen: '' }, 'Own subject')]);
  const { file: _f, kind: _k, ...expected } = await here.render({ name: 'Ada', seen: 'today' });
  assert.deepEqual(ok, expected);
  assert.equal(odd.subject, 'Own subject');
  assert.equal(odd.html, (await here.render({ name: 'Zoë <&>', seen: '' }, 'Own subject')).html);

  withEnv(t, 'SKENE_TEST_THROW', '1');
  const throwing = await startRenderPool({ ...compiled, threads: 1 });
  assert.ok(throwing);
  t.after(() => throwing.close());
  const inWorker = await throwing.render({ name: `User ${THROWS_AT}` }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const inThread = await Promise.resolve(here.render({ name: `User ${THROWS_AT}` })).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(inWorker instanceof EmailTemplateError);
  assert.equal((inWorker as Error).message, (inThread as Error).message);
  assert.equal((inWorker as EmailTemplateError).line, (inThread as EmailTemplateError).line);

  const exiting = await startRenderPool({ ...compiled, threads: 1 });
  assert.ok(exiting);
  t.after(() => exiting.close());
  await assert.rejects(
    exiting.render({ name: 'exit' }),
    (e: unknown) => e instanceof EmailTemplateError && /"digest": the render thread stopped \(exit code 3\)/.test(e.message) && e.file.endsWith('digest.tsx'),
  );
  await assert.rejects(exiting.render({ name: 'Ada' }), /the render thread stopped/, 'later emails fail with the same reason');

  const stuck = await startRenderPool({ ...compiled, threads: 1, batchTimeoutMs: 300 });
  assert.ok(stuck);
  t.after(() => stuck.close());
  await assert.rejects(stuck.render({ name: 'never' }), /"digest": an email did not finish rendering within 0\.3 s/);
});

test('a bundle that does not load in the render thread is the template’s error, not a missing pool', async (t) => {
  const c = config();
  t.after(() => c.cleanup());
  const file = join(c.dir, 'emails', 'digest.tsx');
  await assert.rejects(
    startRenderPool({ template: 'digest', file, bundle: { code: 'throw new Error("no")' }, threads: 2 }),
    (e: unknown) =>
      e instanceof EmailTemplateError &&
      e.code === 'load-error' &&
      /email template "digest": loading .*digest\.tsx failed: no/.test(e.message) &&
      e.file === file,
  );
});

test('render threads load the bundle this thread compiled: no compiler of their own', async (t) => {
  const c = config();
  t.after(() => c.cleanup());
  const here = await prepareRenderer({ emailsDir: join(c.dir, 'emails'), template: 'digest' });
  assert.ok(here.bundle && /Hello/.test(here.bundle.code));
  // A bundle edited after compiling: the threads render the bundle they are given, not the file.
  const pool = await startRenderPool({
    template: 'digest',
    file: here.file,
    bundle: { ...here.bundle, code: here.bundle.code.replace('"Hello "', '"Bonjour "') },
    threads: 1,
  });
  assert.ok(pool);
  t.after(() => pool.close());
  assert.equal((await pool.render({ name: 'Ada', seen: 'today' })).subject, 'Bonjour Ada');
});

test('an email that never finishes rendering fails its step after renderTimeoutMs, in one thread or several', async (t) => {
  const source = await usersDatabase(t, 400, `CASE WHEN i = 150 THEN 'never' ELSE 'User ' || i END`, 'NULL');
  const c = config();
  t.after(() => c.cleanup());
  for (const renderThreads of [1, 2]) {
    const started = performance.now();
    const report = await runPlan({ config: c, source, at: AT, env: FROM, renderThreads, renderPoolAfter: 100, renderTimeoutMs: 400 });
    const errors = report.loops[0]!.steps[0]!.errors;
    assert.equal(errors.length, 1, `${renderThreads} thread(s)`);
    assert.match(errors[0]!.message, /email template "digest": an email did not finish rendering within/);
    assert.equal(errors[0]!.kind, 'template');
    assert.ok(performance.now() - started < 10_000, 'no wait beyond the deadline');
  }
});

test('steps sharing templates, one of them broken: the broken one fails its own step only, and no thread outlives the plan', async (t) => {
  const source = await usersDatabase(t, 20, `'User ' || i`, `timestamptz '2026-02-01Z'`);
  const c = config();
  t.after(() => c.cleanup());
  writeFileSync(join(c.dir, 'emails', 'broken.tsx'), `throw new Error('broken at load');\nexport default function Broken() { return null; }`);
  const step = (template: string) => ({ ...c.loops[0]!.steps[0]!, action: { ...c.loops[0]!.steps[0]!.action, template } });
  const config3 = { ...c, loops: [{ ...c.loops[0]!, steps: [step('welcome'), step('digest'), step('broken'), step('digest')] }] };
  const before = renderThreadsAlive();
  const report = await runPlan({ config: config3, source, at: AT, env: FROM });
  const [html, react, broken, again] = report.loops[0]!.steps;
  assert.deepEqual(
    [html, react, again].map((s) => [s!.errors.length, s!.emails.length]),
    [
      [0, 20],
      [0, 20],
      [0, 20],
    ],
  );
  assert.match(react!.emails[0]!.html!, /Hi <!-- -->User 1/);
  assert.deepEqual(
    again!.emails,
    react!.emails.map((e) => ({ ...e, id: e.id.replace('/2/', '/4/') })),
  );
  assert.equal(broken!.errors.length, 1);
  assert.match(broken!.errors[0]!.message, /broken at load/);
  for (let i = 0; i < 100 && renderThreadsAlive() !== before; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(renderThreadsAlive(), before, 'the plan closed every render thread it started');
});
