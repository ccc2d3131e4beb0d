/**
 * Plan Loops in the worker: core's `planProject`, the one plan every surface runs (the source
 * chosen and checked, seeded in a scratch database when a URL is set, no secret in any error),
 * then the report → the webview's model (plan-model.ts). Read-only like every plan; recipients
 * are shown (the plan runs on the developer's own machine, in their editor).
 */
import { relative } from 'node:path';
import { DIALECTS, noEmailReason, parseInstant, planProject, totalsLine, type Dialect, type PlanReport } from '@skene/core';
import type { PlanLoop, PlanResult, PlanStep } from './plan-model.js';
import type { WorkerRequest } from './worker-protocol.js';

/** Emails listed per step (the counts are always complete). */
const MAX_EMAILS_PER_STEP = 50;

export async function runPlanRequest(request: Extract<WorkerRequest, { kind: 'plan' }>): Promise<PlanResult> {
  const at = request.at ? parseInstant(request.at) : undefined;
  if (request.at && !at)
    throw new Error(`skene.planAt is not an ISO 8601 time: ${request.at} (run "Skene: Set Plan Clock", or clear the setting to plan at the current time)`);
  const dialect = request.dialect || undefined;
  if (dialect && !DIALECTS.includes(dialect as Dialect)) throw new Error(`skene.dialect must be auto, ${DIALECTS.join(', ')}; not "${dialect}"`);
  const { report } = await planProject({
    configFile: request.config,
    // An empty setting is no URL: DATABASE_URL, the config's database.url, then the embedded PostgreSQL.
    databaseUrl: request.databaseUrl || undefined,
    dialect: dialect as Dialect | undefined,
    at,
    seeds: request.seeds.map((s) => relative(request.cwd, s) || '.'),
    cwd: request.cwd,
    env: process.env,
    showRecipients: true,
    // A table the seed lacks: the step's error names the seed read and this setting.
    seedOption: 'the skene.seed setting',
  });
  return toPlanResult(report, request.loop);
}

export function toPlanResult(report: PlanReport, onlyLoop?: string): PlanResult {
  const loops: PlanLoop[] = report.loops
    .filter((l) => !onlyLoop || l.id === onlyLoop)
    .map((loop) => ({
      id: loop.id,
      type: loop.type,
      opinion: loop.opinion,
      count: loop.counts.emails,
      steps: loop.steps.map((step): PlanStep => ({
        index: step.step - 1,
        description: `${step.trigger.type === 'database' ? `${step.trigger.event} on ${step.trigger.table}` : `schedule ${step.trigger.cron} (${step.trigger.timezone})`} → ${step.template}`,
        count: step.counts.emails,
        emails: step.emails.slice(0, MAX_EMAILS_PER_STEP).map((e) => ({
          to: e.to,
          from: e.from,
          subject: e.subject ?? `(no subject: ${e.template})`,
          html: e.html ?? `<pre>${escape(JSON.stringify(e.props, null, 2))}</pre>`,
          at: e.at,
        })),
        skipped: step.notSent.map((n) => ({ reason: n.reason, count: n.count })),
        errors: step.errors.map((e) => `${e.kind}: ${e.message}`),
        noEmail: noEmailReason(step),
      })),
    }));
  const count = loops.reduce((n, l) => n + l.count, 0);
  return {
    config: report.config,
    at: report.clock.at,
    pinned: report.clock.pinned,
    source: `${report.source.label}${report.source.seeds.length ? ` seeded from ${report.source.seeds.join(', ')}` : ''}`,
    summary: totalsLine({ ...report.totals, emails: count }, { separator: ', ', notSent: false }),
    count,
    loops,
    errors: report.warnings.filter((w) => !w.startsWith('clock not pinned')),
  };
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
