import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildPrompt, detectStack, detectStackInFiles, isSecretFile, memoryProjectFolder, promptJson, type StackDetection } from '@skene/core';

const FIXTURES = fileURLToPath(new URL('../fixtures/projects/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const temps: string[] = [];
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempCopy(name?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-detect-'));
  temps.push(dir);
  if (name) cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

/** The finding named `name`, asserting it exists. */
function finding(d: StackDetection, name: string) {
  const f = d.findings.find((x) => x.name === name);
  assert.ok(f, `expected a finding "${name}", got ${d.findings.map((x) => x.name).join(', ')}`);
  return f;
}
function hasEvidence(d: StackDetection, name: string, file: string, line: number) {
  const f = finding(d, name);
  assert.ok(
    f.evidence.some((e) => e.file === file && e.line === line),
    `expected ${name} evidence at ${file}:${line}, got ${f.evidence.map((e) => `${e.file}:${e.line}`).join(', ')}`,
  );
}

describe('stack detection: the five seed stacks', () => {
  it('Upstash: standalone Upstash Redis → "Upstash", Retention', () => {
    const d = detectStack(fixture('upstash'));
    assert.equal(d.stack, 'Upstash');
    assert.equal(d.pattern, 'retention');
    assert.equal(d.dialect, 'redis');
    assert.equal(d.database, 'Upstash Redis');
    hasEvidence(d, 'Upstash Redis', 'package.json', 9);
    hasEvidence(d, 'Upstash Redis', '.env.example', 2);
    assert.deepEqual(
      d.redisKeys.map((k) => [k.prefix, k.kind, k.evidence.file, k.evidence.line]),
      [
        ['users', 'hash', 'src/index.ts', 6],
        ['user_actions', 'set', 'src/index.ts', 10],
        ['last_seen', 'sorted set', 'src/index.ts', 11],
      ],
    );
    assert.match(buildPrompt(d), /implement the Retention Loop pattern for Upstash\.\n/);
  });

  it('Next.js + Upstash Redis + Clerk → Activation (Clerk handles sign-ups)', () => {
    const d = detectStack(fixture('nextjs-upstash-clerk'));
    assert.equal(d.stack, 'Next.js + Upstash Redis + Clerk');
    assert.equal(d.pattern, 'activation');
    assert.match(d.reason, /Clerk handles sign-ups/);
    assert.equal(d.dialect, 'redis');
    assert.equal(d.packageManager, 'npm');
    hasEvidence(d, 'Next.js', 'package.json', 13);
    hasEvidence(d, 'Clerk', 'package.json', 11);
    hasEvidence(d, 'Clerk', '.env.example', 2);
    hasEvidence(d, 'Upstash Redis', 'package.json', 12);
    // The lock file adds the resolved version and its own evidence.
    assert.equal(finding(d, 'Clerk').version, '6.9.6');
    hasEvidence(d, 'Clerk', 'package-lock.json', 18);
    assert.deepEqual(
      d.redisKeys.map((k) => k.prefix),
      ['users', 'projects', 'user_actions'],
    );
  });

  it('Hasura: metadata + config.yaml → "Hasura", Retention, PostgreSQL dialect, tables from migrations', () => {
    const d = detectStack(fixture('hasura'));
    assert.equal(d.stack, 'Hasura');
    assert.equal(d.pattern, 'retention');
    assert.equal(d.dialect, 'postgres');
    hasEvidence(d, 'Hasura', 'hasura/config.yaml', 1);
    hasEvidence(d, 'Hasura', 'hasura/metadata/databases/databases.yaml', 2);
    hasEvidence(d, 'Hasura', 'docker-compose.yml', 8);
    const users = d.tables.find((t) => t.name === 'users');
    assert.ok(users);
    assert.deepEqual(users.evidence, { file: 'hasura/migrations/default/1700000000000_init/up.sql', line: 1 });
    assert.deepEqual(
      users.columns.map((c) => c.name),
      ['id', 'email', 'name', 'created_at', 'last_activity_at', 're_engagement_sent'],
    );
    assert.ok(d.tables.some((t) => t.name === 'feature_usage'));
  });

  it('TiDB: mysql2 + a tidbcloud.com host in .env.example → "TiDB", Retention, MySQL dialect', () => {
    const d = detectStack(fixture('tidb'));
    assert.equal(d.stack, 'TiDB');
    assert.equal(d.pattern, 'retention');
    assert.equal(d.dialect, 'mysql');
    assert.equal(d.database, 'TiDB');
    hasEvidence(d, 'TiDB', '.env.example', 2);
    hasEvidence(d, 'MySQL', 'package.json', 7);
    assert.deepEqual(
      d.tables.map((t) => [t.name, t.evidence.line]),
      [
        ['users', 2],
        ['page_views', 12],
      ],
    );
    assert.equal(d.tables[0].columns.find((c) => c.name === 'email')?.type, 'varchar(255)');
    // The env example's values (user, password) never reach the output.
    assert.doesNotMatch(JSON.stringify(promptJson(d)), /PASSWORD|USER\.root/);
  });

  it('NestJS + PostgreSQL + Stripe (TypeORM) → Retention; TypeORM entities and migrations give the tables', () => {
    const d = detectStack(fixture('nestjs-postgres-stripe'));
    assert.equal(d.stack, 'NestJS + PostgreSQL + Stripe');
    assert.equal(d.pattern, 'retention');
    assert.equal(d.dialect, 'postgres');
    hasEvidence(d, 'NestJS', 'package.json', 12);
    hasEvidence(d, 'PostgreSQL', 'package.json', 15);
    hasEvidence(d, 'PostgreSQL', 'src/app.module.ts', 9);
    hasEvidence(d, 'Stripe', 'package.json', 18);
    hasEvidence(d, 'TypeORM', 'package.json', 19);
    const users = d.tables.find((t) => t.name === 'users');
    assert.ok(users);
    for (const c of ['email', 'name', 'stripe_customer_id', 'last_activity_at', 'created_at'])
      assert.ok(
        users.columns.some((x) => x.name === c),
        c,
      );
    const events = d.tables.find((t) => t.name === 'events');
    assert.ok(events);
    assert.deepEqual(events.evidence, { file: 'src/events/event.entity.ts', line: 4 });
    assert.deepEqual(
      events.columns.map((c) => c.name),
      ['id', 'user_id', 'event_type', 'created_at'],
    );
  });
});

describe('stack detection: other stacks', () => {
  it('Express + Prisma + PostgreSQL: provider from schema.prisma, @@map / @map names, relation fields skipped', () => {
    const d = detectStack(fixture('express-prisma'));
    assert.equal(d.stack, 'Express + Prisma + PostgreSQL');
    assert.equal(d.pattern, 'retention');
    assert.equal(d.dialect, 'postgres');
    hasEvidence(d, 'Express', 'package.json', 11);
    hasEvidence(d, 'Prisma', 'package.json', 10);
    hasEvidence(d, 'PostgreSQL', 'prisma/schema.prisma', 7);
    assert.deepEqual(
      d.tables.map((t) => [t.name, t.evidence.line, t.columns.map((c) => c.name)]),
      [
        ['users', 16, ['id', 'email', 'name', 'plan', 'created_at', 'last_activity_at']],
        ['projects', 28, ['id', 'name', 'owner_id', 'created_at']],
      ],
    );
  });

  it('Next.js + Supabase (Supabase Auth) → Activation; public tables only, auth.users skipped', () => {
    const d = detectStack(fixture('supabase-next'));
    assert.equal(d.stack, 'Next.js + Supabase');
    assert.equal(d.pattern, 'activation');
    assert.match(d.reason, /Supabase Auth handles sign-ups/);
    assert.equal(d.dialect, 'postgres');
    hasEvidence(d, 'Supabase', 'package.json', 9);
    hasEvidence(d, 'Supabase', 'supabase/config.toml', 2);
    hasEvidence(d, 'Supabase Auth', 'package.json', 8);
    hasEvidence(d, 'Supabase Auth', 'supabase/config.toml', 12);
    hasEvidence(d, 'Next.js', 'package.json', 10);
    assert.deepEqual(
      d.tables.map((t) => t.name),
      ['profiles', 'todos'],
    );
  });

  it('a workspace monorepo: findings from every package.json, Drizzle tables, pnpm lock versions', () => {
    const d = detectStack(fixture('turbo-monorepo'));
    assert.equal(d.stack, 'Next.js + PostgreSQL + Auth.js');
    assert.equal(d.pattern, 'activation');
    assert.equal(d.packageManager, 'pnpm');
    hasEvidence(d, 'Next.js', 'apps/web/package.json', 6);
    hasEvidence(d, 'Auth.js', 'apps/web/package.json', 7);
    hasEvidence(d, 'PostgreSQL', 'packages/db/package.json', 7);
    hasEvidence(d, 'PostgreSQL', 'packages/db/drizzle.config.ts', 6);
    assert.equal(finding(d, 'Auth.js').version, '5.0.0-beta.22');
    assert.deepEqual(
      d.tables.map((t) => [t.name, t.evidence.file, t.evidence.line, t.columns.map((c) => c.name)]),
      [
        ['users', 'packages/db/src/schema.ts', 3, ['id', 'email', 'name', 'created_at']],
        ['user_actions', 'packages/db/src/schema.ts', 10, ['id', 'user_id', 'action_type', 'created_at', 'archived']],
      ],
    );
  });

  it('an empty folder: no stack, a clear message, no prompt', () => {
    const dir = tempCopy();
    const d = detectStack(dir);
    assert.equal(d.empty, true);
    assert.equal(d.stack, null);
    assert.deepEqual(d.findings, []);
    assert.match(d.message ?? '', /^No stack detected in .*: no package\.json/);
    assert.throws(() => buildPrompt(d), /No stack detected/);
    assert.equal(promptJson(d).prompt, null);
  });

  it('a folder with only a README is as empty as an empty one', () => {
    const d = detectStackInFiles(memoryProjectFolder({ 'README.md': '# My app\n\nUses Next.js one day.' }));
    assert.equal(d.empty, true);
    assert.equal(d.stack, null);
  });

  it('--pattern overrides the suggestion and says so', () => {
    const d = detectStack(fixture('tidb'), { pattern: 'activation' });
    assert.equal(d.pattern, 'activation');
    assert.equal(d.reason, '--pattern activation was given.');
    assert.match(buildPrompt(d), /the Activation Loop pattern for TiDB\./);
  });
});

describe('secrets', () => {
  it('never reads .env (or .env.local): its values and hosts never reach the detection or the prompt', () => {
    const dir = tempCopy('express-prisma');
    const secret = 'hunter2-s3cr3t-value';
    writeFileSync(
      join(dir, '.env'),
      `DATABASE_URL=postgres://admin:${secret}@ep-secret-host.eu-central-1.aws.neon.tech/prod\nRESEND_API_KEY=re_${secret}\nCLERK_SECRET_KEY=sk_live_${secret}\n`,
    );
    writeFileSync(join(dir, '.env.local'), `STRIPE_SECRET_KEY=sk_live_${secret}\n`);
    writeFileSync(join(dir, '.env.production'), `UPSTASH_REDIS_REST_TOKEN=${secret}\n`);
    const d = detectStack(dir);
    const everything = JSON.stringify(d) + JSON.stringify(promptJson(d)) + buildPrompt(d);
    assert.ok(!everything.includes(secret), 'a secret from .env reached the output');
    assert.ok(!everything.includes('ep-secret-host'), 'a host from .env reached the output');
    // Nothing in the secret files is detected: were they read, Neon, Resend, Clerk, Stripe and Upstash would show.
    assert.deepEqual(d.findings.map((f) => f.name).sort(), ['Express', 'PostgreSQL', 'Prisma']);
    assert.equal(d.stack, 'Express + Prisma + PostgreSQL');
  });

  it('isSecretFile: env files are secret except examples; keys and credential files are secret', () => {
    for (const f of [
      '.env',
      '.env.local',
      '.env.production',
      'apps/web/.env.development.local',
      '.envrc',
      'id_rsa',
      'server.pem',
      'tls.key',
      '.npmrc',
      'credentials.json',
      '.dev.vars',
    ])
      assert.equal(isSecretFile(f), true, f);
    for (const f of ['.env.example', '.env.sample', '.env.local.example', 'apps/web/.env.template', 'package.json', 'schema.prisma'])
      assert.equal(isSecretFile(f), false, f);
  });

  it('an in-memory project drops secret files too', () => {
    const files = memoryProjectFolder({ '.env': 'X=1', '.env.example': 'X=', 'package.json': '{}' });
    assert.deepEqual(files.paths, ['.env.example', 'package.json']);
    assert.equal(files.read('.env'), undefined);
  });
});
