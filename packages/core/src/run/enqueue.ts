/**
 * Turning what is due into jobs: captured events after the cursor (one job per event × step that
 * watches it), waiting events and occurrences whose re-check is due, and schedule occurrences in
 * (last fired, at]. Every job has a deterministic id, so workers enqueueing at once create each
 * job once, and enqueueing again after a crash is harmless.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { cronOccurrences } from '../plan/clock.js';
import { DEFAULT_CAPTURE_SCHEMA } from './capture-postgres.js';
import { DST_LEAD_MS } from './evaluate.js';
import { HEARTBEAT_SECONDS, jobId, qualifiedTable, queueOf, retryOptions, stepWatches, tableParts, type JobData } from './jobs.js';
import { quoteIdent } from '../sql/identifiers.js';
import type { JobQueue } from './job-queue.js';
import { advanceEventCursor, eventCursor, S, type Queryable } from './state.js';
import type { RunStateStore } from './state-store.js';

export interface EnqueueContext {
  config: LoadedConfig;
  store: RunStateStore;
  jobs: JobQueue;
  at: Date;
  /** Loops paused by a quota: their re-checks wait until they are resumed. */
  paused: Map<string, string>;
  /** Missed schedule occurrences older than this before `at` are skipped (default 1 h). */
  catchUpMs: number;
  log: (entry: { decision: 'skipped'; loop: string; step: number; reason: string }) => void;
}

/** Enqueueing PostgreSQL's captured events: the database holding `skene.events` (and its cursor) beside the state. */
export type EventsContext = EnqueueContext & { db: Queryable };

/** Events read per statement. */
const PAGE = 1000;
/**
 * A gap in event ids is a transaction still open (its event will appear) or one rolled back (it
 * never will). The cursor waits at a gap until the events after it are this old, then moves past.
 */
const GAP_GRACE_SECONDS = 60;
/**
 * How long a worker may hold a job before the queue hands it to another (a worker killed mid-job):
 * an event is one email; an occurrence may be thousands at Resend's rate limit.
 */
const EVENT_JOB_SECONDS = 300;
const OCCURRENCE_JOB_SECONDS = 3600;
/** Missed occurrences recorded one by one as skipped; beyond, one line says how many. */
const MAX_SKIPPED_RECORDED = 100;

/** Inserts jobs into their queues; a job whose id exists already (enqueued by another worker) is left out by the queue. */
export async function insertJobs(ctx: Pick<EnqueueContext, 'config' | 'jobs'>, jobs: JobData[]): Promise<void> {
  if (!jobs.length) return;
  await ctx.jobs.insert(
    jobs.map((data) => ({
      queue: queueOf(data),
      id: jobId(data),
      data,
      expireInSeconds: data.kind === 'event' ? EVENT_JOB_SECONDS : OCCURRENCE_JOB_SECONDS,
      // A job whose worker stops beating is retried by another long before it expires.
      heartbeatSeconds: HEARTBEAT_SECONDS,
      retry: retryOptions(ctx.config.loops.find((l) => l.id === data.loop)!.recovery),
    })),
  );
}

interface EventRow {
  id: string;
  table_schema: string;
  table_name: string;
  op: string;
  key: unknown;
  occurred_at: Date;
  settled: boolean;
}

/**
 * Each database trigger's table as the database resolves it, `schema.table`: an unqualified name
 * through the connection's search_path, as `skene migrate` resolved it when it put the trigger on
 * the table. A name the database does not know keeps PostgreSQL's default reading (`public`).
 */
export async function resolveTables(db: Queryable, config: LoadedConfig): Promise<Map<string, string>> {
  const names = [...new Set(config.loops.flatMap((l) => l.steps.flatMap((s) => (s.trigger.type === 'database' ? [s.trigger.table] : []))))];
  const resolved = new Map<string, string>();
  for (const name of names) {
    const { rows } = await db.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [quoteIdent('postgres', tableParts(name).join('.'))],
    );
    resolved.set(name, rows[0] ? `${rows[0].schema}.${rows[0].name}` : qualifiedTable(name));
  }
  return resolved;
}

/** Every database-trigger step, with its loop and 1-based number. */
function databaseSteps(config: LoadedConfig) {
  return config.loops.flatMap((loop) => loop.steps.flatMap((step, i) => (step.trigger.type === 'database' ? [{ loop: loop.id, stepNo: i + 1, step }] : [])));
}

export async function enqueueEvents(ctx: EventsContext): Promise<number> {
  const steps = databaseSteps(ctx.config);
  if (steps.length === 0) return 0;
  const { rows: installed } = await ctx.db.query<{ ok: boolean }>(`SELECT to_regclass('${DEFAULT_CAPTURE_SCHEMA}.events') IS NOT NULL AS ok`);
  if (!installed[0]?.ok) throw new Error('no change capture in this database: run `skene migrate` first (it creates skene.events and the triggers)');
  const tables = await resolveTables(ctx.db, ctx.config);
  let cursor = BigInt(await eventCursor(ctx.db));
  let advancing = true;
  let after = cursor;
  let count = 0;
  for (;;) {
    const { rows } = await ctx.db.query<EventRow & Record<string, unknown>>(
      `SELECT id::text AS id, table_schema, table_name, op, "key", occurred_at,
              occurred_at < now() - interval '${GAP_GRACE_SECONDS} seconds' AS settled
       FROM ${S}.events WHERE id > $1 ORDER BY id LIMIT ${PAGE}`,
      [after.toString()],
    );
    const jobs: JobData[] = [];
    for (const row of rows) {
      for (const s of steps) {
        if (!stepWatches(s.step, row, tables)) continue;
        jobs.push({
          kind: 'event',
          loop: s.loop,
          step: s.stepNo,
          eventId: row.id,
          key: row.key,
          occurredAt: new Date(row.occurred_at).toISOString(),
          checks: 0,
        });
      }
      const id = BigInt(row.id);
      // Only a gap-free prefix (or a gap old enough to be a rollback) moves the cursor.
      if (advancing && (id === cursor + 1n || row.settled)) cursor = id;
      else advancing = false;
      after = id;
    }
    await insertJobs(ctx, jobs);
    count += jobs.length;
    await advanceEventCursor(ctx.db, cursor.toString());
    if (rows.length < PAGE) return count;
  }
}

/** Re-checks due at `at`: waiting conditions, and work a paused loop deferred. */
export async function enqueueRechecks(ctx: EnqueueContext): Promise<number> {
  const loops = ctx.config.loops.map((l) => l.id).filter((id) => !ctx.paused.has(id));
  if (loops.length === 0) return 0;
  const jobs: JobData[] = [];
  for (const due of await ctx.store.dueChecks(ctx.at, loops)) {
    const [kind, ...rest] = due.subject.split(':');
    const value = rest.join(':');
    if (kind === 'event') {
      jobs.push({
        kind: 'event',
        loop: due.loop_id,
        step: due.step,
        eventId: value,
        key: due.key,
        occurredAt: (due.occurred_at ?? ctx.at).toISOString(),
        checks: due.checks,
      });
    } else {
      jobs.push({ kind: 'occurrence', loop: due.loop_id, step: due.step, occurrence: value, checks: due.checks });
    }
  }
  await insertJobs(ctx, jobs);
  return jobs.length;
}

/**
 * Occurrences in (last fired, at] of every schedule step, once each. With no record yet (the
 * first start) the window begins one catch-up window before `at`. Occurrences older than the
 * catch-up window (an outage) are recorded as skipped, never sent late.
 */
export async function enqueueSchedules(ctx: EnqueueContext): Promise<number> {
  let count = 0;
  const earliest = ctx.at.getTime() - ctx.catchUpMs;
  for (const loop of ctx.config.loops) {
    for (const [i, step] of loop.steps.entries()) {
      if (step.trigger.type !== 'schedule') continue;
      const stepNo = i + 1;
      const name = `schedule:${loop.id}/${stepNo}`;
      // After a long outage, only the last day before the window is looked at (and recorded as skipped).
      const last = Math.max((await ctx.store.scheduleCursor(name))?.getTime() ?? earliest, earliest - 86_400_000);
      if (last >= ctx.at.getTime()) continue;
      // The occurrences up to and including `at`, counted from before `last`: cron-parser started
      // inside a daylight-saving change would find a skipped 02:30 nowhere and a repeated 02:30
      // twice; started before it, it fires the skipped one at 03:30 and the repeated one once.
      const from = last - DST_LEAD_MS;
      const occurrences = cronOccurrences(step.trigger.cron, step.trigger.timezone, new Date(from), ctx.at.getTime() - from + 1).filter(
        (o) => o.getTime() > last,
      );
      const missed = occurrences.filter((o) => o.getTime() < earliest);
      for (const o of missed.slice(0, MAX_SKIPPED_RECORDED)) {
        await ctx.store.setProgress({
          subject: `occurrence:${o.toISOString()}`,
          loop: loop.id,
          step: stepNo,
          state: 'skipped',
          reason: 'missed: older than the catch-up window when the runner came back',
        });
      }
      if (missed.length) {
        ctx.log({ decision: 'skipped', loop: loop.id, step: stepNo, reason: `${missed.length} missed occurrence(s) older than the catch-up window` });
      }
      const jobs: JobData[] = occurrences
        .filter((o) => o.getTime() >= earliest)
        .map((o) => ({ kind: 'occurrence', loop: loop.id, step: stepNo, occurrence: o.toISOString(), checks: 0 }));
      await insertJobs(ctx, jobs);
      count += jobs.length;
      await ctx.store.advanceScheduleCursor(name, ctx.at);
    }
  }
  return count;
}
