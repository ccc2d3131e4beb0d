/**
 * What the Redis capture tests share (capture-redis.test.ts, capture-redis-exactly-once.test.ts):
 * a config naming triggers, a recording drain context, and a per-test key prefix on a real Redis
 * on loopback (the file's own server) whose keys and seen record are deleted when the test ends.
 */
import { randomBytes } from 'node:crypto';
import { after, before, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { startOwnRedis, withoutOwnRedis, type OwnRedis } from '../../../../test/helpers/own-redis.js';
import { migrateRedis, openRedisCapture, type RedisCapture, type RedisCaptureOptions } from '../../src/run/capture-redis.js';
import type { CaptureOp, CapturedEvent, DrainContext } from '../../src/run/capture.js';

export type Config = RedisCaptureOptions['config'];

export function config(...triggers: [string, CaptureOp][]): Config {
  return { loops: [{ id: 'l', steps: triggers.map(([table, event]) => ({ trigger: { type: 'database', table, event } })) }] } as unknown as Config;
}

/** A drain context that records what it was handed; `fail` makes the next enqueue throw, `gate` holds it. */
export function recorder() {
  const batches: CapturedEvent[][] = [];
  const state: { fail: boolean; gate?: Promise<void> } = { fail: false };
  const ctx: DrainContext = {
    async enqueue(events) {
      if (state.gate) await state.gate;
      if (state.fail) throw new Error('the state store is down');
      batches.push(events);
    },
    positions: { get: async () => undefined, set: async () => {} },
    at: new Date(),
  };
  return { ctx, state, events: () => batches.flat(), clear: () => (batches.length = 0) };
}

/** `[op, key, id]`, in id order (numbers as numbers). */
export const brief = (events: CapturedEvent[]) =>
  events.map((e) => [e.op, String(e.key), e.id]).sort((a, b) => a[2]!.localeCompare(b[2]!, 'en', { numeric: true }));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers the file's hooks — a Redis server of the file's own, started before its tests and
 * stopped after them: the tests turn keyspace notifications off and on (`notify-keyspace-events`
 * is server-wide), which on the shared server would change under other files' runners — and
 * returns `setup`, which skips the test when no server could be started.
 */
export function redisCaptureKit() {
  let own: OwnRedis | undefined;
  let admin: Redis | undefined;
  before(async () => {
    own = await startOwnRedis();
    if (!own) return;
    admin = new Redis(own.url, { maxRetriesPerRequest: 0 });
    admin.on('error', () => {});
  });
  after(() => {
    admin?.disconnect();
    own?.stop();
  });

  /** A unique prefix (`t<hex>:users`), its keys and seen record deleted when the test ends. */
  async function setup(t: TestContext) {
    if (!own || !admin) return withoutOwnRedis(t);
    const { url, port } = own;
    const tag = `t${randomBytes(5).toString('hex')}`;
    const prefix = `${tag}:users`;
    const redis = admin;
    t.after(async () => {
      const keys = [...(await redis.keys(`${tag}*`)), ...(await redis.keys(`skene:seen:${tag}*`))];
      if (keys.length) await redis.del(...keys);
    });
    const open = async (options: Partial<RedisCaptureOptions> = {}): Promise<RedisCapture> => {
      const capture = await openRedisCapture({ url, config: config([prefix, 'insert'], [prefix, 'update'], [prefix, 'delete']), ...options });
      t.after(() => capture.close());
      return capture;
    };
    return { url, port, redis, tag, prefix, open, seenOf: (id: string) => redis.hget(`skene:seen:${prefix}`, id) };
  }
  return { setup };
}

export async function notificationsOn(url: string) {
  await migrateRedis({ url, config: config(['x', 'insert']) });
}
