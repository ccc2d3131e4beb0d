/**
 * `skene init` in a copy of each fixture project, then the built CLI's own `skene check` and
 * `skene plan` on the result, as a user would run them: the starter must check clean and plan
 * at least one email (exactly the number the starter promises, at its pinned instant).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectStack, starterProject } from '@skene/core';
import { spawn } from 'node:child_process';
import { skene, SKENE_BIN } from '../helpers/cli.js';
import { serviceOrSkip, SERVICES } from '../helpers/services.js';

const FIXTURES = fileURLToPath(new URL('../../packages/core/test/fixtures/projects/', import.meta.url));
const temps: string[] = [];
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copy(fixture: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), `skene-init-${fixture ?? 'empty'}-`));
  temps.push(dir);
  if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

const CASES: { fixture: string | null; dialect: 'postgres' | 'mysql' | 'redis'; loop: RegExp; template: string; seed: string }[] = [
  { fixture: 'upstash', dialect: 'redis', loop: /type: 'retention'/, template: 're_engagement', seed: 'skene/seed.redis' },
  {
    fixture: 'nextjs-upstash-clerk',
    dialect: 'redis',
    loop: /'SISMEMBER', 'user_actions:\{\{user\.id\}\}', 'first_project_created'/,
    template: 'welcome',
    seed: 'skene/seed.redis',
  },
  { fixture: 'hasura', dialect: 'postgres', loop: /u\.last_activity_at < NOW\(\) - INTERVAL '7 days'/, template: 're_engagement', seed: 'skene/seed.sql' },
  { fixture: 'tidb', dialect: 'mysql', loop: /u\.last_activity_at < NOW\(\) - INTERVAL 7 DAY/, template: 're_engagement', seed: 'skene/seed.sql' },
  { fixture: 'nestjs-postgres-stripe', dialect: 'postgres', loop: /type: 'retention'/, template: 're_engagement', seed: 'skene/seed.sql' },
  { fixture: 'express-prisma', dialect: 'postgres', loop: /FROM users u WHERE u\.last_activity_at/, template: 're_engagement', seed: 'skene/seed.sql' },
  {
    fixture: 'supabase-next',
    dialect: 'postgres',
    loop: /FROM profiles p WHERE p\.created_at >= NOW\(\) - INTERVAL '1 day'/,
    template: 'welcome',
    seed: 'skene/seed.sql',
  },
  { fixture: 'turbo-monorepo', dialect: 'postgres', loop: /table: 'users', event: 'insert'/, template: 'welcome', seed: 'skene/seed.sql' },
  { fixture: null, dialect: 'postgres', loop: /table: 'users', event: 'insert'/, template: 'welcome', seed: 'skene/seed.sql' },
];

/** Every email in a plan report (JSON), however deep the report nests them. */
function countEmails(report: unknown): number {
  if (Array.isArray(report)) return report.reduce((n: number, x) => n + countEmails(x), 0);
  if (!report || typeof report !== 'object') return 0;
  let n = 0;
  for (const [key, value] of Object.entries(report)) {
    if (key === 'emails' && Array.isArray(value)) n += value.length;
    else n += countEmails(value);
  }
  return n;
}

/** Empties Redis database `db` (a scratch database for this test), so the plan sees only the seed. */
async function emptyRedisDb(db: number): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis({ host: SERVICES.redis.host, port: SERVICES.redis.port, db, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

async function scratchMysqlDatabase(t: TestContext): Promise<string | undefined> {
  const url = await serviceOrSkip(t, 'mysql');
  if (!url) return undefined;
  const { default: mysql } = await import('mysql2/promise');
  const name = `skene_init_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const conn = await mysql.createConnection({ host: SERVICES.mysql.host, port: SERVICES.mysql.port, user: 'root' });
  await conn.query(`CREATE DATABASE \`${name}\``);
  await conn.end();
  t.after(async () => {
    const c = await mysql.createConnection({ host: SERVICES.mysql.host, port: SERVICES.mysql.port, user: 'root' });
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.end();
  });
  return `mysql://root@${SERVICES.mysql.host}:${SERVICES.mysql.port}/${name}`;
}

/** The built CLI as a child process, asynchronously (so cases can run side by side). */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SKENE_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('skene init → skene check → skene plan', { concurrency: 3 }, () => {
  assert.ok(existsSync(SKENE_BIN), 'run `npm run build` first: these tests run the built CLI');
  let redisDb = 12;

  for (const c of CASES) {
    const label = c.fixture ?? 'an empty folder';
    it(`${label}: writes a starter that checks clean and plans the emails it promises`, async (t) => {
      const dir = copy(c.fixture);
      const init = await run(['init'], dir);
      assert.equal(init.status, 0, init.stderr);
      assert.equal(init.stderr, '');
      if (c.fixture) assert.match(init.stdout, new RegExp(`^Detected ${detectStack(dir).stack!.replace(/[.+]/g, '\\$&')}: `));
      else assert.match(init.stdout, /^No stack detected in .*: wrote a generic PostgreSQL starter/);

      const config = readFileSync(join(dir, 'skene.config.ts'), 'utf8');
      assert.match(config, c.loop);
      assert.ok(existsSync(join(dir, 'emails', `${c.template}.html`)), `emails/${c.template}.html`);
      assert.ok(existsSync(join(dir, c.seed)), c.seed);
      const rule = readFileSync(join(dir, '.cursor/rules/skene.mdc'), 'utf8');
      assert.match(rule, /^---\ndescription: .+\nglobs: skene\.config\.ts\nalwaysApply: false\n---\n/);

      // skene check, with no flags: the dialect comes from the config itself.
      const check = await run(['check', '--format', 'json'], dir);
      assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
      assert.deepEqual(
        JSON.parse(check.stdout).filter((d: { severity: string }) => d.severity === 'error'),
        [],
      );

      const expected = starterProject(detectStack(dir)).expected.emails;
      assert.ok(expected >= 1);
      const planArgs = ['plan', '--at', '2026-03-02T09:00:00Z', '--format', 'json'];
      if (c.dialect === 'postgres') planArgs.push('--seed', c.seed);
      if (c.dialect === 'mysql') {
        const url = await scratchMysqlDatabase(t);
        if (!url) return;
        planArgs.push('--database-url', url, '--seed', c.seed);
      }
      if (c.dialect === 'redis') {
        if (!(await serviceOrSkip(t, 'redis'))) return;
        const db = redisDb++;
        await emptyRedisDb(db);
        t.after(() => emptyRedisDb(db));
        planArgs.push('--database-url', `${SERVICES.redis.url}/${db}`, '--seed', c.seed);
      }
      const plan = await run(planArgs, dir, { DATABASE_URL: '', SKENE_EMAIL_FROM: '' });
      assert.equal(plan.status, 0, `${plan.stdout}${plan.stderr}`);
      const emails = countEmails(JSON.parse(plan.stdout));
      assert.ok(emails >= 1, `expected at least one email, got ${emails}: ${plan.stdout.slice(0, 2000)}`);
      assert.equal(emails, expected, plan.stdout.slice(0, 2000));
    });
  }
});

describe('skene init: files that exist', () => {
  it('never overwrites without --force, and says which files exist', () => {
    const dir = copy('express-prisma');
    writeFileSync(join(dir, 'skene.config.ts'), '// mine\n');
    const r = skene(['init'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'skene init: skene.config.ts already exists; nothing was written. Run `skene init --force` to overwrite it.\n');
    assert.equal(readFileSync(join(dir, 'skene.config.ts'), 'utf8'), '// mine\n');
    assert.equal(existsSync(join(dir, 'skene/seed.sql')), false, 'nothing else was written either');
  });

  it("without a config, the project's own files are kept and the rest is written (the editor's policy too)", () => {
    const dir = copy('express-prisma');
    mkdirSync(join(dir, 'skene'), { recursive: true });
    writeFileSync(join(dir, 'skene/seed.sql'), '-- mine\n');
    const r = skene(['init'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, 'skene.config.ts'), 'utf8'), /defineConfig/);
    assert.equal(readFileSync(join(dir, 'skene/seed.sql'), 'utf8'), '-- mine\n');
    assert.match(r.stdout, /\nKept:\n +skene\/seed\.sql +already there\n/);
    assert.doesNotMatch(r.stdout, /With this seed/, "the promise is about the starter's seed, which was not written");
  });

  it('a project with its own seed (seed/postgres): no starter seed, even with --force, and the plan needs no --seed', () => {
    const dir = copy('express-prisma');
    mkdirSync(join(dir, 'seed/postgres'), { recursive: true });
    writeFileSync(join(dir, 'seed/postgres/001.sql'), 'CREATE TABLE users (id int, email text);\n');
    const r = skene(['init', '--force'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(join(dir, 'skene/seed.sql')), false);
    assert.match(r.stdout, /\nKept:\n +skene\/seed\.sql +the project has a seed, seed, which skene plan and the editor read\n/);
    assert.match(r.stdout, /npx skene plan --at /);
    assert.doesNotMatch(r.stdout, /--seed skene\/seed\.sql/);
  });

  it('--force overwrites', () => {
    const dir = copy('express-prisma');
    writeFileSync(join(dir, 'skene.config.ts'), '// mine\n');
    const r = skene(['init', '--force'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /skene\.config\.ts +the Retention loop \(overwritten\)/);
    assert.match(readFileSync(join(dir, 'skene.config.ts'), 'utf8'), /defineConfig/);
  });

  it('--pattern activation on a retention stack writes an activation starter that checks clean', () => {
    const dir = copy('hasura');
    const r = skene(['init', dir, '--pattern', 'activation'], { cwd: tmpdir() });
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, 'skene.config.ts'), 'utf8'), /type: 'activation'[\s\S]*table: 'users', event: 'insert'/);
    const check = skene(['check'], { cwd: dir });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  it('bad input: a missing folder or pattern is one line and exit 2', () => {
    const r = skene(['init', 'no/such/folder']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^skene init: no such folder: no\/such\/folder\n/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('skene init: skene and @skene/sdk in the project (skene.config.ts imports the sdk)', () => {
  const version = (pkg: string) =>
    (JSON.parse(readFileSync(fileURLToPath(new URL(`../../packages/${pkg}/package.json`, import.meta.url)), 'utf8')) as { version: string }).version;
  const sdk = `^${version('sdk')}`;
  const cli = `^${version('cli')}`;

  it("adds both to devDependencies, keeps the project's entries and formatting, and says to run npm install", () => {
    const dir = copy('express-prisma');
    const before = readFileSync(join(dir, 'package.json'), 'utf8');
    const r = skene(['init'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const after = readFileSync(join(dir, 'package.json'), 'utf8');
    // The only change: two entries after the last devDependency (2-space JSON, trailing newline kept).
    const added = `,\n    "@skene/sdk": "${sdk}",\n    "skene": "${cli}"`;
    assert.equal(after, before.replace('"tsx": "^4.19.0"', `"tsx": "^4.19.0"${added}`));
    assert.ok(after.endsWith('}\n'));
    assert.match(r.stdout, new RegExp(`\\n {2}package\\.json +devDependencies: @skene/sdk \\${sdk}, skene \\${cli}\\n`));
    assert.match(r.stdout, /\nNext:\n {2}npm install {3}\(installs @skene\/sdk and skene, /);

    // A second init (--force: the config exists now) adds nothing and says nothing about installing.
    const again = skene(['init', '--force'], { cwd: dir });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readFileSync(join(dir, 'package.json'), 'utf8'), after);
    assert.doesNotMatch(again.stdout, /package\.json|npm install/);
  });

  it("the lock file's package manager: pnpm install (pnpm-lock.yaml)", () => {
    const dir = copy('turbo-monorepo');
    const r = skene(['init'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies, { turbo: '^2.1.0', '@skene/sdk': sdk, skene: cli });
    assert.match(r.stdout, /\nNext:\n {2}pnpm install {3}\(/);
  });

  it('no package.json: none is made, and the exact install command is printed', () => {
    const dir = copy(null);
    const r = skene(['init'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(join(dir, 'package.json')), false);
    assert.match(r.stdout, /\nNext:\n {2}npm i -D skene @skene\/sdk {3}\(no package\.json here: /);
  });
});
