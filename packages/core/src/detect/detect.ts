/**
 * Stack detection over a project's files: package.json files (every workspace), lock files,
 * ORM schemas, config files and `.env.example`. Never `.env` (see files.ts).
 */
import type { LoopType } from '@skene/sdk';
import type { Dialect } from '../dialect.js';
import { fromConfigFiles } from './config-files.js';
import { fromEnvExamples } from './env-examples.js';
import { readProjectFolder, type ProjectFileSource } from './files.js';
import { Findings } from './findings.js';
import { fromLockFiles } from './lock-files.js';
import { fromPackageJson } from './packages.js';
import { collectProjectSchema } from './schema.js';
import { findSkeneFiles } from './skene-files.js';
import type { StackFindingKind, StackDetection } from './types.js';

const FRAMEWORK_ORDER = ['Next.js', 'Nuxt', 'SvelteKit', 'Remix', 'Astro', 'NestJS', 'Fastify', 'Hono', 'Koa', 'Express'];
/** Most specific first: a platform (TiDB, Neon, Supabase, Hasura) says more than the protocol it speaks. */
const DATABASE_ORDER = ['Hasura', 'Supabase', 'Neon', 'TiDB', 'PlanetScale', 'PostgreSQL', 'MySQL', 'Upstash Redis', 'Redis', 'SQLite', 'MongoDB'];
const DIALECTS: Record<string, Dialect | null> = {
  Hasura: 'postgres',
  Supabase: 'postgres',
  Neon: 'postgres',
  PostgreSQL: 'postgres',
  TiDB: 'mysql',
  PlanetScale: 'mysql',
  MySQL: 'mysql',
  'Upstash Redis': 'redis',
  Redis: 'redis',
  SQLite: null,
  MongoDB: null,
};
/** Names a database has when it is the whole stack, as the product pages write them. */
const STANDALONE: Record<string, string> = { 'Upstash Redis': 'Upstash' };
const ORM_ORDER = ['Prisma', 'Drizzle', 'TypeORM', 'Knex', 'Sequelize', 'Kysely', 'MikroORM'];
/** Auth providers, the preferred first. Each handles sign-ups: a stack with one is signup-centred (activation). */
const AUTH_PROVIDERS = ['Clerk', 'Auth.js', 'Supabase Auth', 'Better Auth', 'Lucia'];
const BILLING_ORDER = ['Stripe', 'Lemon Squeezy', 'Paddle'];

const firstOf = (order: string[], findings: Findings) => order.find((n) => findings.has(n)) ?? null;

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
  const auth = firstOf(AUTH_PROVIDERS, findings);
  const billing = firstOf(BILLING_ORDER, findings);
  const orm = firstOf(ORM_ORDER, findings);
  const dialect = database ? (DIALECTS[database] ?? null) : null;

  const empty = !framework && !database && !auth && !billing && !orm && !findings.list.length;
  if (empty) {
    return {
      root: files.root,
      empty: true,
      stack: null,
      findings: [],
      database: null,
      dialect: null,
      pattern: options.pattern ?? 'activation',
      reason: 'No stack detected.',
      tables,
      redisKeys,
      packageManager,
      message: `No stack detected in ${files.root}: no package.json, lock file, ORM schema (schema.prisma, Drizzle, TypeORM), database config (Hasura, Supabase, docker-compose) or .env.example names a framework or database. Run this in your project's root folder.`,
    };
  }

  // The stack name: at most three parts, chosen framework > database > auth > billing > ORM,
  // written framework, ORM, database, auth, billing ("Express + Prisma + PostgreSQL",
  // "NestJS + PostgreSQL + Stripe", "Next.js + Upstash Redis + Clerk").
  const authShown = auth === 'Supabase Auth' && database === 'Supabase' ? null : auth;
  const chosen = [framework, database, authShown, billing, orm].filter((x): x is string => !!x).slice(0, 3);
  const display = [framework, orm, database, authShown, billing].filter((x): x is string => !!x && chosen.includes(x));
  const stack = display.length === 1 && database && display[0] === database ? (STANDALONE[database] ?? database) : display.join(' + ');

  let pattern: LoopType;
  let reason: string;
  if (options.pattern) {
    pattern = options.pattern;
    reason = `--pattern ${options.pattern} was given.`;
  } else if (auth) {
    pattern = 'activation';
    reason = `${auth} handles sign-ups, so the stack is signup-centred: the loop that pays first is activation — welcome each new user and lead them to their first key action.`;
  } else {
    pattern = 'retention';
    const where = database ?? framework ?? 'the app';
    reason = `No sign-up provider was found and ${where} holds the users' usage data, so the stack is usage-data-centred: the loop that pays first is retention — find users whose activity has dropped and re-engage them.`;
  }
  // Findings in reading order: framework, auth, the loops' database first among databases, ORM, billing, email.
  const kindOrder: StackFindingKind[] = ['framework', 'auth', 'database', 'orm', 'billing', 'email'];
  const sorted = [...findings.list].sort(
    (a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || Number(b.name === database) - Number(a.name === database),
  );
  return {
    root: files.root,
    empty: false,
    stack,
    findings: sorted,
    database: database ?? null,
    dialect,
    pattern,
    reason,
    tables,
    redisKeys,
    ...findSkeneFiles(files.paths, dialect),
    packageManager,
  };
}

/** Detects the stack of the project folder `dir`. Reads no secret files. */
export function detectStack(dir: string, options: DetectOptions = {}): StackDetection {
  return detectStackInFiles(readProjectFolder(dir), options);
}
