/**
 * The job queue contract (job-queue-contract.ts) for the BullMQ adapter on the real Redis: each
 * test under a key prefix of its own, deleted when it ends. And what pg-boss's supervisor does
 * there and the adapter does here: a job held past its expiry is failed into its retry.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { startBullMqJobs } from '../../src/run/job-queue-bullmq.js';
import type { JobQueue } from '../../src/run/job-queue.js';
import { jobId, type JobData } from '../../src/run/jobs.js';
import { jobQueueContract } from './job-queue-contract.js';

async function openBullMq(t: TestContext): Promise<(() => Promise<JobQueue>) | undefined> {
  const url = await serviceOrSkip(t, 'redis');
  if (!url) return undefined;
  const prefix = `skene-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const started: JobQueue[] = [];
  t.after(async () => {
    await Promise.all(started.map((q) => q.stop().catch(() => {})));
    const redis = new Redis(url);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  return async () => {
    const queue = await startBullMqJobs({ url, prefix });
    started.push(queue);
    return queue;
  };
}

jobQueueContract('BullMQ on Redis', openBullMq);

test('BullMQ on Redis: a job held past its expiry, still beating, is failed into its retry', async (t) => {
  const connect = await openBullMq(t);
  if (!connect) return;
  const queue = await connect();
  const name = 'skene.loop.expiry';
  await queue.ensureQueues([name]);
  const data: JobData = { kind: 'occurrence', loop: 'expiry', step: 1, occurrence: '2026-03-02T09:00:00.000Z', checks: 0 };
  const retry = { retryLimit: 1, retryDelay: 1, retryBackoff: false };
  await queue.insert([{ queue: name, id: jobId(data), data, retry, expireInSeconds: 2, heartbeatSeconds: 10 }]);
  const [stuck] = await queue.fetch(name, 1);
  assert.ok(stuck);
  assert.deepEqual(await queue.reclaimDead([name]), { count: 0, lastAttempts: [] }, 'not expired yet');
  await sleep(1500);
  await queue.heartbeat(name, [stuck]);
  await sleep(1000);
  await queue.heartbeat(name, [stuck]);
  assert.deepEqual(await queue.reclaimDead([name]), { count: 1, lastAttempts: [] });
  // The stuck worker's attempt settles nothing now; the retry comes after its delay.
  await queue.complete(name, stuck);
  await sleep(1200);
  const [again] = await queue.fetch(name, 1);
  assert.equal(again?.retryCount, 1);
  assert.deepEqual(await queue.outstanding([name]), { ready: 0, active: 1, silent: 0, later: 0, next: null });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
