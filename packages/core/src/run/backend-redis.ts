/**
 * The runner's state and jobs on Redis: the ledger, progress, cursors and pauses in keys under
 * `<prefix>:{state}:` (state-store-redis.ts), the jobs in BullMQ under `<prefix>` on the same
 * server (job-queue-bullmq.ts). For Redis and Upstash users (`rediss://` for Upstash's TCP
 * endpoint), and for anyone who names a `redis://` state URL: the ledger lives beside the jobs.
 *
 * Redis may evict keys under memory pressure; an evicted ledger row is an email that may go out
 * twice, so a server whose `maxmemory-policy` is not `noeviction` gets a warning. Upstash bills
 * per command, and a runner polls: that is worth a line too.
 */
import { maskUrl, passwordOf, redact } from '../sources/url.js';
import { startBullMqJobs } from './job-queue-bullmq.js';
import type { JobQueue } from './job-queue.js';
import type { RunStateStore } from './state-store.js';
import { redisStateStore } from './state-store-redis.js';

export interface RedisState {
  /** What the log says the state is on (never a password). */
  label: string;
  store: RunStateStore;
  /** BullMQ on the same server, started; the caller stops it. */
  startJobs(): Promise<JobQueue>;
  /** Secrets to keep out of messages (the URL, its password). */
  secrets: (string | undefined)[];
  /** Lines to show before running: what could make exactly-once or the bill go wrong. */
  warnings: string[];
  close(): Promise<void>;
}

export interface RedisStateOptions {
  /** `redis://…` or `rediss://…`. */
  url: string;
  /** Prefix of every key (default `skene`): the jobs' BullMQ prefix, the state under `<prefix>:{state}:`. */
  keyPrefix?: string;
}

/** Whether a Redis URL's host is Upstash's. */
export function isUpstashHost(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === 'upstash.io' || host.endsWith('.upstash.io');
  } catch {
    return false;
  }
}

/** `CONFIG GET maxmemory-policy`'s answer, or undefined when the server refuses CONFIG (managed services often do). */
async function evictionPolicy(redis: { config(op: 'GET', name: string): Promise<unknown> }): Promise<string | undefined> {
  try {
    const answer = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return answer[1];
  } catch {
    return undefined;
  }
}

/** The warnings for a Redis state server: its eviction policy, and Upstash's billing. */
export async function redisStateWarnings(input: { url: string; redis: { config(op: 'GET', name: string): Promise<unknown> } }): Promise<string[]> {
  const warnings: string[] = [];
  const policy = await evictionPolicy(input.redis);
  if (policy === undefined) {
    warnings.push(
      "could not check Redis's maxmemory-policy (CONFIG GET was refused): it must be noeviction, or Redis may evict ledger keys and an email may be sent twice",
    );
  } else if (policy !== 'noeviction') {
    warnings.push(`Redis's maxmemory-policy is ${policy}, not noeviction: under memory pressure Redis may evict ledger keys and an email may be sent twice`);
  }
  if (isUpstashHost(input.url)) {
    warnings.push("Upstash bills per command: the runner's polls, job fetches and ledger writes all count; a longer poll interval costs less");
  }
  return warnings;
}

/** Opens the Redis state store and BullMQ's jobs on one server. */
export async function openRedisState(options: RedisStateOptions): Promise<RedisState> {
  const url = options.url.trim();
  const keyPrefix = options.keyPrefix ?? 'skene';
  // Loaded here: core's index exports the runner, and importing core must not load a driver.
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', () => {}); // a failed command rejects on its own
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = redact((error as Error).message, [url, passwordOf(url)]);
    throw new Error(`could not connect to ${maskUrl(url)}: ${reason}`, { cause: error });
  }
  const warnings = await redisStateWarnings({ url, redis });
  return {
    label: `${maskUrl(url)} (Redis: state and BullMQ jobs)`,
    store: redisStateStore(redis, `${keyPrefix}:{state}:`),
    startJobs: () => startBullMqJobs({ url, prefix: keyPrefix }),
    secrets: [url, passwordOf(url)],
    warnings,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
