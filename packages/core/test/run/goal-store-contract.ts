/**
 * What every runner state store's goal rows (src/run/goal-store.ts) must do, written against the
 * interface only, run for PostgreSQL and Redis by state-store.test.ts: a goal is recorded once,
 * armed by its send, due by time, and settled once — converted (with its time) or not — however
 * many workers check it at once; the counts and the median time to convert are the same in both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrackedGoal } from '../../src/run/goal-store.js';
import type { OpenStateStore } from './state-store-contract.js';

const SENT = new Date('2026-03-02T09:00:00.000Z');
const DAY = 86_400_000;
const goal = (n: number, step = 1): TrackedGoal => ({ emailId: `invite/${step}/${n}`, loop: 'invite', step, userKey: String(n), withinMs: 7 * DAY });
const at = (ms: number) => new Date(SENT.getTime() + ms);

export function goalStoreContract(name: string, open: OpenStateStore): void {
  test(`${name}: a goal is recorded once, checked only once sent, and due by time`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const store = await connect();
    await store.ensure();
    await store.goals.track([goal(1), goal(2), goal(3)]);
    // Recorded again (a retried evaluation) with another key: the first row stays.
    await store.goals.track([{ ...goal(1), userKey: 'other' }]);
    assert.deepEqual(await store.goals.due(at(DAY), ['invite'], 100), [], 'nothing is due before its email is sent');
    await store.goals.sent(['invite/1/1', 'invite/1/2'], SENT);
    // Sent again later (a duplicate job): the first send time stays.
    await store.goals.sent(['invite/1/1'], at(DAY));
    const due = await store.goals.due(at(1), ['invite'], 100);
    assert.deepEqual(
      due.map((g) => [g.emailId, g.userKey, g.sentAt.toISOString(), g.deadline.toISOString(), g.checks]),
      [
        ['invite/1/1', '1', SENT.toISOString(), at(7 * DAY).toISOString(), 0],
        ['invite/1/2', '2', SENT.toISOString(), at(7 * DAY).toISOString(), 0],
      ],
    );
    assert.deepEqual(await store.goals.due(at(1), ['other-loop'], 100), []);
    assert.equal((await store.goals.due(at(1), ['invite'], 1)).length, 1, 'at most the limit');
    // Not reached yet: checked again later, the check counted.
    assert.equal(await store.goals.update([{ emailId: 'invite/1/1', state: 'checking', nextCheckAt: at(60_000) }]), 0);
    assert.deepEqual(
      (await store.goals.due(at(1), ['invite'], 100)).map((g) => g.emailId),
      ['invite/1/2'],
    );
    const later = await store.goals.due(at(60_000), ['invite'], 100);
    assert.deepEqual(
      later.map((g) => [g.emailId, g.checks]),
      [
        ['invite/1/2', 0],
        ['invite/1/1', 1],
      ],
    );
    assert.deepEqual(await store.goals.counts(), [{ loop: 'invite', step: 1, tracked: 2, converted: 0, notConverted: 0, medianMs: null }]);
  });

  test(`${name}: two workers converting one goal count it once; a settled goal never changes`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const [a, b] = [await connect(), await connect()];
    await a.ensure();
    await a.goals.track([1, 2, 3, 4, 5].map((n) => goal(n)));
    await a.goals.sent(['invite/1/1', 'invite/1/2', 'invite/1/3', 'invite/1/4', 'invite/1/5'], SENT);
    const settled = await Promise.all([
      a.goals.update([{ emailId: 'invite/1/1', state: 'converted', convertedAt: at(3_600_000) }]),
      b.goals.update([{ emailId: 'invite/1/1', state: 'converted', convertedAt: at(7_200_000) }]),
    ]);
    assert.deepEqual(settled.sort(), [0, 1], 'one of the two settles it');
    assert.equal(
      await a.goals.update([
        { emailId: 'invite/1/2', state: 'converted', convertedAt: at(2 * DAY) },
        { emailId: 'invite/1/3', state: 'converted', convertedAt: at(-DAY) }, // reached before the send: 0
        { emailId: 'invite/1/4', state: 'not-converted' },
      ]),
      3,
    );
    // Settled rows stay as they are: no second conversion, no flip to not converted.
    assert.equal(
      await b.goals.update([
        { emailId: 'invite/1/2', state: 'not-converted' },
        { emailId: 'invite/1/4', state: 'converted', convertedAt: at(1) },
        { emailId: 'invite/1/4', state: 'checking', nextCheckAt: at(1) },
      ]),
      0,
    );
    assert.deepEqual(
      (await a.goals.due(at(8 * DAY), ['invite'], 100)).map((g) => g.emailId),
      ['invite/1/5'],
    );
    const counts = await b.goals.counts();
    assert.equal(counts.length, 1);
    const { medianMs, ...rest } = counts[0]!;
    assert.deepEqual(rest, { loop: 'invite', step: 1, tracked: 5, converted: 3, notConverted: 1 });
    // Times to convert: 0 (before the send), 1 h or 2 h (whichever worker won), 2 days: the median is the middle one.
    assert.ok(medianMs === 3_600_000 || medianMs === 7_200_000, String(medianMs));
  });

  test(`${name}: the median of an even count is the mean of the middle two; steps are counted apart`, async (t) => {
    const connect = await open(t);
    if (!connect) return;
    const store = await connect();
    await store.ensure();
    assert.deepEqual(await store.goals.counts(), []);
    await store.goals.track([goal(1), goal(2), goal(1, 2)]);
    await store.goals.sent(['invite/1/1', 'invite/1/2', 'invite/2/1'], SENT);
    await store.goals.update([
      { emailId: 'invite/1/1', state: 'converted', convertedAt: at(1000) },
      { emailId: 'invite/1/2', state: 'converted', convertedAt: at(4000) },
    ]);
    assert.deepEqual(await store.goals.counts(), [
      { loop: 'invite', step: 1, tracked: 2, converted: 2, notConverted: 0, medianMs: 2500 },
      { loop: 'invite', step: 2, tracked: 1, converted: 0, notConverted: 0, medianMs: null },
    ]);
  });
}
