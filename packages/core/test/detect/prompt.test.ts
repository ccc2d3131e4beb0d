import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BACKOFFS, DB_EVENTS, LOOP_TYPES, TEMPLATE_ROOTS, emailActionSchema } from '@skene/sdk';
import { buildPrompt, cursorRule, detectStack, fieldList, promptHeader, promptJson } from '@skene/core';

const FIXTURES = fileURLToPath(new URL('../fixtures/projects/', import.meta.url));
const prompt = (name: string) => buildPrompt(detectStack(join(FIXTURES, name)));

/** The two lines of each seed page's "Install via Prompt" block, verbatim. */
const SEED_HEADERS: Record<string, string> = {
  upstash:
    '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Retention Loop pattern for Upstash.',
  'nextjs-upstash-clerk':
    '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Activation Loop pattern for Next.js + Upstash Redis + Clerk.',
  hasura:
    '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Retention Loop pattern for Hasura.',
  tidb: '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Retention Loop pattern for TiDB.',
  'nestjs-postgres-stripe':
    '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Retention Loop pattern for NestJS + PostgreSQL + Stripe.',
};

describe('the Cursor prompt', () => {
  for (const [name, header] of Object.entries(SEED_HEADERS)) {
    it(`${name}: starts with the seed page's two lines, byte for byte`, () => {
      assert.ok(prompt(name).startsWith(`${header}\n`), prompt(name).slice(0, 300));
    });
  }

  it('promptHeader is the seed form', () => {
    assert.equal(promptHeader('Hasura', 'retention'), SEED_HEADERS.hasura);
  });

  it('lists the tables and columns found, with where they are declared', () => {
    const p = prompt('express-prisma');
    assert.match(p, /^- users \(prisma\/schema\.prisma:16\): id Int, email String, name String, plan Plan, created_at DateTime, last_activity_at DateTime$/m);
    assert.match(p, /^- projects \(prisma\/schema\.prisma:28\): /m);
    assert.match(p, /users are in `users` \(email `email`, name `name`\); last activity is `users\.last_activity_at`/);
  });

  it('when users live outside `users` (Supabase profiles), says to name the people table with users:', () => {
    const p = prompt('supabase-next');
    assert.match(p, /^- So: users are in `profiles` \(email `email`, name `full_name`\)\.$/m);
    assert.match(
      p,
      /^- The people are not `users` with an `email` column: write `defineConfig\(\{ users: \{ table: 'profiles', name: 'full_name' \}, loops \}\)`, so that `user` is a `profiles` row/m,
    );
    assert.doesNotMatch(prompt('express-prisma'), /The people are not `users`/);
  });

  it('lists Redis key prefixes for a Redis stack, and Redis rules instead of SQL ones', () => {
    const p = prompt('nextjs-upstash-clerk');
    assert.match(p, /^- `users:<id>` \(hash, src\/lib\/users\.ts:7\)$/m);
    assert.match(p, /SISMEMBER/);
    assert.match(p, /A SQL `query` condition against Redis is an error/);
    assert.doesNotMatch(p, /INTERVAL/);
  });

  it("gives the MySQL dialect rules for TiDB (INTERVAL 7 DAY, not INTERVAL '7 days')", () => {
    const p = prompt('tidb');
    assert.match(p, /@dialect: TiDB rules:/);
    assert.match(p, /`NOW\(\) - INTERVAL 7 DAY`/);
    assert.match(p, /never PostgreSQL's `INTERVAL '7 days'`, which TiDB rejects/);
  });

  it('gives the PostgreSQL rules for PostgreSQL stacks', () => {
    assert.match(prompt('nestjs-postgres-stripe'), /intervals are `NOW\(\) - INTERVAL '7 days'`/);
    assert.match(prompt('hasura'), /Hasura is PostgreSQL: intervals/);
  });

  it('describes the config language from the sdk schema: every loop type, event, backoff and template root', () => {
    const p = prompt('hasura');
    assert.ok(p.includes(LOOP_TYPES.join(' | ')));
    assert.ok(p.includes(DB_EVENTS.join(' | ')));
    assert.ok(p.includes(BACKOFFS.join(' | ')));
    for (const root of TEMPLATE_ROOTS) assert.ok(p.includes(`\`${root}\``), root);
    assert.ok(p.includes(fieldList(emailActionSchema)));
    assert.equal(fieldList(emailActionSchema), "{ type: 'email', provider: 'resend', template, personalization?, to?, from?, subject? }");
  });

  it('ends with how to verify: check and plan until clean', () => {
    assert.match(prompt('tidb'), /Run `npx skene check` and `npx skene plan` until both are clean/);
  });

  it('json form: stack, pattern, reason, evidence (file, line), prompt', () => {
    const j = promptJson(detectStack(join(FIXTURES, 'nestjs-postgres-stripe')));
    assert.equal(j.stack, 'NestJS + PostgreSQL + Stripe');
    assert.equal(j.pattern, 'retention');
    assert.match(j.reason, /retention/);
    assert.ok(j.evidence.some((e) => e.name === 'Stripe' && e.file === 'package.json' && e.line === 18));
    assert.ok(j.prompt?.startsWith(SEED_HEADERS['nestjs-postgres-stripe']));
  });
});

describe('the Cursor rule', () => {
  it('has Cursor front matter: description, globs skene.config.ts, alwaysApply false', () => {
    const rule = cursorRule();
    const front = /^---\n([\s\S]*?)\n---\n/.exec(rule);
    assert.ok(front);
    const fields = Object.fromEntries(front[1].split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    assert.deepEqual(Object.keys(fields), ['description', 'globs', 'alwaysApply']);
    assert.ok(fields.description.length > 20);
    assert.equal(fields.globs, 'skene.config.ts');
    assert.equal(fields.alwaysApply, 'false');
  });

  it("describes the language and all three dialects, the project's own first", () => {
    const rule = cursorRule({ dialect: 'mysql', database: 'TiDB' });
    assert.ok(rule.includes(LOOP_TYPES.join(' | ')));
    const mysql = rule.indexOf('## MySQL dialect');
    const pg = rule.indexOf('## PostgreSQL dialect');
    const redis = rule.indexOf('## Redis');
    assert.ok(mysql > 0 && pg > mysql && redis > pg, 'MySQL first, then PostgreSQL, then Redis');
    assert.match(rule, /## MySQL dialect .* — this project/);
    assert.match(rule, /npx skene check` and `npx skene plan`/);
  });
});
