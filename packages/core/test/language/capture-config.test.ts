/**
 * The editor on `database.flavor` and `database.capture` (TiDB's watermark capture): completion of
 * the keys and values, hover from the schema's descriptions, and the schema's checks of a typo.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { analyze, complete, hover, prepareAnalysis, type ProjectContext } from '../../src/index.ts';
import { appProject, at } from './helpers.ts';

let project: ProjectContext;
before(async () => {
  project = await appProject();
  await prepareAnalysis({ dialect: 'all' });
});

const config = (database: string) => `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  database: ${database},
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }] }],
});
`;

function labels(marked: string): string[] {
  const { doc, offset } = at(marked);
  return complete(doc, offset, project).items.map((i) => i.label);
}

test('completion offers flavor and capture, the flavors, and the capture columns', () => {
  assert.deepEqual(labels(config("{ url: 'mysql://x', | }")), ['token', 'allowFunctions', 'flavor', 'capture']);
  assert.deepEqual(labels(config("{ flavor: '|' }")), ['mysql', 'mariadb', 'tidb']);
  assert.deepEqual(labels(config('{ capture: { users: { | } } }')), ['createdAt', 'updatedAt', 'overlap']);
});

test('hover shows the descriptions of the new fields', () => {
  const { doc, offset } = at(config("{ capture: { users: { |createdAt: 'signup_at' } } }"));
  assert.match(hover(doc, offset, project)?.contents ?? '', /AUTO_INCREMENT key column\. Inserts are read in its order\. Default `created_at`\./);
  const flavor = at(config("{ |flavor: 'tidb' }"));
  assert.match(hover(flavor.doc, flavor.offset, project)?.contents ?? '', /`tidb` makes `skene run` capture changes by watermark/);
});

test('a misspelt capture column or flavor is reported with the closest', () => {
  const typo = analyze(config("{ capture: { users: { createdat: 'signup_at' } } }")).diagnostics.find((d) => d.code === 'SKN001');
  assert.match(typo?.message ?? '', /Did you mean 'createdAt'/);
  const flavor = analyze(config("{ flavor: 'tidv' }")).diagnostics.find((d) => d.code === 'SKN004');
  assert.match(flavor?.message ?? '', /tidb/);
  assert.deepEqual(
    analyze(config("{ flavor: 'tidb', capture: { users: { createdAt: 'signup_at', updatedAt: 'modified_at' } } }")).diagnostics.map((d) => d.code),
    [],
  );
});
