/**
 * The Resend double is only useful if the real SDK talks to it as it talks to Resend: these tests
 * drive it with `resend` itself (`new Resend(key, { baseUrl })`) and check the wire format, the
 * key check, the idempotency rules and every scripted fault the runner's tests rely on.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resend } from 'resend';
import { faults, startResendDouble, type ResendDouble } from '../../../../test/helpers/resend-double.js';

const email = (to = 'ada@example.test', subject = 'Grüße, Ada 👋') => ({
  from: 'Skene <loops@skene.test>',
  to,
  subject,
  html: '<p>Willkommen — schön, dass du da bist.</p>',
  text: 'Willkommen — schön, dass du da bist.',
});

let double: ResendDouble;
let resend: Resend;

before(async () => {
  double = await startResendDouble();
  resend = new Resend(double.apiKey, { baseUrl: double.url });
});
after(() => double.close());

// Each test starts from an empty record and no leftover script or keys.
beforeEach(() => {
  double.delivered.length = 0;
  double.requests.length = 0;
  double.forgetKeys();
  double.setLatency(0);
});

describe('wire format', () => {
  test('POST /emails delivers one email and answers { id }, UTF-8 intact', async () => {
    const r = await resend.emails.send({ ...email(), headers: { 'X-Entity-Ref-ID': 'm1' } }, { idempotencyKey: 'welcome/1' });
    assert.equal(r.error, null);
    assert.equal(double.delivered.length, 1);
    const [d] = double.delivered;
    assert.equal(r.data?.id, d.id);
    assert.equal(d.email.subject, 'Grüße, Ada 👋');
    assert.equal(d.email.text, 'Willkommen — schön, dass du da bist.');
    assert.deepEqual(d.email.headers, { 'X-Entity-Ref-ID': 'm1' });
    assert.equal(d.idempotencyKey, 'welcome/1');
    assert.equal(d.headers.authorization, `Bearer ${double.apiKey}`);
    assert.match(String(d.headers['user-agent']), /^resend-node:6\./);
  });

  test('POST /emails/batch takes a bare array and answers { data: [{ id }] } in order', async () => {
    const r = await resend.batch.send([email('a@example.test'), email('b@example.test')], { idempotencyKey: 'digest/2026-12-04' });
    assert.equal(r.error, null);
    assert.deepEqual(
      r.data?.data.map((x) => x.id),
      double.delivered.map((d) => d.id),
    );
    assert.deepEqual(
      double.delivered.map((d) => [d.email.to, d.index, d.path]),
      [
        ['a@example.test', 0, '/emails/batch'],
        ['b@example.test', 1, '/emails/batch'],
      ],
    );
    assert.ok(Array.isArray(double.requests[0].body));
    assert.equal(double.requests[0].headers['x-batch-validation'], 'strict');
  });

  test('a batch of 101 and an email without `to` or with a bad `from` are refused (422)', async () => {
    const big = await resend.batch.send(Array.from({ length: 101 }, () => email()));
    assert.equal(big.error?.name, 'validation_error');
    assert.equal(big.error?.statusCode, 422);
    const noTo = await resend.emails.send({ ...email(), to: undefined as unknown as string });
    assert.equal(noTo.error?.name, 'missing_required_field');
    const badFrom = await resend.emails.send({ ...email(), from: 'not-an-address' });
    assert.equal(badFrom.error?.name, 'invalid_from_address');
    assert.equal(double.delivered.length, 0);
  });

  test('counts requests per path', async () => {
    await resend.emails.send(email());
    await resend.batch.send([email()]);
    await resend.emails.send(email());
    assert.equal(double.requestCount('/emails'), 2);
    assert.equal(double.requestCount('/emails/batch'), 1);
    assert.equal(double.requestCount(), 3);
  });
});

describe('API key', () => {
  test('a wrong key is a 403 invalid_api_key; no key at all is a 401 missing_api_key', async () => {
    const wrong = await new Resend('re_wrong', { baseUrl: double.url }).emails.send(email());
    assert.deepEqual([wrong.error?.statusCode, wrong.error?.name], [403, 'invalid_api_key']);
    // The SDK refuses to run without a key, so the missing header is sent by hand.
    const res = await fetch(`${double.url}/emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(email()) });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { name: string }).name, 'missing_api_key');
    assert.equal(double.delivered.length, 0);
  });
});

describe('idempotency', () => {
  test('same key and payload: the first answer again, delivered once', async () => {
    const first = await resend.emails.send(email(), { idempotencyKey: 'k1' });
    const again = await resend.emails.send(email(), { idempotencyKey: 'k1' });
    assert.equal(again.data?.id, first.data?.id);
    assert.equal(double.delivered.length, 1);
    assert.equal(double.requestCount(), 2);
  });

  test('same key, other payload: 409 invalid_idempotent_request', async () => {
    await resend.emails.send(email(), { idempotencyKey: 'k2' });
    const other = await resend.emails.send(email('eve@example.test'), { idempotencyKey: 'k2' });
    assert.deepEqual([other.error?.statusCode, other.error?.name], [409, 'invalid_idempotent_request']);
    assert.equal(double.delivered.length, 1);
  });

  test('same key while the first request is in flight: 409 concurrent_idempotent_requests', async () => {
    double.setLatency(300);
    const [a, b] = await Promise.all([
      resend.emails.send(email(), { idempotencyKey: 'k3' }),
      new Promise((r) => setTimeout(r, 50)).then(() => resend.emails.send(email(), { idempotencyKey: 'k3' })),
    ]);
    assert.equal(a.error, null);
    assert.deepEqual([b.error?.statusCode, b.error?.name], [409, 'concurrent_idempotent_requests']);
    assert.equal(double.delivered.length, 1);
  });

  test('batch keys replay the same ids; forgetKeys() (24 h later) delivers again', async () => {
    const batch = [email('a@example.test'), email('b@example.test')];
    const first = await resend.batch.send(batch, { idempotencyKey: 'b1' });
    const again = await resend.batch.send(batch, { idempotencyKey: 'b1' });
    assert.deepEqual(again.data, first.data);
    assert.equal(double.delivered.length, 2);
    double.forgetKeys();
    await resend.batch.send(batch, { idempotencyKey: 'b1' });
    assert.equal(double.delivered.length, 4);
  });

  test('a failed answer does not keep the key: the retry is delivered', async () => {
    double.script('/emails', faults.serverError());
    const failed = await resend.emails.send(email(), { idempotencyKey: 'k4' });
    assert.equal(failed.error?.statusCode, 500);
    const retried = await resend.emails.send(email(), { idempotencyKey: 'k4' });
    assert.equal(retried.error, null);
    assert.equal(double.delivered.length, 1);
  });

  test('a key longer than 256 characters is a 400 invalid_idempotency_key', async () => {
    const r = await resend.emails.send(email(), { idempotencyKey: 'x'.repeat(257) });
    assert.deepEqual([r.error?.statusCode, r.error?.name], [400, 'invalid_idempotency_key']);
  });
});

describe('scripted faults', () => {
  test('429 rate_limit_exceeded with retry-after, then normal service', async () => {
    double.script('/emails', faults.rateLimit(1));
    const limited = await resend.emails.send(email());
    assert.deepEqual([limited.error?.statusCode, limited.error?.name], [429, 'rate_limit_exceeded']);
    assert.equal(limited.headers?.['retry-after'], '1');
    const next = await resend.emails.send(email());
    assert.equal(next.error, null);
    assert.equal(double.delivered.length, 1);
  });

  test('quotas, 422 and a non-JSON 502 come through the SDK as Resend sends them', async () => {
    double.script('/emails', faults.dailyQuota(), faults.monthlyQuota(), faults.validation(), faults.htmlError(502));
    const names = [];
    for (let i = 0; i < 4; i++) {
      const r = await resend.emails.send(email());
      names.push([r.error?.statusCode, r.error?.name]);
    }
    assert.deepEqual(names, [
      [429, 'daily_quota_exceeded'],
      [429, 'monthly_quota_exceeded'],
      [422, 'validation_error'],
      [502, 'application_error'],
    ]);
    assert.equal(double.delivered.length, 0);
  });

  test('scripts are per path', async () => {
    double.script('/emails/batch', faults.serverError(503));
    assert.equal((await resend.emails.send(email())).error, null);
    assert.equal((await resend.batch.send([email()])).error?.statusCode, 503);
  });

  test('a hung or reset connection is "no answer" (statusCode null) to the SDK', async () => {
    double.script('/emails', faults.hang(), faults.reset());
    const hung = await resend.emails.send(email(), { signal: AbortSignal.timeout(300) });
    assert.deepEqual([hung.error?.statusCode, hung.error?.name], [null, 'application_error']);
    const reset = await resend.emails.send(email());
    assert.deepEqual([reset.error?.statusCode, reset.error?.name], [null, 'application_error']);
    assert.equal(double.delivered.length, 0);
  });

  test('a lost response: delivered, the client sees no answer, the same key replays it', async () => {
    double.script('/emails', faults.lostResponse());
    const lost = await resend.emails.send(email(), { idempotencyKey: 'k5' });
    assert.equal(lost.error?.statusCode, null);
    assert.equal(double.delivered.length, 1);
    const retried = await resend.emails.send(email(), { idempotencyKey: 'k5' });
    assert.equal(retried.data?.id, double.delivered[0].id);
    assert.equal(double.delivered.length, 1);
  });

  test('latency delays every answer', async () => {
    double.setLatency(200);
    const started = Date.now();
    await resend.emails.send(email());
    assert.ok(Date.now() - started >= 190);
  });
});
