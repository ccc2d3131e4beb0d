/**
 * The job queue on Redis through BullMQ (for Redis and Upstash users: the jobs live beside their
 * data). Each Skene queue is a BullMQ queue, worked by hand (a Worker without a processor:
 * `getNextJob`), so the runner keeps its own loop, batches and heartbeats:
 * - a job's id is BullMQ's `jobId`: adding an id the queue has (waiting, held, or kept after it
 *   finished, for a week) is a no-op;
 * - a fetched job is locked with a token of this process's; settling and heartbeats use it, so an
 *   attempt this process does not hold (another worker's, or an earlier one) settles nothing;
 * - the lock lasts the job's `heartbeatSeconds` and each heartbeat extends it: a job held with no
 *   lock is a dead worker's, and `reclaimDead` fails it into its retry (BullMQ's `attempts` and
 *   a backoff computed as pg-boss's: `retryDelay` seconds, or doubling from it with jitter up to
 *   `retryDelayMax`);
 * - a job held past its `expireInSeconds`, lock or not, is failed into its retry by `reclaimDead`
 *   too (pg-boss's supervisor does that there): its worker is stuck.
 */
import { randomUUID } from 'node:crypto';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobsByQueue, type HeldJob, type JobAttempt, type JobQueue, type Outstanding, type Reclaimed } from './job-queue.js';
import type { JobData, RetryOptions } from './jobs.js';

/** What a BullMQ job carries: the runner's data and the options BullMQ has no field for. */
interface Stored {
  data: JobData;
  retry: RetryOptions;
  heartbeatSeconds: number;
  expireInSeconds: number;
}

/** A finished job's id is kept this long, so enqueueing it again is still a no-op (pg-boss keeps a week too). */
const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;
/** A held job silent this long (no lock, not reclaimed) is counted `silent`, not `active`. */
const SILENT_MS = 120_000;
/** BullMQ's delayed set scores are the due instant in ms times this (plus a counter). */
const DELAYED_SCORE_FACTOR = 0x1000;
/** How long a reclaimer holds a dead job's lock while it fails it. */
const RECLAIM_LOCK_MS = 30_000;
/** Replaces a lock only if it still holds the token read: taking an expired job from its stuck worker. */
const TAKE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return false`;
/** Deletes a lock only if it holds this token. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** BullMQ's answers when the job is no longer held with this token: missing job, lock missing, not active, lock taken. */
const LOST_ATTEMPT_CODES = new Set([-1, -2, -3, -6]);

/** The retry delay in ms after the failure of attempt `retryCount` (0-based), as pg-boss computes it. */
export function retryDelayMs(retry: RetryOptions, retryCount: number): number {
  if (!retry.retryBackoff) return retry.retryDelay * 1000;
  const base = Math.max(retry.retryDelay, 1) * 2 ** Math.min(16, retryCount);
  return Math.round(Math.min(retry.retryDelayMax ?? Infinity, base * (1 + Math.random())) * 1000);
}

export interface BullMqConnection {
  /** `redis://…` or `rediss://…`. */
  url: string;
  /** Key prefix of every queue (default `skene`); tests use one each. */
  prefix?: string;
}

/** Connects to Redis and returns the queue on it; queues and their workers are made by `ensureQueues`. */
export async function startBullMqJobs(connection: BullMqConnection): Promise<JobQueue> {
  // Loaded here: core's index exports the runner, and importing core must not load a driver.
  const { Queue, Worker, Job: JobClass } = await import('bullmq');
  const { Redis: RedisClient } = await import('ioredis');
  // BullMQ wants no per-request retry limit on the connections it blocks on.
  const redis: Redis = new RedisClient(connection.url, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', () => {}); // a failed command rejects on its own
  await redis.connect();
  const prefix = connection.prefix ?? 'skene';
  const queues = new Map<string, { queue: Queue; worker: Worker }>();
  /** The jobs this process holds, by attempt: the lock token and the job. */
  const held = new Map<string, { token: string; job: Job }>();
  const attemptKey = (queue: string, a: JobAttempt) => `${queue}\n${a.id}\n${a.retryCount}`;

  const open = (name: string) => {
    let found = queues.get(name);
    if (!found) {
      const options = { connection: redis, prefix };
      found = {
        queue: new Queue(name, options),
        // Worked by hand (no processor, not started): no lock renewal or stalled check of BullMQ's own.
        worker: new Worker(name, null, {
          ...options,
          autorun: false,
          lockDuration: 10_000,
          settings: { backoffStrategy: (attemptsMade, _type, _error, job) => retryDelayMs((job!.data as Stored).retry, attemptsMade - 1) },
        }),
      };
      found.worker.on('error', () => {});
      found.queue.on('error', () => {});
      queues.set(name, found);
    }
    return found;
  };
  /** Runs a settling call; an attempt no longer held (reclaimed, settled) is a no-op, as pg-boss's fenced calls are. */
  const fenced = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      if (!LOST_ATTEMPT_CODES.has((error as { code?: number }).code ?? 0)) throw error;
    }
  };
  const settle = async (queue: string, attempt: JobAttempt, how: (job: Job, token: string) => Promise<unknown>) => {
    const key = attemptKey(queue, attempt);
    const mine = held.get(key);
    if (!mine) return;
    held.delete(key);
    await fenced(() => how(mine.job, mine.token));
  };
  const toHeld = (job: Job): HeldJob => {
    const stored = job.data as Stored;
    return { id: job.id!, retryCount: job.attemptsMade, retryLimit: stored.retry.retryLimit, data: stored.data };
  };

  return {
    ensureQueues: async (names) => {
      for (const name of names) await open(name).queue.waitUntilReady();
    },
    insert: async (jobs) => {
      for (const [name, list] of jobsByQueue(jobs)) {
        await open(name).queue.addBulk(
          list.map((j) => ({
            name: 'job',
            data: { data: j.data, retry: j.retry, heartbeatSeconds: j.heartbeatSeconds, expireInSeconds: j.expireInSeconds } satisfies Stored,
            opts: {
              jobId: j.id,
              attempts: j.retry.retryLimit + 1,
              backoff: { type: 'skene' },
              removeOnComplete: { age: KEEP_FINISHED_SECONDS },
              removeOnFail: { age: KEEP_FINISHED_SECONDS },
            },
          })),
        );
      }
    },
    fetch: async (name, batchSize) => {
      const { worker } = open(name);
      const fetched: HeldJob[] = [];
      while (fetched.length < batchSize) {
        const token = randomUUID();
        const job = await worker.getNextJob(token, { block: false });
        if (!job) break;
        const lockMs = (job.data as Stored).heartbeatSeconds * 1000;
        if (lockMs !== 10_000) await job.extendLock(token, lockMs);
        held.set(attemptKey(name, { id: job.id!, retryCount: job.attemptsMade }), { token, job });
        fetched.push(toHeld(job));
      }
      return fetched;
    },
    complete: (queue, attempt) => settle(queue, attempt, (job, token) => job.moveToCompleted(null, token, false)),
    fail: (queue, attempt, reason) => settle(queue, attempt, (job, token) => job.moveToFailed(new Error(reason), token, false)),
    heartbeat: async (queue, attempts) => {
      for (const attempt of attempts) {
        const mine = held.get(attemptKey(queue, attempt));
        if (mine) await mine.job.extendLock(mine.token, (mine.job.data as Stored).heartbeatSeconds * 1000);
      }
    },
    outstanding: async (names) => {
      const left: Outstanding = { ready: 0, active: 0, silent: 0, later: 0, next: null };
      const now = Date.now();
      for (const name of names) {
        const { queue } = open(name);
        const counts = await queue.getJobCounts('wait', 'prioritized');
        left.ready += (counts.wait ?? 0) + (counts.prioritized ?? 0);
        // Delayed jobs already due are promoted at the next fetch: they are ready now.
        const dueScore = (now + 1) * DELAYED_SCORE_FACTOR - 1;
        left.ready += await redis.zcount(queue.keys.delayed!, '-inf', dueScore);
        left.later += await redis.zcount(queue.keys.delayed!, `(${dueScore}`, '+inf');
        const [, first] = await redis.zrangebyscore(queue.keys.delayed!, `(${dueScore}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
        if (first !== undefined) {
          const next = new Date(Math.floor(Number(first) / DELAYED_SCORE_FACTOR));
          if (!left.next || next < left.next) left.next = next;
        }
        for (const job of await queue.getActive()) {
          const locked = (await redis.exists(`${queue.toKey(job.id!)}:lock`)) === 1;
          if (locked || (job.processedOn ?? 0) > now - SILENT_MS) left.active++;
          else left.silent++;
        }
      }
      return left;
    },
    reclaimDead: async (names) => {
      const reclaimed: Reclaimed = { count: 0, lastAttempts: [] };
      for (const name of names) {
        const { queue, worker } = open(name);
        for (const listed of await queue.getActive()) {
          const lockKey = `${queue.toKey(listed.id!)}:lock`;
          const token = `reclaim-${randomUUID()}`;
          // The lock is gone: its worker stopped beating. Taking it (NX) makes this reclaimer the only one.
          let why: 'dead' | 'expired' = 'dead';
          if ((await redis.set(lockKey, token, 'PX', RECLAIM_LOCK_MS, 'NX')) !== 'OK') {
            const expiresAt = (listed.processedOn ?? Infinity) + (listed.data as Stored).expireInSeconds * 1000;
            const holder = expiresAt < Date.now() ? await redis.get(lockKey) : null;
            if (holder === null || (await redis.eval(TAKE_LOCK, 1, lockKey, holder, token, RECLAIM_LOCK_MS)) !== 'OK') continue;
            why = 'expired';
          }
          const job = await JobClass.fromId(worker, listed.id!);
          // Fenced by attempt: the job must still be the attempt listed, now held by this reclaimer only.
          if (!job || job.attemptsMade !== listed.attemptsMade || !(await job.isActive())) {
            await redis.eval(RELEASE_LOCK, 1, lockKey, token);
            continue;
          }
          const stored = job.data as Stored;
          const attempt = toHeld(job);
          const reason =
            why === 'dead'
              ? `its worker stopped (no heartbeat for ${stored.heartbeatSeconds} s): retried`
              : `job timed out (held over ${stored.expireInSeconds} s)`;
          await fenced(() => job.moveToFailed(new Error(reason), token, false));
          reclaimed.count++;
          // A stuck worker's job on its last attempt is left failed, as pg-boss's expiry leaves it.
          if (why === 'dead' && attempt.retryCount >= attempt.retryLimit) reclaimed.lastAttempts.push(attempt);
        }
      }
      return reclaimed;
    },
    stop: async () => {
      for (const { queue, worker } of queues.values()) {
        await worker.close().catch(() => {});
        await queue.close().catch(() => {});
      }
      await redis.quit().catch(() => {});
    },
  };
}
