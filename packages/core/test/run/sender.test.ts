/**
 * The sender against the Resend double, through the real SDK: every outcome class the runner acts
 * on, idempotent retries after a crash, the per-process rate limit and `retry-after`, and the
 * outbox used without a key. Timing tests assert lower bounds only (a busy machine is slower,
 * never faster).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faults, startResendDouble, type ResendDouble } from '../../../../test/helpers/resend-double.js';
import { createSender, type OutgoingEmail, type SenderEvent, type SenderOptions } from '../../src/run/sender.js';

const email = (to = 'ada@example.test', subject = 'Willkommen, Ada'): OutgoingEmail => ({
  from: 'Skene <loops@skene.test>',
  to,
  subject,
  html: '<p>Schön, dass du da bist — los geht’s.</p>',
  text: 'Schön, dass du da bist — los geht’s.',
});

let double: ResendDouble;
const events: SenderEvent[] = [];
// Fast pacing by default, so that only the rate-limit tests spend real seconds.
const sender = (options: SenderOptions = {}) =>
  createSender({ apiKey: double.apiKey, baseUrl: double.url, rateLimitPerSecond: 100, log: (e) => events.push(e), ...options });

before(async () => {
  double = await startResendDouble();
});
after(() => double.close());
beforeEach(() => {
  double.delivered.length = 0;
  double.requests.length = 0;
  double.forgetKeys();
  double.setLatency(0);
  events.length = 0;
});

describe('sent', () => {
  test('send and sendBatch return Resend ids; the key goes out as Idempotency-Key', async () => {
    const s = sender();
    assert.equal(s.mode, 'resend');
    const one = await s.send({ ...email(), headers: { 'X-Entity-Ref-ID': 'welcome/1' } }, 'welcome/step-1/user-1');
    assert.deepEqual(one, { kind: 'sent', ids: [double.delivered[0].id] });
    assert.equal(double.delivered[0].idempotencyKey, 'welcome/step-1/user-1');
    assert.deepEqual(double.delivered[0].email.headers, { 'X-Entity-Ref-ID': 'welcome/1' });
    const batch = await s.sendBatch([email('a@example.test'), email('b@example.test')], 'digest/weekly/all@2026-12-07');
    assert.deepEqual(batch, { kind: 'sent', ids: double.delivered.slice(1).map((d) => d.id) });
    assert.equal(double.delivered[1].path, '/emails/batch');
  });

  test('a batch of 100 is one request', async () => {
    const outcome = await sender().sendBatch(
      Array.from({ length: 100 }, (_, i) => email(`u${i}@example.test`)),
      'digest/100',
    );
    assert.equal(outcome.kind, 'sent');
    assert.equal(outcome.kind === 'sent' && outcome.ids.length, 100);
    assert.equal(double.requestCount('/emails/batch'), 1);
  });

  test('the base URL comes from RESEND_BASE_URL when no option is given', async () => {
    const saved = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = double.url;
    try {
      const s = createSender({ apiKey: double.apiKey, rateLimitPerSecond: 100 });
      assert.equal(s.target, double.url);
      assert.equal((await s.send(email(), 'env/1')).kind, 'sent');
    } finally {
      if (saved === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = saved;
    }
  });
});

describe('exactly once across crashes', () => {
  test('a crash after Resend accepted: the restarted worker resends under the same key, one delivery', async () => {
    double.script('/emails', faults.lostResponse());
    const beforeCrash = await sender().send(email(), 'activation/nudge/user-7');
    assert.equal(beforeCrash.kind, 'retry');
    assert.equal(beforeCrash.kind === 'retry' && beforeCrash.status, null);
    // A new process: a fresh sender, nothing shared but the key from the ledger.
    const afterRestart = await sender().send(email(), 'activation/nudge/user-7');
    assert.deepEqual(afterRestart, { kind: 'sent', ids: [double.delivered[0].id] });
    assert.equal(double.delivered.length, 1);
  });

  test('the same batch key twice: one delivery, the same ids', async () => {
    const batch = [email('a@example.test'), email('b@example.test')];
    const first = await sender().sendBatch(batch, 'digest/1');
    const second = await sender().sendBatch(batch, 'digest/1');
    assert.deepEqual(second, first);
    assert.equal(double.delivered.length, 2);
  });
});

describe('retry', () => {
  test('429 rate_limit_exceeded: retry after retry-after, and the next request waits it out', async () => {
    const s = sender();
    double.script('/emails', faults.rateLimit(1));
    const limited = await s.send(email(), 'r/1');
    assert.equal(limited.kind, 'retry');
    assert.equal(limited.kind === 'retry' && limited.afterMs, 1000);
    assert.equal(limited.kind === 'retry' && limited.code, 'rate_limit_exceeded');
    const started = Date.now();
    assert.equal((await s.send(email(), 'r/1')).kind, 'sent');
    assert.ok(Date.now() - started >= 950, `the retry waited ${Date.now() - started} ms`);
    assert.equal(double.delivered.length, 1);
  });

  test('5xx, a non-JSON 502, a reset and a hung connection are retried with the same key', async () => {
    const s = sender({ timeoutMs: 300 });
    double.script('/emails', faults.serverError(500), faults.htmlError(502), faults.reset(), faults.hang());
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const o = await s.send(email(), 'flaky/1');
      outcomes.push(o.kind === 'retry' ? [o.kind, o.code, o.status] : [o.kind]);
    }
    assert.deepEqual(outcomes, [
      ['retry', 'internal_server_error', 500],
      ['retry', 'application_error', 502],
      ['retry', 'application_error', null],
      ['retry', 'application_error', null],
    ]);
    assert.equal((await s.send(email(), 'flaky/1')).kind, 'sent');
    assert.equal(double.delivered.length, 1);
  });

  test('409 concurrent_idempotent_requests while the first request runs', async () => {
    double.setLatency(400);
    const s = sender();
    const [a, b] = await Promise.all([s.send(email(), 'c/1'), new Promise((r) => setTimeout(r, 50)).then(() => s.send(email(), 'c/1'))]);
    assert.equal(a.kind, 'sent');
    assert.equal(b.kind, 'retry');
    assert.equal(b.kind === 'retry' && b.code, 'concurrent_idempotent_requests');
  });
});

describe('failed (permanent)', () => {
  test('422 validation, a bad sender, a missing field, a reused key: failed, one request each', async () => {
    const s = sender();
    double.script('/emails', faults.validation('Invalid `to` field.'));
    const cases = [await s.send(email(), 'f/1'), await s.send({ ...email(), from: 'nobody' }, 'f/2'), await s.send({ ...email(), subject: '' }, 'f/3')];
    await s.send(email(), 'f/4');
    cases.push(await s.send(email('eve@example.test'), 'f/4'));
    assert.deepEqual(
      cases.map((o) => [o.kind, o.kind === 'failed' && o.code]),
      [
        ['failed', 'validation_error'],
        ['failed', 'invalid_from_address'],
        ['failed', 'missing_required_field'],
        ['failed', 'invalid_idempotent_request'],
      ],
    );
    assert.equal(double.requestCount(), 5);
    assert.equal(double.delivered.length, 1);
  });

  test('a 403 validation_error (unverified domain) fails the email, it does not halt', async () => {
    double.script('/emails', faults.validation('The skene.test domain is not verified.', 403));
    const o = await sender().send(email(), 'f/5');
    assert.deepEqual([o.kind, o.kind === 'failed' && o.status], ['failed', 403]);
  });

  test('an empty or oversized batch and an over-long key fail without a request', async () => {
    const s = sender();
    assert.equal((await s.sendBatch([], 'b/0')).kind, 'failed');
    assert.equal(
      (
        await s.sendBatch(
          Array.from({ length: 101 }, () => email()),
          'b/101',
        )
      ).kind,
      'failed',
    );
    assert.equal((await s.send(email(), 'k'.repeat(257))).kind, 'failed');
    assert.equal(double.requestCount(), 0);
  });
});

describe('paused and halt', () => {
  test('daily and monthly quota: paused', async () => {
    double.script('/emails', faults.dailyQuota());
    double.script('/emails/batch', faults.monthlyQuota());
    const daily = await sender().send(email(), 'q/1');
    const monthly = await sender().sendBatch([email()], 'q/2');
    assert.deepEqual([daily.kind, daily.kind === 'paused' && daily.code], ['paused', 'daily_quota_exceeded']);
    assert.deepEqual([monthly.kind, monthly.kind === 'paused' && monthly.code], ['paused', 'monthly_quota_exceeded']);
  });

  test('a wrong key halts, and neither the outcome nor the log shows the key', async () => {
    const key = 're_wrong_secret_123';
    const o = await sender({ apiKey: key }).send(email(), 'h/1');
    assert.deepEqual([o.kind, o.kind === 'halt' && o.code], ['halt', 'invalid_api_key']);
    // A server that echoes the key in its message must not get it into the reason either.
    double.script('/emails', faults.error(401, 'missing_api_key', `Bad header: Bearer ${double.apiKey}`));
    const echoed = await sender().send(email(), 'h/2');
    assert.equal(echoed.kind, 'halt');
    assert.ok(!JSON.stringify([o, echoed, events]).includes(key));
    assert.ok(!JSON.stringify([o, echoed, events]).includes(double.apiKey));
  });

  test('log events say what happened without recipients', async () => {
    await sender().send(email('secret.person@example.test'), 'l/1');
    assert.equal(events.length, 1);
    assert.deepEqual({ ...events[0], ms: 0 }, { action: 'send', mode: 'resend', key: 'l/1', count: 1, outcome: 'sent', ms: 0 });
    assert.ok(!JSON.stringify(events).includes('secret.person'));
  });
});

describe('rate limit', () => {
  test('5 sends at 2 per second take at least 2 s, even when started together', async () => {
    const s = sender({ rateLimitPerSecond: 2 });
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => s.send(email(), `rate/${i}`)));
    const elapsed = Date.now() - started;
    assert.ok(
      outcomes.every((o) => o.kind === 'sent'),
      JSON.stringify(outcomes),
    );
    assert.ok(elapsed >= 1950, `5 sends took ${elapsed} ms`);
    assert.equal(double.requestCount(), 5);
  });
});

describe('outbox (no API key)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skene-outbox-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const outboxSender = (sub: string) => createSender({ apiKey: null, outboxDir: join(dir, sub), log: (e) => events.push(e) });

  test('writes one JSON file per key, named safely, and nothing twice', async () => {
    const s = outboxSender('one');
    assert.equal(s.mode, 'outbox');
    const key = 'welcome/step 1/ädä@2026-12-04T10:00:00Z';
    const first = await s.send(email(), key);
    assert.equal(first.kind, 'sent');
    if (first.kind !== 'sent') return;
    assert.equal(first.outbox, join(dir, 'one'));
    const files = readdirSync(join(dir, 'one'));
    assert.equal(files.length, 1);
    assert.match(files[0], /^[A-Za-z0-9._-]+\.json$/);
    assert.equal(first.files?.[0], join(dir, 'one', files[0]));
    assert.deepEqual(first.ids, [`outbox:${files[0].replace(/\.json$/, '')}`]);
    const saved = JSON.parse(readFileSync(first.files![0], 'utf8'));
    assert.deepEqual(saved, { id: first.ids[0], idempotencyKey: key, email: email() });
    const mtime = statSync(first.files![0]).mtimeMs;

    const again = await outboxSender('one').send(email(), key);
    assert.deepEqual(again, first);
    assert.equal(statSync(first.files![0]).mtimeMs, mtime);
    assert.equal(readdirSync(join(dir, 'one')).length, 1);
    assert.deepEqual(events.at(-1)?.outbox, join(dir, 'one'));
  });

  test('another payload under a used key fails, as Resend answers 409', async () => {
    const s = outboxSender('conflict');
    await s.send(email(), 'k');
    const other = await s.send(email('eve@example.test'), 'k');
    assert.deepEqual([other.kind, other.kind === 'failed' && other.code], ['failed', 'invalid_idempotent_request']);
    assert.equal(readdirSync(join(dir, 'conflict')).length, 1);
  });

  test('a batch writes one file per email; concurrent senders of one key write one file', async () => {
    const batch = await outboxSender('batch').sendBatch([email('a@example.test'), email('b@example.test'), email('c@example.test')], 'digest/1');
    assert.equal(batch.kind === 'sent' && batch.ids.length, 3);
    assert.equal(readdirSync(join(dir, 'batch')).length, 3);
    const racers = await Promise.all(Array.from({ length: 5 }, () => outboxSender('race').send(email(), 'same/key')));
    assert.ok(racers.every((o) => o.kind === 'sent'));
    assert.deepEqual(readdirSync(join(dir, 'race')), [readdirSync(join(dir, 'race'))[0]]);
    assert.ok(!readdirSync(join(dir, 'race'))[0].endsWith('.tmp'));
  });

  test('without apiKey and RESEND_API_KEY the outbox is used; with RESEND_API_KEY, Resend', () => {
    const saved = process.env.RESEND_API_KEY;
    try {
      delete process.env.RESEND_API_KEY;
      assert.equal(createSender({ outboxDir: join(dir, 'env') }).mode, 'outbox');
      process.env.RESEND_API_KEY = double.apiKey;
      assert.equal(createSender({ baseUrl: double.url }).mode, 'resend');
      assert.equal(createSender({ apiKey: null, outboxDir: join(dir, 'env') }).mode, 'outbox');
    } finally {
      if (saved === undefined) delete process.env.RESEND_API_KEY;
      else process.env.RESEND_API_KEY = saved;
    }
  });
});
