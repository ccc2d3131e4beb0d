/**
 * Keys from schema files (analysis/schema-keys.ts): the foreign keys the people resolution follows,
 * declared inline, as table constraints or by a later ALTER TABLE, in PostgreSQL and MySQL files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadSchema, prepareAnalysis } from '../../src/analysis/index.ts';

before(() => prepareAnalysis({ dialect: 'all' }));

function keysOf(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'skene-keys-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const schema = loadSchema(
      dir,
      Object.keys(files).map((f) => join(dir, f)),
    )!;
    return Object.fromEntries([...schema.tables].map(([key, t]) => [key, { primaryKey: t.primaryKey, foreignKeys: t.foreignKeys }]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('PostgreSQL: inline REFERENCES, FOREIGN KEY constraints, and a later file’s ALTER TABLE', () => {
  const keys = keysOf({
    '001.sql': `CREATE TABLE crm.people (pid int PRIMARY KEY);
      CREATE TABLE members (member_id bigint, email text, PRIMARY KEY (member_id));
      CREATE TABLE projects (id serial PRIMARY KEY, owner bigint REFERENCES members, a int, b int, c int, d int,
        CONSTRAINT p_a FOREIGN KEY (a) REFERENCES crm.people (pid), FOREIGN KEY (c, d) REFERENCES members (member_id, email));`,
    '002.sql': 'ALTER TABLE projects ADD CONSTRAINT p_b FOREIGN KEY (b) REFERENCES members (member_id);',
  });
  assert.deepEqual(keys.members, { primaryKey: ['member_id'], foreignKeys: undefined });
  assert.deepEqual(keys.projects, {
    primaryKey: ['id'],
    // Composite keys (c, d) name no single person: left out.
    foreignKeys: [
      { column: 'owner', table: { name: 'members' } },
      { column: 'a', table: { schema: 'crm', name: 'people' }, references: 'pid' },
      { column: 'b', table: { name: 'members' }, references: 'member_id' },
    ],
  });
});

test('MySQL: inline REFERENCES, CONSTRAINT … FOREIGN KEY, and ALTER TABLE … ADD CONSTRAINT', () => {
  const keys = keysOf({
    '001.sql': `CREATE TABLE \`members\` (\`member_id\` bigint PRIMARY KEY, \`email\` varchar(200)) ENGINE=InnoDB;
      CREATE TABLE \`projects\` (\`id\` int, \`owner\` bigint REFERENCES \`members\` (\`member_id\`), \`a\` bigint, PRIMARY KEY (\`id\`),
        CONSTRAINT \`p_a\` FOREIGN KEY (\`a\`) REFERENCES \`shop\`.\`people\` (\`pid\`)) ENGINE=InnoDB;`,
    '002.sql': 'ALTER TABLE `projects` ADD CONSTRAINT `p_b` FOREIGN KEY (`a`) REFERENCES `members` (`member_id`);',
  });
  assert.deepEqual(keys.members?.primaryKey, ['member_id']);
  assert.deepEqual(keys.projects, {
    primaryKey: ['id'],
    foreignKeys: [
      { column: 'owner', table: { name: 'members' }, references: 'member_id' },
      { column: 'a', table: { schema: 'shop', name: 'people' }, references: 'pid' },
      { column: 'a', table: { name: 'members' }, references: 'member_id' },
    ],
  });
});
