/**
 * The pace at which one process calls Resend. Resend limits a team to a few requests per second
 * (2 by default) and answers 429 beyond it; spacing requests evenly keeps a worker under the limit
 * instead of bursting into it and spending retries. A `retry-after` from Resend blocks every later
 * request until it has passed, since the limit is shared by all of them.
 */

export interface RateLimiter {
  /** Resolves when the caller may make one request; concurrent callers are served in call order. */
  acquire(): Promise<void>;
  /** No request starts before `ms` from now (a `retry-after`, a quota reset). */
  blockFor(ms: number): void;
}

export interface RateLimitOptions {
  perSecond: number;
  /** Requests allowed back to back before spacing applies; 1 spaces every request evenly. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket in its "generic cell rate" form: one timestamp (`tat`, when the bucket is next
 * full) instead of a token count, so each caller's start time is reserved synchronously and
 * concurrent callers cannot both take the last token.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  if (!(options.perSecond > 0)) throw new RangeError(`rate limit must be a positive number of requests per second, got ${options.perSecond}`);
  const interval = 1000 / options.perSecond;
  const tolerance = (Math.max(1, Math.floor(options.burst ?? 1)) - 1) * interval;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  let tat = -Infinity;
  let blockedUntil = -Infinity;

  return {
    async acquire() {
      const t = now();
      const base = Math.max(tat, t);
      const startAt = Math.max(t, base - tolerance, blockedUntil);
      tat = Math.max(base, startAt) + interval;
      if (startAt > t) await sleep(startAt - t);
    },
    blockFor(ms) {
      if (ms > 0) blockedUntil = Math.max(blockedUntil, now() + ms);
    },
  };
}
