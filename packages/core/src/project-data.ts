/**
 * The project's schema and seed, found one way for every surface: `skene check`, the editor's
 * diagnostics, completion and hover read the tables the plan's seed creates, so the editor never
 * offers a table the plan's database lacks. The seed is the one the user gave (`--seed`,
 * `skene.seed`, the Action's `seed`), else the first seed beside the config (SEED_LOCATIONS); the
 * schema files are that seed's SQL files plus the migrations beside the config.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { Dialect } from './dialect.js';
import { toPosix } from './text.js';

/** Seeds looked for beside the config, in this order; the first that has files of the dialect is the seed. */
export const SEED_LOCATIONS = ['seed', 'skene/seed', 'skene/seed.sql', 'skene/seed.redis', 'seed.sql', 'supabase/seed.sql'] as const;

/** Folders of migrations beside the config: read for tables (the plan does not run them). */
export const MIGRATION_LOCATIONS = ['migrations', 'supabase/migrations'] as const;

/** Sub-folders of a seed folder per dialect (`seed/postgres`), as the plan's sources read them. */
export const SEED_DIALECT_FOLDERS: Record<Dialect, readonly string[]> = {
  postgres: ['postgres', 'postgresql', 'pg', 'pglite', 'sql'],
  mysql: ['mysql', 'mariadb', 'tidb', 'sql'],
  redis: ['redis', 'upstash'],
};

export interface ProjectDataOptions {
  /** The config file (absolute). */
  configPath: string;
  /** Seeds the user gave (files or folders); relative ones are resolved against `base`. */
  seeds?: readonly string[];
  /** Where relative seeds are resolved (default: the config's folder). */
  base?: string;
  /** The dialect of the data source (default postgres): picks `seed/<dialect>` and the seed files' kind. */
  dialect?: Dialect;
}

export interface ProjectData {
  /** The seed the plan loads: absolute files or folders (empty: none). */
  seeds: string[];
  /** `given`: the user's (flag, setting, input); `found`: beside the config; `none`. */
  seedFrom: 'given' | 'found' | 'none';
  /** The seed as a message names it, relative to the config's folder (`seed/postgres`). */
  seedLabel: string;
  /** The SQL files analysis reads for tables: the seed's, then the migrations'. */
  schemaFiles: string[];
}

export function projectData(options: ProjectDataOptions): ProjectData {
  const dir = dirname(options.configPath);
  const dialect = options.dialect ?? 'postgres';
  const given = (options.seeds ?? []).filter((s) => s.trim() !== '').map((s) => resolve(options.base ?? dir, s));
  const found = given.length ? undefined : SEED_LOCATIONS.map((l) => join(dir, l)).find((path) => seedFilesOf(path, dialect).length > 0);
  const seeds = given.length ? given : found ? [found] : [];
  const seedFiles = dialect === 'redis' ? [] : seeds.flatMap((s) => seedFilesOf(s, dialect));
  const migrations = MIGRATION_LOCATIONS.flatMap((l) => sqlFilesUnder(join(dir, l)));
  return {
    seeds,
    seedFrom: given.length ? 'given' : found ? 'found' : 'none',
    seedLabel: seeds.map((s) => toPosix(relative(dir, s)) || '.').join(', '),
    schemaFiles: [...new Set([...seedFiles, ...migrations])],
  };
}

/** The files a seed path contributes for a dialect, as the plan's sources pick them (a folder's `<dialect>/` sub-folder first). */
export function seedFilesOf(path: string, dialect: Dialect): string[] {
  const wanted = dialect === 'redis' ? ['.redis', '.txt'] : ['.sql'];
  if (isRegularFile(path)) return wanted.includes(extname(path).toLowerCase()) ? [path] : [];
  let entries: string[];
  try {
    entries = readdirSync(path).sort();
  } catch {
    return [];
  }
  const sub = SEED_DIALECT_FOLDERS[dialect].find((name) => entries.includes(name) && isDirectory(join(path, name)));
  const folder = sub ? join(path, sub) : path;
  const names = sub ? safeReaddir(folder) : entries;
  return names.map((n) => join(folder, n)).filter((p) => wanted.includes(extname(p).toLowerCase()) && isRegularFile(p));
}

const MAX_SCHEMA_FILES = 2000;
const MAX_DEPTH = 8;

/** `.sql` files below a folder in name order: symbolic links are not followed (no loops), FIFOs and devices are skipped. */
export function sqlFilesUnder(dir: string, depth = 0, out: string[] = []): string[] {
  for (const entry of safeReaddir(dir)) {
    if (out.length >= MAX_SCHEMA_FILES) break;
    const path = join(dir, entry);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory() && depth < MAX_DEPTH) sqlFilesUnder(path, depth + 1, out);
    else if (stat.isFile() && entry.endsWith('.sql')) out.push(path);
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A regular file (following links): reading anything else (a FIFO, a device) could block forever. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
