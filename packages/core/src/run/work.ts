/**
 * One fetched batch of a loop's jobs, decided: database events grouped by step and evaluated in
 * one plan per step (`keys`); a schedule occurrence evaluated in one plan, its emails recorded in
 * the ledger and split into chunk jobs that any worker sends; every planned email sent once
 * through the ledger; every other key recorded (waiting with its next check, expired, skipped).
 * Each job is settled on its own: a transient send failure fails only its job, which the job
 * queue retries per the loop's `recovery`.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { RecipientState } from '../plan/recipient-state.js';
import { parseDuration } from '../plan/clock.js';
import type { DataSource } from '../sources/types.js';
import { evaluateKeys, evaluateOccurrence, isPlainKey, type KeyVerdict } from './evaluate.js';
import { insertJobs } from './enqueue.js';
import { goalsSent, trackGoals } from './goals.js';
import type { HeldJob, JobQueue } from './job-queue.js';
import { nextCheck, queueOf, subjectOf, type JobData } from './jobs.js';
import { sendOnce, type LedgerEmail, type LedgerResult } from './ledger.js';
import { recordPlanned, sendRecorded, unsettled } from './ledger-batch.js';
import { cappedReason, FREQUENCY_CAP, runCap } from './frequency-cap.js';
import type { Sender } from './sender.js';
import type { RunStateStore } from './state-store.js';

export type Decision = 'sent' | 'waiting' | 'expired' | 'failed' | 'skipped' | 'retry' | 'paused' | 'halt' | 'converted' | 'not-converted';

/** One line of the runner's log: one decision. `to` is the real address; the surface masks it. */
export interface RunLogEntry {
  decision: Decision;
  loop: string;
  step: number;
  emailId?: string;
  key?: string;
  to?: string;
  reason?: string;
  providerId?: string;
  nextCheckAt?: string;
}

export interface WorkContext {
  config: LoadedConfig;
  store: RunStateStore;
  jobs: JobQueue;
  source: DataSource;
  sender: Sender;
  at: Date;
  env?: Record<string, string | undefined>;
  paused: Map<string, string>;
  log: (entry: RunLogEntry) => void;
  /** The state's suppressions, for the evaluations (consent.ts). */
  recipientState?: RecipientState;
  /** Set when the provider says the key or account cannot send: the runner stops. */
  halted?: string;
}

type Job = HeldJob;

/**
 * Emails per chunk job of a schedule occurrence (five batch requests): small enough that two
 * workers share an occurrence of a thousand, large enough that fetching a chunk costs little.
 */
export const CHUNK_SIZE = 500;

/** A send that must be tried again: the job fails and the queue retries it. */
class RetryJob extends Error {}

/** A key as the progress table and the log show it (a composite key as its JSON). */
function keyText(key: unknown): string {
  return key !== null && typeof key === 'object' ? JSON.stringify(key) : String(key);
}

function lastAttempt(job: Job): boolean {
  return job.retryCount >= job.retryLimit;
}

/** Loop-wide stops (quota, bad key): the job's work is deferred to a re-check once the loop may send again. */
async function stopLoop(ctx: WorkContext, job: Job, result: Extract<LedgerResult, { kind: 'paused' | 'halt' }>): Promise<void> {
  const d = job.data;
  if (result.kind === 'paused') {
    ctx.paused.set(d.loop, result.reason);
    await ctx.store.pauseLoop(d.loop, result.reason);
  } else {
    ctx.halted = result.reason;
  }
  ctx.log({ decision: result.kind, loop: d.loop, step: d.step, reason: result.reason });
}

async function defer(ctx: WorkContext, job: Job, reason: string): Promise<void> {
  const d = job.data;
  await ctx.store.setProgress({
    subject: subjectOf(d),
    loop: d.loop,
    step: d.step,
    state: 'waiting',
    reason,
    key: d.kind === 'event' ? keyText(d.key) : undefined,
    occurredAt: d.kind === 'event' ? new Date(d.occurredAt) : undefined,
    checks: d.checks + 1,
    nextCheckAt: ctx.at,
  });
}

/** Sends one planned email once and logs it; a retry or a loop-wide stop is returned to the caller. */
async function send(ctx: WorkContext, job: Job, email: LedgerEmail): Promise<LedgerResult> {
  const d = job.data;
  const result = await sendOnce({
    store: ctx.store,
    sender: ctx.sender,
    email,
    loop: d.loop,
    step: d.step,
    lastAttempt: lastAttempt(job),
    cap: runCap(ctx.config),
  });
  logSend(ctx, job, email, result);
  return result;
}

function logSend(ctx: WorkContext, job: Job, email: LedgerEmail, result: LedgerResult): void {
  const d = job.data;
  const base = { loop: d.loop, step: d.step, emailId: email.id, key: email.key, to: email.to };
  if (result.kind === 'sent') ctx.log({ ...base, decision: 'sent', ...(result.providerId ? { providerId: result.providerId } : {}) });
  else if (result.kind === 'failed' || result.kind === 'retry') ctx.log({ ...base, decision: result.kind, reason: result.reason });
}

/** An event's verdict for its step: the email sent, or the condition still awaited, or why not. */
async function decideEvent(ctx: WorkContext, job: Job, verdict: KeyVerdict): Promise<void> {
  const d = job.data as Extract<JobData, { kind: 'event' }>;
  const base = { subject: subjectOf(d), loop: d.loop, step: d.step, key: keyText(d.key), occurredAt: new Date(d.occurredAt) };
  if (verdict.kind === 'email') {
    await trackGoals(ctx, { loop: d.loop, step: d.step, emails: [verdict.email] });
    const result = await send(ctx, job, verdict.email);
    if (result.kind === 'sent' || (result.kind === 'settled' && result.state === 'sent')) await goalsSent(ctx, d.loop, [verdict.email.id]);
    if (result.kind === 'retry') throw new RetryJob(result.reason);
    if (result.kind === 'paused' || result.kind === 'halt') {
      await stopLoop(ctx, job, result);
      return postpone(ctx, job, `${result.kind}: ${result.reason}`);
    }
    if (result.kind === 'failed') return ctx.store.setProgress({ ...base, state: 'failed', reason: result.reason });
    if (result.kind === 'capped') return decideEvent(ctx, job, { kind: 'skipped', reason: cappedReason(result.takenBy) });
    if (result.kind === 'settled') {
      // Another job (a duplicate event, another worker) settled this email first.
      const state = result.state === 'failed' ? 'failed' : 'done';
      return ctx.store.setProgress({ ...base, state, reason: `already ${result.state} (${verdict.email.id})` });
    }
    return ctx.store.setProgress({ ...base, state: 'done', reason: 'sent' });
  }
  if (verdict.kind === 'skipped') {
    ctx.log({ decision: 'skipped', loop: d.loop, step: d.step, key: base.key, reason: verdict.reason });
    return ctx.store.setProgress({ ...base, state: 'skipped', reason: verdict.reason });
  }
  const loop = ctx.config.loops.find((l) => l.id === d.loop)!;
  const timeout = loop.steps[d.step - 1]?.condition?.timeout;
  const windowMs = timeout ? parseDuration(timeout) : undefined;
  const deadline = windowMs === undefined ? undefined : new Date(base.occurredAt.getTime() + windowMs);
  if (!deadline || ctx.at >= deadline) {
    const reason = deadline
      ? `condition not met within ${timeout} (by ${deadline.toISOString()})`
      : 'condition not met, and it has no timeout to wait for (condition.timeout)';
    ctx.log({ decision: 'expired', loop: d.loop, step: d.step, key: base.key, reason });
    return ctx.store.setProgress({ ...base, state: 'expired', reason, deadline });
  }
  const nextCheckAt = nextCheck(ctx.at, d.checks, deadline);
  ctx.log({ decision: 'waiting', loop: d.loop, step: d.step, key: base.key, reason: 'condition not met yet', nextCheckAt: nextCheckAt.toISOString() });
  await ctx.store.setProgress({ ...base, state: 'waiting', reason: 'waiting: condition not met', deadline, checks: d.checks + 1, nextCheckAt });
}

/**
 * A schedule occurrence, evaluated once at its instant: every email the plan lists is recorded in
 * the ledger with its payload and queued in chunks (`decideChunk`) that any worker may take. Each
 * chunk is queued as soon as it is recorded, so other workers start sending while the rest is
 * recorded.
 */
async function decideOccurrence(ctx: WorkContext, job: Job): Promise<void> {
  const d = job.data as Extract<JobData, { kind: 'occurrence' }>;
  const { emails: planned, notSent } = await evaluateOccurrence({
    config: ctx.config,
    source: ctx.source,
    at: new Date(d.occurrence),
    loop: d.loop,
    step: d.step,
    env: ctx.env,
    recipientState: ctx.recipientState,
  });
  // A recipient the condition lists twice is one email: one id, in one chunk.
  const emails = [...new Map(planned.map((e) => [e.id, e])).values()];
  await trackGoals(ctx, { loop: d.loop, step: d.step, emails });
  // Capped by the evaluation (earlier sends), then by the ledger (sends recorded meanwhile).
  const cappedEarlier = notSent.find((n) => n.reason === FREQUENCY_CAP)?.count ?? 0;
  const tally = { queued: 0, failed: 0, chunks: 0, capped: cappedEarlier };
  const cap = ctx.config.loops.find((l) => l.id === d.loop)?.maxEmailsPerHour;
  const perUser = runCap(ctx.config);
  for (let i = 0; i < emails.length; i += CHUNK_SIZE) {
    const chunk = emails.slice(i, i + CHUNK_SIZE);
    const recorded = await recordPlanned({ store: ctx.store, emails: chunk, loop: d.loop, step: d.step, batchSize: cap, cap: perUser });
    for (const { email, reason } of recorded.failed) logSend(ctx, job, email, { kind: 'failed', reason });
    for (const { email, takenBy } of recorded.capped) {
      ctx.log({ decision: 'skipped', loop: d.loop, step: d.step, emailId: email.id, key: email.key, to: email.to, reason: cappedReason(takenBy) });
    }
    tally.failed += recorded.failed.length;
    tally.capped += recorded.capped.length;
    if (!recorded.queued.length) continue;
    await insertJobs(ctx, [{ kind: 'chunk', loop: d.loop, step: d.step, occurrence: d.occurrence, emailIds: recorded.queued, checks: d.checks }]);
    tally.queued += recorded.queued.length;
    tally.chunks++;
  }
  const capped = tally.capped ? `, ${tally.capped} ${FREQUENCY_CAP}` : '';
  const reason = `${emails.length + cappedEarlier} recipient(s): ${tally.queued} queued in ${tally.chunks} chunk(s), ${tally.failed} failed${capped}`;
  await ctx.store.setProgress({ subject: subjectOf(d), loop: d.loop, step: d.step, state: 'done', reason });
}

/** A chunk of an occurrence's recorded emails, each sent once with its recorded payload, up to 100 per request. */
async function decideChunk(ctx: WorkContext, job: Job): Promise<void> {
  const d = job.data as Extract<JobData, { kind: 'chunk' }>;
  let retry: string | undefined;
  let stop: Extract<LedgerResult, { kind: 'paused' | 'halt' }> | undefined;
  const sent: string[] = [];
  await sendRecorded({
    store: ctx.store,
    sender: ctx.sender,
    ids: d.emailIds,
    lastAttempt: lastAttempt(job),
    onResults: (results) => {
      for (const { email, result } of results) logSend(ctx, job, email, result);
      for (const { email, result } of results) if (result.kind === 'sent' || (result.kind === 'settled' && result.state === 'sent')) sent.push(email.id);
      // Sticky: with two requests in flight, a later answer must not clear a stop an earlier one met.
      stop ??= results.map((r) => r.result).find((r) => r.kind === 'paused' || r.kind === 'halt') as typeof stop;
      for (const { result } of results) if (result.kind === 'retry') retry ??= result.reason;
      return !!stop;
    },
  });
  await goalsSent(ctx, d.loop, sent);
  if (stop) {
    await stopLoop(ctx, job, stop);
    return postpone(ctx, job, `${stop.kind}: ${stop.reason}`);
  }
  // The chunk runs again; the ledger skips what was sent and repeats what may have been.
  if (retry) throw new RetryJob(retry);
  // A chunk is done only when none of its emails is left to send (another worker may still be on one).
  const left = await unsettled(ctx.store, d.emailIds);
  if (left) throw new RetryJob(`${left} email(s) of the chunk not settled yet`);
}

/**
 * Work a loop-wide stop interrupted, kept for when the loop may send again: an event or
 * occurrence as a due re-check (`defer`); a chunk as a new job in its queue, which is not worked
 * while the loop is paused.
 */
async function postpone(ctx: WorkContext, job: Job, reason: string): Promise<void> {
  if (job.data.kind !== 'chunk') return defer(ctx, job, reason);
  await insertJobs(ctx, [{ ...job.data, checks: job.data.checks + 1 }]);
}

/** Settles a job after its work threw: retried by the queue, or on its last attempt recorded as failed. */
async function settleFailure(ctx: WorkContext, job: Job, error: unknown): Promise<void> {
  const d = job.data;
  const reason = error instanceof Error ? error.message : String(error);
  if (!lastAttempt(job)) {
    if (!(error instanceof RetryJob)) ctx.log({ decision: 'retry', loop: d.loop, step: d.step, reason });
    await ctx.jobs.fail(queueOf(d), job, reason);
    return;
  }
  ctx.log({ decision: 'failed', loop: d.loop, step: d.step, reason: `gave up after ${job.retryCount + 1} attempts: ${reason}` });
  await ctx.store.setProgress({
    subject: subjectOf(d),
    loop: d.loop,
    step: d.step,
    state: 'failed',
    reason: `gave up after ${job.retryCount + 1} attempts: ${reason}`,
  });
  await ctx.jobs.complete(queueOf(d), job);
}

/** Runs `decide` for a job and settles it; after a loop-wide stop, the rest is deferred untouched. */
async function settle(ctx: WorkContext, job: Job, decide: () => Promise<void>): Promise<void> {
  const queue = queueOf(job.data);
  try {
    if (ctx.halted || ctx.paused.has(job.data.loop)) await postpone(ctx, job, ctx.halted ? `halt: ${ctx.halted}` : `paused: ${ctx.paused.get(job.data.loop)}`);
    else await decide();
  } catch (error) {
    return settleFailure(ctx, job, error);
  }
  await ctx.jobs.complete(queue, job);
}

/** Whether the job's event or occurrence already reached an end for its step (a duplicate job); a chunk's emails are guarded by the ledger. */
async function alreadyDecided(ctx: WorkContext, job: Job): Promise<boolean> {
  const d = job.data;
  if (d.kind === 'chunk') return false;
  const state = await ctx.store.progressState(subjectOf(d), d.loop, d.step);
  return state !== undefined && state !== 'waiting';
}

export async function workBatch(ctx: WorkContext, jobs: Job[]): Promise<void> {
  const events = new Map<number, Job[]>();
  // With a frequency cap, the lower step records first: a contested slot goes where the plan gives it.
  for (const job of runCap(ctx.config) ? [...jobs].sort((a, b) => a.data.step - b.data.step) : jobs) {
    if (await alreadyDecided(ctx, job)) {
      await ctx.jobs.complete(queueOf(job.data), job);
      continue;
    }
    const d = job.data;
    if (d.kind === 'occurrence') await settle(ctx, job, () => decideOccurrence(ctx, job));
    else if (d.kind === 'chunk') await settle(ctx, job, () => decideChunk(ctx, job));
    else if (!isPlainKey(d.key)) {
      await settle(ctx, job, () =>
        decideEvent(ctx, job, { kind: 'skipped', reason: 'a primary key of several columns: the runner evaluates single-column keys only' }),
      );
    } else events.set(d.step, [...(events.get(d.step) ?? []), job]);
  }
  for (const [stepNo, group] of events) {
    const loop = group[0]!.data.loop;
    let verdicts: Map<string, KeyVerdict> | Error;
    try {
      const keys = group.map((j) => (j.data as Extract<JobData, { kind: 'event' }>).key as string | number);
      verdicts = await evaluateKeys(
        { config: ctx.config, source: ctx.source, at: ctx.at, loop, step: stepNo, env: ctx.env, recipientState: ctx.recipientState },
        keys,
      );
    } catch (error) {
      verdicts = error instanceof Error ? error : new Error(String(error));
    }
    for (const job of group) {
      const key = String((job.data as Extract<JobData, { kind: 'event' }>).key);
      await settle(ctx, job, async () => {
        if (verdicts instanceof Error) throw verdicts;
        await decideEvent(ctx, job, verdicts.get(key) ?? { kind: 'skipped', reason: 'the row no longer exists' });
      });
    }
  }
}
