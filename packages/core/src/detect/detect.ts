/**
 * Stack detection over a project's files: package.json files (every workspace), lock files,
 * ORM schemas, config files and `.env.example`. Never `.env` (see files.ts).
 */
import type { LoopType } from '@skene/sdk';
import { readProjectFolder, type ProjectFileSource } from './files.js';
import { collectProjectSchema } from './schema.js';
import { blankComments, findLine, lineAt } from './text.js';
import type { StackDialect, StackEvidence, StackFinding, StackFindingKind, StackDetection } from './types.js';

interface PackageRule {
  match: (pkg: string) => boolean;
  kind: StackFindingKind;
  name: string;
}

const is = (...names: string[]) => (pkg: string) => names.includes(pkg);
const prefix = (p: string) => (pkg: string) => pkg.startsWith(p);

/** npm packages that name a part of the stack. Order matters only within one package.json. */
const PACKAGE_RULES: PackageRule[] = [
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
  { match: (p) => p === 'next-auth' || p === '@auth/core' || p === '@auth/nextjs' || /^@auth\/[\w-]+-adapter$/.test(p) || p === '@auth/sveltekit' || p === '@auth/express', kind: 'auth', name: 'Auth.js' },
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

class Findings {
  readonly list: StackFinding[] = [];
  add(kind: StackFindingKind, name: string, evidence: StackEvidence, version?: string): void {
    const existing = this.list.find((f) => f.name === name);
    if (!existing) {
      this.list.push({ kind, name, evidence: [evidence], ...(version ? { version } : {}) });
      return;
    }
    if (!existing.evidence.some((e) => e.file === evidence.file && e.line === evidence.line)) existing.evidence.push(evidence);
    if (version && !existing.version) existing.version = version;
  }
  has(name: string): boolean {
    return this.list.some((f) => f.name === name);
  }
  get(name: string): StackFinding | undefined {
    return this.list.find((f) => f.name === name);
  }
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The line of `"pkg":` inside the named dependency field (falls back to its first mention). */
function dependencyLine(text: string, field: string, pkg: string): number {
  const fieldAt = text.indexOf(`"${field}"`);
  const quoted = `"${pkg}"`;
  return findLine(text, quoted, fieldAt === -1 ? 0 : fieldAt) ?? findLine(text, quoted) ?? 1;
}

/** Every package.json in the tree (a monorepo's workspaces included: the walk finds them all). */
function fromPackageJson(files: ProjectFileSource, out: Findings): void {
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

/** Resolved versions from a lock file, and the package manager it belongs to. */
function fromLockFiles(files: ProjectFileSource, out: Findings): StackDetection['packageManager'] {
  let manager: StackDetection['packageManager'] = null;
  const versionOf = new Map<string, { version: string; evidence: StackEvidence }>();
  for (const path of files.paths) {
    const name = base(path);
    if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') {
      manager ??= 'npm';
      const text = files.read(path);
      if (!text) continue;
      for (const m of text.matchAll(/"node_modules\/((?:@[\w.-]+\/)?[\w.-]+)"\s*:\s*\{\s*"version"\s*:\s*"([^"]+)"/g)) {
        if (!versionOf.has(m[1])) versionOf.set(m[1], { version: m[2], evidence: { file: path, line: lineAt(text, m.index), detail: `${m[1]}@${m[2]}` } });
      }
    } else if (name === 'pnpm-lock.yaml') {
      manager ??= 'pnpm';
      const text = files.read(path);
      if (!text) continue;
      for (const m of text.matchAll(/^ {2}'?\/?((?:@[\w.-]+\/)?[\w.-]+)@(\d[^:(']*)/gm)) {
        if (!versionOf.has(m[1])) versionOf.set(m[1], { version: m[2], evidence: { file: path, line: lineAt(text, m.index), detail: `${m[1]}@${m[2]}` } });
      }
    } else if (name === 'yarn.lock') {
      manager ??= 'yarn';
      const text = files.read(path);
      if (!text) continue;
      for (const m of text.matchAll(/^"?((?:@[\w.-]+\/)?[\w.-]+)@[^\n]*:\n\s+version:? "?([^"\n]+)"?/gm)) {
        if (!versionOf.has(m[1])) versionOf.set(m[1], { version: m[2], evidence: { file: path, line: lineAt(text, m.index), detail: `${m[1]}@${m[2]}` } });
      }
    } else if (name === 'bun.lockb' || name === 'bun.lock') {
      manager ??= 'bun';
    }
  }
  // A lock file adds versions (and evidence) to what package.json files declare; it does not add
  // packages on its own, because most of what it lists are transitive dependencies.
  for (const finding of out.list) {
    for (const [pkg, info] of versionOf) {
      const rule = PACKAGE_RULES.find((r) => r.match(pkg));
      if (rule?.name !== finding.name) continue;
      const declared = finding.evidence.some((e) => e.detail?.startsWith(`"${pkg}"`));
      if (!declared) continue;
      finding.version ??= info.version;
      finding.evidence.push(info.evidence);
    }
  }
  return manager;
}

const PRISMA_PROVIDERS: Record<string, string> = { postgresql: 'PostgreSQL', postgres: 'PostgreSQL', cockroachdb: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite', sqlserver: 'SQL Server', mongodb: 'MongoDB' };

function fromConfigFiles(files: ProjectFileSource, out: Findings): void {
  for (const path of files.paths) {
    const name = base(path);
    if (path.startsWith('skene/')) continue;
    if (name.endsWith('.prisma')) {
      const text = files.read(path);
      if (!text) continue;
      const clean = blankComments(text, 'js');
      const ds = /datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"(\w+)"/.exec(clean);
      if (ds) {
        const at = ds.index + ds[0].lastIndexOf('provider');
        const db = PRISMA_PROVIDERS[ds[1]];
        out.add('orm', 'Prisma', { file: path, line: lineAt(text, ds.index), detail: 'Prisma schema' });
        if (db) out.add('database', db, { file: path, line: lineAt(text, at), detail: `datasource provider "${ds[1]}"` });
      }
    } else if (/^drizzle\.config\.(ts|js|mjs|cjs|json)$/.test(name)) {
      const text = files.read(path);
      if (!text) continue;
      const m = /(dialect|driver)\s*:\s*['"](\w+)['"]/.exec(blankComments(text, 'js'));
      out.add('orm', 'Drizzle', { file: path, line: 1, detail: 'Drizzle config' });
      if (m) {
        const db = /^(postgresql|pg|postgres)$/.test(m[2]) ? 'PostgreSQL' : /^mysql2?$/.test(m[2]) ? 'MySQL' : /^(sqlite|turso|better-sqlite)$/.test(m[2]) ? 'SQLite' : undefined;
        if (db) out.add('database', db, { file: path, line: lineAt(text, m.index), detail: `${m[1]} "${m[2]}"` });
      }
    } else if (/^knexfile\.(ts|js|mjs|cjs)$/.test(name)) {
      const text = files.read(path);
      if (!text) continue;
      const m = /client\s*:\s*['"](\w+)['"]/.exec(blankComments(text, 'js'));
      out.add('orm', 'Knex', { file: path, line: 1, detail: 'knexfile' });
      if (m) {
        const db = /^(pg|postgres|postgresql)$/.test(m[1]) ? 'PostgreSQL' : /^mysql2?$/.test(m[1]) ? 'MySQL' : undefined;
        if (db) out.add('database', db, { file: path, line: lineAt(text, m.index), detail: `client "${m[1]}"` });
      }
    } else if (/^ormconfig\.(json|js|ts|ya?ml)$/.test(name) || /(data-source|typeorm\.config|database\.module|app\.module|ormconfig)\.[cm]?[tj]s$/.test(name)) {
      const text = files.read(path);
      if (!text || !/typeorm|TypeOrmModule|DataSource/i.test(text) && !name.startsWith('ormconfig')) continue;
      const m = /["']?type["']?\s*:\s*['"](postgres|mysql|mariadb|cockroachdb)['"]/.exec(blankComments(text, 'js'));
      if (m) out.add('database', m[1] === 'mysql' || m[1] === 'mariadb' ? 'MySQL' : 'PostgreSQL', { file: path, line: lineAt(text, m.index), detail: `TypeORM type "${m[1]}"` });
    } else if (name === 'config.toml' && /(^|\/)supabase\/config\.toml$/.test(path)) {
      const text = files.read(path);
      if (!text) continue;
      out.add('database', 'Supabase', { file: path, line: findLine(text, /^project_id/m) ?? 1, detail: 'Supabase CLI config' });
      const auth = findLine(text, /^\[auth\]/m);
      if (auth && !/^\[auth\][^[]*enabled\s*=\s*false/m.test(text)) out.add('auth', 'Supabase Auth', { file: path, line: auth, detail: '[auth] section' });
    } else if (name === 'config.yaml' || name === 'config.yml') {
      // Hasura CLI project: config.yaml with `version:` and `metadata_directory:` (or `endpoint:`) beside a metadata folder.
      const dir = path.slice(0, path.length - name.length);
      const text = files.read(path);
      if (!text) continue;
      const hasMetadata = files.paths.some((p) => p.startsWith(`${dir}metadata/`));
      if (/^version\s*:\s*[23]\s*$/m.test(text) && (hasMetadata || /^metadata_directory\s*:/m.test(text) || /^endpoint\s*:/m.test(text))) {
        out.add('database', 'Hasura', { file: path, line: findLine(text, /^version\s*:/m) ?? 1, detail: 'Hasura CLI config' });
      }
    } else if (/(^|\/)metadata\/databases\/databases\.ya?ml$/.test(path)) {
      const text = files.read(path);
      if (!text) continue;
      const kind = /kind\s*:\s*(\w+)/.exec(text);
      out.add('database', 'Hasura', { file: path, line: kind ? lineAt(text, kind.index) : 1, detail: kind ? `Hasura database kind ${kind[1]}` : 'Hasura metadata' });
    } else if (/^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(name)) {
      const text = files.read(path);
      if (!text) continue;
      for (const m of text.matchAll(/^\s*image\s*:\s*['"]?([\w./-]+)(?::[\w.-]+)?['"]?\s*$/gm)) {
        const image = m[1].toLowerCase();
        const db = image.includes('hasura/graphql-engine') ? 'Hasura' : /(^|\/)(postgres|postgis\/postgis|pgvector\/pgvector)$/.test(image) ? 'PostgreSQL' : /(^|\/)(mysql|mariadb)$/.test(image) ? 'MySQL' : image.includes('pingcap/tidb') ? 'TiDB' : /(^|\/)redis(-stack)?$/.test(image) ? 'Redis' : undefined;
        if (db) out.add('database', db, { file: path, line: lineAt(text, m.index), detail: `image ${m[1]}` });
      }
    }
  }
}

/** Only names and hosts are used from env examples: values are never copied into the output. */
function fromEnvExamples(files: ProjectFileSource, out: Findings): void {
  for (const path of files.paths) {
    if (!/^\.env/.test(base(path))) continue; // files.ts lists only example env files
    const text = files.read(path);
    if (!text) continue;
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      const m = /^\s*(?:export\s+)?([A-Za-z_][\w]*)\s*=\s*(.*)$/.exec(raw);
      if (!m) return;
      const [, name, value] = m;
      const line = i + 1;
      const ev = (detail: string): StackEvidence => ({ file: path, line, detail });
      const host = /^["']?[a-z][\w+.-]*:\/\/(?:[^@/\s]*@)?([^/:?\s"']+)/i.exec(value)?.[1]?.toLowerCase() ?? (/HOST$/.test(name) ? value.replace(/["'\s]/g, '').toLowerCase() : '');
      const scheme = /^["']?([a-z][\w+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
      if (host.endsWith('tidbcloud.com') || /^TIDB_/.test(name)) out.add('database', 'TiDB', ev(host.endsWith('tidbcloud.com') ? `${name} points at a TiDB Cloud host (tidbcloud.com)` : `${name}`));
      else if (host.endsWith('neon.tech')) out.add('database', 'Neon', ev(`${name} points at a Neon host (neon.tech)`));
      else if (host.endsWith('supabase.co') || host.endsWith('supabase.com') || /^(NEXT_PUBLIC_|PUBLIC_|VITE_)?SUPABASE_URL$/.test(name)) out.add('database', 'Supabase', ev(`${name}`));
      else if (host.endsWith('upstash.io') || /^UPSTASH_REDIS_/.test(name)) out.add('database', 'Upstash Redis', ev(`${name}`));
      else if (/^HASURA_GRAPHQL_/.test(name)) out.add('database', 'Hasura', ev(`${name}`));
      else if (scheme === 'postgres' || scheme === 'postgresql') out.add('database', 'PostgreSQL', ev(`${name} is a postgres:// URL`));
      else if (scheme === 'mysql') out.add('database', 'MySQL', ev(`${name} is a mysql:// URL`));
      else if (scheme === 'redis' || scheme === 'rediss') out.add('database', 'Redis', ev(`${name} is a redis:// URL`));
      if (/CLERK_(SECRET|PUBLISHABLE)_KEY$/.test(name)) out.add('auth', 'Clerk', ev(name));
      if (/^(NEXTAUTH_(SECRET|URL)|AUTH_SECRET)$/.test(name)) out.add('auth', 'Auth.js', ev(name));
      if (/^STRIPE_(SECRET_KEY|WEBHOOK_SECRET)$|^NEXT_PUBLIC_STRIPE_/.test(name)) out.add('billing', 'Stripe', ev(name));
      if (name === 'RESEND_API_KEY') out.add('email', 'Resend', ev(name));
    });
  }
}

const FRAMEWORK_ORDER = ['Next.js', 'Nuxt', 'SvelteKit', 'Remix', 'Astro', 'NestJS', 'Fastify', 'Hono', 'Koa', 'Express'];
/** Most specific first: a platform (TiDB, Neon, Supabase, Hasura) says more than the protocol it speaks. */
const DATABASE_ORDER = ['Hasura', 'Supabase', 'Neon', 'TiDB', 'PlanetScale', 'PostgreSQL', 'MySQL', 'Upstash Redis', 'Redis', 'SQLite', 'MongoDB'];
const DIALECTS: Record<string, StackDialect | null> = {
  Hasura: 'postgres', Supabase: 'postgres', Neon: 'postgres', PostgreSQL: 'postgres',
  TiDB: 'mysql', PlanetScale: 'mysql', MySQL: 'mysql',
  'Upstash Redis': 'redis', Redis: 'redis', SQLite: null, MongoDB: null,
};
/** Names a database has when it is the whole stack, as the product pages write them. */
const STANDALONE: Record<string, string> = { 'Upstash Redis': 'Upstash' };
const ORM_ORDER = ['Prisma', 'Drizzle', 'TypeORM', 'Knex', 'Sequelize', 'Kysely', 'MikroORM'];
const AUTH_ORDER = ['Clerk', 'Auth.js', 'Supabase Auth', 'Better Auth', 'Lucia'];
const BILLING_ORDER = ['Stripe', 'Lemon Squeezy', 'Paddle'];

const firstOf = (order: string[], findings: Findings) => order.find((n) => findings.has(n)) ?? null;

/** Auth providers whose sign-ups start activation loops. */
const SIGNUP_AUTH = new Set(['Clerk', 'Auth.js', 'Supabase Auth', 'Better Auth', 'Lucia']);

export interface DetectOptions {
  /** Overrides the suggested pattern (`--pattern`). */
  pattern?: LoopType;
}

/** Detects the stack of the project in `files` (see `detectStack` for a folder on disk). */
export function detectStackInFiles(files: ProjectFileSource, options: DetectOptions = {}): StackDetection {
  const findings = new Findings();
  fromPackageJson(files, findings);
  fromConfigFiles(files, findings);
  fromEnvExamples(files, findings);
  const packageManager = fromLockFiles(files, findings);
  const { tables, redisKeys } = collectProjectSchema(files);

  // A SQL database is the loops' source even when Redis is present (then usually a cache).
  const sql = DATABASE_ORDER.filter((n) => DIALECTS[n] !== 'redis').find((n) => findings.has(n));
  // Hasura and Supabase are PostgreSQL underneath; TiDB speaks MySQL: the platform names the stack.
  const database = sql ?? firstOf(['Upstash Redis', 'Redis'], findings);
  const framework = firstOf(FRAMEWORK_ORDER, findings);
  const auth = firstOf(AUTH_ORDER, findings);
  const billing = firstOf(BILLING_ORDER, findings);
  const orm = firstOf(ORM_ORDER, findings);
  const dialect = database ? DIALECTS[database] ?? null : null;

  const empty = !framework && !database && !auth && !billing && !orm && !findings.list.length;
  if (empty) {
    return {
      root: files.root, empty: true, stack: null, findings: [], database: null, dialect: null,
      pattern: options.pattern ?? 'activation', reason: 'No stack detected.', tables, redisKeys, packageManager,
      message: `No stack detected in ${files.root}: no package.json, lock file, ORM schema (schema.prisma, Drizzle, TypeORM), database config (Hasura, Supabase, docker-compose) or .env.example names a framework or database. Run this in your project's root folder.`,
    };
  }

  // The stack name: at most three parts, chosen framework > database > auth > billing > ORM,
  // written framework, ORM, database, auth, billing ("Express + Prisma + PostgreSQL",
  // "NestJS + PostgreSQL + Stripe", "Next.js + Upstash Redis + Clerk").
  const authShown = auth === 'Supabase Auth' && database === 'Supabase' ? null : auth;
  const chosen = [framework, database, authShown, billing, orm].filter((x): x is string => !!x).slice(0, 3);
  const display = [framework, orm, database, authShown, billing].filter((x): x is string => !!x && chosen.includes(x));
  const stack = display.length === 1 && database && display[0] === database ? STANDALONE[database] ?? database : display.join(' + ');

  let pattern: LoopType;
  let reason: string;
  const signup = auth && SIGNUP_AUTH.has(auth) ? auth : null;
  if (options.pattern) {
    pattern = options.pattern;
    reason = `--pattern ${options.pattern} was given.`;
  } else if (signup) {
    pattern = 'activation';
    reason = `${signup} handles sign-ups, so the stack is signup-centred: the loop that pays first is activation — welcome each new user and lead them to their first key action.`;
  } else {
    pattern = 'retention';
    const where = database ?? framework ?? 'the app';
    reason = `No sign-up provider was found and ${where} holds the users' usage data, so the stack is usage-data-centred: the loop that pays first is retention — find users whose activity has dropped and re-engage them.`;
  }
  // Findings in reading order: framework, auth, the loops' database first among databases, ORM, billing, email.
  const kindOrder: StackFindingKind[] = ['framework', 'auth', 'database', 'orm', 'billing', 'email'];
  const sorted = [...findings.list].sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || Number(b.name === database) - Number(a.name === database));
  return {
    root: files.root, empty: false, stack, findings: sorted, database: database ?? null, dialect,
    pattern, reason, tables, redisKeys, packageManager,
  };
}

/** Detects the stack of the project folder `dir`. Reads no secret files. */
export function detectStack(dir: string, options: DetectOptions = {}): StackDetection {
  return detectStackInFiles(readProjectFolder(dir), options);
}
