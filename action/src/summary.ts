/**
 * What a reviewer reads: the job summary and the comment body. Both are core's Markdown rendering
 * of the report (`renderMarkdown`, which keeps within a size limit and says what it cut), with a
 * short header and footer from the action. The comment holds nothing that changes between runs of
 * the same plan (no run id, no time of day), so an unchanged plan leaves the comment untouched.
 */
import { GITHUB_COMMENT_LIMIT, GITHUB_SUMMARY_LIMIT, renderMarkdown, type PlanReport } from '@skene/core';
import { markerLines } from './comment.js';
import { plural } from './diagnostics.js';
import { bytes } from './markdown.js';
import type { PlanRun } from './plan.js';

export interface SummaryContext {
  /** The config, relative to the repository root. */
  config: string;
  clock: { at: string; source: string };
  headSha?: string;
  seeds: string[];
  /** What happened with compare-base, when it did not compare. */
  baseNote?: string;
  commentNote?: string;
  /** Warnings from `skene check` (errors stop before the plan). */
  checkWarnings: number;
}

/** The job summary: per-loop counts, core's report (per-step counts, every email that fits), how it was made. */
export function summaryMarkdown(plan: PlanRun, ctx: SummaryContext): string {
  const head = loopTable(plan.report);
  const foot = footer(plan, ctx);
  // Leave room for the header and footer, and for other steps' summaries in the same job.
  const limit = GITHUB_SUMMARY_LIMIT - bytes(head) - bytes(foot) - 16 * 1024;
  return `${renderMarkdown(plan.report, { limit, unit: 'bytes' })}\n${head}${foot}`;
}

/** The comment body after the hidden marker lines. */
export function commentMarkdown(plan: PlanRun, ctx: Pick<SummaryContext, 'config' | 'seeds' | 'baseNote'>): string {
  const foot = [
    '',
    ...(ctx.baseNote ? [`> [!NOTE]\n> ${ctx.baseNote}`, ''] : []),
    `<sub>Skene plan of \`${ctx.config}\`${ctx.seeds.length ? ` seeded from ${ctx.seeds.map((s) => `\`${s}\``).join(', ')}` : ''}, at \`${plan.report.clock.at}\`. This comment is updated in place on every push; the job summary has the details.</sub>`,
    '',
  ].join('\n');
  const limit = GITHUB_COMMENT_LIMIT - markerLines(ctx.config).length - foot.length - 64;
  return `${renderMarkdown(plan.report, { limit, unit: 'chars' })}${foot}`;
}

/** Per-loop totals (core's table is per step): the blast radius of each loop at a glance. */
function loopTable(report: PlanReport): string {
  const rows = report.loops.map(
    (l) => `| \`${l.id}\` | ${l.type} | ${l.steps.length} | ${l.counts.events} | ${l.counts.emails} | ${l.counts.waiting} | ${l.counts.skipped} | ${l.counts.errors} |`,
  );
  const t = report.totals;
  return [
    '',
    '### Per loop',
    '',
    '| Loop | Type | Steps | Events | Emails | Waiting | Not sent | Errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    `| **all** | | ${t.steps} | ${t.events} | **${t.emails}** | ${t.waiting} | ${t.skipped} | ${t.errors} |`,
    '',
  ].join('\n');
}

function footer(plan: PlanRun, ctx: SummaryContext): string {
  const lines = [
    '',
    '### How this plan was made',
    '',
    `- **Config:** \`${ctx.config}\`${ctx.checkWarnings ? ` (${plural(ctx.checkWarnings, 'warning')} from \`skene check\`, annotated)` : ''}`,
    `- **Clock:** \`${plan.report.clock.at}\` (${ctx.clock.source}), horizon ${plan.report.clock.horizon}`,
    `- **Database:** ${plan.source}${ctx.seeds.length ? `, seeded from ${ctx.seeds.map((s) => `\`${s}\``).join(', ')}` : ''}`,
    `- **Recipients:** ${plan.report.recipients === 'masked' ? 'masked (set `show-recipients: true` to show them)' : 'shown'}`,
    ...(ctx.headSha ? [`- **Commit:** \`${ctx.headSha.slice(0, 7)}\``] : []),
    ...(ctx.baseNote ? [`- **Compare with base:** ${ctx.baseNote}`] : []),
    ...(ctx.commentNote ? [`- **Pull-request comment:** ${ctx.commentNote}`] : []),
    '',
  ];
  return lines.join('\n');
}

/** The max-emails failure: which loops would send how many. */
export function overLimitMessage(plan: PlanRun, max: number): string {
  const loops = plan.report.loops
    .filter((l) => l.counts.emails > 0)
    .sort((a, b) => b.counts.emails - a.counts.emails || a.id.localeCompare(b.id))
    .map((l) => `${l.id}: ${l.counts.emails}`);
  return `max-emails exceeded: the plan would send ${plan.emails} emails, more than the limit of ${max} (${loops.join(', ')}).`;
}
