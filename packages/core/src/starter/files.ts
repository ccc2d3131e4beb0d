/**
 * Which of a starter's files go into a project: the one policy of `skene init` and the editor's
 * "Create skene.config.ts" (each surface only writes what this returns, its own way).
 *
 * - A project that has a skene.config.ts has its loops: nothing is written, unless `force`.
 * - A file already there is the project's own: kept, unless `force` (then overwritten).
 * - A template the project has in another form (emails/welcome.tsx for emails/welcome.html) is
 *   kept even with `force`: the .tsx would win and the new file would never be used.
 * - A project with a seed of its own (`seed/postgres`, `supabase/seed.sql`, …: what projectData
 *   finds beside the config) keeps it, even with `force`: the starter's seed would only hide it
 *   from `skene plan` and the editor, which read that seed's tables.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialect } from '../dialect.js';
import { projectData } from '../project-data.js';
import type { StarterFile } from './types.js';

export const STARTER_CONFIG_PATH = 'skene.config.ts';
const TEMPLATE_FORMS = ['tsx', 'jsx', 'html'];

export interface StarterWrites {
  /** The project has a skene.config.ts and `force` is off: nothing is to be written. */
  blocked: boolean;
  /** What to write (empty when blocked), in the starter's order. */
  write: StarterFile[];
  /** Of `write`, the paths that exist and are overwritten (`force`). */
  overwritten: string[];
  /** What is not written, and why. */
  kept: { file: StarterFile; reason: string }[];
}

export interface StarterWriteOptions {
  /** Overwrite files that exist (`skene init --force`). */
  force?: boolean;
  /** Whether a `/`-separated path relative to the project exists (default: on disk). */
  exists?: (path: string) => boolean;
  /** The starter's seed file and dialect: not written when the project has a seed of its own. */
  seed?: { path: string; dialect: Dialect };
}

export function starterWrites(dir: string, files: StarterFile[], options: StarterWriteOptions = {}): StarterWrites {
  const exists = options.exists ?? ((path: string) => existsSync(join(dir, ...path.split('/'))));
  const force = options.force === true;
  const blocked = !force && exists(STARTER_CONFIG_PATH);
  const out: StarterWrites = { blocked, write: [], overwritten: [], kept: [] };
  const ownSeed = options.seed ? projectSeed(dir, options.seed) : undefined;
  for (const file of files) {
    const other = otherTemplateForm(file.path, exists);
    if (other) out.kept.push({ file, reason: `${other} is this template already` });
    else if (ownSeed && file.path === options.seed?.path)
      out.kept.push({ file, reason: `the project has a seed, ${ownSeed}, which skene plan and the editor read` });
    else if (exists(file.path) && !force) out.kept.push({ file, reason: 'already there' });
    else if (blocked) out.kept.push({ file, reason: `the project has a ${STARTER_CONFIG_PATH}` });
    else {
      if (exists(file.path)) out.overwritten.push(file.path);
      out.write.push(file);
    }
  }
  return out;
}

/** The project's own seed beside the config (`seed`), unless it is the starter's seed itself. */
function projectSeed(dir: string, seed: { path: string; dialect: Dialect }): string | undefined {
  const data = projectData({ configPath: join(dir, STARTER_CONFIG_PATH), dialect: seed.dialect });
  return data.seedFrom === 'found' && data.seedLabel !== seed.path ? data.seedLabel : undefined;
}

/** `emails/x.tsx` when the starter's `emails/x.html` would sit beside it (any other form of the same name). */
function otherTemplateForm(path: string, exists: (path: string) => boolean): string | undefined {
  const m = /^emails\/(.+)\.(tsx|jsx|html)$/.exec(path);
  if (!m) return undefined;
  return TEMPLATE_FORMS.filter((ext) => ext !== m[2])
    .map((ext) => `emails/${m[1]}.${ext}`)
    .find(exists);
}
