/**
 * The decision table on its own: the error name decides before the status (Resend has changed
 * the statuses on its error page, not the names), and the pacing arithmetic of the rate limiter
 * on a fake clock, where exact start times can be asserted.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyError, delayHeaderMs } from '../../src/run/classify.js';
import { createRateLimiter } from '../../src/run/rate-limit.js';

const kind = (name: string | undefined, statusCode: number | null) => classifyError({ name, statusCode, message: 'm' }, null).kind;

describe('classifyError', () => {
  test('names decide first', () => {
    assert.equal(kind('rate_limit_exceeded', 429), 'retry');
    assert.equal(kind('daily_quota_exceeded', 429), 'paused');
    assert.equal(kind('monthly_quota_exceeded', 429), 'paused');
    assert.equal(kind('concurrent_idempotent_requests', 409), 'retry');
    assert.equal(kind('invalid_idempotent_request', 409), 'failed');
    assert.equal(kind('invalid_api_key', 403), 'halt');
    assert.equal(kind('missing_api_key', 401), 'halt');
    assert.equal(kind('restricted_api_key', 401), 'halt');
    assert.equal(kind('invalid_from_address', 422), 'failed');
    assert.equal(kind('missing_required_field', 422), 'failed');
    // The same name, other statuses: a bad key (401) halts, an unverified domain (403) fails the email.
    assert.equal(kind('validation_error', 400), 'failed');
    assert.equal(kind('validation_error', 422), 'failed');
    assert.equal(kind('validation_error', 401), 'halt');
    assert.equal(kind('validation_error', 403), 'failed');
  });

  test("the status decides for the SDK's application_error and for names it does not know", () => {
    assert.equal(kind('application_error', null), 'retry');
    assert.equal(kind('application_error', 503), 'retry');
    assert.equal(kind('application_error', 404), 'failed');
    assert.equal(kind('application_error', 403), 'halt');
    assert.equal(kind('brand_new_error', 429), 'retry');
    assert.equal(kind('brand_new_error', 418), 'failed');
    assert.equal(kind(undefined, 500), 'retry');
  });

  test('retry-after in seconds or as a date; ratelimit-reset only for the rate limit', () => {
    assert.equal(delayHeaderMs('2'), 2000);
    assert.equal(delayHeaderMs('0.4'), 400);
    assert.equal(delayHeaderMs(new Date(10_000).toUTCString(), 7_000), 3000);
    assert.equal(delayHeaderMs('soon'), undefined);
    const limited = classifyError({ name: 'rate_limit_exceeded', statusCode: 429 }, { 'ratelimit-reset': '3' });
    assert.equal(limited.kind === 'retry' && limited.afterMs, 3000);
    const server = classifyError({ name: 'internal_server_error', statusCode: 500 }, { 'ratelimit-reset': '3' });
    assert.equal(server.kind === 'retry' && server.afterMs, undefined);
  });
});

describe('createRateLimiter', () => {
  function fakeClock() {
    let now = 0;
    const starts: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => void (now += ms),
      starts,
      stamp: () => starts.push(now),
    };
  }

  test('spaces requests evenly at 1000/perSecond ms, and a blockFor() pushes every later one', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 2, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) await limiter.acquire().then(clock.stamp);
    limiter.blockFor(2000);
    await limiter.acquire().then(clock.stamp);
    await limiter.acquire().then(clock.stamp);
    assert.deepEqual(clock.starts, [0, 500, 1000, 3000, 3500]);
  });

  test('a burst lets that many through back to back', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 2, burst: 2, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 4; i++) await limiter.acquire().then(clock.stamp);
    assert.deepEqual(clock.starts, [0, 0, 500, 1000]);
  });

  test('refuses a rate that is not positive', () => {
    assert.throws(() => createRateLimiter({ perSecond: 0 }), RangeError);
  });
});
