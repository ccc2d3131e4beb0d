/**
 * A React template is user code: one that loops, never settles, or ends its thread fails its
 * step by the deadline with the template named — never a hung plan, never a deadline counted
 * twice — and the plan goes on with the other steps.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/engine.js';
import { FROM, makeConfig } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
/** Long enough for a render thread to start on a loaded machine; short enough for a test. */
const DEADLINE_MS = 4000;
/** The test fails rather than hangs when a plan does not come back. */
const NO_HANG = { timeout: 60_000 };

function step(template: string) {
  return {
    trigger: { type: 'schedule', cron: '0 9 * * *' },
    condition: { type: 'query', query: 'SELECT * FROM users' },
    action: { type: 'email', provider: 'resend', template, personalization: { name: '{{user.name}}' } },
  };
}

/** Two steps: the first uses `template`, the second a well-behaved one. */
function project(t: TestContext, component: string) {
  const c = makeConfig({ loops: [{ id: 'digest', type: 'retention', opinion: 'A daily digest', steps: [step('bad'), step('good')] }] });
  t.after(() => c.cleanup());
  writeFileSync(join(c.dir, 'emails', 'bad.tsx'), component);
  writeFileSync(join(c.dir, 'emails', 'good.tsx'), `export const subject = 'Hi';\nexport default function Good({ name }) { return <p>Hello {name}</p>; }\n`);
  return c;
}

async function users(t: TestContext): Promise<SqlSource> {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([
    {
      path: 'seed.sql',
      text: `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);\nINSERT INTO users SELECT i, 'user' || i || '@example.com', CASE WHEN i = 3 THEN 'stuck' ELSE 'User ' || i END FROM generate_series(1, 5) i;`,
    },
  ]);
  return source;
}

async function plan(t: TestContext, component: string, renderTimeoutMs = DEADLINE_MS) {
  const source = await users(t);
  const started = performance.now();
  const report = await runPlan({ config: project(t, component), source, at: AT, env: FROM, renderTimeoutMs });
  const [bad, good] = report.loops[0]!.steps;
  return { bad: bad!, good: good!, seconds: (performance.now() - started) / 1000 };
}

test('a component that loops forever fails its step at the deadline; the next step still renders', NO_HANG, async (t) => {
  const { bad, good } = await plan(
    t,
    `export const subject = 'x';\nexport default function Bad({ name }) { if (name === 'stuck') { while (true) {} } return <p>{name}</p>; }\n`,
  );
  assert.equal(bad.errors.length, 1);
  assert.equal(bad.errors[0]!.kind, 'template');
  assert.match(
    bad.errors[0]!.message,
    /email template "bad": an email did not finish rendering within 4 s: does a component wait on something that never settles, or loop\?/,
  );
  assert.equal(good.errors.length, 0);
  assert.equal(good.emails.length, 5);
  assert.match(good.emails[0]!.html!, /Hello <!-- -->User 1/);
});

test('a template module that loops when it loads fails its step at the deadline', NO_HANG, async (t) => {
  const { bad, good } = await plan(t, `while (true) {}\nexport default function Bad() { return <p>never</p>; }\n`);
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0]!.message, /email template "bad": its module did not finish loading within 4 s: does it loop/);
  assert.equal(bad.emails.length, 0);
  assert.equal(good.emails.length, 5);
});

test('a template module that exits its thread is the template’s error, not a green plan', NO_HANG, async (t) => {
  const { bad, good } = await plan(t, `process.exit(0);\nexport default function Bad() { return <p>never</p>; }\n`);
  assert.equal(bad.errors.length, 1);
  assert.match(
    bad.errors[0]!.message,
    /email template "bad": the render thread stopped \(exit code 0\) while loading the template: does it call process\.exit\?/,
  );
  assert.equal(good.emails.length, 5);
});

test('a component that never settles fails once, at the deadline it names, not twice that', NO_HANG, async (t) => {
  // A longer deadline here: starting threads and compiling take a few seconds of their own.
  const deadlineMs = 10_000;
  const { bad, seconds } = await plan(
    t,
    `import { use } from 'react';\nexport const subject = 'x';\nexport default function Bad({ name }) { if (name === 'stuck') use(new Promise(() => {})); return <p>{name}</p>; }\n`,
    deadlineMs,
  );
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0]!.message, /did not finish rendering within 10 s/);
  // Before, the step waited the deadline again for the render it had given up on.
  assert.ok(seconds < (2 * deadlineMs) / 1000, `the plan took ${seconds.toFixed(1)} s`);
});

test('an error a component throws later (a timer, an unhandled rejection) fails its step, naming the template', NO_HANG, async (t) => {
  for (const late of ["setTimeout(() => { throw new Error('late boom'); }, 0)", "Promise.reject(new Error('late boom'))"]) {
    const { bad, good } = await plan(
      t,
      `export const subject = 'x';\nexport default function Bad({ name }) { if (name === 'stuck') { ${late}; } return <p>{name}</p>; }\n`,
    );
    assert.equal(bad.errors.length, 1, late);
    assert.match(bad.errors[0]!.message, /email template "bad": .*late boom/, late);
    assert.equal(good.emails.length, 5, late);
  }
});
