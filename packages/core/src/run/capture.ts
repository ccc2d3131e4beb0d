/**
 * Change capture for sources other than the PostgreSQL that holds the runner's state: MySQL and
 * MariaDB triggers (capture-mysql.ts), TiDB watermarks (capture-watermark.ts), Redis keyspace
 * notifications with SCAN reconciliation (capture-redis.ts). Each reads the changes from its
 * source and hands them to the runner, which turns them into jobs with deterministic ids; only
 * after the jobs are stored is a change consumed (its row deleted, the watermark advanced, its key
 * marked seen). A crash in between re-reads the change, and the job it makes again is the same
 * job: nothing is skipped and nothing is sent twice.
 *
 * (PostgreSQL and PGlite keep their events in `skene.events` beside the state, read by cursor in
 * enqueue.ts.)
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { CaptureConfig } from './capture-postgres.js';
import type { JobData } from './jobs.js';

export type CaptureOp = 'insert' | 'update' | 'delete';

/** One change a capture saw. */
export interface CapturedEvent {
  /**
   * Unique for ever, and the same on every runner and every re-read of this change: the event's
   * jobs and its progress rows are keyed by it. (Never an id a table may hand out again after a
   * restart: a reused id would make a new change look like one already decided.)
   */
  id: string;
  /** The table (a key prefix, for Redis) exactly as the config's database trigger writes it. */
  table: string;
  op: CaptureOp;
  /** The row's primary key (a Redis hash's id). */
  key: string | number;
  occurredAt: Date;
}

/**
 * Named positions kept with the runner's state (a TiDB table's watermark, …). Several runners may
 * write one name: a capture must be right whichever position it reads back (a position behind the
 * truth re-reads changes, whose jobs are the same jobs).
 */
export interface PositionStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}

export interface DrainContext {
  /** Stores the events' jobs; the capture consumes a page of events only after this resolves. */
  enqueue(events: CapturedEvent[]): Promise<void>;
  positions: PositionStore;
  /** The run's clock (`--at`): a capture that reads by time reads nothing after it. */
  at: Date;
}

export interface Capture {
  /** What the log says it captures from (never a password). */
  label: string;
  /** Said once when the runner starts: a slower mode in use, and how to enable the faster one. */
  warnings?: string[];
  /** Hands every change not consumed yet to `enqueue`, in pages; returns how many events. */
  drain(ctx: DrainContext): Promise<number>;
  /**
   * Resolves at the next sign of a change (a keyspace notification) or after `ms` (polling),
   * or at once when `signal` aborts.
   */
  waitForChange(ms: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** The database-trigger steps a captured event starts: same table as written, same operation. */
export function eventJobs(config: LoadedConfig, events: readonly CapturedEvent[]): JobData[] {
  const jobs: JobData[] = [];
  for (const event of events) {
    for (const loop of config.loops) {
      for (const [i, step] of loop.steps.entries()) {
        const trigger = step.trigger;
        if (trigger.type !== 'database' || trigger.table !== event.table || trigger.event !== event.op) continue;
        jobs.push({
          kind: 'event',
          loop: loop.id,
          step: i + 1,
          eventId: event.id,
          key: event.key,
          occurredAt: event.occurredAt.toISOString(),
          checks: 0,
        });
      }
    }
  }
  return jobs;
}

/** The tables (as written) and operations the config's database triggers watch. */
export function watchedTables(config: CaptureConfig): Map<string, Set<CaptureOp>> {
  const tables = new Map<string, Set<CaptureOp>>();
  for (const loop of config.loops) {
    for (const step of loop.steps) {
      if (step.trigger.type !== 'database') continue;
      const ops = tables.get(step.trigger.table) ?? new Set<CaptureOp>();
      ops.add(step.trigger.event);
      tables.set(step.trigger.table, ops);
    }
  }
  return tables;
}

/** A wait that ends after `ms`, at `wake()`, or when `signal` aborts, whichever is first. */
export function wakeableWait(): { wait(ms: number, signal: AbortSignal): Promise<void>; wake(): void } {
  let pending: (() => void) | undefined;
  let woken = false;
  return {
    wait(ms, signal) {
      if (woken || signal.aborted) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          pending = undefined;
          woken = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done);
        pending = done;
      });
    },
    wake() {
      woken = true;
      pending?.();
    },
  };
}
