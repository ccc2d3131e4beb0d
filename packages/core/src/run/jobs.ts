/**
 * The runner's work items as jobs (job-queue.ts): one queue per loop (so a paused loop's work
 * simply stays queued), deterministic job ids (so two workers enqueueing the same event or
 * occurrence create one job: the queue leaves out an id it has), and a loop's `recovery` as the
 * jobs' retry options.
 */
import { createHash } from 'node:crypto';
import type { Recovery, Step } from '@skene/sdk';

/**
 * What a job asks for, for one step: one captured event (or a re-check of it); one schedule
 * occurrence, evaluated once, its emails recorded in the ledger and split into chunks; or one
 * chunk of an occurrence's recorded emails to send. `revived` counts the times the job was
 * started again after its worker died on its last attempt (runner.ts, `reclaim`); `swept` marks
 * a chunk of emails no job held any more, with the hour it was queued (sweep.ts).
 */
export type JobData = (
  | { kind: 'event'; loop: string; step: number; eventId: string; key: unknown; occurredAt: string; checks: number }
  | { kind: 'occurrence'; loop: string; step: number; occurrence: string; checks: number }
  | { kind: 'chunk'; loop: string; step: number; occurrence: string; emailIds: string[]; checks: number; swept?: number }
) & { revived?: number };

/**
 * The progress row a job reports to: `event:<id>`, `occurrence:<ISO instant>`, or for a chunk
 * `chunk:<ISO instant>:<digest of its email ids>` (only written when a chunk gives up).
 */
export function subjectOf(job: JobData): string {
  if (job.kind === 'event') return `event:${job.eventId}`;
  if (job.kind === 'occurrence') return `occurrence:${job.occurrence}`;
  const digest = createHash('sha256').update(job.emailIds.join('\n'), 'utf8').digest('hex').slice(0, 16);
  return `chunk:${job.occurrence}:${digest}`;
}

/** A loop's queue. Loop ids are `[a-z0-9_-]`, which every queue backend accepts in a queue name. */
export function queueName(loopId: string): string {
  return `skene.loop.${loopId}`;
}

/**
 * A loop's queue of chunks to send. Apart from its evaluations so a worker fetches chunks one at
 * a time: evaluations are fetched many at once (one plan for many events), and a worker that
 * fetched every chunk of an occurrence at once would leave the other workers nothing to share.
 */
export function sendQueueName(loopId: string): string {
  return `skene.send.${loopId}`;
}

/** The queue a job goes to. */
export function queueOf(job: JobData): string {
  return job.kind === 'chunk' ? sendQueueName(job.loop) : queueName(job.loop);
}

/**
 * A name-based (version 5 style) uuid: job ids are uuids (pg-boss requires it), and the same name must
 * give the same id on every worker, so that enqueueing twice creates one job.
 */
export function nameUuid(name: string): string {
  const bytes = createHash('sha1').update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The job's id: the first evaluation of an event or occurrence, then one id per re-check. */
export function jobId(job: JobData): string {
  const what = `${subjectOf(job)}:${job.loop}/${job.step}${job.checks === 0 ? '' : `#${job.checks}`}`;
  const swept = job.kind === 'chunk' && job.swept ? `^${job.swept}` : '';
  return nameUuid(job.revived ? `${what}~${job.revived}${swept}` : `${what}${swept}`);
}

/**
 * Without `recovery`, a send that meets a transient failure (429, 5xx, no answer) is still
 * retried a few times: dropping an email on one rate-limit answer would be worse than waiting.
 */
export const DEFAULT_RECOVERY: Recovery = { retries: 3, backoff: 'exponential' };
/** The first retry's delay in seconds; the queue adds jitter on exponential backoff. */
const RETRY_DELAY_SECONDS = 1;
/** Retries finish well inside the 24 h Resend keeps an idempotency key. */
const RETRY_DELAY_MAX_SECONDS = 300;

/** How a job's failed attempts are retried: `retryLimit` retries, `retryDelay` seconds apart, or doubling with `retryBackoff`. */
export interface RetryOptions {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  /** The longest delay; only with backoff (pg-boss refuses it otherwise). */
  retryDelayMax?: number;
}

/**
 * `recovery` as retry options. The queues know fixed and exponential delays only (as pg-boss
 * does), so `linear` waits a fixed delay of twice the base: between the two, never unbounded.
 */
export function retryOptions(recovery: Recovery | undefined): RetryOptions {
  const r = recovery ?? DEFAULT_RECOVERY;
  if (r.backoff === 'exponential')
    return { retryLimit: r.retries, retryDelay: RETRY_DELAY_SECONDS, retryBackoff: true, retryDelayMax: RETRY_DELAY_MAX_SECONDS };
  return { retryLimit: r.retries, retryDelay: r.backoff === 'linear' ? 2 * RETRY_DELAY_SECONDS : RETRY_DELAY_SECONDS, retryBackoff: false };
}

/** A table's name in parts, quotes removed: `"crm"."Accounts"` and `crm.Accounts` are one name. */
export function tableParts(name: string): string[] {
  return name.split('.').map((p) => p.replace(/^"(.*)"$/, '$1'));
}

/** `users`, `public.users` and `"public"."users"` name one table, when the search_path is PostgreSQL's default (see `resolveTables`). */
export function qualifiedTable(name: string): string {
  const parts = tableParts(name);
  return parts.length === 1 ? `public.${parts[0]}` : parts.join('.');
}

/**
 * Whether a captured change is an event of this step: its database trigger names the table and
 * the operation. `tables` maps a trigger's table as written to the `schema.table` the database
 * resolves it to (an unqualified name through the search_path, as `skene migrate` resolved it).
 */
export function stepWatches(
  step: Pick<Step, 'trigger'>,
  event: { table_schema: string; table_name: string; op: string },
  tables?: ReadonlyMap<string, string>,
): boolean {
  const trigger = step.trigger;
  if (trigger.type !== 'database' || trigger.event !== event.op) return false;
  return (tables?.get(trigger.table) ?? qualifiedTable(trigger.table)) === `${event.table_schema}.${event.table_name}`;
}

/** When the re-check after `checks` checks is due: 5 s, 10 s, 20 s … at most 10 minutes, never past the deadline. */
export function nextCheck(at: Date, checks: number, deadline: Date): Date {
  const delay = Math.min(5_000 * 2 ** checks, 600_000);
  return new Date(Math.min(at.getTime() + delay, deadline.getTime()));
}

/**
 * Crash recovery. A worker refreshes the heartbeat of the jobs it holds every
 * HEARTBEAT_REFRESH_MS; a job whose heartbeat is older than HEARTBEAT_SECONDS (pg-boss's minimum)
 * belongs to a worker that died (`kill -9`, a lost machine), and the next pass of any worker fails
 * it into a retry (runner.ts, `reclaim`). So a dead worker's jobs come back within about 20 seconds
 * instead of at their expiry (5 minutes, an hour); the ledger and Resend's idempotency key keep the
 * emails it may have sent single.
 */
export const HEARTBEAT_SECONDS = 10;
export const HEARTBEAT_REFRESH_MS = 3_000;
