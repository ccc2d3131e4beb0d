/**
 * Every diagnostic code, each with a failing fixture (`|` marks where the diagnostic starts) and a
 * passing one. Asserts code, line and column; the passing fixture must not report that code.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, CODES, loadProjectContext, prepareAnalysis, type AnalyzeOptions, type DiagnosticCode } from '@skene/core';
import { config, marked } from './fixture.js';

const projectConfig = fileURLToPath(new URL('../fixtures/project/skene.config.ts', import.meta.url));
let project: ReturnType<typeof loadProjectContext>;

/** Stands for the fixture project until `before` has loaded it. */
const PROJECT = {};
/** Stands for fixtures/people (members, projects, audit_log) until `before` has loaded it. */
const PEOPLE = {};
const peopleConfig = fileURLToPath(new URL('../fixtures/people/skene.config.ts', import.meta.url));
const peopleSeeds = ['001_schema.sql', '002_tasks_assignee.sql'].map((f) => fileURLToPath(new URL(`../fixtures/people/seed/${f}`, import.meta.url)));
/** A defineConfig naming `members` the people table, with one database step on `table` (`|` allowed). */
const members = (table: string, users = `{ table: 'members', email: 'email_address' }`) => `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  users: ${users},
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: ${table}, event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'note' } }] }],
});
`;

/** A defineConfig with `database` and one database trigger on users with `event` (`|` allowed in both). */
const tidb = (database: string, event: string) => `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  database: ${database},
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: ${event} }, action: { type: 'email', provider: 'resend', template: 'welcome' } }] }],
});
`;

interface Case {
  code: DiagnosticCode;
  name: string;
  fails: string;
  passes: string;
  options?: AnalyzeOptions;
  /** Text the message must contain. */
  says?: RegExp;
  /** Expected text of the first fix after applying it (the fixed fragment). */
  fix?: string;
}

const cases: Case[] = [
  {
    code: 'SKN001',
    name: 'misspelt key with did-you-mean',
    says: /Did you mean 'personalization'/,
    fix: 'personalization',
    fails: config({ action: `{ type: 'email', provider: 'resend', template: 'welcome', |personalisation: { name: '{{user.name}}' } }` }),
    passes: config(),
  },
  {
    code: 'SKN001',
    name: 'unknown key in a nested union member',
    says: /Allowed here/,
    fails: config({ trigger: `{ type: 'database', table: 'users', event: 'insert', |colour: 'red' }` }),
    passes: config(),
  },
  {
    code: 'SKN002',
    name: 'missing event in a database trigger',
    says: /Missing required field 'event'/,
    fails: config({ trigger: `{ type: 'database', table: 'users' }` }).replace('    trigger:', '    |trigger:'),
    passes: config(),
  },
  {
    code: 'SKN002',
    name: 'half-typed key without a value',
    says: /'template' has no value/,
    fails: config({ action: `{ type: 'email', provider: 'resend', |template: , personalization: {} }` }),
    passes: config(),
  },
  {
    code: 'SKN003',
    name: 'number where a string is expected',
    says: /'template' must be a string, not a number/,
    fails: config({ action: `{ type: 'email', provider: 'resend', template: |3 }` }),
    passes: config(),
  },
  {
    code: 'SKN004',
    name: 'misspelt backoff',
    says: /Did you mean 'exponential'/,
    fix: `'exponential'`,
    fails: config().replace(`backoff: 'exponential'`, `backoff: |'exponentail'`),
    passes: config(),
  },
  {
    code: 'SKN004',
    name: 'misspelt trigger type',
    says: /Did you mean 'database'/,
    fails: config({ trigger: `{ type: |'databse', table: 'users', event: 'insert' }` }),
    passes: config(),
  },
  { code: 'SKN004', name: 'unknown loop type', says: /Allowed:/, fails: config().replace(`type: 'activation'`, `type: |'onboarding'`), passes: config() },
  { code: 'SKN005', name: 'retries out of range', says: /at most 10/, fails: config().replace('retries: 3', 'retries: |30'), passes: config() },
  {
    code: 'SKN005',
    name: 'malformed loop id',
    says: /Invalid id/,
    fails: config({ loop: `id: |'Welcome Loop',` }),
    passes: config({ loop: `id: 'welcome-loop',` }),
  },
  {
    code: 'SKN006',
    name: 'unterminated template literal',
    says: /TypeScript syntax error/,
    fails: `import { defineLoop } from '@skene/sdk';\nexport default defineLoop({ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, condition: { type: 'query', query: \`SELECT 1 }, action: {} }] });\n|`,
    passes: config(),
  },
  {
    code: 'SKN007',
    name: 'no default export',
    says: /No default export/,
    fails: `|import { defineLoop } from '@skene/sdk';\nexport const loop = defineLoop({ type: 'activation', opinion: 'x', steps: [] });\n`,
    passes: config(),
  },
  {
    code: 'SKN008',
    name: 'query computed at run time',
    says: /computed when the config runs/,
    fails: config({ head: 'const table = process.env.TABLE;', condition: `{ type: 'query', query: |\`SELECT 1 FROM \${table}\` }` }),
    passes: config(),
  },
  {
    code: 'SKN009',
    name: 'duplicate loop id',
    says: /used by loops 1 and 2/,
    fails: `import { defineConfig } from '@skene/sdk';\nconst step = { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } } as const;\nexport default defineConfig({ loops: [\n  { id: 'welcome', type: 'activation', opinion: 'a', steps: [step] },\n  { id: |'welcome', type: 'activation', opinion: 'b', steps: [step] },\n] });\n`,
    passes: `import { defineConfig } from '@skene/sdk';\nconst step = { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } } as const;\nexport default defineConfig({ loops: [\n  { id: 'welcome', type: 'activation', opinion: 'a', steps: [step] },\n  { id: 'welcome-2', type: 'activation', opinion: 'b', steps: [step] },\n] });\n`,
  },
  {
    code: 'SKN010',
    name: 'hour out of range, field named',
    says: /Invalid cron hour field '25'/,
    fails: config({ trigger: `{ type: 'schedule', cron: '0 |25 * * *' }`, condition: `{ type: 'query', query: 'SELECT * FROM users' }` }),
    passes: config({ trigger: `{ type: 'schedule', cron: '0 9 * * 1-5' }`, condition: `{ type: 'query', query: 'SELECT * FROM users' }` }),
  },
  {
    code: 'SKN010',
    name: 'wrong field count',
    says: /has 3/,
    fails: config({ trigger: `{ type: 'schedule', cron: |'0 9 *' }`, condition: `{ type: 'query', query: 'SELECT * FROM users' }` }),
    passes: config({ trigger: `{ type: 'schedule', cron: '*/15 * * * *' }`, condition: `{ type: 'query', query: 'SELECT * FROM users' }` }),
  },
  {
    code: 'SKN011',
    name: 'misspelt time zone',
    says: /Did you mean 'Europe\/Helsinki'/,
    fix: `'Europe/Helsinki'`,
    fails: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *', timezone: |'Europe/Helsnki' }`,
      condition: `{ type: 'query', query: 'SELECT * FROM users' }`,
    }),
    passes: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *', timezone: 'Europe/Helsinki' }`,
      condition: `{ type: 'query', query: 'SELECT * FROM users' }`,
    }),
  },
  {
    code: 'SKN012',
    name: "'5 minutes' lists the accepted forms",
    says: /'30s', '5m', '1h', '7d'.*Did you mean '5m'/,
    fix: `'5m'`,
    fails: config({ condition: `{ type: 'query', query: 'SELECT 1 FROM user_actions WHERE user_id = $1', timeout: |'5 minutes' }` }),
    passes: config(),
  },
  {
    code: 'SKN012',
    name: "the frequency cap's per: '1 day' → '1d'",
    says: /frequency cap|Did you mean '1d'/,
    fix: `'1d'`,
    fails: `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  limits: { perUser: { emails: 1, per: |'1 day' } },
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }] }],
});
`,
    passes: `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  limits: { perUser: { emails: 1, per: '1d' } },
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }] }],
});
`,
  },
  {
    code: 'SKN020',
    name: 'syntax error mapped into the template literal',
    says: /syntax error at or near "WHERE"/,
    fails: config({ condition: "{ type: 'query', query: `SELECT 1\n        FROM |WHERE user_id = $1` }" }),
    passes: config(),
  },
  {
    code: 'SKN020',
    name: 'MySQL-dialect syntax error',
    says: /MySQL-dialect parser/,
    options: { dialect: 'mysql' },
    fails: config({ condition: "{ type: 'query', query: 'SELECT 1 FROM user_actions WHERE user_id = |= $1' }" }),
    passes: config(),
  },
  {
    code: 'SKN021',
    name: 'DELETE is refused',
    says: /The condition is DELETE/,
    fails: config({ condition: "{ type: 'query', query: '|DELETE FROM user_actions WHERE user_id = $1' }" }),
    passes: config(),
  },
  {
    code: 'SKN021',
    name: 'a data-modifying WITH is refused',
    says: /The condition contains UPDATE/,
    fails: config({ condition: "{ type: 'query', query: 'WITH x AS (|UPDATE users SET name = 1 RETURNING id) SELECT * FROM x WHERE id = $1' }" }),
    passes: config({ condition: "{ type: 'query', query: 'WITH x AS (SELECT id FROM users) SELECT * FROM x WHERE id = $1' }" }),
  },
  {
    code: 'SKN021',
    name: 'two statements',
    says: /has 2 statements/,
    fails: config({ condition: "|{ type: 'query', query: 'SELECT 1 FROM users WHERE id = $1; SELECT 2' }" }).replace(
      "|{ type: 'query', query: '",
      "{ type: 'query', query: '|",
    ),
    passes: config(),
  },
  {
    code: 'SKN021',
    name: 'DROP under MySQL',
    says: /The condition is DROP/,
    options: { dialect: 'mysql' },
    fails: config({ condition: "{ type: 'query', query: |'DROP TABLE users' }" }).replace("query: |'DROP", "query: '|DROP"),
    passes: config(),
  },
  {
    code: 'SKN022',
    name: '$1 in a schedule',
    says: /no value in a schedule step/,
    fails: config({ trigger: `{ type: 'schedule', cron: '0 9 * * *' }`, condition: "{ type: 'query', query: 'SELECT * FROM users WHERE id = |$1' }" }),
    passes: config({ trigger: `{ type: 'schedule', cron: '0 9 * * *' }`, condition: "{ type: 'query', query: 'SELECT * FROM users' }" }),
  },
  {
    code: 'SKN022',
    name: '$2 in a database trigger',
    says: /one parameter, \$1/,
    fails: config({ condition: "{ type: 'query', query: 'SELECT 1 FROM user_actions WHERE user_id = $1 AND id = |$2' }" }),
    passes: config(),
  },
  {
    code: 'SKN023',
    name: "PostgreSQL's INTERVAL under MySQL",
    says: /INTERVAL 7 DAY/,
    options: { dialect: 'mysql' },
    fix: 'INTERVAL 7 DAY',
    fails: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *' }`,
      condition: "{ type: 'query', query: `SELECT * FROM users WHERE last_activity_at < NOW() - |INTERVAL '7 days'` }",
    }),
    passes: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *' }`,
      condition: "{ type: 'query', query: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL 7 DAY` }",
    }),
  },
  {
    code: 'SKN023',
    name: "MySQL's INTERVAL under PostgreSQL",
    says: /INTERVAL '7 days'/,
    fix: `INTERVAL '7 days'`,
    fails: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *' }`,
      condition: "{ type: 'query', query: `SELECT * FROM users WHERE last_activity_at < NOW() - |INTERVAL 7 DAY` }",
    }),
    passes: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *' }`,
      condition: "{ type: 'query', query: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '7 days'` }",
    }),
  },
  {
    code: 'SKN024',
    name: 'SQL condition against Redis',
    says: /Redis has no SQL/,
    options: { dialect: 'redis' },
    fix: `{ type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }`,
    fails: config({ condition: "{ type: |'query', query: `SELECT 1 FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'` }" }),
    passes: config({ condition: "{ type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }" }),
  },
  {
    code: 'SKN025',
    name: 'schedule without condition',
    says: /needs a condition/,
    fails: config({ trigger: `{ type: 'schedule', cron: '0 9 * * *' }` })
      .replace(/    condition: .*\n/, '')
      .replace('    trigger:', '    |trigger:'),
    passes: config({ trigger: `{ type: 'schedule', cron: '0 9 * * *' }`, condition: "{ type: 'query', query: 'SELECT * FROM users' }" }),
  },
  {
    code: 'SKN026',
    name: 'a function outside the allow-list',
    says: /The function dblink_exec\(\) is not on the read-only allow-list/,
    fails: config({
      condition: "{ type: 'query', query: 'SELECT 1 FROM users WHERE id = $1 AND |dblink_exec(\\'dbname=x\\', \\'DELETE FROM users\\') IS NOT NULL' }",
    }),
    passes: config({ condition: "{ type: 'query', query: 'SELECT 1 FROM users WHERE id = $1 AND lower(email) LIKE \\'%@%\\'' }" }),
  },
  {
    code: 'SKN027',
    name: 'a function the config vouches for',
    says: /database.allowFunctions vouches for it/,
    fails: `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  database: { allowFunctions: ['analytics.engagement_score'] },
  loops: [{ type: 'activation', opinion: 'Engaged users', steps: [{
    trigger: { type: 'database', table: 'users', event: 'insert' },
    condition: { type: 'query', query: 'SELECT 1 WHERE |analytics.engagement_score($1) > 10' },
    action: { type: 'email', provider: 'resend', template: 'welcome' },
  }] }],
});
`,
    passes: config(),
  },
  {
    code: 'SKN028',
    name: 'a MySQL executable comment',
    says: /executable comment/,
    options: { dialect: 'mysql' },
    fails: config({ condition: "{ type: 'query', query: 'SELECT 1 FROM users WHERE id = $1 |/*! AND SLEEP(1) */' }" }),
    passes: config({ condition: "{ type: 'query', query: 'SELECT 1 FROM users WHERE id = $1 /* a plain comment */' }" }),
  },
  {
    code: 'SKN029',
    name: 'a Redis command that writes',
    says: /DEL is not a read-only Redis command/,
    options: { dialect: 'redis' },
    fails: config({ condition: "{ type: 'redis', command: [|'DEL', 'user_actions:{{user.id}}'] }" }),
    passes: config({ condition: "{ type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }" }),
  },
  {
    code: 'SKN030',
    name: 'template not found, did-you-mean',
    says: /Did you mean 'welcome'/,
    fix: `'welcome'`,
    options: { project: PROJECT },
    fails: config({ action: `{ type: 'email', provider: 'resend', template: |'welcom' }` }),
    passes: config(),
  },
  {
    code: 'SKN031',
    name: 'unclosed placeholder',
    says: /never closed/,
    fails: config({ action: `{ type: 'email', provider: 'resend', template: 'welcome', personalization: { name: 'Hi |{{user.name' } }` }),
    passes: config(),
  },
  {
    code: 'SKN032',
    name: 'unknown root',
    says: /Did you mean 'user'/,
    fix: 'user',
    fails: config({ action: `{ type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{ |usr.name }}' } }` }),
    passes: config(),
  },
  {
    code: 'SKN032',
    name: 'row in a schedule',
    says: /no triggering row/,
    fails: config({
      trigger: `{ type: 'schedule', cron: '0 9 * * *' }`,
      condition: "{ type: 'query', query: 'SELECT * FROM users' }",
      action: `{ type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{|row.name}}' } }`,
    }),
    passes: config({ trigger: `{ type: 'schedule', cron: '0 9 * * *' }`, condition: "{ type: 'query', query: 'SELECT * FROM users' }" }),
  },
  {
    code: 'SKN040',
    name: 'unknown trigger table',
    says: /Did you mean 'users'/,
    fix: `'users'`,
    options: { project: PROJECT },
    fails: config({ trigger: `{ type: 'database', table: |'user', event: 'insert' }` }),
    passes: config(),
  },
  {
    code: 'SKN040',
    name: 'unknown table in the query',
    says: /Did you mean 'user_actions'/,
    fix: 'user_actions',
    options: { project: PROJECT },
    fails: config({ condition: "{ type: 'query', query: 'SELECT 1 FROM |user_action WHERE user_id = $1' }" }),
    passes: config(),
  },
  {
    code: 'SKN041',
    name: 'unknown users column',
    says: /Did you mean 'name'/,
    fix: 'name',
    options: { project: PROJECT },
    fails: config({ action: `{ type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.|nme}}' } }` }),
    passes: config(),
  },
  {
    code: 'SKN042',
    name: 'misspelt people table',
    says: /People table 'member' not found.*Did you mean 'members'/,
    fix: `'members'`,
    options: { project: PEOPLE },
    fails: members(`'members'`, `{ table: |'member', email: 'email_address' }`),
    passes: members(`'members'`),
  },
  {
    code: 'SKN043',
    name: 'trigger table that reaches no person',
    says: /audit_log is not the people table \(members\)/,
    options: { project: PEOPLE },
    fails: members(`|'audit_log'`),
    passes: members(`'projects'`),
  },
  {
    code: 'SKN044',
    name: 'delete trigger on TiDB',
    says: /^TiDB has no triggers: Skene captures TiDB changes by watermark, which cannot see deletes\. .*deleted_at.*TiCDC/,
    fails: tidb(`{ url: 'mysql://app@gateway01.eu-central-1.prod.aws.tidbcloud.com:4000/app' }`, `|'delete'`),
    passes: tidb(`{ url: 'mysql://app@gateway01.eu-central-1.prod.aws.tidbcloud.com:4000/app' }`, `'update'`),
  },
  {
    code: 'SKN044',
    name: 'delete trigger with database.flavor tidb',
    fails: tidb(`{ flavor: 'tidb' }`, `|'delete'`),
    passes: tidb(`{ url: 'mysql://app@db.example.com:3306/app' }`, `'delete'`),
  },
  {
    code: 'SKN045',
    name: 'capture columns for a table no trigger watches',
    says: /database\.capture names 'user', which no database trigger watches: its columns are never read\. Did you mean 'users'\?/,
    fix: 'users',
    fails: tidb(`{ flavor: 'tidb', capture: { |user: { createdAt: 'signup_at' } } }`, `'insert'`),
    passes: tidb(`{ flavor: 'tidb', capture: { users: { createdAt: 'signup_at' } } }`, `'insert'`),
  },
];

before(async () => {
  await prepareAnalysis({ dialect: 'all' });
  project = loadProjectContext(projectConfig);
  const people = loadProjectContext(peopleConfig, { schemaFiles: peopleSeeds });
  for (const c of cases) if (c.options?.project === PROJECT) c.options.project = project;
  for (const c of cases) if (c.options?.project === PEOPLE) c.options.project = people;
});

describe('every diagnostic code has a failing and a passing fixture', () => {
  test('the table covers every code', () => {
    const covered = new Set(cases.map((c) => c.code));
    assert.deepEqual(
      Object.keys(CODES).filter((code) => !covered.has(code as DiagnosticCode)),
      [],
    );
  });

  for (const c of cases) {
    test(`${c.code} ${c.name}`, () => {
      const { text, line, column } = marked(c.fails);
      const { document, diagnostics } = analyze(text, c.options);
      const found = diagnostics.filter((d) => d.code === c.code);
      assert.ok(found.length > 0, `expected ${c.code}, got ${JSON.stringify(diagnostics.map((d) => [d.code, d.message]))}`);
      const at = found.map((d) => {
        const p = document.lines.position(d.range.start);
        return { line: p.line + 1, column: p.character + 1, d };
      });
      const hit = at.find((a) => a.line === line && a.column === column);
      assert.ok(hit, `${c.code} expected at ${line}:${column}, found at ${at.map((a) => `${a.line}:${a.column}`).join(', ')}`);
      if (c.says) assert.match(hit.d.message, c.says);
      if (c.fix !== undefined) {
        const edit = hit.d.fixes?.[0]?.edits[0];
        assert.ok(edit, 'expected a fix');
        assert.equal(edit.newText, c.fix);
        // The fixed text no longer reports this diagnostic at this place.
        const fixed = text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end);
        const after = analyze(fixed, c.options).diagnostics.filter((d) => d.code === c.code);
        assert.equal(after.length, found.length - 1, `fix did not remove the diagnostic: ${JSON.stringify(after.map((d) => d.message))}`);
      }

      const passing = analyze(c.passes, c.options).diagnostics.filter((d) => d.code === c.code);
      assert.deepEqual(
        passing.map((d) => d.message),
        [],
        `passing fixture reported ${c.code}`,
      );
    });
  }
});
