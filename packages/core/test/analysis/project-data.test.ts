/**
 * One notion of the project's schema and seed: the seed the plan loads (given, else the first
 * beside the config) is what `skene check`, completion and hover read for tables — so a project
 * with a richer `seed/postgres` and a 4-user `skene/seed.sql` is checked against the seed the
 * plan really runs.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkConfigFile, loadProjectContext, prepareAnalysis, projectData } from '../../src/index.ts';

const dirs: string[] = [];
before(() => prepareAnalysis());
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-project-data-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const USERS = 'CREATE TABLE users (id int PRIMARY KEY, email text, created_at timestamptz);\n';
const ACTIONS = 'CREATE TABLE user_actions (id int PRIMARY KEY, user_id int, created_at timestamptz);\n';
const CONFIG = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  id: 'nudge',
  type: 'activation',
  opinion: 'Nudge users who did nothing',
  steps: [
    {
      trigger: { type: 'schedule', cron: '0 9 * * *' },
      condition: { type: 'query', query: 'SELECT u.id, u.email FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_actions a WHERE a.user_id = u.id)' },
      action: { type: 'email', provider: 'resend', template: 'welcome' },
    },
  ],
});
`;

describe('projectData: the seed and schema files', () => {
  it('prefers the seed folder beside the config over a starter skene/seed.sql, and reads only its dialect', () => {
    const dir = project({
      'skene.config.ts': CONFIG,
      'skene/seed.sql': USERS,
      'seed/postgres/001_schema.sql': USERS + ACTIONS,
      'seed/mysql/001_schema.sql': 'CREATE TABLE mysql_only (id int);\n',
      'migrations/001.sql': 'CREATE TABLE audit (id int);\n',
    });
    const data = projectData({ configPath: join(dir, 'skene.config.ts') });
    assert.equal(data.seedFrom, 'found');
    assert.deepEqual(data.seeds, [join(dir, 'seed')]);
    assert.equal(data.seedLabel, 'seed');
    assert.deepEqual(data.schemaFiles, [join(dir, 'seed/postgres/001_schema.sql'), join(dir, 'migrations/001.sql')]);
    assert.deepEqual(projectData({ configPath: join(dir, 'skene.config.ts'), dialect: 'mysql' }).schemaFiles[0], join(dir, 'seed/mysql/001_schema.sql'));
    const tables = [...(loadProjectContext(join(dir, 'skene.config.ts')).schema?.tables.keys() ?? [])].sort();
    assert.deepEqual(tables, ['audit', 'user_actions', 'users']);
  });

  it('a given seed (a setting, a flag) wins, resolved against its base, and is the only seed read', () => {
    const dir = project({ 'apps/api/skene.config.ts': CONFIG, 'apps/api/skene/seed.sql': USERS, 'apps/api/seed/postgres/1.sql': USERS + ACTIONS });
    const configPath = join(dir, 'apps/api/skene.config.ts');
    const data = projectData({ configPath, seeds: ['skene/seed.sql'] });
    assert.equal(data.seedFrom, 'given');
    assert.deepEqual(data.seeds, [join(dir, 'apps/api/skene/seed.sql')]);
    assert.deepEqual(data.schemaFiles, [join(dir, 'apps/api/skene/seed.sql')]);
    assert.deepEqual(projectData({ configPath, seeds: ['apps/api/seed'], base: dir }).schemaFiles, [join(dir, 'apps/api/seed/postgres/1.sql')]);
  });

  it('no seed: none, and the migrations are still the schema', () => {
    const dir = project({ 'skene.config.ts': CONFIG, 'supabase/migrations/1.sql': USERS, 'seed/redis/1.redis': 'SET a 1\n' });
    const data = projectData({ configPath: join(dir, 'skene.config.ts') });
    assert.equal(data.seedFrom, 'none');
    assert.deepEqual(data.seeds, []);
    assert.deepEqual(data.schemaFiles, [join(dir, 'supabase/migrations/1.sql')]);
    assert.deepEqual(projectData({ configPath: join(dir, 'skene.config.ts'), dialect: 'redis' }).seeds, [join(dir, 'seed')]);
  });
});

describe('checkConfigFile reads the tables of the seed the plan loads', () => {
  it('with the richer seed beside the config: no unknown table; pointed at the 4-user seed: user_actions is unknown', async () => {
    const dir = project({ 'skene.config.ts': CONFIG, 'emails/welcome.html': '<p>Hi</p>', 'skene/seed.sql': USERS, 'seed/postgres/001.sql': USERS + ACTIONS });
    const file = join(dir, 'skene.config.ts');
    const found = await checkConfigFile(file);
    assert.deepEqual(
      found.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    const given = await checkConfigFile(file, { seeds: ['skene/seed.sql'], base: dir });
    assert.ok(
      given.diagnostics.some((d) => d.severity === 'error' && /user_actions/.test(d.message)),
      JSON.stringify(given.diagnostics.map((d) => d.message)),
    );
  });
});

describe('checkConfigFile reads a schema only MySQL parses, whatever the dialect', () => {
  it('a PostgreSQL config over a MySQL dump: its tables are known, so a table it lacks is reported', async () => {
    const mysqlDump = 'CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255)) ENGINE=InnoDB;\n';
    const dir = project({ 'skene.config.ts': CONFIG, 'emails/welcome.html': '<p>Hi</p>', 'seed/postgres/001.sql': mysqlDump });
    const file = join(dir, 'skene.config.ts');
    assert.deepEqual(loadProjectContext(file).unreadWithoutMysql, [join(dir, 'seed/postgres/001.sql')], 'PostgreSQL alone cannot read it');
    const checked = await checkConfigFile(file);
    assert.equal(checked.dialect, 'postgres');
    assert.deepEqual(
      checked.diagnostics.filter((d) => d.severity === 'error').map((d) => /user_actions/.test(d.message)),
      [true],
      JSON.stringify(checked.diagnostics.map((d) => d.message)),
    );
  });
});
