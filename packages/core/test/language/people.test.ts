/**
 * The editor follows the people table (fixtures/people: `members`, addresses in email_address):
 * `{{user.|` completes the columns of the table the plan reads the person from — the people table
 * through a declared foreign key, the trigger row on a table with the email column — with the
 * configured name and email first; hover and go to definition name the same table.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { complete, definition, hover, loadProjectContext, parseConfigDocument, prepareAnalysis, type ProjectContext } from '../../src/index.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/people/', import.meta.url));
const CONFIG = join(FIXTURE, 'skene.config.ts');
let project: ProjectContext;

before(async () => {
  await prepareAnalysis();
  project = loadProjectContext(CONFIG, { schemaFiles: ['001_schema.sql', '002_tasks_assignee.sql'].map((f) => join(FIXTURE, 'seed', f)) });
});

/** A config naming `members` the people table, one step on `table` whose personalization holds `value` (with a `|`). */
function at(table: string, value: string, users: string | null = `{ table: 'members', email: 'email_address', name: 'full_name' }`) {
  const marked = `import { defineConfig } from '@skene/sdk';
export default defineConfig({${users === null ? '' : `\n  users: ${users},`}
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: '${table}', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'note', personalization: { name: '${value}' } } }] }],
});
`;
  const offset = marked.indexOf('|');
  return { doc: parseConfigDocument(marked.slice(0, offset) + marked.slice(offset + 1), CONFIG), offset };
}

const labels = (table: string, value: string, users?: string | null) => {
  const { doc, offset } = at(table, value, users);
  return complete(doc, offset, project).items.map((i) => i.label);
};

test('{{user.| through a declared foreign key: the people table, name and email first', () => {
  assert.deepEqual(labels('projects', '{{user.|}}'), ['full_name', 'email_address', 'member_id', 'created_at']);
});

test('{{user.| on a foreign key a later migration declares, and on member_id by convention: the people table', () => {
  assert.deepEqual(labels('tasks', '{{user.|}}'), ['full_name', 'email_address', 'member_id', 'created_at']);
  assert.deepEqual(labels('comments', '{{user.|}}'), ['full_name', 'email_address', 'member_id', 'created_at']);
});

test('{{user.| on a table with the email column: the row itself', () => {
  assert.deepEqual(labels('invitations', '{{user.|}}'), ['email_address', 'id', 'created_at']);
});

test('{{user.| without users: the default `users` table, which this schema lacks — nothing to offer', () => {
  assert.deepEqual(labels('projects', '{{user.|}}', null), []);
  // Invitations has email_address, not the default email: no person there either.
  assert.deepEqual(labels('invitations', '{{user.|}}', null), []);
});

test('hover on {{user.full_name}} names the people table column; go to definition opens members', () => {
  const { doc, offset } = at('projects', '{{user.full|_name}}');
  assert.match(String(hover(doc, offset, project)?.contents), /Column `members\.full_name`: text \(.*001_schema\.sql:2\)/);
  const [target] = definition(doc, offset, project);
  assert.ok(target?.path.endsWith(join('seed', '001_schema.sql')));
  assert.equal(target.line, 1);
});

test('users: { table: | } completes the tables, and key, email and name the people table’s columns', () => {
  assert.ok(labels('members', '{{user.full_name}}', `{ table: '|' }`).includes('members'));
  assert.deepEqual(labels('members', '{{user.full_name}}', `{ table: 'members', email: '|' }`), ['member_id', 'email_address', 'full_name', 'created_at']);
});

test('hover on {{user}} lists the people table the step reads the person from', () => {
  const { doc, offset } = at('projects', '{{us|er}}');
  const contents = String(hover(doc, offset, project)?.contents);
  assert.match(contents, /members/);
  assert.match(contents, /email_address/);
  assert.doesNotMatch(contents, /\btitle\b/, 'not the trigger table projects');
});
