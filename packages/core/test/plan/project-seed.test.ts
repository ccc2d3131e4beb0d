/**
 * The plan reads the project's seed as check and the editor do: with no seed and no URL, the
 * seed beside the config seeds the embedded PostgreSQL; a seed that lacks a table the condition
 * reads fails the step with the seed it read and the setting or flag that points elsewhere.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { planProject } from '../../src/index.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const USERS =
  "CREATE TABLE users (id int PRIMARY KEY, email text, name text, created_at timestamptz);\nINSERT INTO users VALUES (1, 'ann@example.com', 'Ann', '2026-01-01'), (2, 'bob@example.com', 'Bob', '2026-01-01');\n";
const ACTIONS = "CREATE TABLE user_actions (id int PRIMARY KEY, user_id int, created_at timestamptz);\nINSERT INTO user_actions VALUES (1, 1, '2026-01-02');\n";
const CONFIG = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  id: 'nudge',
  type: 'activation',
  opinion: 'Nudge users who did nothing',
  steps: [
    {
      trigger: { type: 'schedule', cron: '0 9 * * *' },
      condition: { type: 'query', query: 'SELECT u.* FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_actions a WHERE a.user_id = u.id)' },
      action: { type: 'email', provider: 'resend', template: 'welcome' },
    },
  ],
});
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-plan-seed-'));
  dirs.push(dir);
  const all = { 'skene.config.ts': CONFIG, 'emails/welcome.html': '<html><head><title>Hi {{name}}</title></head><body>Hi {{name}}</body></html>', ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const AT = new Date('2026-03-02T09:00:00Z');
const ENV = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };

describe('planProject: the project seed', () => {
  it('no seed and no URL: seeds the embedded PostgreSQL from the seed beside the config (not the starter seed)', async () => {
    const dir = project({ 'skene/seed.sql': USERS, 'seed/postgres/001.sql': USERS + ACTIONS });
    const { report } = await planProject({ configFile: join(dir, 'skene.config.ts'), cwd: dir, at: AT, env: ENV, showRecipients: true });
    assert.deepEqual(report.source.seeds, ['seed']);
    assert.equal(report.totals.errors, 0, JSON.stringify(report.loops[0]?.steps[0]?.errors));
    assert.deepEqual(
      report.loops[0]!.steps[0]!.emails.map((e) => e.to),
      ['bob@example.com'],
    );
  });

  it('a seed without the table: the error names the seed read and the setting that points elsewhere', async () => {
    const dir = project({ 'skene/seed.sql': USERS, 'seed/postgres/001.sql': USERS + ACTIONS });
    const { report } = await planProject({
      configFile: join(dir, 'skene.config.ts'),
      cwd: dir,
      at: AT,
      env: ENV,
      seeds: ['skene/seed.sql'],
      seedOption: 'the skene.seed setting',
    });
    const message = report.loops[0]!.steps[0]!.errors[0]?.message ?? '';
    assert.match(message, /relation "user_actions" does not exist/);
    assert.match(
      message,
      /seeded from skene\/seed\.sql \(the skene\.seed setting\), which does not create user_actions; point the skene\.seed setting at the seed that does/,
    );
  });

  it('no seed anywhere: the error says nothing seeded the embedded PostgreSQL and names --seed', async () => {
    const dir = project({});
    const { report } = await planProject({ configFile: join(dir, 'skene.config.ts'), cwd: dir, at: AT, env: ENV });
    assert.deepEqual(report.source.seeds, []);
    assert.match(report.loops[0]!.steps[0]!.errors[0]?.message ?? '', /the embedded PostgreSQL was not seeded .*give --seed a seed that creates /);
  });
});
