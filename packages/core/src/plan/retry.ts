/**
 * `recovery`: transient failures (connection loss, query timeout) are retried with the loop's
 * backoff and jitter; permanent ones (bad SQL, a refused write) fail at once.
 */
import { SourceError } from '../sources/types.js';

export interface RecoveryPolicy {
  retries: number;
  backoff: 'exponential' | 'linear' | 'fixed';
}

export interface RetryOptions {
  /** First wait. A plan waits briefly: it reports, it does not wait out an outage. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class RetriedError extends Error {
  constructor(
    readonly cause: unknown,
    readonly attempts: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RetriedError';
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof SourceError && error.transient;
}

export function backoffDelay(policy: RecoveryPolicy['backoff'], attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = policy === 'exponential' ? baseMs * 2 ** (attempt - 1) : policy === 'linear' ? baseMs * attempt : baseMs;
  // Full jitter between half and the whole delay, so retries from many loops do not align.
  return Math.min(maxMs, raw) * (0.5 + random() / 2);
}

/** Runs `fn`; on a transient error retries up to `policy.retries` times. Throws RetriedError with the attempt count. */
export async function withRetries<T>(fn: () => Promise<T>, policy: RecoveryPolicy | undefined, options: RetryOptions = {}): Promise<T> {
  const retries = policy?.retries ?? 0;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt > retries) throw new RetriedError(error, attempt);
      await sleep(backoffDelay(policy!.backoff, attempt, options.baseDelayMs ?? 200, options.maxDelayMs ?? 2000));
    }
  }
}
