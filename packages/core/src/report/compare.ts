/** `--compare base.json`: which emails a change adds, removes and alters, matched by email id. */
import { REPORT_FORMAT, type Comparison, type PlanReport, type PlannedEmail } from './model.js';

const FIELDS: (keyof PlannedEmail)[] = ['to', 'from', 'subject', 'template', 'props', 'html', 'text', 'at'];

export function compareReports(current: PlanReport, base: PlanReport, baseLabel: string): Comparison {
  const before = emailsById(base);
  const after = emailsById(current);
  const added: string[] = [];
  const removed: string[] = [];
  const changed: Comparison['changed'] = [];
  let unchanged = 0;
  for (const [id, email] of after) {
    const old = before.get(id);
    if (!old) {
      added.push(id);
      continue;
    }
    const fields = FIELDS.filter((f) => JSON.stringify(email[f]) !== JSON.stringify(old[f])).map((f) => (f === 'html' || f === 'text' ? 'body' : f));
    if (fields.length) changed.push({ id, fields: [...new Set(fields)] });
    else unchanged++;
  }
  for (const id of before.keys()) if (!after.has(id)) removed.push(id);
  return { base: baseLabel, added, removed, changed, unchanged };
}

function emailsById(report: PlanReport): Map<string, PlannedEmail> {
  const map = new Map<string, PlannedEmail>();
  for (const loop of report.loops) for (const step of loop.steps) for (const email of step.emails) map.set(email.id, email);
  return map;
}

/** Reads a base report, refusing anything that is not a plan report of a version we read. */
export function parseBaseReport(text: string, label: string): PlanReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label} is not JSON (${(error as Error).message}): pass a report written by \`skene plan --format json\``);
  }
  const report = value as Partial<PlanReport>;
  if (!report || report.format !== REPORT_FORMAT || !Array.isArray(report.loops)) {
    throw new Error(`${label} is not a Skene plan report: pass a report written by \`skene plan --format json\``);
  }
  if (report.version !== 1) throw new Error(`${label} is a plan report of version ${String(report.version)}; this skene reads version 1`);
  return report as PlanReport;
}
