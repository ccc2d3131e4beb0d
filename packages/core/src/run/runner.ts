/**
 * `skene run --once`: one pass of the PostgreSQL runner. It starts the job queue beside the state
 * (job-queue.ts: pg-boss in schema `skene_jobs` on the database), creates Skene's state tables,
 * enqueues what is due at the clock `at` (captured events, re-checks, schedule occurrences), and
 * works the loops' queues until nothing is due. Several workers may run at once on one database:
 * the queue hands each job to one of them, and the ledger (state-store.ts: `skene.sends` on
 * PostgreSQL) decides whether an email goes out.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { redact } from '../sources/url.js';
import { postgresBackend, type RunBackend } from './backend.js';
import { enqueueEvents, enqueueRechecks, enqueueSchedules, insertJobs } from './enqueue.js';
import { HEARTBEAT_REFRESH_MS, queueName, sendQueueName } from './jobs.js';
import type { HeldJob, JobQueue } from './job-queue.js';
import type { Sender } from './sender.js';
import { enqueueBackfill } from './backfill.js';
import { cappedSender } from './cap.js';
import { recipientStateOf, refuseWithoutUnsubscribe } from './consent.js';
import { runCap } from './frequency-cap.js';
import { eventJobs, type CapturedEvent } from './capture.js';
import { checkGoals } from './goals.js';
import { sweepOrphans } from './sweep.js';
import { workBatch, type RunLogEntry, type WorkContext } from './work.js';

export type { RunLogEntry, Decision } from './work.js';

export interface RunOnceOptions {
  config: LoadedConfig;
  /** The application's PostgreSQL, where `skene migrate` installed capture. */
  databaseUrl?: string;
  /** Instead of `databaseUrl`: a backend the caller opened and closes (the embedded PGlite, embedded.ts). */
  backend?: RunBackend;
  sender: Sender;
  /** The clock for conditions and schedules (`--at`); default the current time. */
  at?: Date;
  log?: (entry: RunLogEntry) => void;
  env?: Record<string, string | undefined>;
  /** Missed schedule occurrences older than this are skipped (default 1 hour). */
  catchUpMs?: number;
  /** Jobs fetched at a time per loop (default 50). */
  batchSize?: number;
  /** How long `--once` waits for retries that are not due yet before it stops (default 60 s). */
  maxWaitMs?: number;
  /** Once aborted (SIGTERM), no new batch is fetched: the one in hand is finished and settled. */
  signal?: AbortSignal;
  /** `--backfill-since`: rows of database-trigger tables created since then are insert events too (backfill.ts). */
  backfillSince?: Date;
}

export interface RunSummary {
  at: string;
  counts: Record<RunLogEntry['decision'], number>;
  /** Loops paused by a quota, with why. */
  paused: { loop: string; reason: string }[];
  /** Jobs left for a later run (retries not due before `maxWaitMs`). */
  pending: number;
}

/** The provider refused the key or the account: nothing can be sent until someone acts. */
export class RunHalted extends Error {}

const POLL_MS = 50;

/** How many times a job whose worker died on its last attempt is started again before it is left failed. */
const MAX_REVIVALS = 3;

/**
 * Hands back the jobs whose worker stopped beating (see HEARTBEAT_SECONDS), failed into their
 * retry, where any worker takes them. pg-boss's own supervision does the same, but once a minute
 * by default and only inside an instance that lives that long, which a pass of `skene run` rarely
 * does. A job that was on its last attempt has no retry left: it is inserted again as a new job
 * (`revived`, a few times at most), else emails its worker had recorded but not settled would stay
 * 'sending' with nobody to send them. Returns how many were reclaimed.
 */
async function reclaim(ctx: WorkContext, queues: string[]): Promise<number> {
  const { count, lastAttempts } = await ctx.jobs.reclaimDead(queues);
  const revive = lastAttempts.filter((j) => (j.data.revived ?? 0) < MAX_REVIVALS);
  await insertJobs(
    ctx,
    revive.map((j) => ({ ...j.data, revived: (j.data.revived ?? 0) + 1 })),
  );
  return count;
}

/** Keeps the jobs in hand visibly alive while `run` works them (see HEARTBEAT_SECONDS). */
async function withHeartbeat(ctx: WorkContext, queue: string, jobs: HeldJob[], run: () => Promise<void>): Promise<void> {
  // A failed refresh is tried again at the next beat; jobs already settled are not touched.
  const beat = setInterval(() => void ctx.jobs.heartbeat(queue, jobs).catch(() => {}), HEARTBEAT_REFRESH_MS);
  try {
    await run();
  } finally {
    clearInterval(beat);
  }
}

export async function runOnce(options: RunOnceOptions): Promise<RunSummary> {
  const at = options.at ?? new Date();
  const counts = { sent: 0, waiting: 0, expired: 0, failed: 0, skipped: 0, retry: 0, paused: 0, halt: 0, converted: 0, 'not-converted': 0 };
  const log = (entry: RunLogEntry) => {
    counts[entry.decision]++;
    options.log?.(entry);
  };
  // Before anything is opened: never a non-transactional email without its unsubscribe headers
  // (the outbox sends nothing: the CLI warns there instead).
  if (options.sender.mode !== 'outbox') refuseWithoutUnsubscribe(options.config, options.env ?? process.env);
  const backend = options.backend ?? (await postgresBackend(options.databaseUrl ?? ''));
  const { store, source } = backend;
  let started: JobQueue | undefined;
  try {
    await store.ensure();
    const jobs = (started = await backend.startJobs());
    await jobs.ensureQueues(options.config.loops.flatMap((loop) => [queueName(loop.id), sendQueueName(loop.id)]));
    const paused = new Map([...(await store.pausedLoops())].map(([loop, p]) => [loop, p.reason]));
    const ctx: WorkContext = { config: options.config, store, jobs, source, sender: options.sender, at, env: options.env, paused, log };
    ctx.recipientState = recipientStateOf(store);
    const enqueue = { config: options.config, store, jobs, at, paused, catchUpMs: options.catchUpMs ?? 3_600_000, log };
    // PostgreSQL's own capture: `skene.events` in the database beside the state.
    const events = !backend.capture && backend.db ? { ...enqueue, db: backend.db } : undefined;
    if (options.backfillSince) {
      if (!events) throw new Error(`--backfill-since: not for ${backend.capture?.label ?? backend.label} yet (PostgreSQL only)`);
      await enqueueBackfill(events, options.backfillSince);
    }
    if (backend.capture) {
      const toJobs = (captured: CapturedEvent[]) => insertJobs(enqueue, eventJobs(options.config, captured));
      await backend.capture.drain({ enqueue: toJobs, positions: store.positions, at });
    } else if (events) await enqueueEvents(events);
    else if (options.config.loops.some((l) => l.steps.some((s) => s.trigger.type === 'database'))) {
      throw new Error(`${backend.label}: no change capture for the database triggers (a capture, or PostgreSQL's skene.events beside the state)`);
    }
    await enqueueSchedules(enqueue);
    await enqueueRechecks(enqueue);
    const pending = await work(ctx, options);
    // After the pass's sends: the goals due at this clock, the ones just sent included (goals.ts).
    if (!ctx.halted && !options.signal?.aborted) await checkGoals(ctx);
    if (ctx.halted) throw new RunHalted(`stopped: the provider refuses to send (${ctx.halted}); fix the API key or the account, then run again`);
    return { at: at.toISOString(), counts, paused: [...paused].map(([loop, reason]) => ({ loop, reason })), pending };
  } catch (error) {
    if (error instanceof RunHalted) throw error;
    throw new Error(
      redact(
        error instanceof Error ? error.message : String(error),
        backend.secrets.filter((s): s is string => !!s),
      ),
      { cause: error },
    );
  } finally {
    await started?.stop().catch(() => {});
    if (!options.backend) await backend.close();
  }
}

/** Works the queues of the loops that may send until nothing is due; returns the jobs left for later. */
async function work(ctx: WorkContext, options: RunOnceOptions): Promise<number> {
  const batchSize = options.batchSize ?? 50;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const started = Date.now();
  for (;;) {
    let worked = false;
    for (const loop of ctx.config.loops) {
      if (ctx.halted) return 0;
      if (options.signal?.aborted) break;
      if (ctx.paused.has(loop.id)) continue;
      // Evaluations many at a time (one plan for many events); chunks to send one at a time, so other workers get the rest.
      // With a frequency cap, a loop's evaluations are all worked before the next loop's: a slot
      // contested at one instant goes to the loop declared first, as in the plan (frequency-cap.ts).
      queues: for (const [queue, size, drain] of [
        [queueName(loop.id), batchSize, !!runCap(ctx.config)],
        [sendQueueName(loop.id), 1, false],
      ] as const) {
        do {
          const jobs = await ctx.jobs.fetch(queue, size);
          if (jobs.length === 0) continue queues;
          worked = true;
          // The loop's `maxEmailsPerHour`: one count per batch, then the batch's sender spends the rest (cap.ts).
          ctx.sender = await cappedSender({ store: ctx.store, config: ctx.config, loop: loop.id, sender: options.sender });
          await withHeartbeat(ctx, queue, jobs, () => workBatch(ctx, jobs));
          if (ctx.halted || ctx.paused.has(loop.id)) break queues;
        } while (drain && !options.signal?.aborted);
      }
    }
    const queues = ctx.config.loops.filter((l) => !ctx.paused.has(l.id)).flatMap((l) => [queueName(l.id), sendQueueName(l.id)]);
    if (options.signal?.aborted) {
      const left = await ctx.jobs.outstanding(queues);
      return left.ready + left.later;
    }
    if (worked) continue;
    if (await reclaim(ctx, queues)) continue;
    if (await sweepOrphans(ctx)) continue;
    // Jobs held by a worker silent for minutes are left to their expiry, not waited for.
    const left = await ctx.jobs.outstanding(queues);
    if (left.ready + left.active + left.later === 0) return 0;
    // Retries (and jobs another worker holds) are waited for, up to maxWaitMs in all.
    const waitUntil = left.ready || left.active ? Date.now() + POLL_MS : Math.max(Date.now() + POLL_MS, left.next!.getTime());
    if (waitUntil - started > maxWaitMs) return left.ready + left.active + left.later;
    await new Promise((resolve) => setTimeout(resolve, Math.min(waitUntil - Date.now(), 1000)));
  }
}
