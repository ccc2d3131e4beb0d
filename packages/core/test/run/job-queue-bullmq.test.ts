/**
 * The job queue contract (job-queue-contract.ts) for the BullMQ adapter on the real Redis: each
 * test under a key prefix of its own, deleted when it ends.
 */
import { Redis } from 'ioredis';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { startBullMqJobs } from '../../src/run/job-queue-bullmq.js';
import type { JobQueue } from '../../src/run/job-queue.js';
import { jobQueueContract } from './job-queue-contract.js';

jobQueueContract('BullMQ on Redis', async (t) => {
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
});
