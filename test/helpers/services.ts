/**
 * Real services on loopback. A test that needs one calls `serviceOrSkip(t, 'postgres')`:
 * locally an unreachable service skips the test with a visible reason; with
 * SKENE_REQUIRE_SERVICES=1 (CI) it fails instead.
 */
import { Socket } from 'node:net';
import type { TestContext } from 'node:test';

export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432/postgres' },
  mysql: { host: '127.0.0.1', port: 3306, url: 'mysql://root@127.0.0.1:3306/test' },
  redis: { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379' },
} as const;
export type ServiceName = keyof typeof SERVICES;

const reachable = new Map<ServiceName, Promise<boolean>>();

function probe(name: ServiceName): Promise<boolean> {
  const { host, port } = SERVICES[name];
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5000, () => done(false)); // generous: a loaded 2-core machine answers slowly
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Returns the service's URL, or skips (locally) / throws (CI) when it is not reachable. */
export async function serviceOrSkip(t: TestContext, name: ServiceName): Promise<string | undefined> {
  if (!reachable.has(name)) reachable.set(name, probe(name));
  if (await reachable.get(name)) return SERVICES[name].url;
  const reason = `${name} is not reachable on ${SERVICES[name].host}:${SERVICES[name].port}`;
  if (process.env.SKENE_REQUIRE_SERVICES === '1') throw new Error(`${reason} (SKENE_REQUIRE_SERVICES=1)`);
  t.skip(`SKIPPED: ${reason}`);
  return undefined;
}
