/**
 * What every runner state store must do for the frequency cap (`sentSince`, `recordCapped`),
 * written against the interface only, as state-store-contract.ts is: `capContract` runs it for
 * one store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlannedSend, RunStateStore } from '../../src/run/state-store.js';
import type { OpenStateStore } from './state-store-contract.js';

const T = new Date('2026-03-02T09:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(T.getTime() + ms);

function row(id: string, recipient: string, dueAt: Date, extra: Partial<PlannedSend> = {}): PlannedSend {
  return {
    emailId: id,
    loop: id.split('/')[0]!,
    step: 1,
    key: id.split('/')[2] ?? '1',
    recipient,
    payload: { from: 'Skene <hi@example.com>', to: recipient, subject: 'Hi', html: '<p>hi</p>', text: 'hi' },
    failure: null,
    request: null,
    dueAt,
    ...extra,
  };
}

async function fresh(
  open: OpenStateStore,
  t: Parameters<OpenStateStore>[0],
): Promise<{ store: RunStateStore; connect: () => Promise<RunStateStore> } | undefined> {
  const connect = await open(t);
  if (!connect) return undefined;
  const store = await connect();
  await store.ensure();
  return { store, connect };
}

export function capContract(name: string, open: OpenStateStore): void {
  test(`${name}: sentSince lists an address's sends sending or sent by due time, in any case, oldest first`, async (t) => {
    const s = await fresh(open, t);
    if (!s) return;
    const { store } = s;
    await store.recordSend({ ...row('welcome/1/1', ' Ann@Example.com', at(-2 * HOUR)) });
    await store.recordSend({ ...row('digest/1/1', 'ann@example.com', at(-30 * MIN)) });
    await store.recordSend({ ...row('digest/1/2', 'bo@example.com', at(-10 * MIN)) });
    await store.recordPlanned([
      row('news/1/1', 'ANN@example.com', at(-20 * MIN), { request: 'news/1/1' }),
      row('news/1/2', 'cy@example.com', at(-5 * MIN), { request: 'news/1/2' }),
    ]);
    await store.recordPlanned([row('bad/1/1', 'ann@example.com', at(-1 * MIN), { payload: null, failure: 'no subject' })]);
    await store.settleSent([{ emailId: 'digest/1/1', providerId: 'p' }]);
    await store.settleFailed([{ emailId: 'news/1/2', reason: 'invalid address' }]);

    const found = await store.sentSince({ addresses: ['ann@example.com', 'Bo@Example.com', 'cy@example.com', 'di@example.com'], since: at(-HOUR) });
    assert.deepEqual(
      Object.fromEntries([...found].map(([address, sent]) => [address, sent.map((e) => [e.id, e.at.toISOString()])])),
      {
        // Ann's 2-hours-ago send is before `since`; the failed row never counts.
        'ann@example.com': [
          ['digest/1/1', at(-30 * MIN).toISOString()],
          ['news/1/1', at(-20 * MIN).toISOString()],
        ],
        'bo@example.com': [['digest/1/2', at(-10 * MIN).toISOString()]],
      },
      'failed rows (cy, bad/1/1) are not sends; di has none',
    );
    const inclusive = await store.sentSince({ addresses: ['ann@example.com'], since: at(-30 * MIN) });
    assert.equal(inclusive.get('ann@example.com')?.length, 2, 'a send due exactly at `since` is listed');
    assert.equal((await store.sentSince({ addresses: [], since: T })).size, 0);
  });

  test(`${name}: recordCapped records while the window has room, in order, and names the email holding the slot`, async (t) => {
    const s = await fresh(open, t);
    if (!s) return;
    const { store } = s;
    const cap = { emails: 2, perMs: HOUR };
    const first = await store.recordCapped(
      [row('a/1/1', 'ann@example.com', T), row('b/1/1', 'Ann@example.com', at(MIN)), row('c/1/1', 'ann@example.com ', at(2 * MIN))],
      cap,
    );
    assert.deepEqual(first.created, [
      { emailId: 'a/1/1', failure: null },
      { emailId: 'b/1/1', failure: null },
    ]);
    assert.deepEqual(first.capped, [{ emailId: 'c/1/1', takenBy: 'b/1/1' }]);
    assert.equal(await store.sendState('c/1/1'), undefined, 'a capped email is not recorded');

    // The window is counted back from each send, its start excluded: at T + 1h, a/1/1 (due at T) is out of it.
    const later = await store.recordCapped([row('d/1/1', 'ann@example.com', at(HOUR))], cap);
    assert.deepEqual(later.created, [{ emailId: 'd/1/1', failure: null }]);
    const full = await store.recordCapped([row('e/1/1', 'ann@example.com', at(HOUR))], cap);
    assert.deepEqual(full.capped, [{ emailId: 'e/1/1', takenBy: 'd/1/1' }], 'b (T + 1 min) and d (T + 1 h) fill the window');

    // An id recorded already is left as it is and never capped (a retried job).
    const again = await store.recordCapped([row('a/1/1', 'ann@example.com', T)], cap);
    assert.deepEqual(again, { created: [], earlierSending: ['a/1/1'], capped: [] });

    // A failed send frees its slot (b alone is left in the window); a row recorded failed (unsendable) takes none.
    await store.settleFailed([{ emailId: 'd/1/1', reason: 'bounced' }]);
    const freed = await store.recordCapped(
      [row('f/1/1', 'ann@example.com', at(HOUR), { payload: null, failure: 'no subject' }), row('g/1/1', 'ann@example.com', at(HOUR))],
      cap,
    );
    assert.deepEqual(freed.created, [
      { emailId: 'f/1/1', failure: 'no subject' },
      { emailId: 'g/1/1', failure: null },
    ]);
    assert.equal(await store.sendState('f/1/1'), 'failed');
    // Another address has its own window.
    assert.deepEqual((await store.recordCapped([row('a/1/2', 'bo@example.com', T)], cap)).capped, []);
  });

  test(`${name}: workers racing to record for one address never exceed the cap`, async (t) => {
    const s = await fresh(open, t);
    if (!s) return;
    const workers = [s.store, await s.connect(), await s.connect(), await s.connect()];
    const cap = { emails: 3, perMs: 24 * HOUR };
    // 4 workers at once, each recording 10 emails to one person (in two spellings), one call each.
    const results = (
      await Promise.all(
        workers.map(async (store, w) => {
          const mine = [];
          for (let i = 0; i < 10; i++) {
            const recipient = i % 2 ? 'Ann@Example.com' : 'ann@example.com';
            mine.push(await store.recordCapped([row(`loop${w}/1/${i}`, recipient, at(i * MIN), { request: `loop${w}/1/${i}` })], cap));
          }
          return mine;
        }),
      )
    ).flat();
    const created = results.flatMap((r) => r.created.map((c) => c.emailId));
    const capped = results.flatMap((r) => r.capped);
    assert.equal(created.length, 3, `exactly the cap's 3 recorded, not ${created.length}`);
    assert.equal(capped.length, 37);
    assert.ok(
      capped.every((c) => c.takenBy && created.includes(c.takenBy)),
      'every capped email names a recorded one',
    );
    assert.equal((await s.store.sentSince({ addresses: ['ann@example.com'], since: T })).get('ann@example.com')?.length, 3);
  });
}
