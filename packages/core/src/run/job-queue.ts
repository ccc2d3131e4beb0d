/**
 * The runner's job state, behind one small interface: queues of jobs with deterministic ids, each
 * handed to one worker at a time, kept alive by heartbeats, retried with backoff per the loop's
 * `recovery`, and given back when their worker dies. The runner (runner.ts, work.ts, enqueue.ts,
 * sweep.ts) speaks only this; an adapter keeps the jobs somewhere: PostgreSQL or the embedded
 * PGlite through pg-boss (job-queue-pgboss.ts), Redis through BullMQ (job-queue-bullmq.ts; not
 * chosen by the runner yet). `test/run/job-queue-contract.ts` is the contract an adapter is held
 * to.
 */
import type { JobData, RetryOptions } from './jobs.js';

/** A job to queue. */
export interface NewJob {
  queue: string;
  /**
   * Deterministic (jobs.ts `jobId`): inserting an id the queue already has, or has had, is a
   * no-op, so two workers enqueueing the same event create one job.
   */
  id: string;
  data: JobData;
  /** How a failed attempt is retried: how many times, after what delay. */
  retry: RetryOptions;
  /** How long a worker may hold the job before it is handed to another. */
  expireInSeconds: number;
  /** A held job whose last heartbeat is older than this belongs to a dead worker (`reclaimDead`). */
  heartbeatSeconds: number;
}

/**
 * One attempt at a job. Settling and heartbeats name the attempt, so a worker that lost its job
 * (reclaimed, then fetched by another) settles nothing.
 */
export interface JobAttempt {
  id: string;
  /** 0 on the first attempt, one more on each retry. */
  retryCount: number;
}

/** A job a worker fetched and now holds. */
export interface HeldJob extends JobAttempt {
  data: JobData;
  /** Retries allowed in all: the attempt with `retryCount === retryLimit` is the last. */
  retryLimit: number;
}

/** The jobs of some queues that are not finished yet. */
export interface Outstanding {
  /** Waiting, due now. */
  ready: number;
  /** Held by a worker heard from in the last 2 minutes (a heartbeat, or its fetch). */
  active: number;
  /** Held by a worker silent for longer (one that died before heartbeats): left to their expiry. */
  silent: number;
  /** Waiting for a retry that is not due yet. */
  later: number;
  /** When the first of `later` is due; null when none is. */
  next: Date | null;
}

export interface Reclaimed {
  /** How many held jobs had stopped beating and were failed into their retry. */
  count: number;
  /** Those that were on their last attempt, so no retry follows: the caller decides whether to queue them again. */
  lastAttempts: HeldJob[];
}

export interface JobQueue {
  /** Makes the queues exist (idempotent); before anything is inserted into them. */
  ensureQueues(names: string[]): Promise<void>;
  /** Queues the jobs; one whose id exists already (or twice in `jobs`) is left out. */
  insert(jobs: NewJob[]): Promise<void>;
  /** Up to `batchSize` due jobs of `queue`, each handed to this caller only, oldest first. */
  fetch(queue: string, batchSize: number): Promise<HeldJob[]>;
  /** Done: the job leaves its queue for good. */
  complete(queue: string, job: JobAttempt): Promise<void>;
  /** Failed with `reason`: retried after its delay while retries are left, else left failed. */
  fail(queue: string, job: JobAttempt, reason: string): Promise<void>;
  /** The jobs are still being worked: their heartbeat is refreshed (settled ones are not touched). */
  heartbeat(queue: string, jobs: JobAttempt[]): Promise<void>;
  outstanding(queues: string[]): Promise<Outstanding>;
  /**
   * Fails the held jobs whose heartbeat is older than their `heartbeatSeconds` into their retry,
   * fenced by attempt: two workers reclaiming at once fail a job once, and a job its worker
   * settled meanwhile is left alone.
   */
  reclaimDead(queues: string[]): Promise<Reclaimed>;
  /** Lets work in flight finish (up to a few seconds), then closes the connections. */
  stop(): Promise<void>;
}

/**
 * New jobs grouped by queue, each id once (the first wins): both engines insert a queue's jobs in
 * one call, and pg-boss refuses one id twice in a batch; across batches the engine dedupes.
 */
export function jobsByQueue(jobs: readonly NewJob[]): Map<string, NewJob[]> {
  const byQueue = new Map<string, Map<string, NewJob>>();
  for (const job of jobs) {
    const list = byQueue.get(job.queue) ?? new Map<string, NewJob>();
    if (!list.has(job.id)) list.set(job.id, job);
    byQueue.set(job.queue, list);
  }
  return new Map([...byQueue].map(([queue, list]) => [queue, [...list.values()]]));
}
