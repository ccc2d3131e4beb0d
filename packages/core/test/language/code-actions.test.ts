/**
 * Quick fixes chosen by diagnostic code, applied to the text: each fixture is analysed, the
 * actions for the named code are applied, and the result compared.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyze, codeActions, prepareAnalysis, QUICK_FIXES, type Dialect, type ProjectContext } from '../../src/index.ts';
import { APP, appProject, applyEdits, CONFIG, loop } from './helpers.ts';

let project: ProjectContext;
before(async () => {
  project = await appProject();
  await prepareAnalysis({ dialect: 'mysql' });
});

function fix(text: string, code: string, title?: string, dialect: Dialect = 'postgres') {
  const { document, diagnostics } = analyze(text, { fileName: CONFIG, project, dialect });
  const diagnostic = diagnostics.find((d) => d.code === code);
  assert.ok(diagnostic, `${code} among ${diagnostics.map((d) => d.code).join(', ')}`);
  const actions = codeActions(document, diagnostics, diagnostic.range).filter((a) => a.diagnostic.code === code);
  const action = title ? actions.find((a) => a.title === title) : actions.find((a) => a.isPreferred);
  assert.ok(action, `${title ?? 'preferred'} among ${actions.map((a) => a.title).join(', ')}`);
  return { action, text: applyEdits(text, action.edits) };
}

/** [code, title (preferred when absent), fixture, expected text after the fix] */
const CASES: [string, string | undefined, string, string][] = [
  [
    'SKN001',
    "Rename to 'personalization'",
    loop("action: { type: 'email', provider: 'resend', template: 're_engagement', personalisation: { name: '{{user.name}}' } }"),
    loop("action: { type: 'email', provider: 'resend', template: 're_engagement', personalization: { name: '{{user.name}}' } }"),
  ],
  [
    'SKN004',
    undefined,
    "export default defineLoop({ type: 'activation', opinion: 'x', steps: [], recovery: { retries: 1, backoff: 'exponentail' } })",
    "export default defineLoop({ type: 'activation', opinion: 'x', steps: [], recovery: { retries: 1, backoff: 'exponential' } })",
  ],
  [
    'SKN004',
    "Change to 'fixed'",
    "export default defineLoop({ type: 'activation', opinion: 'x', steps: [], recovery: { retries: 1, backoff: \"exponentail\" } })",
    "export default defineLoop({ type: 'activation', opinion: 'x', steps: [], recovery: { retries: 1, backoff: \"fixed\" } })",
  ],
  [
    'SKN004',
    undefined,
    loop("trigger: { type: 'databse', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
  ],
  [
    'SKN030',
    "Change to 're_engagement'",
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagment' }"),
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
  ],
  [
    'SKN040',
    undefined,
    loop("trigger: { type: 'database', table: 'usres', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
  ],
  [
    'SKN041',
    undefined,
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement', subject: 'Hi {{user.nmae}}' }",
    ),
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement', subject: 'Hi {{user.name}}' }",
    ),
  ],
  [
    'SKN012',
    undefined,
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, condition: { type: 'query', query: 'SELECT 1', timeout: '5 minutes' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }",
    ),
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, condition: { type: 'query', query: 'SELECT 1', timeout: '5m' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }",
    ),
  ],
  [
    'SKN011',
    undefined,
    loop(
      "trigger: { type: 'schedule', cron: '0 9 * * *', timezone: 'Europe/Helsnki' }, condition: { type: 'query', query: 'SELECT * FROM users' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }",
    ),
    loop(
      "trigger: { type: 'schedule', cron: '0 9 * * *', timezone: 'Europe/Helsinki' }, condition: { type: 'query', query: 'SELECT * FROM users' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }",
    ),
  ],
  [
    'SKN032',
    undefined,
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement', to: '{{usr.email}}' }",
    ),
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement', to: '{{user.email}}' }",
    ),
  ],
  // Not on the diagnostic: computed from the schema at the object's path.
  [
    'SKN002',
    "Add missing field 'event'",
    loop("trigger: { type: 'database', table: 'users' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 're_engagement' }"),
  ],
  [
    'SKN002',
    "Add missing fields 'provider', 'template'",
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email' }"),
    loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: '' }"),
  ],
  [
    'SKN002',
    "Add missing fields 'type', 'opinion', 'steps'",
    'export default defineLoop({\n  id: "welcome",\n});\n',
    "export default defineLoop({\n  id: \"welcome\",\n  type: 'activation',\n  opinion: '',\n  steps: [{ trigger: { type: 'database', table: '', event: 'insert' }, action: { type: 'email', provider: 'resend', template: '' } }],\n});\n",
  ],
];

for (const [code, title, fixture, expected] of CASES) {
  test(`${code} ${title ?? '(preferred)'}`, () => {
    assert.equal(fix(fixture, code, title).text, expected);
  });
}

test('SKN023: the PostgreSQL → MySQL INTERVAL rewrite on the TiDB seed', () => {
  const seed = readFileSync(join(APP, '../../../../../../test/fixtures/seeds/tidb/skene.config.ts'), 'utf8');
  const { text } = fix(seed, 'SKN023', undefined, 'mysql');
  assert.equal(text, seed.replace("INTERVAL '7 days'", 'INTERVAL 7 DAY'));
});

test('SKN030: create the missing template, with the personalization keys as props', () => {
  const fixture = loop(
    "trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'trial_ending', personalization: { name: '{{user.name}}', plan: '{{user.plan}}' } }",
  );
  const { action, text } = fix(fixture, 'SKN030', 'Create emails/trial_ending.tsx');
  assert.equal(text, fixture, 'creating the file leaves the config as it is');
  assert.equal(action.createFile?.path, join(APP, 'emails/trial_ending.tsx'));
  assert.match(action.createFile!.content, /export default function TrialEnding\(\{ name, plan \}: \{ name\?: string; plan\?: string \}\)/);
});

test('actions are deduplicated when diagnostics propose the same change', () => {
  const text = loop("trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email' }");
  const { document, diagnostics } = analyze(text, { fileName: CONFIG, project });
  assert.equal(diagnostics.filter((d) => d.code === 'SKN002').length, 2);
  assert.deepEqual(
    codeActions(document, diagnostics, { start: 0, end: text.length }).map((a) => a.title),
    ["Add missing fields 'provider', 'template'"],
  );
});

test('only diagnostics touching the range are fixed', () => {
  const text = "export default defineLoop({ type: 'activaton', opinion: 'x', steps: [], recovery: { retries: 1, backoff: 'exponentail' } })";
  const { document, diagnostics } = analyze(text, { fileName: CONFIG, project });
  const at = text.indexOf('exponentail');
  const titles = codeActions(document, diagnostics, { start: at, end: at }).map((a) => a.title);
  assert.deepEqual(titles, ["Change to 'exponential'", "Change to 'linear'", "Change to 'fixed'"]);
});

test('every quick fix is registered by code', () => {
  assert.deepEqual(Object.keys(QUICK_FIXES).sort(), ['SKN001', 'SKN002', 'SKN004', 'SKN011', 'SKN012', 'SKN023', 'SKN030', 'SKN032', 'SKN040', 'SKN041']);
});
