/**
 * What every job queue adapter (src/run/job-queue.ts) must do, written against the interface
 * only: `jobQueueContract` runs it for one adapter. `open` makes a fresh, empty store for one test
 * and returns how to connect a worker to it (each call one more worker's handle on the same
 * store); it closes them all when the test ends, and returns undefined when the test was skipped
 * (its service is not reachable).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { HeldJob, JobQueue, NewJob } from '../../src/run/job-queue.js';
import { jobId, type JobData, type RetryOptions } from '../../src/run/jobs.js';

export type OpenJobStore = (t: TestContext) => Promise<(() => Promise<JobQueue>) | undefined>;

const QUEUE = 'skene.loop.contract';
const OTHER = 'skene.send.contract';
/** The shortest heartbeat pg-boss accepts; the contract's reclaim test waits just past it. */
const HEARTBEAT_SECONDS = 10;
const NO_RETRY: RetryOptions = { retryLimit: 0, retryDelay: 1, retryBackoff: false };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Event job number `n`: its data, and its deterministic id as the runner makes it. */
function newJob(n: number, options: { queue?: string; retry?: RetryOptions } = {}): NewJob {
  const data: JobData = { kind: 'event', loop: 'contract', step: 1, eventId: String(n), key: n, occurredAt: '2026-03-02T09:00:00.000Z', checks: 0 };
  return {
    queue: options.queue ?? QUEUE,
    id: jobId(data),
    data,
    retry: options.retry ?? NO_RETRY,
    expireInSeconds: 300,
    heartbeatSeconds: HEARTBEAT_SECONDS,
  };
}

const ids = (jobs: HeldJob[]) => jobs.map((j) => j.id).sort();

async function connected(t: TestContext, open: OpenJobStore): Promise<{ queue: JobQueue; connect: () => Promise<JobQueue> } | undefined> {
  const connect = await open(t);
  if (!connect) return undefined;
  const queue = await connect();
  await queue.ensureQueues([QUEUE, OTHER]);
  return { queue, connect };
}

/** Seconds from now until the first retry is due. */
async function secondsToNext(queue: JobQueue): Promise<number> {
  const left = await queue.outstanding([QUEUE]);
  assert.ok(left.next instanceof Date, 'a retry not due yet has its instant');
  return (left.next.getTime() - Date.now()) / 1000;
}

export function jobQueueContract(name: string, open: OpenJobStore): void {
  test(`${name}: an id inserted twice, or again after it finished, is one job`, async (t) => {
    const store = await connected(t, open);
    if (!store) return;
    const { queue } = store;
    const [a, b] = [newJob(1), newJob(2)];
    await queue.insert([a, a, b]);
    await queue.insert([a]);
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 2, active: 0, silent: 0, later: 0, next: null });
    const held = await queue.fetch(QUEUE, 10);
    assert.deepEqual(ids(held), [a.id, b.id].sort());
    const first = held.find((j) => j.id === a.id)!;
    assert.deepEqual(first.data, a.data);
    assert.equal(first.retryCount, 0);
    assert.equal(first.retryLimit, 0);
    for (const job of held) await queue.complete(QUEUE, job);
    // A finished job's id stays known: an event enqueued again after it was worked is not worked twice.
    await queue.insert([a, b]);
    assert.deepEqual(await queue.fetch(QUEUE, 10), []);
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 0, active: 0, silent: 0, later: 0, next: null });
  });

  test(`${name}: two workers fetching at once never get the same job`, async (t) => {
    const store = await connected(t, open);
    if (!store) return;
    const other = await store.connect();
    const jobs = Array.from({ length: 8 }, (_, i) => newJob(i + 1));
    await store.queue.insert(jobs);
    const [mine, theirs] = await Promise.all([store.queue.fetch(QUEUE, 5), other.fetch(QUEUE, 5)]);
    assert.equal(mine.length + theirs.length, 8, 'every due job is handed out');
    assert.equal(new Set([...ids(mine), ...ids(theirs)]).size, 8, 'no job is handed to both');
    assert.ok(mine.length <= 5 && theirs.length <= 5, 'a fetch takes at most its batch');
    assert.deepEqual(await other.fetch(QUEUE, 5), [], 'a held job is not handed out again');
    assert.equal((await store.queue.outstanding([QUEUE])).active, 8);
  });

  test(`${name}: a failed job is retried after its delay, one attempt more each time, up to its limit`, async (t) => {
    const store = await connected(t, open);
    if (!store) return;
    const { queue } = store;
    const job = newJob(1, { retry: { retryLimit: 2, retryDelay: 1, retryBackoff: false } });
    await queue.insert([job]);
    for (let attempt = 0; attempt <= 2; attempt++) {
      const [held] = await queue.fetch(QUEUE, 1);
      assert.equal(held?.id, job.id, `attempt ${attempt} is handed out`);
      assert.equal(held.retryCount, attempt);
      assert.equal(held.retryLimit, 2);
      await queue.fail(QUEUE, held, `failure ${attempt}`);
      if (attempt === 2) break;
      assert.deepEqual(await queue.fetch(QUEUE, 1), [], 'not before its delay');
      const wait = await secondsToNext(queue);
      assert.ok(wait > 0.5 && wait <= 1.5, `retried about 1 s later (${wait} s)`);
      assert.deepEqual({ ...(await queue.outstanding([QUEUE])), next: null }, { ready: 0, active: 0, silent: 0, later: 1, next: null });
      await sleep(wait * 1000 + 150);
    }
    // The last attempt failed: no retry follows.
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 0, active: 0, silent: 0, later: 0, next: null });
    await sleep(1200);
    assert.deepEqual(await queue.fetch(QUEUE, 1), []);
  });

  test(`${name}: with backoff the retry delay doubles from the base`, async (t) => {
    const store = await connected(t, open);
    if (!store) return;
    const { queue } = store;
    await queue.insert([newJob(1, { retry: { retryLimit: 3, retryDelay: 1, retryBackoff: true, retryDelayMax: 300 } })]);
    let [held] = await queue.fetch(QUEUE, 1);
    await queue.fail(QUEUE, held!, 'first');
    const first = await secondsToNext(queue);
    assert.ok(first > 0.5 && first <= 2.1, `first retry after 1-2 s (${first} s)`);
    await sleep(first * 1000 + 150);
    [held] = await queue.fetch(QUEUE, 1);
    assert.equal(held?.retryCount, 1);
    await queue.fail(QUEUE, held, 'second');
    const second = await secondsToNext(queue);
    assert.ok(second > 1.5 && second <= 4.1, `second retry after 2-4 s (${second} s)`);
  });

  test(`${name}: a completed job leaves the counts; settling names the attempt`, async (t) => {
    const store = await connected(t, open);
    if (!store) return;
    const { queue } = store;
    await queue.insert([newJob(1), newJob(2), newJob(3, { queue: OTHER })]);
    const held = await queue.fetch(QUEUE, 2);
    assert.equal(held.length, 2);
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 0, active: 2, silent: 0, later: 0, next: null });
    // A stale attempt (another worker's, or an earlier one) settles nothing.
    await queue.complete(QUEUE, { id: held[0]!.id, retryCount: 1 });
    assert.equal((await queue.outstanding([QUEUE])).active, 2);
    await queue.complete(QUEUE, held[0]!);
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 0, active: 1, silent: 0, later: 0, next: null });
    await queue.complete(QUEUE, held[1]!);
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 0, active: 0, silent: 0, later: 0, next: null });
    // Counts are per the queues asked for.
    assert.deepEqual(await queue.outstanding([QUEUE, OTHER]), { ready: 1, active: 0, silent: 0, later: 0, next: null });
  });

  test(`${name}: a job whose heartbeat stops is reclaimed; one on its last attempt is returned`, async (t) => {
    const store = await connected(t, open);
    if (!store) return;
    const { queue } = store;
    const retryOnce: RetryOptions = { retryLimit: 1, retryDelay: 1, retryBackoff: false };
    const [beating, silent, last] = [newJob(1, { retry: retryOnce }), newJob(2, { retry: retryOnce }), newJob(3)];
    await queue.insert([beating, silent, last]);
    const held = await queue.fetch(QUEUE, 3);
    assert.equal(held.length, 3);
    const heldBeating = held.find((j) => j.id === beating.id)!;
    assert.deepEqual(await queue.reclaimDead([QUEUE]), { count: 0, lastAttempts: [] }, 'fresh jobs are alive');
    // One worker keeps beating; the others died.
    const deadline = Date.now() + (HEARTBEAT_SECONDS + 1.5) * 1000;
    while (Date.now() < deadline) {
      await queue.heartbeat(QUEUE, [heldBeating]);
      await sleep(2000);
    }
    const reclaimed = await queue.reclaimDead([QUEUE]);
    assert.equal(reclaimed.count, 2);
    assert.deepEqual(
      reclaimed.lastAttempts.map((j) => ({ id: j.id, retryCount: j.retryCount, data: j.data })),
      [{ id: last.id, retryCount: 0, data: last.data }],
    );
    assert.deepEqual(await queue.reclaimDead([QUEUE]), { count: 0, lastAttempts: [] }, 'reclaimed once');
    const left = await queue.outstanding([QUEUE]);
    assert.equal(left.active, 1, 'the beating job is still held');
    assert.equal(left.ready + left.later, 1, 'the dead one with a retry left waits for it; the last attempt is failed');
    await sleep(1200);
    const [again] = await queue.fetch(QUEUE, 3);
    assert.equal(again?.id, silent.id);
    assert.equal(again.retryCount, 1);
    // The dead worker's attempt settles nothing now; the live worker's does.
    await queue.complete(QUEUE, { id: silent.id, retryCount: 0 });
    await queue.complete(QUEUE, heldBeating);
    assert.deepEqual(await queue.outstanding([QUEUE]), { ready: 0, active: 1, silent: 0, later: 0, next: null });
  });
}
