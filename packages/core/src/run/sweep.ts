/**
 * The ledger's own guarantee that a recorded email is not forgotten. A schedule occurrence's
 * emails are recorded 'sending' before any job sends them; a job is meant to hold each of them
 * until it is settled. When no job does any more — a worker died on a job's last attempt and
 * the queue's own expiry, not `reclaim`, failed it; an evaluation crashed between recording and
 * queueing and its retry no longer lists the email; a job gave up on an error — the email would
 * stay 'sending' for ever. So a worker with nothing left to do looks for such rows in each loop
 * that has no job waiting or running, and queues them again in chunks. Each row still goes in
 * its one recorded request (ledger-batch.ts), so Resend replays whatever was delivered.
 */
import { queueName, sendQueueName, type JobData } from './jobs.js';
import { insertJobs, type EnqueueContext } from './enqueue.js';
import type { JobQueue } from './job-queue.js';
import type { RunStateStore } from './state-store.js';

/** Emails per swept chunk, as the occurrence's own chunks. */
const SWEEP_CHUNK = 500;
/** A row claimed this many times and still 'sending' is given up: failed with why, no more attempts. */
export const MAX_SEND_ATTEMPTS = 10;

export interface SweepContext extends Pick<EnqueueContext, 'config' | 'jobs'> {
  store: RunStateStore;
  paused: Map<string, string>;
}

/** No job of the loop waiting or held, not even by a worker silent for minutes. */
async function loopIsIdle(jobs: JobQueue, loop: string): Promise<boolean> {
  const left = await jobs.outstanding([queueName(loop), sendQueueName(loop)]);
  return left.ready + left.active + left.silent + left.later === 0;
}

/**
 * Queues the recorded emails of idle loops that no job holds; gives up on those claimed
 * MAX_SEND_ATTEMPTS times. Returns how many chunk jobs it queued (0: nothing to do, or only
 * jobs that already existed, which the queue left out).
 */
export async function sweepOrphans(ctx: SweepContext): Promise<number> {
  let queued = 0;
  for (const loop of ctx.config.loops) {
    if (ctx.paused.has(loop.id) || !(await loopIsIdle(ctx.jobs, loop.id))) continue;
    await ctx.store.giveUpRecorded(loop.id, MAX_SEND_ATTEMPTS);
    const rows = await ctx.store.unsettledRecorded(loop.id);
    if (!rows.length) continue;
    const jobs: JobData[] = [];
    // By step and occurrence (a schedule email's id ends in `@<occurrence>`), in chunks.
    const groups = new Map<string, typeof rows>();
    for (const row of rows) {
      const group = `${row.step} ${row.emailId.slice(row.emailId.lastIndexOf('@') + 1)}`;
      groups.set(group, [...(groups.get(group) ?? []), row]);
    }
    for (const [group, members] of groups) {
      const [step, occurrence] = group.split(' ') as [string, string];
      for (let i = 0; i < members.length; i += SWEEP_CHUNK) {
        const chunk = members.slice(i, i + SWEEP_CHUNK);
        // Its id changes with the rows' attempts and the hour: two workers sweeping at once make one
        // job; a sweep after progress, or an hour later, is a new one (the queue drops an id it has).
        const checks = chunk.reduce((n, r) => n + r.attempts, 0);
        const swept = Math.floor(Date.now() / 3_600_000);
        jobs.push({ kind: 'chunk', loop: loop.id, step: Number(step), occurrence, emailIds: chunk.map((r) => r.emailId), checks, swept });
      }
    }
    await insertJobs(ctx, jobs);
    if (!(await loopIsIdle(ctx.jobs, loop.id))) queued += jobs.length;
  }
  return queued;
}
