/**
 * The plan, made by @skene/core exactly as `skene plan` makes it: load the config, open (and
 * seed) the data source, `runPlan`, mask recipients, compare with a base report. The action adds
 * nothing to planning; it only turns its inputs into these calls.
 */
import { relative } from 'node:path';
import * as glob from '@actions/glob';
import { compareReports, loadConfig, maskRecipients, openSource, redact, runPlan, sourceKindOf, type DataSource, type PlanReport } from '@skene/core';
import { ActionError, messageOf } from './errors.js';

export interface PlanInputs {
  /** Absolute path of the config. */
  configFile: string;
  /** Seed files, folders or globs, relative to `cwd`. */
  seed: string[];
  databaseUrl?: string;
  /** ISO instant. */
  at: string;
  /** The working directory: paths in the report are relative to it. */
  cwd: string;
  showRecipients: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface PlanRun {
  report: PlanReport;
  emails: number;
  /** What the source was (never the URL's password). */
  source: string;
}

export async function planProject(inputs: PlanInputs, base?: { report: PlanReport; label: string }): Promise<PlanRun> {
  const env = inputs.env ?? process.env;
  const config = await loadConfig(inputs.configFile).catch((error: unknown) => {
    throw new ActionError(messageOf(error), { cause: error });
  });
  // Same precedence as `skene plan`: the input, DATABASE_URL, the config's database.url, an Upstash URL; else PGlite.
  const url = inputs.databaseUrl ?? (env.DATABASE_URL || undefined) ?? config.database?.url ?? (env.UPSTASH_REDIS_REST_URL || undefined);
  const token = config.database?.token ?? env.UPSTASH_REDIS_REST_TOKEN ?? env.SKENE_DATABASE_TOKEN;
  const secrets = [passwordOf(url), token, url];
  const hide = (error: unknown) => new ActionError(redact(messageOf(error), secrets), { cause: error });
  if (url) {
    try {
      sourceKindOf(url);
    } catch (error) {
      throw hide(error);
    }
  }

  const seeds = await expandSeeds(inputs.seed, inputs.cwd);
  let source: DataSource | undefined;
  try {
    source = await openSource({ url, token, seeds, cwd: inputs.cwd });
    let report = await runPlan({ config, source, at: new Date(inputs.at), seeds, cwd: inputs.cwd, env: env as Record<string, string | undefined> });
    if (!inputs.showRecipients) report = maskRecipients(report);
    if (base) report = { ...report, comparison: compareReports(report, inputs.showRecipients ? base.report : maskRecipients(base.report), base.label) };
    return { report, emails: report.totals.emails, source: source.label };
  } catch (error) {
    // Drivers may echo connection details: never let a password or token reach the log.
    throw hide(error);
  } finally {
    await source?.close();
  }
}

/** Entries with glob characters are expanded (files only, sorted); others (files, folders) pass as given. */
export async function expandSeeds(patterns: string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!/[*?[\]{}]/.test(pattern)) {
      out.push(pattern);
      continue;
    }
    const globber = await glob.create(pattern.startsWith('/') ? pattern : `${cwd}/${pattern}`, { matchDirectories: false, implicitDescendants: false });
    const files = (await globber.glob()).map((f) => relative(cwd, f).split('\\').join('/')).sort();
    if (!files.length) throw new ActionError(`seed: no file matches "${pattern}" (in ${relative(process.env.GITHUB_WORKSPACE || cwd, cwd) || '.'}).`);
    out.push(...files);
  }
  return out;
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
