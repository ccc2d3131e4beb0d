/**
 * Which seed a plan loads, and what it says when that seed lacks a table. The seed is the one the
 * user gave, else — on the embedded PostgreSQL only — the project's seed beside the config, found
 * as `skene check` and the editor find it (analysis' projectData), so the tables the editor
 * offers are the tables the plan has. A database URL without a seed is planned as it is: a seed
 * found on disk never runs against a real database uninvited.
 */
import { relative } from 'node:path';
import { projectData, SEED_LOCATIONS, type ProjectData } from '../project-data.js';
import type { PlanReport } from '../report/model.js';

export interface SeedChoice {
  /** Seed paths for the source, relative to `cwd`. */
  seeds: string[] | undefined;
  /** What the plan read, for the hint: absent when the plan has a URL and no seed. */
  data?: ProjectData;
}

export function chooseSeeds(options: { configFile: string; seeds?: string[]; cwd: string; hasUrl: boolean }): SeedChoice {
  if (options.seeds?.length) {
    return { seeds: options.seeds, data: projectData({ configPath: options.configFile, seeds: options.seeds, base: options.cwd }) };
  }
  if (options.hasUrl) return { seeds: options.seeds };
  const data = projectData({ configPath: options.configFile });
  return { seeds: data.seeds.map((s) => relative(options.cwd, s) || '.'), data };
}

/** `relation "user_actions" does not exist` (PostgreSQL), `Table 'app.user_actions' doesn't exist` (MySQL). */
const MISSING_TABLE = /relation "([^"]+)" does not exist|Table '([^']+)' doesn't exist/i;

/**
 * A step that failed on a table its seed does not create says which seed the plan read and how to
 * point the plan elsewhere (`seedOption`: `--seed`, the `skene.seed` setting, the `seed` input).
 */
export function explainMissingTables(report: PlanReport, choice: SeedChoice, seedOption: string): void {
  const data = choice.data;
  if (!data) return;
  for (const step of report.loops.flatMap((l) => l.steps)) {
    for (const error of step.errors) {
      const m = MISSING_TABLE.exec(error.message);
      if (!m) continue;
      error.message += ` — ${missingTableHint(m[1] ?? m[2]!, data, seedOption)}`;
    }
  }
}

/** Where projectData looks for a SQL seed, as the hint lists them (the embedded PostgreSQL is SQL). */
const SQL_SEED_LOCATIONS = SEED_LOCATIONS.filter((l) => !l.endsWith('.redis')).join(', ');

export function missingTableHint(table: string, data: ProjectData, seedOption: string): string {
  if (data.seedFrom === 'none')
    return `the embedded PostgreSQL was not seeded (no seed beside the config: ${SQL_SEED_LOCATIONS}); give ${seedOption} a seed that creates ${table}`;
  const read = data.seedFrom === 'found' ? `the seed found beside the config, ${data.seedLabel}` : `${data.seedLabel} (${seedOption})`;
  return `the plan's database was seeded from ${read}, which does not create ${table}; point ${seedOption} at the seed that does`;
}
