import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { skene } from '../helpers/cli.js';

function project(config: string, files: Record<string, string> = { 'emails/welcome.html': '<p>{{name}}</p>' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-check-'));
  writeFileSync(join(dir, 'skene.config.ts'), config);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const GOOD = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  steps: [{
    trigger: { type: 'database', table: 'users', event: 'insert' },
    action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
  }],
});
`;

describe('skene check', () => {
  test('a clean config: exit 0 and a one-line summary', () => {
    const dir = project(GOOD);
    const { status, stdout } = skene(['check'], { cwd: dir });
    assert.equal(status, 0);
    assert.equal(stdout, 'skene.config.ts: no problems found (1 loop).\n');
  });

  test('errors: exit 1, tsc-style location, the source line and a caret under the problem', () => {
    const dir = project(GOOD.replace('backoff', 'x').replace("'activation'", "'activaton'"));
    const { status, stdout } = skene(['check', 'skene.config.ts'], { cwd: dir });
    assert.equal(status, 1);
    const lines = stdout.split('\n');
    assert.equal(
      lines[0],
      "skene.config.ts:3:9 - error SKN004: 'activaton' is not a valid type. Did you mean 'activation'? Allowed: 'activation', 'retention', 'adoption', 'milestone', 'referral', 'expansion'.",
    );
    assert.equal(lines[2], "3   type: 'activaton',");
    assert.equal(lines[3], '          ~~~~~~~~~~~');
    assert.match(stdout, /Found 1 error and 0 warnings/);
  });

  test('JSON: 1-based lines and columns, one object per diagnostic', () => {
    const dir = project(GOOD.replace("template: 'welcome'", "template: 'welcom'"));
    const { status, stdout } = skene(['check', '--format', 'json'], { cwd: dir });
    assert.equal(status, 1);
    assert.deepEqual(JSON.parse(stdout), [
      {
        file: 'skene.config.ts',
        line: 7,
        column: 60,
        endLine: 7,
        endColumn: 68,
        severity: 'error',
        code: 'SKN030',
        message: "Email template 'welcom' not found: expected emails/welcom.tsx, .jsx or .html beside the config. Did you mean 'welcome'?",
      },
    ]);
  });

  test('warnings alone exit 0', () => {
    const dir = project(GOOD.replace("opinion: 'Welcome'", 'opinion: process.env.OPINION'));
    const { status, stdout } = skene(['check', '--format', 'json'], { cwd: dir });
    assert.deepEqual(
      JSON.parse(stdout).map((d: { severity: string; code: string }) => [d.severity, d.code]),
      [['warning', 'SKN008']],
    );
    assert.equal(status, 0);
  });

  test('schema files: found beside the config, or given with --schema', () => {
    const withTypo = GOOD.replace("table: 'users'", "table: 'usres'");
    const dir = project(withTypo, {
      'emails/welcome.html': '<p>{{name}}</p>',
      'migrations/001_init.sql': 'CREATE TABLE users (id serial primary key, email text, name text);',
    });
    const found = skene(['check', '--format', 'json'], { cwd: dir });
    assert.equal(found.status, 1);
    assert.match(JSON.parse(found.stdout)[0].message, /Unknown table 'usres'.*Did you mean 'users'\?/);

    const bare = project(withTypo);
    assert.equal(skene(['check'], { cwd: bare }).status, 0, 'without schema files tables are not checked');
    writeFileSync(join(bare, 'schema.sql'), 'CREATE TABLE users (id serial primary key, email text, name text);');
    assert.equal(skene(['check', '--schema', 'schema.sql'], { cwd: bare }).status, 1);
  });

  test('--seed: the tables of the seed skene plan is given; without it, the seed beside the config', () => {
    const actions = GOOD.replace("table: 'users'", "table: 'user_actions'");
    const dir = project(actions, {
      'emails/welcome.html': '<p>{{name}}</p>',
      'skene/seed.sql': 'CREATE TABLE users (id serial primary key, email text, name text);',
      'seed/postgres/001.sql': 'CREATE TABLE users (id serial primary key, email text, name text);\nCREATE TABLE user_actions (id serial, user_id int);',
    });
    assert.equal(skene(['check'], { cwd: dir }).status, 0, 'seed/ beside the config creates user_actions');
    const pinned = skene(['check', '--seed', 'skene/seed.sql', '--format', 'json'], { cwd: dir });
    assert.equal(pinned.status, 1);
    const messages = (JSON.parse(pinned.stdout) as { code: string; message: string }[]).map((d) => `${d.code} ${d.message}`);
    assert.ok(
      messages.some((m) => /^SKN040 Unknown table 'user_actions'/.test(m)),
      messages.join('\n'),
    );
    const missing = skene(['check', '--seed', 'nope.sql'], { cwd: dir });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /seed not found: nope\.sql/);
  });

  test('bad usage exits 2 with a clear message and no stack trace', () => {
    const dir = project(GOOD);
    for (const [args, message] of [
      [['check', 'missing.ts'], /config file not found: missing\.ts/],
      [['check', '--dialect', 'oracle'], /--dialect must be one of postgres, mysql, redis, not 'oracle'/],
      [['check', '--format', 'xml'], /--format must be text or json/],
      [['check', '--bogus'], /Unknown option '--bogus'/],
      [['check', '--schema', 'nope.sql'], /schema file not found: nope\.sql/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ] as const) {
      const { status, stderr } = skene([...args], { cwd: dir });
      assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
  });

  test('a broken document still gets diagnostics, never a crash', () => {
    const dir = project(GOOD.slice(0, GOOD.indexOf('event:') + 10));
    const { status, stdout, stderr } = skene(['check', '--format', 'json'], { cwd: dir });
    assert.equal(status, 1);
    assert.equal(stderr, '');
    assert.ok(JSON.parse(stdout).some((d: { code: string }) => d.code === 'SKN006'));
  });

  test('never prints the password of a database URL', () => {
    const dir = project(GOOD);
    const { stdout, stderr } = skene(['check', '--database-url', 'postgres://admin:hunter2@db.internal/app'], { cwd: dir });
    assert.doesNotMatch(stdout + stderr, /hunter2/);
  });
});
