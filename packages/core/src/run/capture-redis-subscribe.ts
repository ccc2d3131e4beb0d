/**
 * The keyspace-notification subscriber of Redis capture: one ioredis connection in subscriber mode
 * with a pattern per watched prefix, `__keyspace@<db>__:<keyPrefix><prefix>:*`. It reports which
 * hash was touched and whether that removed it (DEL, expiry, RENAME away): the drain reads the hash
 * and decides. Knowing of a removal matters when the key is written again before the drain: the
 * drain then makes a delete and a new insert, not an update.
 */
import { redact } from '../sources/url.js';
import { escapeGlob, GONE_EVENTS, idOfKey } from './capture-redis-keys.js';

/** The subscriber's CLIENT SETNAME. */
export const SUBSCRIBER_NAME = 'skene-capture';

export interface KeyspaceSubscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  url: string;
  keyPrefix: string;
  prefixes: string[];
  /** Kept out of error messages (the URL's password). */
  secrets: (string | undefined)[];
  /** A hash of `prefix` was written, or removed (`gone`: deleted, expired, renamed or moved away). */
  onKey(prefix: string, id: string, gone: boolean): void;
  /** The connection came back after a drop: notifications in between were lost. */
  onReconnect(): void;
}

/** The logical database a Redis URL names (`/3` or `?db=3`), whose keyspace channels to listen on. */
export function databaseOf(url: string): number {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || parsed.searchParams.get('db') || 0);
  return Number.isSafeInteger(db) && db >= 0 ? db : 0;
}

export async function subscribeKeyspace(options: SubscribeOptions): Promise<KeyspaceSubscription> {
  const { Redis } = await import('ioredis');
  const channelHead = `__keyspace@${databaseOf(options.url)}__:`;
  const byPattern = new Map(options.prefixes.map((prefix) => [`${channelHead}${escapeGlob(options.keyPrefix + prefix)}:*`, prefix]));
  // Unlike the plan's connections, this one reconnects (ioredis' default backoff) and resubscribes.
  // Named, so an operator can tell it apart in CLIENT LIST.
  const subscriber = new Redis(options.url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: null, connectionName: SUBSCRIBER_NAME });
  subscriber.on('error', () => {});
  let readies = 0;
  subscriber.on('ready', () => {
    if (readies++ > 0) options.onReconnect();
  });
  // A keyspace channel's message is the event's name (`hset`, `del`, `expired`, `rename_from`, …).
  subscriber.on('pmessage', (pattern: string, channel: string, event: string) => {
    const prefix = byPattern.get(pattern);
    if (prefix === undefined || !channel.startsWith(channelHead)) return;
    const id = idOfKey(channel.slice(channelHead.length), prefix, options.keyPrefix);
    if (id !== undefined) options.onKey(prefix, id, GONE_EVENTS.has(String(event)));
  });
  try {
    await subscriber.connect();
    await subscriber.psubscribe(...byPattern.keys());
  } catch (error) {
    subscriber.disconnect();
    throw new Error(redact((error as Error).message, options.secrets));
  }
  return {
    async close() {
      subscriber.disconnect();
    },
  };
}
