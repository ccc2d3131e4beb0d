/**
 * Consent end to end, on the real PostgreSQL and the Resend double: every email of a loop that
 * carries unsubscribe goes out with List-Unsubscribe and List-Unsubscribe-Post (a transactional
 * one without); the link's one-click POST unsubscribes (200) and a forged or altered token is
 * refused (403); a Resend webhook with a valid Svix signature suppresses a hard-bounced address,
 * one with a bad signature or a stale timestamp changes nothing; the next run skips the
 * suppressed addresses with their reason, as the plan given the state reports them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'svix';
import { runPlan } from '../../src/plan/engine.js';
import { openSource } from '../../src/sources/index.js';
import { startRunListener, type Listener } from '../../src/run/listen.js';
import { recipientStateOf } from '../../src/run/consent.js';
import { postgresStateStore } from '../../src/run/state-store-postgres.js';
import { makeConfig } from '../plan/helpers.js';
import { CONSENT_ENV, digestConfig, FROM, harness, TEMPLATES } from './runner-helpers.js';

const WEBHOOK_SECRET = `whsec_${Buffer.from('consent-test-webhook-secret-32by').toString('base64')}`;
const AT = new Date('2026-03-02T09:00:00Z');

const loop = (id: string, type: string) => ({
  id,
  type,
  opinion: `${id} every new user`,
  steps: [
    {
      trigger: { type: 'database', table: 'users', event: 'insert' },
      action: { type: 'email', provider: 'resend', template: 'welcome', subject: 'Hi {{user.name}}', personalization: { name: '{{user.name}}' } },
    },
  ],
});

/** A Resend webhook as Svix signs it, sent `ageMs` ago. */
function signed(secret: string, event: unknown, ageMs = 0) {
  const body = JSON.stringify(event);
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const at = new Date(Date.now() - ageMs);
  const signature = new Webhook(secret).sign(id, at, body);
  return { body, headers: { 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': signature } };
}

const post = (url: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
  fetch(url, { method: 'POST', body: init.body ?? '', headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers } });

test('consent: headers on every non-transactional email, one-click unsubscribe, Resend webhooks, the next run skips', async (t) => {
  const config = makeConfig({ loops: [loop('winback', 'retention'), loop('welcome', 'activation')] }, TEMPLATES);
  t.after(() => config.cleanup());
  const h = await harness(t, config);
  if (!h) return;
  await h.client.query(`INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob'), ('cy@example.com', 'Cy')`);
  const first = await h.run({ at: AT });
  assert.equal(first.counts.sent, 6);

  // Every winback email has both headers; no welcome (transactional) email has either.
  const wire = h.double.delivered.map((d) => ({
    id: d.idempotencyKey!,
    to: String(d.email.to),
    headers: d.email.headers as Record<string, string> | undefined,
  }));
  const links = new Map<string, string>();
  for (const email of wire) {
    if (email.id.startsWith('welcome/')) {
      assert.equal(email.headers, undefined, `${email.id} is transactional: no List-Unsubscribe`);
      continue;
    }
    const match = /^<(https:\/\/skene\.example\.com(\/unsubscribe\/[A-Za-z0-9_-]+))>$/.exec(email.headers?.['List-Unsubscribe'] ?? '');
    assert.ok(match, `${email.id}: List-Unsubscribe is ${email.headers?.['List-Unsubscribe']}`);
    assert.equal(email.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    links.set(email.to, match[2]!);
  }
  assert.equal(links.size, 3);
  // The plan at the same clock lists the same headers.
  const source = await openSource({ url: h.url });
  t.after(() => source.close());
  const plan = await runPlan({ config, source, at: AT, env: FROM, only: [{ loop: 'winback', step: 1 }] });
  for (const email of plan.loops[0]!.steps[0]!.emails) {
    assert.deepEqual(email.headers, wire.find((w) => w.id === email.id)?.headers, `${email.id}: the plan shows the headers the run sent`);
  }

  const listener: Listener = await startRunListener({
    databaseUrl: h.url,
    listen: '127.0.0.1:0',
    unsubscribeSecret: CONSENT_ENV.SKENE_UNSUBSCRIBE_SECRET,
    webhookSecret: WEBHOOK_SECRET,
  });
  t.after(() => listener.close());
  const suppressions = async () =>
    (await h.client.query<{ row: string }>(`SELECT address || ' ' || scope || ' ' || reason AS row FROM skene.suppressions ORDER BY 1`)).rows.map((r) => r.row);

  // A GET (a mail scanner, a preview) shows the button and records nothing.
  const ada = links.get('ada@example.com')!;
  const page = await fetch(listener.url + ada);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<form method="post">.*name="List-Unsubscribe" value="One-Click"/);
  assert.deepEqual(await suppressions(), []);
  // Forged or altered tokens: 403, nothing recorded.
  const token = ada.split('/').pop()!;
  const altered = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
  for (const path of [
    `/unsubscribe/${altered}`,
    `/unsubscribe/${token.slice(0, -2)}`,
    `/unsubscribe/${links.get('bob@example.com')!.split('/').pop()!.slice(1)}`,
    '/unsubscribe/forged',
  ]) {
    const refused = await post(listener.url + path, { body: 'List-Unsubscribe=One-Click' });
    assert.equal(refused.status, 403, path);
  }
  assert.deepEqual(await suppressions(), []);
  // RFC 8058's one-click: 200, recorded for the link's loop; again is still 200, one record.
  for (let i = 0; i < 2; i++) {
    const done = await post(listener.url + ada, { body: 'List-Unsubscribe=One-Click' });
    assert.equal(done.status, 200);
  }
  assert.deepEqual(await suppressions(), ['ada@example.com winback unsubscribed']);

  // Resend's webhooks: a bad signature or a stale timestamp is refused and changes nothing.
  const bobId = h.double.delivered.find((d) => d.idempotencyKey === wire.find((w) => w.to === 'bob@example.com' && w.id.startsWith('winback/'))!.id)!.id;
  const bounce = {
    type: 'email.bounced',
    created_at: '2026-03-02T09:01:00.000Z',
    data: { email_id: bobId, to: ['bob@example.com'], bounce: { type: 'Permanent', subType: 'General' } },
  };
  const forged = signed(`whsec_${Buffer.from('another-secret-entirely-32-bytes').toString('base64')}`, bounce);
  const stale = signed(WEBHOOK_SECRET, bounce, 10 * 60_000);
  const future = signed(WEBHOOK_SECRET, bounce, -10 * 60_000);
  const good = signed(WEBHOOK_SECRET, bounce);
  for (const [name, attempt] of [
    ['bad signature', forged],
    ['stale timestamp', stale],
    ['future timestamp', future],
    ['unsigned', { body: good.body, headers: {} }],
    ['body altered', { body: good.body.replace('bob@', 'cy@'), headers: good.headers }],
  ] as const) {
    const refused = await post(`${listener.url}/resend`, { body: attempt.body, headers: { 'content-type': 'application/json', ...attempt.headers } });
    assert.equal(refused.status, 401, name);
  }
  assert.deepEqual(await suppressions(), ['ada@example.com winback unsubscribed'], 'refused webhooks change nothing');
  // A transient bounce is acknowledged, not suppressed; a permanent one suppresses every loop.
  const transient = signed(WEBHOOK_SECRET, {
    ...bounce,
    data: { ...bounce.data, to: ['cy@example.com'], bounce: { type: 'Transient', subType: 'MailboxFull' } },
  });
  assert.equal(
    (await post(`${listener.url}/resend`, { body: transient.body, headers: { 'content-type': 'application/json', ...transient.headers } })).status,
    200,
  );
  const accepted = await post(`${listener.url}/resend`, { body: good.body, headers: { 'content-type': 'application/json', ...good.headers } });
  assert.equal(accepted.status, 200, await accepted.clone().text());
  assert.deepEqual(await suppressions(), ['ada@example.com winback unsubscribed', 'bob@example.com * bounced']);
  // A delivery is noted on the send row Resend names.
  const cyId = h.double.delivered.find((d) => d.idempotencyKey === 'welcome/1/3')!.id;
  const delivered = signed(WEBHOOK_SECRET, {
    type: 'email.delivered',
    created_at: '2026-03-02T09:00:07.000Z',
    data: { email_id: cyId, to: ['cy@example.com'] },
  });
  assert.equal(
    (await post(`${listener.url}/resend`, { body: delivered.body, headers: { 'content-type': 'application/json', ...delivered.headers } })).status,
    200,
  );
  const { rows } = await h.client.query<{ email_id: string; delivered_at: Date }>(
    'SELECT email_id, delivered_at FROM skene.sends WHERE delivered_at IS NOT NULL',
  );
  assert.deepEqual(rows, [{ email_id: 'welcome/1/3', delivered_at: new Date('2026-03-02T09:00:07.000Z') }]);

  // The plan given the state reports what the next run will leave out.
  await h.client.query(`INSERT INTO users (email, name) VALUES ('Ada@Example.com', 'Ada again'), ('bob@example.com', 'Bob again'), ('dee@example.com', 'Dee')`);
  const store = postgresStateStore(h.client);
  const next = await runPlan({ config, source, at: AT, env: FROM, recipientState: recipientStateOf(store) });
  const notSent = (id: string) => next.loops.find((l) => l.id === id)!.steps[0]!.notSent.map((n) => `${n.reason}: ${n.examples.join(',')}`);
  assert.deepEqual(notSent('winback').sort(), ['not sent: bounced: 2,5', 'not sent: unsubscribed: 1,4']);
  assert.deepEqual(notSent('welcome'), ['not sent: bounced: 2,5']);

  // The next run sends only what the plan with the state lists, and records why the others were skipped.
  h.logs.length = 0;
  h.double.delivered.length = 0;
  const second = await h.run({ at: AT });
  const sentTo = h.double.delivered.map((d) => `${d.idempotencyKey} ${String(d.email.to)}`).sort();
  assert.deepEqual(sentTo, ['welcome/1/4 Ada@Example.com', 'welcome/1/6 dee@example.com', 'winback/1/6 dee@example.com']);
  assert.equal(second.counts.sent, 3);
  const skipped = h.logs
    .filter((l) => l.decision === 'skipped')
    .map((l) => `${l.loop} ${l.key} ${l.reason}`)
    .sort();
  assert.deepEqual(skipped, ['welcome 5 not sent: bounced', 'winback 4 not sent: unsubscribed', 'winback 5 not sent: bounced']);
  const progress = await h.client.query<{ row: string }>(
    `SELECT loop_id || ' ' || "key" || ' ' || reason AS row FROM skene.progress WHERE state = 'skipped' ORDER BY 1`,
  );
  assert.deepEqual(
    progress.rows.map((r) => r.row),
    ['welcome 5 not sent: bounced', 'winback 4 not sent: unsubscribed', 'winback 5 not sent: bounced'],
  );
});

test('consent: a schedule occurrence leaves suppressed recipients out; each batch member carries its own link', async (t) => {
  const config = digestConfig(t);
  const tables = `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    INSERT INTO users (email, name) SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, 8) i;`;
  const h = await harness(t, config, tables);
  if (!h) return;
  const store = postgresStateStore(h.client);
  await store.ensure();
  await store.suppress({ address: 'USER2@example.com', scope: 'digest', reason: 'unsubscribed', source: 'link' });
  await store.suppress({ address: 'user5@example.com', scope: '*', reason: 'complained', source: 'resend:msg_1' });
  await store.suppress({ address: 'user7@example.com', scope: 'another-loop', reason: 'unsubscribed', source: 'link' });
  const summary = await h.run({ at: new Date('2026-03-02T09:00:30Z') });
  assert.equal(summary.counts.sent, 6);
  const to = h.double.delivered.map((d) => String(d.email.to)).sort();
  assert.deepEqual(to, ['user1@example.com', 'user3@example.com', 'user4@example.com', 'user6@example.com', 'user7@example.com', 'user8@example.com']);
  assert.equal(h.double.requestCount('/emails/batch'), 1, 'sent in one batch request');
  const links = h.double.delivered.map((d) => (d.email.headers as Record<string, string>)['List-Unsubscribe']);
  assert.equal(new Set(links).size, 6, "each member's own link");
  for (const d of h.double.delivered) assert.equal((d.email.headers as Record<string, string>)['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
});
