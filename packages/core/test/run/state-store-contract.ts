/**
 * What every runner state store (src/run/state-store.ts) must do, written against the interface
 * only: `stateStoreContract` runs it for one store. `open` makes a fresh, empty store for one
 * test and returns how to connect to it (each call one more connection's handle on the same
 * store, as two workers have); it closes them all when the test ends, and returns undefined when
 * the test was skipped (its service is not reachable).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { OutgoingEmail } from '../../src/run/sender.js';
import type { NewSend, PlannedSend, RunStateStore, StateCounts } from '../../src/run/state-store.js';

export type OpenStateStore = (t: TestContext) => Promise<(() => Promise<RunStateStore>) | undefined>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function payload(n: number): OutgoingEmail {
  return { from: 'Skene <hi@example.com>', to: `user${n}@example.com`, subject: `Hello ${n}`, html: `<p>version ${n}</p>`, text: `version ${n}` };
}

function send(id: string, n = 1, loop = 'welcome'): NewSend {
  return { emailId: id, loop, step: 1, key: String(n), recipient: `user${n}@example.com`, payload: payload(n) };
}

function planned(id: string, request: string | null, failure: string | null = null): PlannedSend {
  return { ...send(id), loop: 'digest', payload: failure ? null : payload(1), request, failure };
}

async function connected(t: TestContext, open: OpenStateStore): Promise<{ store: RunStateStore; connect: () => Promise<RunStateStore> } | undefined> {
  const connect = await open(t);
  if (!connect) return undefined;
  const store = await connect();
  await store.ensure();
  return { store, connect };
}

/** Status counts in one order, to compare stores whose rows come back in different orders. */
export function sortedCounts(counts: StateCounts | undefined) {
  if (!counts) return undefined;
  const order = <T extends object>(rows: T[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    sends: order(counts.sends),
    progress: order(counts.progress),
    evaluationFailures: order(counts.evaluationFailures),
    errors: order(counts.errors),
    paused: order(counts.paused.map((p) => ({ loop: p.loop, reason: p.reason }))),
  };
}

/** One sequence of operations whose status the stores must count alike. */
export async function statusScenario(store: RunStateStore): Promise<void> {
  await store.recordSend(send('welcome/1/1', 1));
  await store.recordSend(send('welcome/1/2', 2));
  await store.recordSend(send('welcome/1/3', 3));
  await store.claimSend('welcome/1/1');
  await store.settleSent([{ emailId: 'welcome/1/1', providerId: 'p-1' }]);
  await store.claimSend('welcome/1/2');
  await store.settleFailed([{ emailId: 'welcome/1/2', reason: 'invalid address' }]);
  const at = new Date('2026-03-02T09:00:00.000Z');
  await store.setProgress({ subject: 'event:1', loop: 'welcome', step: 1, key: '1', state: 'done', reason: 'sent', occurredAt: at });
  await store.setProgress({ subject: 'event:2', loop: 'welcome', step: 1, key: '2', state: 'failed', reason: 'invalid address', occurredAt: at });
  await sleep(5);
  await store.setProgress({
    subject: 'event:4',
    loop: 'welcome',
    step: 1,
    key: '4',
    state: 'failed',
    reason: 'gave up after 3 attempts: timeout',
    occurredAt: at,
  });
  await store.setProgress({ subject: 'event:5', loop: 'welcome', step: 2, key: '5', state: 'waiting', reason: 'waiting', checks: 1, nextCheckAt: at });
  await store.setProgress({ subject: 'event:6', loop: 'welcome', step: 2, key: '6', state: 'expired', reason: 'condition not met' });
  await store.setProgress({ subject: 'chunk:x', loop: 'digest', step: 1, state: 'failed', reason: 'chunk gave up' });
  await store.setProgress({ subject: 'occurrence:2026-03-02T09:00:00.000Z', loop: 'digest', step: 1, state: 'skipped', reason: 'missed' });
  await store.pauseLoop('digest', 'quota');
}

export const SCENARIO_COUNTS = {
  sends: [
    { loop: 'welcome', step: 1, state: 'failed', n: 1 },
    { loop: 'welcome', step: 1, state: 'sending', n: 1 },
    { loop: 'welcome', step: 1, state: 'sent', n: 1 },
  ],
  progress: [
    { loop: 'digest', step: 1, state: 'skipped', n: 1 },
    { loop: 'welcome', step: 2, state: 'expired', n: 1 },
    { loop: 'welcome', step: 2, state: 'waiting', n: 1 },
  ],
  // event:2 failed with its email (counted from the ledger); event:4 failed on its own; chunks are left out.
  evaluationFailures: [{ loop: 'welcome', step: 1, state: 'failed', n: 1 }],
  errors: [
    { loop: 'digest', step: 1, error: 'chunk gave up' },
    { loop: 'welcome', step: 1, error: 'gave up after 3 attempts: timeout' },
  ],
  paused: [{ loop: 'digest', reason: 'quota' }],
};

export function stateStoreContract(name: string, open: OpenStateStore): void {
  test(`${name}: a send is recorded once; every claim returns the first payload`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    await store.recordSend(send('welcome/1/7', 1));
    await store.recordSend(send('welcome/1/7', 2)); // a later render of the same email
    assert.equal(await store.sendState('welcome/1/7'), 'sending');
    assert.deepEqual(await store.claimSend('welcome/1/7'), { attempts: 1, payload: payload(1) });
    assert.deepEqual(await store.claimSend('welcome/1/7'), { attempts: 2, payload: payload(1) });
    assert.equal(await store.claimSend('welcome/1/none'), undefined, 'nothing recorded, nothing claimed');
    await store.recordSend({ ...send('welcome/1/8'), payload: null });
    assert.deepEqual(await store.claimSend('welcome/1/8'), { attempts: 1, payload: null }, 'an unsendable email is claimed without a payload');
  });

  test(`${name}: two claimers count two attempts, and only one settles the row`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const [a, b] = [s.store, await s.connect()];
    await a.recordSend(send('welcome/1/1'));
    const claims = await Promise.all([a.claimSend('welcome/1/1'), b.claimSend('welcome/1/1')]);
    assert.deepEqual(claims.map((c) => c?.attempts).sort(), [1, 2]);
    const settled = await Promise.all([
      a.settleSent([{ emailId: 'welcome/1/1', providerId: 'first' }]),
      b.settleFailed([{ emailId: 'welcome/1/1', reason: 'second' }]),
    ]);
    assert.equal(settled[0] + settled[1], 1, 'one path settles');
    const state = await a.sendState('welcome/1/1');
    assert.equal(state, settled[0] ? 'sent' : 'failed');
    assert.equal(await a.claimSend('welcome/1/1'), undefined, 'a settled row is not claimed');
  });

  test(`${name}: settled rows never change, but a batch's 'sent' completes a failed row`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    for (const id of ['a', 'b']) await store.recordSend(send(id));
    assert.equal(await store.settleSent([{ emailId: 'a', providerId: 'pa' }]), 1);
    assert.equal(await store.settleFailed([{ emailId: 'a', reason: 'late' }]), 0);
    assert.equal(await store.settleSent([{ emailId: 'a', providerId: 'other' }], { fromFailed: true }), 0);
    await store.noteSendError(['a'], 'ignored');
    assert.equal(await store.sendState('a'), 'sent');
    assert.equal(await store.settleFailed([{ emailId: 'b', reason: 'gave up' }]), 1);
    assert.equal(await store.settleSent([{ emailId: 'b', providerId: 'pb' }]), 0, "one email's 'sent' comes only from 'sending'");
    assert.equal(await store.sendState('b'), 'failed');
    assert.equal(await store.settleSent([{ emailId: 'b', providerId: 'pb' }], { fromFailed: true }), 1, 'the batch request was delivered after all');
    assert.equal(await store.sendState('b'), 'sent');
    assert.equal(await store.countSending(['a', 'b', 'missing']), 0);
  });

  test(`${name}: an occurrence's rows keep their request; concurrent request claims count every attempt`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const [a, b] = [s.store, await s.connect()];
    const first = await a.recordPlanned([planned('m1', 'R'), planned('m2', 'R'), planned('m3', 'R'), planned('bad', null, 'no subject')]);
    assert.deepEqual(
      first.created.sort((x, y) => x.emailId.localeCompare(y.emailId)),
      [
        { emailId: 'bad', failure: 'no subject' },
        { emailId: 'm1', failure: null },
        { emailId: 'm2', failure: null },
        { emailId: 'm3', failure: null },
      ],
    );
    const again = await a.recordPlanned([planned('m1', 'OTHER'), planned('bad', null, 'no subject'), planned('m4', 'm4')]);
    assert.deepEqual(again.created, [{ emailId: 'm4', failure: null }]);
    assert.deepEqual(again.earlierSending, ['m1'], 'a failed row is not queued again');
    assert.deepEqual([...(await a.requestsOf(['m1', 'm2', 'bad', 'm4']))].sort(), [
      ['m1', 'R'],
      ['m2', 'R'],
      ['m4', 'm4'],
    ]);
    const [x, y] = await Promise.all([a.claimRequest('R'), b.claimRequest('R')]);
    assert.equal(x.length, 3);
    assert.equal(y.length, 3);
    const attempts = [...x, ...y].filter((r) => r.emailId === 'm1').map((r) => r.attempts);
    assert.deepEqual(attempts.sort(), [1, 2]);
    assert.deepEqual(x.find((r) => r.emailId === 'm2')?.payload, payload(1));
    assert.equal(await a.countSending(['m1', 'm2', 'm3', 'm4', 'bad']), 4);
    assert.equal(
      await a.settleSent(
        x.map((r) => ({ emailId: r.emailId, providerId: null })),
        { fromFailed: true },
      ),
      3,
    );
    assert.deepEqual(await b.claimRequest('R'), [], 'a settled request has no member to claim');
    assert.deepEqual(await a.unsettledRecorded('digest'), [{ emailId: 'm4', step: 1, attempts: 0 }]);
  });

  test(`${name}: an occurrence of many recipients is recorded whole, and once`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    const ids = Array.from({ length: 1234 }, (_, i) => `d${String(i).padStart(4, '0')}`);
    const rows = ids.map((id, i) => planned(id, `R${Math.floor(i / 100)}`));
    const first = await store.recordPlanned(rows);
    assert.equal(first.created.length, ids.length);
    assert.equal(await store.countSending(ids), ids.length);
    assert.equal((await store.claimRequest('R12')).length, 34, 'the last request holds the rest');
    await store.settleSent(ids.slice(0, 200).map((emailId) => ({ emailId, providerId: null })));
    const again = await store.recordPlanned(rows);
    assert.deepEqual(again.created, []);
    assert.deepEqual(again.earlierSending.sort(), ids.slice(200));
  });

  test(`${name}: the sweep gives up on recorded rows claimed too often, with why`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    await store.recordPlanned([planned('p1', 'p1'), planned('p2', 'p2')]);
    for (let i = 0; i < 3; i++) await store.claimRequest('p1');
    await store.noteSendError(['p1'], '500 from the provider');
    await store.claimRequest('p2');
    assert.equal(await store.giveUpRecorded('digest', 3), 1);
    assert.equal(await store.sendState('p1'), 'failed');
    assert.deepEqual(await store.unsettledRecorded('digest'), [{ emailId: 'p2', step: 1, attempts: 1 }]);
    const counts = await store.statusCounts();
    assert.deepEqual(
      counts?.errors.map((e) => e.error),
      ['gave up after 3 attempts, never settled: 500 from the provider'],
    );
  });

  test(`${name}: a progress row that reached an end never changes; waiting rows are due by time`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    const base = { loop: 'welcome', step: 1, reason: 'waiting' };
    const t0 = new Date('2026-03-02T09:00:00.000Z');
    const later = (ms: number) => new Date(t0.getTime() + ms);
    await store.setProgress({ ...base, subject: 'event:1', key: '1', state: 'waiting', occurredAt: t0, checks: 1, nextCheckAt: later(60_000) });
    await store.setProgress({ ...base, subject: 'event:2', key: '2', state: 'waiting', occurredAt: t0, checks: 2, nextCheckAt: later(120_000) });
    await store.setProgress({ ...base, loop: 'other', subject: 'event:3', state: 'waiting', checks: 1, nextCheckAt: later(1) });
    assert.deepEqual(await store.dueChecks(later(59_999), ['welcome']), []);
    assert.deepEqual(await store.dueChecks(later(60_000), ['welcome']), [
      { subject: 'event:1', loop_id: 'welcome', step: 1, key: '1', occurred_at: t0, checks: 1 },
    ]);
    assert.deepEqual(
      (await store.dueChecks(later(120_000), ['welcome', 'other'])).map((d) => d.subject),
      ['event:3', 'event:1', 'event:2'],
      'soonest first',
    );
    // A later check keeps the key and occurrence it does not repeat.
    await store.setProgress({ ...base, subject: 'event:1', state: 'waiting', checks: 2, nextCheckAt: later(180_000) });
    assert.deepEqual(await store.dueChecks(later(180_000), ['welcome']), [
      { subject: 'event:2', loop_id: 'welcome', step: 1, key: '2', occurred_at: t0, checks: 2 },
      { subject: 'event:1', loop_id: 'welcome', step: 1, key: '1', occurred_at: t0, checks: 2 },
    ]);
    await store.setProgress({ ...base, subject: 'event:1', state: 'done', reason: 'sent' });
    await store.setProgress({ ...base, subject: 'event:1', state: 'waiting', checks: 9, nextCheckAt: later(1) });
    await store.setProgress({ ...base, subject: 'event:1', state: 'failed', reason: 'a duplicate job' });
    assert.equal(await store.progressState('event:1', 'welcome', 1), 'done');
    assert.equal(await store.progressState('event:1', 'welcome', 2), undefined);
    assert.deepEqual(
      (await store.dueChecks(later(999_999), ['welcome'])).map((d) => d.subject),
      ['event:2'],
      'a row at an end is no longer due',
    );
  });

  test(`${name}: schedule cursors move forward only; positions hold the last value`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    const [t1, t2] = [new Date('2026-03-02T09:00:00.000Z'), new Date('2026-03-02T10:00:00.000Z')];
    assert.equal(await store.scheduleCursor('schedule:digest/1'), undefined);
    await store.advanceScheduleCursor('schedule:digest/1', t2);
    await store.advanceScheduleCursor('schedule:digest/1', t1);
    assert.deepEqual(await store.scheduleCursor('schedule:digest/1'), t2);
    assert.equal(await store.positions.get('watermark:users/updated_at'), undefined);
    await store.positions.set('watermark:users/updated_at', '2026-03-02 10:00:00.5|7');
    await store.positions.set('watermark:users/updated_at', '2026-03-02 09:00:00|1');
    assert.equal(await store.positions.get('watermark:users/updated_at'), '2026-03-02 09:00:00|1');
  });

  test(`${name}: a pause is kept with why until resumed; the hourly count starts again at the resume`, async (t) => {
    const s = await connected(t, open);
    if (!s) return;
    const { store } = s;
    await store.recordSend(send('w1', 1));
    await store.recordSend(send('w2', 2));
    await store.recordSend(send('w3', 3));
    await store.recordSend(send('w4', 4));
    await store.recordSend(send('other', 5, 'digest'));
    assert.equal(await store.sendsInHour('welcome'), 0, 'recorded, never tried');
    await store.claimSend('w1');
    await store.settleSent([{ emailId: 'w1', providerId: 'p1' }]);
    await store.claimSend('w2'); // tried, answer not recorded yet
    await store.claimSend('w3');
    await store.settleFailed([{ emailId: 'w3', reason: 'refused' }]);
    await store.claimSend('other');
    assert.equal(await store.sendsInHour('welcome'), 2);
    assert.equal(await store.resumeLoop('welcome'), undefined, 'not paused: nothing to resume, the count stays');
    assert.equal(await store.sendsInHour('welcome'), 2);
    await store.pauseLoop('welcome', 'max-emails-per-hour 2 reached');
    const paused = await store.pausedLoops();
    assert.equal(paused.get('welcome')?.reason, 'max-emails-per-hour 2 reached');
    assert.ok(Math.abs(paused.get('welcome')!.since.getTime() - Date.now()) < 60_000);
    await sleep(5);
    const resumed = await store.resumeLoop('welcome');
    assert.equal(resumed?.reason, 'max-emails-per-hour 2 reached');
    assert.equal((await store.pausedLoops()).size, 0);
    assert.equal(await store.sendsInHour('welcome'), 0, 'counted from the resume');
    await store.claimSend('w4');
    assert.equal(await store.sendsInHour('welcome'), 0, 'counted by when it was recorded, before the resume');
    await store.settleSent([{ emailId: 'w4', providerId: 'p4' }]);
    assert.equal(await store.sendsInHour('welcome'), 1, 'sent after the resume');
    assert.equal(await store.sendsInHour('digest'), 1);
  });

  test(`${name}: status counts the ledger and progress per loop and step, once a runner started`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const store = await connect();
    assert.equal(await store.statusCounts(), undefined, 'no runner used it yet');
    await store.ensure();
    assert.deepEqual(sortedCounts(await store.statusCounts()), { sends: [], progress: [], evaluationFailures: [], errors: [], paused: [] });
    await statusScenario(store);
    assert.deepEqual(sortedCounts(await store.statusCounts()), SCENARIO_COUNTS);
  });
}
