/**
 * Skene's own files in a project: a `skene.config.ts` already there (the prompt then asks to update
 * it, not to generate one) and the seed beside it, found where `skene plan` and the editor look
 * (project-data.ts's SEED_LOCATIONS), so the prompt points at the project's seed, not a new one.
 */
import { posix } from 'node:path';
import type { Dialect } from '../dialect.js';
import { SEED_LOCATIONS } from '../project-data.js';

export interface SkeneFiles {
  /** The project's config (relative, `/`-separated), the shallowest when there are several. */
  config?: string;
  /** The seed beside that config (or in the project's root without one): `seed`, `supabase/seed.sql`, … */
  seed?: string;
}

export function findSkeneFiles(paths: readonly string[], dialect: Dialect | null): SkeneFiles {
  const configs = paths.filter((p) => p === 'skene.config.ts' || p.endsWith('/skene.config.ts'));
  configs.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const config = configs[0];
  const dir = config ? posix.dirname(config) : '.';
  const ext = dialect === 'redis' ? '.redis' : '.sql';
  for (const location of SEED_LOCATIONS) {
    const at = dir === '.' ? location : `${dir}/${location}`;
    if (paths.some((p) => (p === at || p.startsWith(`${at}/`)) && p.endsWith(ext))) return { ...(config ? { config } : {}), seed: at };
  }
  return config ? { config } : {};
}
