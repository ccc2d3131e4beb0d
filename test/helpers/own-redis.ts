/**
 * A Redis server of a test's own (`redis-server` on a free port, nothing saved): for tests that
 * change server-wide state — `notify-keyspace-events`, the number of logical databases, claims on
 * them — which on the shared server would change under the other test files running beside them.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export interface OwnRedis {
  url: string;
  port: number;
  stop(): void;
}

/** Starts one; undefined when `redis-server` cannot be run here. */
export async function startOwnRedis(options: { databases?: number } = {}): Promise<OwnRedis | undefined> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--databases', String(options.databases ?? 16), '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) return undefined;
  const url = `redis://127.0.0.1:${port}`;
  const stop = () => void child.kill();
  for (let i = 0; i < 100; i++) {
    const c = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    const ok = await c.connect().then(
      () => c.ping(),
      () => undefined,
    );
    c.disconnect();
    if (ok === 'PONG') return { url, port, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop();
  throw new Error('redis-server did not start');
}

/** Skips the test visibly when no `redis-server` could be started; fails it where services are required (CI). */
export function withoutOwnRedis(t: TestContext): undefined {
  const reason = 'redis-server is not installed here';
  if (process.env.SKENE_REQUIRE_SERVICES === '1') throw new Error(`${reason} (SKENE_REQUIRE_SERVICES=1)`);
  t.skip(`SKIPPED: ${reason}`);
  return undefined;
}
