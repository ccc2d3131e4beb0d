/**
 * The plan report: one versioned JSON document (loops → steps → emails). Every renderer (text,
 * Markdown, JSON) and `--compare` read this model; nothing else. It holds no timings and no
 * wall-clock times, so the same plan at the same `--at` serialises to the same bytes.
 */
import { plural } from '../text.js';

export const REPORT_FORMAT = 'skene-plan';
export const REPORT_VERSION = 1;

export interface PlanReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  clock: {
    /** The instant planned at (ISO). */
    at: string;
    /** False when no `--at` was given: the plan used the current time and is not reproducible. */
    pinned: boolean;
    /** Schedule steps fire at each occurrence in [at, at + horizon). */
    horizon: string;
    /** Database triggers count only rows created at or after this instant. */
    since?: string;
  };
  source: { kind: string; label: string; seeds: string[] };
  /** The config file, relative to the working directory. */
  config: string;
  /**
   * Whether the outputs show recipients or mask them (`j***@example.com`). A report in memory keeps
   * the real values either way (so `--compare` compares real values); every renderer masks its
   * output (`maskOutput`) when this says 'masked'.
   */
  recipients: 'masked' | 'shown';
  totals: Counts & { loops: number; steps: number };
  loops: LoopReport[];
  /** Plan-wide notices (unpinned clock, capped deadlines…). */
  warnings: string[];
  /** Present with `--compare base.json`. */
  comparison?: Comparison;
}

export interface Counts {
  /** Trigger events: rows of a database trigger's table, or recipients returned at schedule occurrences. */
  events: number;
  /** Emails that would be sent. */
  emails: number;
  /** Events whose condition does not hold (yet). */
  waiting: number;
  /** Events that would not produce an email for another reason (no recipient…). */
  skipped: number;
  errors: number;
}

export interface LoopReport {
  id: string;
  type: string;
  opinion: string;
  counts: Counts;
  steps: StepReport[];
}

export type TriggerSummary = { type: 'database'; table: string; event: string } | { type: 'schedule'; cron: string; timezone: string; occurrences: string[] };

export interface StepReport {
  /** 1-based position in the loop. */
  step: number;
  trigger: TriggerSummary;
  /** `timeout` as written (if any); `deadline`: the statement timeout used, `timeout` capped. */
  condition?: { type: 'query'; query: string; timeout?: string; deadline: string } | { type: 'redis'; command: string[]; timeout?: string; deadline: string };
  template: string;
  counts: Counts;
  /**
   * Why events did not become emails, grouped by reason, with the first keys as examples.
   * `notes`, where a reason has them, says more of each example, in the same order (the
   * frequency cap: which email took the slot).
   */
  notSent: { reason: string; count: number; examples: string[]; notes?: string[] }[];
  emails: PlannedEmail[];
  errors: PlanError[];
  /**
   * The loop has a goal: how many of the step's planned recipients had already reached it at the
   * plan's clock (from the loop's second step on, they are not sent: "goal reached").
   */
  goalReached?: number;
  /** Functions the config vouches for (SKN027), while planning; moved to the report's warnings with their place. */
  warnings?: { code: string; message: string; offset: number }[];
}

export interface PlannedEmail {
  /** Stable identity across plans: `<loop>/<step>/<key>` (+ `@<occurrence>` for schedules). Used by `--compare`. */
  id: string;
  /** The triggering row's key, or the recipient's user id. */
  key: string;
  /** When it would be sent: the plan instant, or the schedule occurrence. */
  at: string;
  to: string;
  from?: string;
  subject?: string;
  template: string;
  /** The interpolated personalization (the template's props). */
  props: Record<string, string>;
  html?: string;
  text?: string;
  /** Extra headers the email is sent with: `List-Unsubscribe` and `List-Unsubscribe-Post` for a loop that carries them. */
  headers?: Record<string, string>;
  /** Values that were missing (rendered empty, never "undefined"), no sender… */
  problems: string[];
  /**
   * In masked JSON only: digests of the real values masking hides (see `emailDigests`), so that
   * `--compare` with a masked base still sees a changed recipient, subject, props or body.
   */
  digests?: EmailDigests;
  /** The loop has a goal: the recipient's key in the people table (the goal's `$1`), when the email has a person. */
  userKey?: string;
}

/** Truncated SHA-256 of `<field>\n<real id>\n<value>`: salted per email, never the value itself. */
export interface EmailDigests {
  id: string;
  to: string;
  subject: string;
  props: string;
  body: string;
}

export interface PlanError {
  loop: string;
  step: number;
  kind: string;
  message: string;
  attempts: number;
  /** The diagnostic code when the read-only guard refused the step (the same code `skene check` gives). */
  code?: string;
  /** Where in the config, `file:line:column` (the same place `skene check` names), when known. */
  location?: string;
  /** The guard's offset into the condition (or 0: the Redis command's name), before it is located. */
  offset?: number;
}

export interface Comparison {
  base: string;
  added: string[];
  removed: string[];
  /** `to`: the recipient before and after, when it changed (masked in masked outputs, like every address). */
  changed: { id: string; fields: string[]; to?: { before: string; after: string } }[];
  unchanged: number;
}

export function emptyCounts(): Counts {
  return { events: 0, emails: 0, waiting: 0, skipped: 0, errors: 0 };
}

export function addCounts(into: Counts, add: Counts): Counts {
  into.events += add.events;
  into.emails += add.emails;
  into.waiting += add.waiting;
  into.skipped += add.skipped;
  into.errors += add.errors;
  return into;
}

/**
 * Why a step has no email, in one sentence every renderer shows (the text report, the editor's
 * plan view): no rows, no occurrence, a condition that never held, events skipped, or an error.
 * Undefined when the step has emails.
 */
export function noEmailReason(step: Pick<StepReport, 'trigger' | 'counts' | 'notSent' | 'errors'>): string | undefined {
  const { counts, trigger } = step;
  if (counts.emails > 0) return undefined;
  if (step.errors.length) return `no email: the step failed (${step.errors.length === 1 ? 'its error is above' : `${step.errors.length} errors above`})`;
  if (trigger.type === 'schedule' && !trigger.occurrences.length) return 'no email: the schedule has no occurrence between the plan clock and the horizon';
  if (!counts.events)
    return trigger.type === 'database'
      ? `no email: ${trigger.table} has no rows`
      : `no email: the condition returned no rows at ${trigger.occurrences.length === 1 ? 'the occurrence' : `any of the ${trigger.occurrences.length} occurrences`}`;
  if (counts.waiting === counts.events) return `no email: the condition never held (${plural(counts.waiting, 'row')} waiting)`;
  const reasons = step.notSent.filter((n) => n.count > 0).map((n) => `${n.reason} (${n.count})`);
  return `no email: every event was held back — ${reasons.join('; ') || 'no reason was recorded'}`;
}

/** The plan's goal count of a step, in one sentence every renderer shows; undefined when the loop has no goal. */
export function goalLine(step: Pick<StepReport, 'step' | 'goalReached'>): string | undefined {
  if (step.goalReached === undefined) return undefined;
  const who = plural(step.goalReached, 'planned recipient');
  return step.step < 2 ? `goal: ${who} already reached it` : `goal: ${who} already reached it (not sent: goal reached)`;
}
