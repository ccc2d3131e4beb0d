/**
 * The plan: evaluates every loop as a live run would at one instant and lists the emails it
 * would send, rendered. It never sends and never writes (see sources/ and guard/).
 *
 * - database trigger: every row of the table (or those created since `--since`) is one event;
 *   the condition is evaluated for a batch of rows per statement; rows whose condition does not
 *   hold are counted as waiting.
 * - schedule trigger: fires at each cron occurrence in [at, at + horizon), each evaluated with
 *   the clock at that occurrence; every row the condition returns is a recipient.
 *
 * Each step is evaluated by step.ts (one module per trigger kind in steps/); this module only
 * orders the loops and steps, holds the plan's render threads, and sums the report.
 */
import { join, relative } from 'node:path';
import { addCounts, emptyCounts, REPORT_FORMAT, REPORT_VERSION, type LoopReport, type PlanReport } from '../report/model.js';
import { loadMysqlParser } from '../sql/mysql.js';
import { loadPostgresParser } from '../sql/postgres.js';
import { toPosix } from '../text.js';
import { parseDuration } from './clock.js';
import { applyFrequencyCap } from './frequency-cap.js';
import { locateGuardFindings } from './locate.js';
import { DEFAULT_HORIZON, type PlanOptions } from './options.js';
import { planStep } from './step.js';
import { isPlanned, plannedActions, planRendering, type PlanRendering } from './rendering.js';
import { warmTemplate } from './emit.js';
import type { StepContext } from './step-run.js';
import { unsubscribeProblems } from './unsubscribe.js';

export { DEFAULT_HORIZON, DEFAULT_QUERY_TIMEOUT_MS, WAITING, type PlanOptions, type PlanProgress } from './options.js';

export async function runPlan(options: PlanOptions): Promise<PlanReport> {
  const rendering = options.rendering ?? planRendering(options);
  try {
    return await planWith(options, rendering);
  } finally {
    await rendering.renderPools.close();
  }
}

async function planWith(options: PlanOptions, rendering: PlanRendering): Promise<PlanReport> {
  const cwd = options.cwd ?? process.cwd();
  const pinned = options.at !== undefined;
  const at = options.at ?? (options.now ?? (() => new Date()))();
  const horizon = options.horizon ?? DEFAULT_HORIZON;
  const horizonMs = parseDuration(horizon);
  if (horizonMs === undefined) throw new Error(`invalid horizon "${horizon}": write a duration such as 12h, 1d or 7d`);
  // The read-only guard reads every condition with the real parser of its dialect.
  if (options.source.dialect === 'postgres') await loadPostgresParser();
  if (options.source.dialect === 'mysql') await loadMysqlParser();

  const warnings: string[] = [];
  if (!pinned) {
    warnings.push(`clock not pinned: planned at the current time (${at.toISOString()}); pass --at <ISO time> for a plan that is the same on every run`);
  }
  // Loops that must carry one-click unsubscribe but cannot (no secret, no URL): the run refuses them.
  warnings.push(...unsubscribeProblems(options.config, options.env ?? process.env));
  const report: PlanReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    clock: { at: at.toISOString(), pinned, horizon, ...(options.since ? { since: options.since.toISOString() } : {}) },
    source: { kind: options.source.kind, label: options.source.label, seeds: (options.seeds ?? []).map((s) => toPosix(relative(cwd, join(cwd, s)) || '.')) },
    config: toPosix(relative(cwd, options.config.file)),
    recipients: 'shown',
    totals: { loops: 0, steps: 0, ...emptyCounts() },
    loops: [],
    warnings,
  };

  const ctx: StepContext = { ...options, at, horizonMs, cwd, ...rendering };
  const actions = plannedActions(options);
  let planned = 0;
  for (const loop of options.config.loops) {
    if (!isPlanned(options, loop.id)) continue;
    const loopReport: LoopReport = { id: loop.id, type: loop.type, opinion: loop.opinion, counts: emptyCounts(), steps: [] };
    for (let i = 0; i < loop.steps.length; i++) {
      if (!isPlanned(options, loop.id, i + 1)) continue;
      const step = planStep(ctx, loop, loop.steps[i]!, i + 1); // starts its own template first
      // While this step's events are read, the next step's template compiles and its render thread starts.
      const next = actions[++planned];
      if (next && options.keys === undefined) warmTemplate(ctx, next);
      loopReport.steps.push(await step);
    }
    report.loops.push(loopReport);
  }
  // Across loops, once every step is evaluated: `limits.perUser` (frequency-cap.ts).
  await applyFrequencyCap({ loops: report.loops, config: options.config, recipientState: options.recipientState });
  for (const loopReport of report.loops) {
    for (const step of loopReport.steps) addCounts(loopReport.counts, step.counts);
    report.totals.steps += loopReport.steps.length;
    report.totals.loops++;
    addCounts(report.totals, loopReport.counts);
  }
  await locateGuardFindings(report, options.config.file);
  return report;
}
