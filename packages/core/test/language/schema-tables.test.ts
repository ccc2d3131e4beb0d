/**
 * Completion, hover and go to definition resolve table names as check and plan do
 * (src/analysis/table-names.ts): schema-qualified names outside `public`, `users` = `public.users`.
 * The project is fixtures/schema-qualified (crm.users, users, user_actions); `|` marks the cursor.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProjectContext, parseConfigDocument, prepareAnalysis, type ProjectContext } from '../../src/analysis/index.ts';
import { complete, definition, hover } from '../../src/language/index.ts';
import { loop } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema-qualified/', import.meta.url));
const CONFIG = join(FIXTURE, 'skene.config.ts');
const SCHEMA = join(FIXTURE, 'seed', 'schema.sql');
let project: ProjectContext;

before(async () => {
  await prepareAnalysis();
  project = loadProjectContext(CONFIG);
});

function at(marked: string) {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { doc: parseConfigDocument(text, CONFIG), offset, text };
}

function items(marked: string) {
  const { doc, offset } = at(marked);
  return complete(doc, offset, project).items;
}

const labels = (marked: string) =>
  items(marked)
    .map((i) => i.label)
    .sort();

test('a trigger table completes with schema-qualified names outside public', () => {
  assert.deepEqual(labels(loop("trigger: { type: 'database', table: '|' }")), ['crm.users', 'user_actions', 'users']);
});

test('tables after FROM: qualified outside public; after `crm.`: that schema’s tables', () => {
  assert.deepEqual(labels(loop("condition: { type: 'query', query: `SELECT * FROM |` }")), ['crm.users', 'user_actions', 'users']);
  assert.deepEqual(labels(loop("condition: { type: 'query', query: `SELECT * FROM crm.|` }")), ['users']);
  assert.deepEqual(labels(loop("condition: { type: 'query', query: `SELECT * FROM public.u|` }")), ['user_actions', 'users']);
});

test('columns of a schema-qualified table in a query', () => {
  assert.deepEqual(labels(loop("condition: { type: 'query', query: `SELECT c.| FROM crm.users c` }")), ['crm_score', 'email', 'id', 'name']);
  assert.deepEqual(labels(loop("condition: { type: 'query', query: `SELECT | FROM public.users` }")), ['email', 'id', 'name', 'plan']);
});

test('{{user.|}} is the users table the plan reads: the trigger’s own for crm.users, else users', () => {
  const user = (table: string) =>
    labels(loop(`trigger: { type: 'database', table: '${table}', event: 'insert' }, action: { type: 'email', personalization: { name: '{{user.|}}' } }`));
  assert.deepEqual(user('crm.users'), ['crm_score', 'email', 'id', 'name']);
  assert.deepEqual(user('public.users'), ['email', 'id', 'name', 'plan']);
  assert.deepEqual(user('user_actions'), ['email', 'id', 'name', 'plan']);
  assert.deepEqual(labels(loop("trigger: { type: 'database', table: 'crm.users', event: 'insert' }, action: { type: 'email', subject: '{{row.|}}' }")), [
    'crm_score',
    'email',
    'id',
    'name',
  ]);
});

test('hover: a qualified trigger table and a qualified table in a query show their columns', () => {
  const show = (marked: string) => {
    const { doc, offset } = at(marked);
    return hover(doc, offset, project)?.contents ?? '';
  };
  assert.match(show(loop("trigger: { type: 'database', table: 'crm.us|ers', event: 'insert' }")), /\*\*crm\.users\*\*[\s\S]*crm_score/);
  assert.match(show(loop("trigger: { type: 'database', table: 'public.us|ers', event: 'insert' }")), /\*\*users\*\*[\s\S]*plan/);
  assert.match(show(loop("trigger: { type: 'database', table: 'crm.no|pe', event: 'insert' }")), /No schema file creates `crm\.nope`/);
  // Hovering `users` in `crm.users` is crm.users, even when the query also reads users.
  const inQuery = loop("condition: { type: 'query', query: `SELECT 1 FROM users u JOIN crm.us|ers c ON c.email = u.email` }");
  assert.match(show(inQuery), /\*\*crm\.users\*\*[\s\S]*crm_score/);
  const { doc, offset, text } = at(inQuery);
  const range = hover(doc, offset, project)!.range;
  assert.equal(text.slice(range.start, range.end), 'crm.users');
  assert.match(show(loop("condition: { type: 'query', query: `SELECT 1 FROM us|ers u JOIN crm.users c ON c.email = u.email` }")), /\*\*users\*\*[\s\S]*plan/);
});

test('go to definition: crm.users and users go to their own CREATE TABLE', () => {
  const go = (marked: string) => {
    const { doc, offset } = at(marked);
    return definition(doc, offset, project).map(({ path, line }) => ({ path, line }));
  };
  assert.deepEqual(go(loop("trigger: { type: 'database', table: 'crm.us|ers', event: 'insert' }")), [{ path: SCHEMA, line: 3 }]);
  assert.deepEqual(go(loop("trigger: { type: 'database', table: 'us|ers', event: 'insert' }")), [{ path: SCHEMA, line: 10 }]);
  assert.deepEqual(go(loop("trigger: { type: 'database', table: 'public.us|ers', event: 'insert' }")), [{ path: SCHEMA, line: 10 }]);
  assert.deepEqual(go(loop("condition: { type: 'query', query: `SELECT 1 FROM cr|m.users` }")), [{ path: SCHEMA, line: 3 }]);
  assert.deepEqual(go(loop("condition: { type: 'query', query: `SELECT 1 FROM public.user_act|ions` }")), [{ path: SCHEMA, line: 17 }]);
  assert.deepEqual(go(loop("trigger: { type: 'database', table: 'crm.no|pe', event: 'insert' }")), []);
});

test('tables whose names SQL would fold are offered quoted', () => {
  const table = (dialect: 'postgres' | 'mysql') => ({ schema: 'CRM', name: 'Users', dialect, columns: [], file: 's.sql', line: 0, character: 0 });
  const offered = (dialect: 'postgres' | 'mysql') => {
    const quoted: ProjectContext = { schema: { files: ['s.sql'], schemas: new Set(['CRM']), tables: new Map([['CRM.Users', table(dialect)]]) } };
    const { doc, offset } = at(loop("condition: { type: 'query', query: `SELECT * FROM |` }"));
    return complete(doc, offset, quoted).items.map((i) => [i.label, i.insertText ?? i.label]);
  };
  assert.deepEqual(offered('postgres'), [['CRM.Users', '"CRM"."Users"']]);
  // A MySQL schema file (backquoted, as Prisma writes it): MySQL keeps the case, and "…" would be a string.
  assert.deepEqual(offered('mysql'), [['CRM.Users', 'CRM.Users']]);
});
