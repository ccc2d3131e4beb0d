/**
 * The runner evaluates with the plan's own code: `runPlan` restricted to one step (`only`) and,
 * for database triggers, to the captured events' rows (`keys`). What a run sends is then what a
 * plan at the same clock lists, by construction. This module turns the step's report into one
 * verdict per key: its email, waiting for the condition, or not sent and why.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { runPlan } from '../plan/engine.js';
import { WAITING } from '../plan/options.js';
import type { RecipientState } from '../plan/recipient-state.js';
import type { PlannedEmail, StepReport } from '../report/model.js';
import type { DataSource } from '../sources/types.js';

export type KeyVerdict = { kind: 'email'; email: PlannedEmail } | { kind: 'waiting' } | { kind: 'skipped'; reason: string };

export interface EvaluateInput {
  config: LoadedConfig;
  source: DataSource;
  at: Date;
  loop: string;
  step: number;
  env?: Record<string, string | undefined>;
  /** The runner's state: earlier sends (the frequency cap) and suppressions count in the evaluation. */
  recipientState?: RecipientState;
}

/** The step could not be evaluated (connection lost, a refused condition…): the job is retried. */
export class EvaluationError extends Error {}

/** Only keys of one column are captured as values; a composite key is an object. */
export function isPlainKey(key: unknown): key is string | number {
  return typeof key === 'string' || typeof key === 'number';
}

async function stepReport(input: EvaluateInput, extra: { keys?: unknown[]; horizon?: string }): Promise<StepReport> {
  const report = await runPlan({
    config: input.config,
    source: input.source,
    at: input.at,
    env: input.env,
    recipientState: input.recipientState,
    only: [{ loop: input.loop, step: input.step }],
    ...extra,
  });
  const step = report.loops[0]?.steps[0];
  if (!step) throw new EvaluationError(`the config has no step ${input.step} in loop ${input.loop}`);
  const error = step.errors[0];
  if (error) throw new EvaluationError(`${error.kind}: ${error.message}`);
  return step;
}

/** What the report says of each key it names (emails, and the example keys of each reason). */
function known(step: StepReport): Map<string, KeyVerdict> {
  const verdicts = new Map<string, KeyVerdict>();
  for (const email of step.emails) verdicts.set(email.key, { kind: 'email', email });
  for (const entry of step.notSent) {
    for (const key of entry.examples) {
      if (!verdicts.has(key)) verdicts.set(key, entry.reason === WAITING ? { kind: 'waiting' } : { kind: 'skipped', reason: entry.reason });
    }
  }
  return verdicts;
}

const GONE: KeyVerdict = { kind: 'skipped', reason: 'the row no longer exists' };

/**
 * A verdict for each captured key of a database-trigger step, evaluated at `at` in one plan. The
 * report lists a few example keys per reason; when that leaves a key unaccounted for (several
 * reasons, or rows gone), those keys are evaluated alone, so every verdict is exact.
 */
export async function evaluateKeys(input: EvaluateInput, keys: (string | number)[]): Promise<Map<string, KeyVerdict>> {
  const wanted = [...new Map(keys.map((k) => [String(k), k])).values()];
  const step = await stepReport(input, { keys: wanted });
  const verdicts = known(step);
  const open = wanted.filter((k) => !verdicts.has(String(k)));
  if (open.length === 0) return verdicts;
  const other = step.counts.events - verdicts.size;
  if (other === 0) {
    for (const k of open) verdicts.set(String(k), GONE);
    return verdicts;
  }
  if (step.notSent.length === 1 && other === open.length) {
    const reason = step.notSent[0]!.reason;
    for (const k of open) verdicts.set(String(k), reason === WAITING ? { kind: 'waiting' } : { kind: 'skipped', reason });
    return verdicts;
  }
  for (const k of open) {
    const alone = known(await stepReport(input, { keys: [k] }));
    verdicts.set(String(k), alone.get(String(k)) ?? GONE);
  }
  return verdicts;
}

/** See enqueueSchedules: far enough back to begin before a daylight-saving change. */
export const DST_LEAD_MS = 2 * 3_600_000;

/**
 * A schedule step at one occurrence: the emails the plan lists for it (the clock is the
 * occurrence), and why the others are not sent. cron-parser, asked for the next occurrence from just before a wall time that the
 * clocks skipped (02:30 on a spring-forward night, fired at 03:30), does not find it; the plan
 * over a window that starts before the change does. Then the plan is asked for that window, and
 * only this occurrence's emails are kept.
 */
export async function evaluateOccurrence(input: EvaluateInput): Promise<{ emails: PlannedEmail[]; notSent: StepReport['notSent'] }> {
  const iso = input.at.toISOString();
  const step = await stepReport(input, { horizon: '1s' });
  if (step.trigger.type !== 'schedule' || step.trigger.occurrences.includes(iso)) return { emails: step.emails, notSent: step.notSent };
  const wide = await stepReport({ ...input, at: new Date(input.at.getTime() - DST_LEAD_MS) }, { horizon: `${DST_LEAD_MS / 1000 + 1}s` });
  // The reasons are the window's, which holds this occurrence alone but for a daylight-saving edge.
  return { emails: wide.emails.filter((e) => e.at === iso), notSent: wide.notSent };
}
