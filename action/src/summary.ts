/**
 * What a reviewer reads: the job summary and the comment body. Both are core's Markdown rendering
 * of the report (`renderMarkdown`, which keeps within a size limit and says what it cut), with a
 * short header and footer from the action. The comment holds nothing that changes between runs of
 * the same plan (no run id, no time of day), so an unchanged plan leaves the comment untouched.
 * What the action adds is escaped and masked by core's escapers, and each whole text is finished
 * (well-formed, masked) by core's `outputFinisher`, as every output is.
 */
import { GITHUB_COMMENT_LIMIT, GITHUB_SUMMARY_LIMIT, markdownEscapers, outputFinisher, plural, renderMarkdown, type PlanReport } from '@skene/core';
import { markerLines } from './comment.js';
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
  return outputFinisher(plan.report)(`${renderMarkdown(plan.report, { limit, unit: 'bytes' })}\n${head}${foot}`);
}

/** The comment body after the hidden marker lines. */
export function commentMarkdown(plan: PlanRun, ctx: Pick<SummaryContext, 'config' | 'seeds' | 'baseNote'>): string {
  const e = markdownEscapers(plan.report);
  const foot = [
    '',
    ...(ctx.baseNote ? [`> [!NOTE]\n> ${e.inline(ctx.baseNote)}`, ''] : []),
    `<sub>Skene plan of ${e.code(ctx.config)}${ctx.seeds.length ? ` seeded from ${ctx.seeds.map((s) => e.code(s)).join(', ')}` : ''}, at ${e.code(plan.report.clock.at)}. This comment is updated in place on every push; the job summary has the details.</sub>`,
    '',
  ].join('\n');
  const limit = GITHUB_COMMENT_LIMIT - markerLines(ctx.config).length - foot.length - 64;
  return outputFinisher(plan.report)(`${renderMarkdown(plan.report, { limit, unit: 'chars' })}${foot}`);
}

/** The per-loop table's share of the job summary: beyond it, rows are left out, and the table says how many. */
export const LOOP_TABLE_BUDGET = 256 * 1024;

/** Per-loop totals (core's table is per step): the blast radius of each loop at a glance. */
function loopTable(report: PlanReport): string {
  const e = markdownEscapers(report);
  const rows: string[] = [];
  let used = 0;
  for (const l of report.loops) {
    const row = `| ${e.cellCode(l.id)} | ${e.cell(l.type)} | ${l.steps.length} | ${l.counts.events} | ${l.counts.emails} | ${l.counts.waiting} | ${l.counts.skipped} | ${l.counts.errors} |`;
    used += bytes(row) + 1;
    if (used > LOOP_TABLE_BUDGET) {
      // Said in the table itself, where a reader looks for the missing loops.
      rows.push(
        `| … and ${report.loops.length - rows.length} more loops (${rows.length} of ${report.loops.length} shown; the JSON report has every loop) | | | | | | | |`,
      );
      break;
    }
    rows.push(row);
  }
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
  const e = markdownEscapers(plan.report);
  const lines = [
    '',
    '### How this plan was made',
    '',
    `- **Config:** ${e.code(ctx.config)}${ctx.checkWarnings ? ` (${plural(ctx.checkWarnings, 'warning')} from \`skene check\`, annotated)` : ''}`,
    `- **Clock:** ${e.code(plan.report.clock.at)} (${ctx.clock.source}), horizon ${e.inline(plan.report.clock.horizon)}`,
    `- **Database:** ${e.inline(plan.source)}${ctx.seeds.length ? `, seeded from ${ctx.seeds.map((s) => e.code(s)).join(', ')}` : ''}`,
    `- **Recipients:** ${plan.report.recipients === 'masked' ? 'masked (set `show-recipients: true` to show them)' : 'shown'}`,
    ...(ctx.headSha ? [`- **Commit:** \`${ctx.headSha.slice(0, 7)}\``] : []),
    ...(ctx.baseNote ? [`- **Compare with base:** ${e.inline(ctx.baseNote)}`] : []),
    // Ours or GitHub's words (and the comment's link, which stays live): not data.
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
