/**
 * One resolution of table names (src/analysis/table-names.ts): schema-qualified names, search_path
 * `public`, MySQL databases — and SKN040/SKN041 in `skene check` reading them that way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, loadProjectContext, prepareAnalysis, type AnalyzeOptions, type ProjectContext } from '../../src/analysis/index.ts';
import { findTable, isChecked, isUsersTable, parseTableName, sqlNameEnd, sqlTableName, suggestTable, tableKey } from '../../src/analysis/table-names.ts';
import { config } from './fixture.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema-qualified/', import.meta.url));
const CONFIG = join(FIXTURE, 'skene.config.ts');
let project: ProjectContext;

/** A project whose schema is this SQL (PostgreSQL or MySQL). */
function projectWith(sql: string): ProjectContext {
  const dir = mkdtempSync(join(tmpdir(), 'skene-tables-'));
  writeFileSync(join(dir, 'seed.sql'), sql);
  return loadProjectContext(join(dir, 'skene.config.ts'));
}

before(async () => {
  await prepareAnalysis({ dialect: 'mysql' });
  project = loadProjectContext(CONFIG);
});

describe('resolution', () => {
  test('the catalog keys tables by the name the config uses: public drops, other schemas stay', () => {
    assert.deepEqual([...project.schema!.tables.keys()].sort(), ['crm.users', 'user_actions', 'users']);
    assert.deepEqual([...project.schema!.schemas!], ['crm']);
    const crm = project.schema!.tables.get('crm.users')!;
    assert.equal(crm.schema, 'crm');
    assert.deepEqual(
      crm.columns.map((c) => c.name),
      ['id', 'email', 'name', 'crm_score'],
    );
    // Go to definition lands on the CREATE TABLE of crm.users, not on users'.
    assert.equal(crm.line, 3);
  });

  test('users and public.users are one table, crm.users another', () => {
    const schema = project.schema!;
    assert.equal(findTable(schema, parseTableName('users')), schema.tables.get('users'));
    assert.equal(findTable(schema, parseTableName('public.users')), schema.tables.get('users'));
    assert.equal(findTable(schema, parseTableName('crm.users'))?.schema, 'crm');
    assert.equal(findTable(schema, parseTableName('crm.user_actions')), undefined);
    assert.equal(findTable(schema, parseTableName('crm.nope')), undefined);
  });

  test('names in a schema the files never mention are not checked (Supabase auth.users)', () => {
    const schema = project.schema!;
    assert.equal(isChecked(schema, parseTableName('auth.users')), false);
    assert.equal(isChecked(schema, parseTableName('crm.nope')), true);
    assert.equal(isChecked(schema, parseTableName('public.nope')), true);
    assert.equal(isChecked(schema, parseTableName('nope')), true);
  });

  test('suggestions: the same table in another schema, else the closest name', () => {
    const only = projectWith('CREATE SCHEMA crm; CREATE TABLE crm.users (id int);').schema!;
    assert.equal(suggestTable(only, { name: 'users' }), 'crm.users');
    assert.equal(suggestTable(project.schema!, parseTableName('crm.user')), 'crm.users');
    assert.equal(suggestTable(project.schema!, parseTableName('public.user_action')), 'user_actions');
    assert.equal(suggestTable(project.schema!, parseTableName('crm.nope')), undefined);
  });

  test('quoted SQL names keep their case; unquoted ones fold', () => {
    const schema = projectWith('CREATE SCHEMA "CRM"; CREATE TABLE "CRM"."Users" (id int); CREATE TABLE Orders (id int);').schema!;
    assert.deepEqual([...schema.tables.keys()].sort(), ['CRM.Users', 'orders']);
    assert.equal(sqlTableName(schema.tables.get('CRM.Users')!), '"CRM"."Users"');
    assert.equal(sqlTableName(parseTableName('public.orders')), 'orders');
    assert.equal(sqlTableName({ name: 'Orders' }, 'mysql'), 'Orders');
  });

  test('a users table in any schema is the users table; the plan reads it the same way', () => {
    assert.ok(isUsersTable('users') && isUsersTable('crm.users') && isUsersTable('public.Users'));
    assert.ok(!isUsersTable('user_actions') && !isUsersTable('users.archive'));
  });

  test('MySQL: db.table is a database and a table; the files’ unqualified tables may live in it', () => {
    const schema = projectWith('CREATE DATABASE shop;\nCREATE TABLE users (id INT PRIMARY KEY);\nCREATE TABLE archive.orders (id INT PRIMARY KEY);').schema!;
    assert.deepEqual([...schema.tables.keys()].sort(), ['archive.orders', 'users']);
    assert.equal(findTable(schema, parseTableName('shop.users'), 'mysql')?.name, 'users');
    assert.equal(findTable(schema, parseTableName('shop.users'), 'postgres'), undefined);
    assert.equal(findTable(schema, parseTableName('archive.orders'), 'mysql')?.schema, 'archive');
    assert.equal(findTable(schema, parseTableName('shop.orders'), 'mysql'), undefined);
    assert.ok(isChecked(schema, parseTableName('shop.nope')));
    // Backquoted DDL (Prisma's MySQL migrations) is read by the MySQL parser: names keep their case.
    const prisma = projectWith('CREATE TABLE `User` (`id` INT NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARSET utf8mb4;').schema!;
    assert.deepEqual(
      [...prisma.tables.values()].map((t) => [tableKey(t), t.dialect]),
      [['User', 'mysql']],
    );
    assert.equal(sqlTableName(prisma.tables.get('User')!, 'mysql'), 'User');
  });

  test('sqlNameEnd spans a qualified name as written', () => {
    const sql = 'SELECT 1 FROM "crm" . "Us""ers" u';
    assert.equal(sql.slice(14, sqlNameEnd(sql, 14, 2)), '"crm" . "Us""ers"');
    assert.equal(sqlNameEnd('FROM crm.users', 5, 2), 14);
    assert.equal(sqlNameEnd('FROM users', 5, 1), 10);
  });
});

/** Diagnostics of a config beside the fixture's schema. */
function check(text: string, options: AnalyzeOptions = {}) {
  return analyze(text, { fileName: CONFIG, project, ...options }).diagnostics;
}

/** Fixture text without its `|` marker, and the marker's offset. */
function marked(fixture: string): { text: string; at: number } {
  const at = fixture.indexOf('|');
  return { text: fixture.slice(0, at) + fixture.slice(at + 1), at };
}

/** [name, fixture with | where SKN040 starts, the text it spans, the message's text, the fix's replacement] */
const UNKNOWN: [string, string, string, RegExp, string | undefined][] = [
  [
    'unknown table in a known schema',
    config({ trigger: `{ type: 'database', table: |'crm.nope', event: 'insert' }` }),
    `'crm.nope'`,
    /Unknown table 'crm\.nope'.*Tables in crm: users\./,
    undefined,
  ],
  [
    'misspelt schema-qualified trigger table',
    config({ trigger: `{ type: 'database', table: |'crm.user', event: 'insert' }` }),
    `'crm.user'`,
    /Did you mean 'crm\.users'\?/,
    `'crm.users'`,
  ],
  [
    'schema-qualified table in a query',
    config({ condition: `{ type: 'query', query: \`SELECT 1 FROM |crm.nope WHERE id = $1\` }` }),
    'crm.nope',
    /Unknown table 'crm\.nope'/,
    undefined,
  ],
  [
    'public-qualified table in a query',
    config({ condition: `{ type: 'query', query: \`SELECT 1 FROM |public.user_action a WHERE a.user_id = $1\` }` }),
    'public.user_action',
    /Unknown table 'public\.user_action'.*Did you mean 'user_actions'/,
    'user_actions',
  ],
  [
    'quoted qualified name in a query',
    config({ condition: `{ type: 'query', query: \`SELECT 1 FROM |"crm" . "Users" WHERE id = $1\` }` }),
    '"crm" . "Users"',
    /Unknown table '"crm" \. "Users"'.*Did you mean 'crm\.users'/,
    'crm.users',
  ],
];

describe('SKN040 on schema-qualified names', () => {
  for (const [name, fixture, spans, says, fix] of UNKNOWN) {
    test(name, () => {
      const { text, at } = marked(fixture);
      const found = check(text).filter((d) => d.code === 'SKN040');
      assert.equal(found.length, 1, JSON.stringify(found));
      const d = found[0]!;
      assert.equal(d.range.start, at);
      assert.equal(text.slice(d.range.start, d.range.end), spans);
      assert.match(d.message, says);
      assert.equal(d.fixes?.[0]?.edits[0]?.newText, fix);
    });
  }

  test('tables the schema files create are found however they are qualified', () => {
    for (const fixture of [
      config({ trigger: `{ type: 'database', table: 'crm.users', event: 'insert' }` }),
      config({ trigger: `{ type: 'database', table: 'public.users', event: 'insert' }` }),
      config({
        condition: `{ type: 'query', query: \`SELECT 1 FROM crm.users c JOIN public.user_actions a ON a.user_id = c.id JOIN "crm"."users" d ON true WHERE c.id = $1\` }`,
      }),
    ])
      assert.deepEqual(
        check(fixture).filter((d) => d.code === 'SKN040'),
        [],
      );
  });

  test('a schema the files never mention is not checked (auth.users), unqualified names still are', () => {
    const fixture = config({
      trigger: `{ type: 'database', table: 'auth.users', event: 'insert' }`,
      condition: `{ type: 'query', query: \`SELECT 1 FROM auth.identities i JOIN orders o ON true WHERE i.user_id = $1\` }`,
    });
    assert.deepEqual(
      check(fixture)
        .filter((d) => d.code === 'SKN040')
        .map((d) => d.message.split(':')[0]),
      [`Unknown table 'orders'`],
    );
  });

  test('users on the search_path is public.users: when only crm.users exists, SKN040 says so', () => {
    const only = projectWith('CREATE SCHEMA crm; CREATE TABLE crm.users (id serial PRIMARY KEY, email text);');
    const found = analyze(config(), { fileName: CONFIG, project: only }).diagnostics.filter((d) => d.code === 'SKN040');
    assert.match(found[0]!.message, /Unknown table 'users'.*Did you mean 'crm\.users'/);
  });

  test('MySQL dialect: shop.users resolves to the files’ users; shop.nope is unknown', () => {
    const shop = projectWith(
      'CREATE DATABASE shop;\nCREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));\nCREATE TABLE user_actions (id INT PRIMARY KEY, user_id INT);',
    );
    const run = (trigger: string, query: string) =>
      analyze(config({ trigger: `{ type: 'database', table: '${trigger}', event: 'insert' }`, condition: `{ type: 'query', query: \`${query}\` }` }), {
        fileName: CONFIG,
        project: shop,
        dialect: 'mysql',
      })
        .diagnostics.filter((d) => d.code === 'SKN040')
        .map((d) => d.message.split(':')[0]);
    assert.deepEqual(run('shop.users', 'SELECT 1 FROM shop.user_actions WHERE user_id = $1'), []);
    // Backquoted in the query (escaped for the config's template literal).
    assert.deepEqual(run('shop.nope', 'SELECT 1 FROM \\`shop\\`.\\`nope\\` WHERE user_id = $1'), [
      "Unknown table 'shop.nope'",
      "Unknown table '`shop`.`nope`'",
    ]);
  });
});

describe('SKN041 reads the users table the plan reads', () => {
  const columnsOf = (trigger: string, expression: string) =>
    check(
      config({
        trigger: `{ type: 'database', table: '${trigger}', event: 'insert' }`,
        action: `{ type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '${expression}' } }`,
      }),
    )
      .filter((d) => d.code === 'SKN041')
      .map((d) => d.message);

  test('a trigger on crm.users: {{user.*}} and {{row.*}} are crm.users columns', () => {
    assert.deepEqual(columnsOf('crm.users', '{{user.crm_score}} {{row.crm_score}}'), []);
    assert.match(columnsOf('crm.users', '{{user.plan}}')[0]!, /table 'crm\.users' has id, email, name, crm_score/);
  });

  test('a trigger on public.users: public.users columns', () => {
    assert.deepEqual(columnsOf('public.users', '{{user.plan}} {{row.plan}}'), []);
    assert.match(columnsOf('public.users', '{{user.crm_score}}')[0]!, /table 'users' has/);
  });

  test('a trigger on another table: users on the search_path', () => {
    assert.deepEqual(columnsOf('user_actions', '{{user.plan}} {{row.action_type}}'), []);
  });
});

test('the fixture config: check reports crm.nope only (the trigger and its query)', () => {
  const text = readFileSync(CONFIG, 'utf8');
  const found = check(text).filter((d) => d.severity === 'error');
  assert.deepEqual(
    found.map((d) => [d.code, text.slice(d.range.start, d.range.end)]),
    [
      ['SKN040', `'crm.nope'`],
      ['SKN040', 'crm.nope'],
    ],
  );
});
