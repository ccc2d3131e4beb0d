/**
 * `skene status`: what the runner has done, per loop and step, read from its state tables —
 * emails sent and failed (with the last error) from the ledger, events waiting, expired and
 * skipped from the progress table, paused loops, and a schedule's next occurrence. Only counts
 * and errors: no address is read.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { cronOccurrences } from '../plan/clock.js';
import { withPgClient } from './pg-client.js';
import { DEFAULT_CAPTURE_SCHEMA } from './capture-postgres.js';
import { S, type Queryable } from './state.js';

export interface StepStatus {
  step: number;
  trigger: string;
  sent: number;
  /** Recorded before a call whose answer has not been recorded (in flight, or a crash to recover). */
  sending: number;
  waiting: number;
  expired: number;
  failed: number;
  skipped: number;
  lastError?: string;
  /** Schedules: the next occurrence after now. */
  nextOccurrence?: string;
}

export interface LoopStatus {
  id: string;
  paused?: { reason: string; since: string };
  steps: StepStatus[];
}

export interface RunStatus {
  database: string;
  /** False when no runner has run on this database yet (no state tables). */
  started: boolean;
  loops: LoopStatus[];
}

type CountRow = { loop_id: string; step: number; state: string; n: number };

async function counts(db: Queryable) {
  const sends = await db.query<CountRow>(`SELECT loop_id, step, state, count(*)::int AS n FROM ${S}.sends GROUP BY 1, 2, 3`);
  const progress = await db.query<CountRow>(`SELECT loop_id, step, state, count(*)::int AS n FROM ${S}.progress WHERE state <> 'done' GROUP BY 1, 2, 3`);
  // A failed event whose email failed is one failure, counted from the ledger.
  const evaluationFailures = await db.query<CountRow>(
    `SELECT p.loop_id, p.step, 'failed' AS state, count(*)::int AS n FROM ${S}.progress p
     WHERE p.state = 'failed' AND p.subject NOT LIKE 'chunk:%' AND NOT EXISTS (
       SELECT 1 FROM ${S}.sends s WHERE s.loop_id = p.loop_id AND s.step = p.step AND s."key" = p."key" AND s.state = 'failed')
     GROUP BY 1, 2`,
  );
  const errors = await db.query<{ loop_id: string; step: number; error: string }>(
    `SELECT DISTINCT ON (loop_id, step) loop_id, step, error FROM (
       SELECT loop_id, step, last_error AS error, created_at AS at FROM ${S}.sends WHERE state = 'failed'
       UNION ALL SELECT loop_id, step, reason, updated_at FROM ${S}.progress WHERE state = 'failed') e
     ORDER BY loop_id, step, at DESC`,
  );
  const paused = await db.query<{ loop_id: string; reason: string; since: Date }>(`SELECT loop_id, reason, since FROM ${S}.loop_state WHERE state = 'paused'`);
  return { sends: sends.rows, progress: progress.rows, evaluationFailures: evaluationFailures.rows, errors: errors.rows, paused: paused.rows };
}

function stepStatus(loop: LoadedConfig['loops'][number] | undefined, stepNo: number, now: Date): StepStatus {
  const trigger = loop?.steps[stepNo - 1]?.trigger;
  const status: StepStatus = { step: stepNo, trigger: '', sent: 0, sending: 0, waiting: 0, expired: 0, failed: 0, skipped: 0 };
  if (!trigger) return { ...status, trigger: '(no longer in the config)' };
  if (trigger.type === 'database') return { ...status, trigger: `${trigger.event} on ${trigger.table}` };
  status.trigger = `schedule ${trigger.cron}${trigger.timezone ? ` (${trigger.timezone})` : ''}`;
  try {
    const next = cronOccurrences(trigger.cron, trigger.timezone, now, 400 * 86_400_000)[0];
    if (next) status.nextOccurrence = next.toISOString();
  } catch {
    // An invalid cron is `skene check`'s to report.
  }
  return status;
}

/** The runner's state per loop and step: the config's steps, and any the state still mentions. */
export async function readStatus(options: { db: Queryable; config?: Pick<LoadedConfig, 'loops'>; label: string; now?: Date }): Promise<RunStatus> {
  const { db } = options;
  const now = options.now ?? new Date();
  const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass('${DEFAULT_CAPTURE_SCHEMA}.sends') IS NOT NULL AS ok`);
  const loops = new Map<string, LoopStatus>();
  const stepOf = (loopId: string, stepNo: number): StepStatus => {
    let loop = loops.get(loopId);
    if (!loop) loops.set(loopId, (loop = { id: loopId, steps: [] }));
    let step = loop.steps.find((s) => s.step === stepNo);
    if (!step) {
      step = stepStatus(
        options.config?.loops.find((l) => l.id === loopId),
        stepNo,
        now,
      );
      loop.steps.push(step);
      loop.steps.sort((a, b) => a.step - b.step);
    }
    return step;
  };
  for (const loop of options.config?.loops ?? []) for (let i = 1; i <= loop.steps.length; i++) stepOf(loop.id, i);
  if (!rows[0]?.ok) return { database: options.label, started: false, loops: [...loops.values()] };
  const c = await counts(db);
  for (const r of c.sends) {
    const s = stepOf(r.loop_id, r.step);
    if (r.state === 'sent') s.sent += r.n;
    else if (r.state === 'sending') s.sending += r.n;
    else if (r.state === 'failed') s.failed += r.n;
  }
  for (const r of [...c.progress.filter((p) => p.state !== 'failed'), ...c.evaluationFailures]) {
    const s = stepOf(r.loop_id, r.step);
    if (r.state === 'waiting' || r.state === 'expired' || r.state === 'failed' || r.state === 'skipped') s[r.state] += r.n;
  }
  for (const e of c.errors) stepOf(e.loop_id, e.step).lastError = e.error;
  for (const p of c.paused) {
    if (!loops.has(p.loop_id)) loops.set(p.loop_id, { id: p.loop_id, steps: [] });
    loops.get(p.loop_id)!.paused = { reason: p.reason, since: new Date(p.since).toISOString() };
  }
  return { database: options.label, started: true, loops: [...loops.values()] };
}

/** `readStatus` on the database a URL names (password never shown). */
export async function runStatus(options: { databaseUrl: string; config?: Pick<LoadedConfig, 'loops'>; now?: Date }): Promise<RunStatus> {
  return withPgClient({ url: options.databaseUrl, name: 'skene status', doing: "read the runner's state" }, (db, label) =>
    readStatus({ db, config: options.config, label, now: options.now }),
  );
}
