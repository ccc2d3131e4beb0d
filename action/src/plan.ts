/**
 * The plan, made by @skene/core's `planProject` exactly as `skene plan` makes it. The action adds
 * nothing to planning: it expands seed globs and turns its inputs into that one call.
 */
import { relative } from 'node:path';
import * as glob from '@actions/glob';
import { planProject as planWithCore, toPosix, type PlanReport } from '@skene/core';
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
  const seeds = await expandSeeds(inputs.seed, inputs.cwd);
  try {
    const { report, sourceLabel } = await planWithCore({
      configFile: inputs.configFile,
      databaseUrl: inputs.databaseUrl,
      at: new Date(inputs.at),
      seeds,
      cwd: inputs.cwd,
      env: (inputs.env ?? process.env) as Record<string, string | undefined>,
      showRecipients: inputs.showRecipients,
      base,
      // A table missing from the seed: the step's error says to point this input elsewhere.
      seedOption: 'the seed input',
    });
    return { report, emails: report.totals.emails, source: sourceLabel };
  } catch (error) {
    // Core has already taken any password or token out of the message.
    throw new ActionError(messageOf(error), { cause: error });
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
    const files = (await globber.glob()).map((f) => toPosix(relative(cwd, f))).sort();
    if (!files.length) throw new ActionError(`seed: no file matches "${pattern}" (in ${relative(process.env.GITHUB_WORKSPACE || cwd, cwd) || '.'}).`);
    out.push(...files);
  }
  return out;
}
