/** package.json dependencies that name a part of the stack. */
import type { ProjectFileSource } from './files.js';
import { base, type Findings } from './findings.js';
import { findLine } from './text.js';
import type { StackFindingKind } from './types.js';

export interface PackageRule {
  match: (pkg: string) => boolean;
  kind: StackFindingKind;
  name: string;
}

const is =
  (...names: string[]) =>
  (pkg: string) =>
    names.includes(pkg);
const prefix = (p: string) => (pkg: string) => pkg.startsWith(p);

/** npm packages that name a part of the stack. Order matters only within one package.json. */
export const PACKAGE_RULES: PackageRule[] = [
  // frameworks
  { match: is('next'), kind: 'framework', name: 'Next.js' },
  { match: is('@nestjs/core'), kind: 'framework', name: 'NestJS' },
  { match: is('express'), kind: 'framework', name: 'Express' },
  { match: (p) => p.startsWith('@remix-run/') && p !== '@remix-run/dev' && p !== '@remix-run/eslint-config', kind: 'framework', name: 'Remix' },
  { match: is('@sveltejs/kit'), kind: 'framework', name: 'SvelteKit' },
  { match: is('nuxt', 'nuxt3'), kind: 'framework', name: 'Nuxt' },
  { match: is('fastify'), kind: 'framework', name: 'Fastify' },
  { match: is('hono'), kind: 'framework', name: 'Hono' },
  { match: is('koa'), kind: 'framework', name: 'Koa' },
  { match: is('astro'), kind: 'framework', name: 'Astro' },
  // auth
  { match: prefix('@clerk/'), kind: 'auth', name: 'Clerk' },
  {
    match: (p) =>
      p === 'next-auth' || p === '@auth/core' || p === '@auth/nextjs' || /^@auth\/[\w-]+-adapter$/.test(p) || p === '@auth/sveltekit' || p === '@auth/express',
    kind: 'auth',
    name: 'Auth.js',
  },
  { match: (p) => p === '@supabase/ssr' || p.startsWith('@supabase/auth-helpers') || p === '@supabase/auth-ui-react', kind: 'auth', name: 'Supabase Auth' },
  { match: is('better-auth'), kind: 'auth', name: 'Better Auth' },
  { match: is('lucia'), kind: 'auth', name: 'Lucia' },
  // databases (drivers and platforms)
  { match: is('pg', 'postgres', 'pg-promise', '@vercel/postgres', 'slonik'), kind: 'database', name: 'PostgreSQL' },
  { match: is('@neondatabase/serverless'), kind: 'database', name: 'Neon' },
  { match: is('@supabase/supabase-js'), kind: 'database', name: 'Supabase' },
  { match: is('mysql2', 'mysql', 'mariadb'), kind: 'database', name: 'MySQL' },
  { match: is('@tidbcloud/serverless', '@tidbcloud/prisma-adapter'), kind: 'database', name: 'TiDB' },
  { match: is('@planetscale/database'), kind: 'database', name: 'PlanetScale' },
  { match: is('@upstash/redis'), kind: 'database', name: 'Upstash Redis' },
  { match: is('ioredis', 'redis'), kind: 'database', name: 'Redis' },
  { match: is('mongodb', 'mongoose'), kind: 'database', name: 'MongoDB' },
  { match: is('better-sqlite3', 'sqlite3'), kind: 'database', name: 'SQLite' },
  // ORMs and query builders
  { match: is('@prisma/client', 'prisma'), kind: 'orm', name: 'Prisma' },
  { match: is('typeorm', '@nestjs/typeorm'), kind: 'orm', name: 'TypeORM' },
  { match: is('drizzle-orm'), kind: 'orm', name: 'Drizzle' },
  { match: is('knex'), kind: 'orm', name: 'Knex' },
  { match: is('sequelize'), kind: 'orm', name: 'Sequelize' },
  { match: is('kysely'), kind: 'orm', name: 'Kysely' },
  { match: prefix('@mikro-orm/'), kind: 'orm', name: 'MikroORM' },
  // billing
  { match: is('stripe', '@stripe/stripe-js', '@stripe/react-stripe-js'), kind: 'billing', name: 'Stripe' },
  { match: is('@lemonsqueezy/lemonsqueezy.js'), kind: 'billing', name: 'Lemon Squeezy' },
  { match: prefix('@paddle/'), kind: 'billing', name: 'Paddle' },
  // email
  { match: is('resend'), kind: 'email', name: 'Resend' },
  { match: (p) => p === 'react-email' || p.startsWith('@react-email/'), kind: 'email', name: 'React Email' },
  { match: is('nodemailer'), kind: 'email', name: 'Nodemailer' },
  { match: is('@sendgrid/mail'), kind: 'email', name: 'SendGrid' },
  { match: is('postmark'), kind: 'email', name: 'Postmark' },
];

const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** The line of `"pkg":` inside the named dependency field (falls back to its first mention). */
function dependencyLine(text: string, field: string, pkg: string): number {
  const fieldAt = text.indexOf(`"${field}"`);
  const quoted = `"${pkg}"`;
  return findLine(text, quoted, fieldAt === -1 ? 0 : fieldAt) ?? findLine(text, quoted) ?? 1;
}

/** Every package.json in the tree (a monorepo's workspaces included: the walk finds them all). */
export function fromPackageJson(files: ProjectFileSource, out: Findings): void {
  for (const path of files.paths) {
    if (base(path) !== 'package.json') continue;
    const text = files.read(path);
    if (!text) continue;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const field of DEP_FIELDS) {
      const deps = json[field];
      if (!deps || typeof deps !== 'object') continue;
      for (const pkg of Object.keys(deps)) {
        for (const rule of PACKAGE_RULES) {
          if (rule.match(pkg)) out.add(rule.kind, rule.name, { file: path, line: dependencyLine(text, field, pkg), detail: `"${pkg}" in ${field}` });
        }
      }
    }
  }
}
