import type { LoopType } from '@skene/sdk';
import type { Dialect } from '../dialect.js';

/** Where a finding comes from: a file relative to the project folder and a 1-based line. */
export interface StackEvidence {
  file: string;
  line: number;
  /** What on that line made the finding, e.g. `"next" in dependencies` (never a value from an env file). */
  detail?: string;
}

export interface DetectedColumn {
  name: string;
  /** The declared type as written (`text`, `timestamptz`, `DateTime`, `varchar`), when known. */
  type?: string;
}

export interface DetectedTable {
  name: string;
  columns: DetectedColumn[];
  /** Where the table is declared. */
  evidence: StackEvidence;
  source: 'sql' | 'prisma' | 'drizzle' | 'typeorm' | 'knex' | 'hasura';
}

export interface DetectedRedisKey {
  /** `users` for keys `users:<id>`. */
  prefix: string;
  kind: 'hash' | 'set' | 'sorted set' | 'list' | 'string';
  evidence: StackEvidence;
}

export type StackFindingKind = 'framework' | 'auth' | 'database' | 'orm' | 'billing' | 'email';

export interface StackFinding {
  kind: StackFindingKind;
  /** Display name as the product writes it: `Next.js`, `Auth.js`, `Upstash Redis`, `PostgreSQL`. */
  name: string;
  /** Every place that shows it, most direct first (a dependency before a lock file or an env example). */
  evidence: StackEvidence[];
  /** Resolved version from a lock file, when one is present. */
  version?: string;
}

export interface StackDetection {
  /** The folder examined. */
  root: string;
  /** True when nothing that names a framework, database or service was found. */
  empty: boolean;
  /** `Next.js + Upstash Redis + Clerk`; null when nothing was detected. */
  stack: string | null;
  findings: StackFinding[];
  /** The database the loops read (`PostgreSQL`, `TiDB`, `Upstash Redis`, …), when one was found. */
  database: string | null;
  /** The SQL (or Redis) dialect the loops are written in. */
  dialect: Dialect | null;
  /** The loop pattern suggested for the stack, and why. */
  pattern: LoopType;
  reason: string;
  tables: DetectedTable[];
  redisKeys: DetectedRedisKey[];
  /** A `skene.config.ts` already in the project (relative path): the prompt asks to update it. */
  config?: string;
  /** The project's own seed beside the config (`seed`, `supabase/seed.sql`, …), which `skene plan` loads. */
  seed?: string;
  /** npm, pnpm, yarn or bun, from the lock file. */
  packageManager: 'npm' | 'pnpm' | 'yarn' | 'bun' | null;
  /** For an empty folder: what was looked for and what to do. */
  message?: string;
}
