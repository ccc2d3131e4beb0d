/**
 * `skene migrate` for Redis and Upstash: turns keyspace notifications on (adding the flags capture
 * needs to whatever is set, never removing one), or says why it cannot and that the runner will
 * reconcile alone. `down` removes Skene's seen records and leaves the flags: another application
 * may rely on them.
 */
import type { CaptureConfig } from './capture-postgres.js';
import type { RedisTransport } from '../sources/redis.js';
import { maskUrl, passwordOf, redact, sourceKindOf } from '../sources/url.js';
import { watchedTables } from './capture.js';
import { configValue, escapeGlob, notificationsEnabled, SEEN_NAMESPACE, withCaptureFlags } from './capture-redis-keys.js';

export interface MigrateRedisOptions {
  url: string;
  /** The Upstash REST token. */
  token?: string;
  config: CaptureConfig;
  down?: boolean;
  /** Put before every key (tests). */
  keyPrefix?: string;
}

const TIMEOUT_MS = 30_000;
const RECONCILE_ONLY =
  'skene run finds new and deleted hashes by SCAN (every 60 s), and updates by reading every hash at each pass when a trigger watches them (one HGETALL per hash)';

export async function migrateRedis(options: MigrateRedisOptions): Promise<{ changes: string[] }> {
  const url = options.url.trim();
  const kind = sourceKindOf(url);
  const label = maskUrl(url);
  if (kind !== 'redis' && kind !== 'upstash') throw new Error(`Redis capture is installed in redis://, rediss:// or an Upstash REST URL, not ${label}`);
  const redis = await import('../sources/redis.js');
  const { transport } = kind === 'redis' ? await redis.openRedisTransport(url) : await redis.openUpstashTransport(url, options.token);
  const secrets = [passwordOf(url), options.token];
  try {
    const run = async (command: string[]) => {
      const [reply] = await transport.send([command], TIMEOUT_MS);
      if (reply instanceof Error) throw new Error(redact(reply.message, secrets));
      return reply;
    };
    if (options.down) return { changes: await removeSeenRecords({ transport, run, label, keyPrefix: options.keyPrefix ?? '', secrets }) };
    const prefixes = [...watchedTables(options.config).keys()];
    if (prefixes.length === 0) return { changes: ['No database trigger names a key prefix: nothing to capture.'] };
    if (kind === 'upstash') {
      return {
        changes: [
          `${label} is Upstash's REST API, which has no keyspace notifications: ${RECONCILE_ONLY}. For notifications, run skene migrate with the database's rediss:// URL.`,
        ],
      };
    }
    return { changes: [await enableNotifications(run, label, prefixes)] };
  } finally {
    await transport.close();
  }
}

async function enableNotifications(run: (command: string[]) => Promise<unknown>, label: string, prefixes: string[]): Promise<string> {
  let current: string | undefined;
  try {
    current = configValue(await run(['CONFIG', 'GET', 'notify-keyspace-events']));
  } catch (error) {
    return `${label} refused CONFIG GET (${(error as Error).message}): notify-keyspace-events not changed. Unless your provider turns on keyspace notifications (Khgx), ${RECONCILE_ONLY}.`;
  }
  current ??= '';
  if (notificationsEnabled(current))
    return `Keyspace notifications are already on in ${label} (notify-keyspace-events "${current}"): ${prefixes.join(', ')} captured.`;
  const wanted = withCaptureFlags(current);
  try {
    await run(['CONFIG', 'SET', 'notify-keyspace-events', wanted]);
  } catch (error) {
    return `${label} refused CONFIG SET (${(error as Error).message}): notify-keyspace-events not changed. Set it to ${wanted} in the server's configuration; until then ${RECONCILE_ONLY}.`;
  }
  return (
    `notify-keyspace-events "${current}" → "${wanted}" in ${label}: keyspace notifications for ${prefixes.join(', ')}. ` +
    `CONFIG SET does not survive a restart: add "notify-keyspace-events ${wanted}" to redis.conf, or run skene migrate after each restart.`
  );
}

interface RemoveSeenOptions {
  transport: RedisTransport;
  run: (command: string[]) => Promise<unknown>;
  label: string;
  keyPrefix: string;
  /** Kept out of error messages (the URL's password, the REST token). */
  secrets: (string | undefined)[];
}

async function removeSeenRecords({ transport, run, label, keyPrefix, secrets }: RemoveSeenOptions): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await run(['SCAN', cursor, 'MATCH', `${escapeGlob(keyPrefix + SEEN_NAMESPACE)}*`, 'COUNT', '1000'])) as [string, string[]];
    keys.push(...batch.map(String));
    cursor = String(next);
  } while (cursor !== '0');
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 500) {
    const [reply] = await transport.send([['DEL', ...unique.slice(i, i + 500)]], TIMEOUT_MS);
    if (reply instanceof Error) throw new Error(`${label}: DEL failed: ${redact(reply.message, secrets)}`);
  }
  return [
    `Removed ${unique.length} seen record(s) (${SEEN_NAMESPACE}*) from ${label}: the next skene run records every hash again, as the inserts it first saw (ids already decided send nothing).`,
    'notify-keyspace-events left as it is: another application may rely on keyspace notifications.',
  ];
}
