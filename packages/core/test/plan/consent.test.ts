/**
 * One-click unsubscribe in the plan: the headers and the template's link for loops that carry it
 * (and none for transactional loops), the warning when the settings are missing, and suppressed
 * recipients reported as not sent when the plan is given the runner's state.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource, type SqlSource } from '../../src/sources/index.js';
import { runPlan } from '../../src/plan/engine.js';
import type { RecipientState, SuppressionReason } from '../../src/plan/recipient-state.js';
import { ALL_LOOPS, verifyUnsubscribeToken } from '../../src/plan/unsubscribe-token.js';
import { FROM, makeConfig } from './helpers.js';

const AT = new Date('2026-03-02T09:00:00Z');
const SECRET = 'plan-test-secret-0123456789abcdef';
const CONSENT = {
  ...FROM,
  SKENE_UNSUBSCRIBE_SECRET: SECRET,
  SKENE_PUBLIC_URL: 'https://skene.example.com/',
  SKENE_UNSUBSCRIBE_MAILTO: 'unsubscribe@example.com',
};

const step = (template: string) => ({
  trigger: { type: 'schedule', cron: '0 9 * * *' },
  condition: { type: 'query', query: 'SELECT * FROM users' },
  action: { type: 'email', provider: 'resend', template, subject: 'Hi {{user.name}}', personalization: { name: '{{user.name}}' } },
});

function project() {
  const config = makeConfig(
    {
      loops: [
        { id: 'winback', type: 'retention', opinion: 'Bring people back', steps: [step('winback')] },
        { id: 'receipt', type: 'activation', opinion: 'Transactional', steps: [step('welcome')] },
        { id: 'news', type: 'activation', unsubscribe: true, opinion: 'Opted in', steps: [step('news')] },
      ],
    },
    { winback: '<html><body><p>Hi {{name}}</p><a href="{{unsubscribeUrl}}">Unsubscribe</a></body></html>' },
  );
  writeFileSync(
    join(config.dir, 'emails', 'news.tsx'),
    `export default function News({ name, unsubscribeUrl }) { return <html><body><p>News for {name}</p><a href={unsubscribeUrl}>Leave</a></body></html>; }`,
  );
  return config;
}

async function users(t: TestContext): Promise<SqlSource> {
  const source = (await openSource({})) as SqlSource;
  t.after(() => source.close());
  await source.seed([
    {
      path: 'seed.sql',
      text: `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO users VALUES (1, 'Ada@Example.com', 'Ada'), (2, 'bob@example.com', 'Bob'), (3, 'cy@example.com', 'Cy');`,
    },
  ]);
  return source;
}

test('emails of loops that carry unsubscribe have both headers and the link; transactional ones have neither', async (t) => {
  const config = project();
  t.after(() => config.cleanup());
  const report = await runPlan({ config, source: await users(t), at: AT, env: CONSENT });
  assert.deepEqual(report.warnings, []);
  const [winback, receipt, news] = report.loops.map((l) => l.steps[0]!.emails);
  assert.equal(winback!.length, 3);
  for (const email of [...winback!, ...news!]) {
    const header = email.headers?.['List-Unsubscribe'] ?? '';
    const match = /^<https:\/\/skene\.example\.com\/unsubscribe\/([A-Za-z0-9_-]+)>, <mailto:unsubscribe@example\.com\?subject=unsubscribe>$/.exec(header);
    assert.ok(match, header);
    assert.equal(email.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const loop = email.id.split('/')[0]!;
    assert.deepEqual(verifyUnsubscribeToken(SECRET, match[1]!), { address: email.to.toLowerCase(), scope: loop });
    assert.ok(email.html!.includes(`href="https://skene.example.com/unsubscribe/${match[1]}"`), 'the template shows the same link');
    assert.equal(email.props.unsubscribeUrl, undefined, "the report's props stay the personalization");
    assert.deepEqual(email.problems, []);
  }
  for (const email of receipt!) assert.equal(email.headers, undefined, `${email.id} is transactional`);
  const again = await runPlan({ config, source: await users(t), at: AT, env: CONSENT });
  assert.deepEqual(
    again.loops.map((l) => l.steps[0]!.emails.map((e) => [e.headers, e.html])),
    report.loops.map((l) => l.steps[0]!.emails.map((e) => [e.headers, e.html])),
    'the same bytes every time: the run sends what the plan shows',
  );
});

test('a loop that must carry unsubscribe without a secret or a URL: the plan warns, naming what to set', async (t) => {
  const config = project();
  t.after(() => config.cleanup());
  const source = await users(t);
  const noSecret = await runPlan({ config, source, at: AT, env: { ...CONSENT, SKENE_UNSUBSCRIBE_SECRET: '' } });
  assert.equal(noSecret.warnings.length, 1);
  assert.match(noSecret.warnings[0]!, /loops winback \(retention\), news \(unsubscribe: true\) must carry a one-click unsubscribe link/);
  assert.match(noSecret.warnings[0]!, /SKENE_UNSUBSCRIBE_SECRET/);
  assert.match(noSecret.warnings[0]!, /skene run` refuses to send them/);
  assert.equal(noSecret.loops[0]!.steps[0]!.emails[0]!.headers, undefined);
  assert.ok(
    noSecret.loops[0]!.steps[0]!.emails[0]!.problems.some((p) => p.includes('{{unsubscribeUrl}}')),
    'the empty link is a missing value',
  );
  const noUrl = await runPlan({ config, source, at: AT, env: { ...CONSENT, SKENE_PUBLIC_URL: '' } });
  assert.match(noUrl.warnings[0]!, /email\.unsubscribe\.url in the config or SKENE_PUBLIC_URL/);
  const http = await runPlan({ config, source, at: AT, env: { ...CONSENT, SKENE_PUBLIC_URL: 'http://skene.example.com' } });
  assert.match(http.warnings[0]!, /must be https/);
  const short = await runPlan({ config, source, at: AT, env: { ...CONSENT, SKENE_UNSUBSCRIBE_SECRET: 'short' } });
  assert.match(short.warnings[0]!, /shorter than 16 characters/);
});

/** A recipient state as the stores answer it, recording what it was asked. */
function stateOf(entries: [string, string, SuppressionReason][]): RecipientState & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async suppressed({ addresses, loop }) {
      asked.push(`${loop}:${addresses.join(',')}`);
      const found = new Map<string, SuppressionReason>();
      for (const [address, scope, reason] of entries) if (addresses.includes(address) && (scope === ALL_LOOPS || scope === loop)) found.set(address, reason);
      return found;
    },
    sentSince: async () => new Map(),
  };
}

test('with the runner state, suppressed recipients are not sent, each with its reason', async (t) => {
  const config = project();
  t.after(() => config.cleanup());
  const state = stateOf([
    ['ada@example.com', 'winback', 'unsubscribed'],
    ['bob@example.com', ALL_LOOPS, 'bounced'],
  ]);
  const report = await runPlan({ config, source: await users(t), at: AT, env: CONSENT, recipientState: state });
  const [winback, receipt] = report.loops.map((l) => l.steps[0]!);
  assert.deepEqual(
    winback!.emails.map((e) => e.to),
    ['cy@example.com'],
  );
  assert.deepEqual(winback!.notSent, [
    { reason: 'not sent: unsubscribed', count: 1, examples: ['1'] },
    { reason: 'not sent: bounced', count: 1, examples: ['2'] },
  ]);
  assert.equal(winback!.counts.emails, 1);
  assert.equal(winback!.counts.skipped, 2);
  assert.deepEqual(
    receipt!.emails.map((e) => e.to),
    ['Ada@Example.com', 'cy@example.com'],
    'ada left winback only; a bounce stops every loop',
  );
  assert.ok(state.asked.includes('winback:ada@example.com,bob@example.com,cy@example.com'), 'addresses are asked normalised, once per step');
  assert.equal(report.totals.emails, 1 + 2 + 2);
});
