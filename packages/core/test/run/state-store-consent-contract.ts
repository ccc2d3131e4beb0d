/**
 * What every runner state store must do for consent (unsubscribe links, Resend's webhooks),
 * written against the interface only, beside state-store-contract.ts: suppressions per loop and
 * for every loop, recorded once under races, read as a plan reads them (also from a state no
 * runner made), and Resend's deliveries noted once on the send row.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_LOOPS } from '../../src/plan/unsubscribe-token.js';
import type { OpenStateStore } from './state-store-contract.js';

export function consentContract(name: string, open: OpenStateStore): void {
  test(`${name}: a state no runner made suppresses no one (a plan reads it as is)`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const bare = await connect();
    assert.deepEqual(await bare.suppressed({ addresses: ['ada@example.com'], loop: 'winback' }), new Map());
  });

  test(`${name}: an unsubscribe holds for its loop, or for every loop; bounces and complaints for all`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const store = await connect();
    await store.ensure();
    assert.equal(await store.suppress({ address: ' Ada@Example.com ', scope: 'winback', reason: 'unsubscribed', source: 'link' }), true);
    assert.equal(await store.suppress({ address: 'bob@example.com', scope: ALL_LOOPS, reason: 'unsubscribed', source: 'link' }), true);
    assert.equal(await store.suppress({ address: 'cy@example.com', scope: ALL_LOOPS, reason: 'bounced', source: 'resend:msg_1' }), true);
    assert.equal(await store.suppress({ address: 'di@example.com', scope: ALL_LOOPS, reason: 'complained', source: 'resend:msg_2' }), true);
    const everyone = ['ADA@example.com', 'bob@example.com', 'cy@example.com', 'di@example.com', 'eve@example.com'];
    assert.deepEqual(
      await store.suppressed({ addresses: everyone, loop: 'winback' }),
      new Map([
        ['ada@example.com', 'unsubscribed'],
        ['bob@example.com', 'unsubscribed'],
        ['cy@example.com', 'bounced'],
        ['di@example.com', 'complained'],
      ]),
    );
    assert.deepEqual(
      await store.suppressed({ addresses: everyone, loop: 'digest' }),
      new Map([
        ['bob@example.com', 'unsubscribed'],
        ['cy@example.com', 'bounced'],
        ['di@example.com', 'complained'],
      ]),
      'ada left winback only: digest still mails her',
    );
    assert.deepEqual(await store.suppressed({ addresses: [], loop: 'digest' }), new Map());
  });

  test(`${name}: a suppression is recorded once: the first reason stays, every loop's wins over one loop's`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const [a, b] = [await connect(), await connect()];
    await a.ensure();
    const raced = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).suppress({ address: 'ada@example.com', scope: 'winback', reason: i < 4 ? 'unsubscribed' : 'bounced', source: `try ${i}` }),
      ),
    );
    assert.equal(raced.filter(Boolean).length, 1, 'two listeners recording one unsubscribe: one record');
    const first = (await a.suppressed({ addresses: ['ada@example.com'], loop: 'winback' })).get('ada@example.com');
    assert.ok(first === 'unsubscribed' || first === 'bounced');
    assert.equal(await a.suppress({ address: 'ada@example.com', scope: 'winback', reason: 'complained', source: 'later' }), false);
    assert.equal((await b.suppressed({ addresses: ['ada@example.com'], loop: 'winback' })).get('ada@example.com'), first);
    await a.suppress({ address: 'ada@example.com', scope: ALL_LOOPS, reason: 'complained', source: 'resend:msg_3' });
    assert.equal((await b.suppressed({ addresses: ['ada@example.com'], loop: 'winback' })).get('ada@example.com'), 'complained');
  });

  test(`${name}: a delivery is noted once, on the send Resend knows by its id`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const store = await connect();
    await store.ensure();
    const payload = { from: 'hi@example.com', to: 'ada@example.com', subject: 'Hi', html: '<p>hi</p>', text: 'hi' };
    await store.recordSend({ emailId: 'winback/1/1', loop: 'winback', step: 1, key: '1', recipient: 'ada@example.com', payload });
    const at = new Date('2026-03-02T09:00:05.000Z');
    assert.equal(await store.markDelivered('re_1', at), undefined, 'not sent yet: no provider id to find it by');
    await store.claimSend('winback/1/1');
    await store.settleSent([{ emailId: 'winback/1/1', providerId: 're_1' }]);
    assert.equal(await store.markDelivered('re_1', at), 'winback/1/1');
    assert.equal(await store.markDelivered('re_1', new Date(at.getTime() + 1000)), undefined, 'a redelivered webhook changes nothing');
    assert.equal(await store.markDelivered('re_unknown', at), undefined);
    assert.equal(await store.sendState('winback/1/1'), 'sent');
  });
}
