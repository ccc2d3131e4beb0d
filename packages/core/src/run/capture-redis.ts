/**
 * Change capture for Redis and Upstash, where a "table" is a key prefix of hashes (`users:<id>`).
 *
 * - Keyspace notifications (TCP only: redis://, rediss://): a subscriber on
 *   `__keyspace@<db>__:<prefix>:*` for each prefix a database trigger names. A notification only
 *   marks the key dirty and wakes the runner; the next drain reads the hash and compares it with
 *   the seen record (capture-redis-keys.ts): an insert, an update (new content) or a delete.
 * - Reconciliation (always; the only mode over Upstash's REST API, which has no pub/sub): a SCAN of
 *   each prefix against the seen record, so a key written or deleted while no runner listened is
 *   an insert or a delete at the next start. The first drain after open reconciles, later ones
 *   every `reconcileMs`.
 *
 * A key is marked seen only after its events' jobs are stored (`ctx.enqueue` resolved): a crash in
 * between re-reads it, and the ids it makes again are the same ids.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { RedisTransport } from '../sources/redis.js';
import { maskUrl, passwordOf, redact, sourceKindOf } from '../sources/url.js';
import { wakeableWait, watchedTables, type Capture, type CaptureOp, type CapturedEvent, type DrainContext } from './capture.js';
import {
  compareIds,
  configValue,
  decide,
  escapeGlob,
  formatSeen,
  idOfKey,
  notificationsEnabled,
  parseSeen,
  seenKey,
  withCaptureFlags,
  type Seen,
} from './capture-redis-keys.js';
import { subscribeKeyspace, type KeyspaceSubscription } from './capture-redis-subscribe.js';

export { migrateRedis, type MigrateRedisOptions } from './capture-redis-migrate.js';

export interface RedisCaptureOptions {
  /** redis://, rediss:// (Upstash's TCP endpoint too) or an Upstash REST URL (https://). */
  url: string;
  /** The Upstash REST token. */
  token?: string;
  config: Pick<LoadedConfig, 'loops'>;
  /** How often a drain re-scans the prefixes (default 60 s); the first drain always does. */
  reconcileMs?: number;
  /** Put before every key, Skene's seen records included (tests). */
  keyPrefix?: string;
}

export interface RedisCapture extends Capture {
  /** Said once at start: reconciliation only (and why), or notifications that could not be checked. */
  warnings: string[];
}

const DEFAULT_RECONCILE_MS = 60_000;
const COMMAND_TIMEOUT_MS = 30_000;
/** Keys read, decided and enqueued together: one HMGET, one pipeline of HGETALL, one HSET. */
const PAGE = 500;
const TIMER_SLACK_MS = 10;

/** A hash to look at in a drain: when the capture learnt of it, and whether SCAN alone found it. */
interface Candidate {
  at: Date;
  /** Found by SCAN, with no notification: an existing seen key needs no read (updates come from notifications). */
  scanned: boolean;
}

export async function openRedisCapture(options: RedisCaptureOptions): Promise<RedisCapture> {
  const url = options.url.trim();
  const kind = sourceKindOf(url);
  const label = maskUrl(url);
  if (kind !== 'redis' && kind !== 'upstash') throw new Error(`Redis capture reads redis://, rediss:// or an Upstash REST URL, not ${label}`);
  const keyPrefix = options.keyPrefix ?? '';
  const reconcileMs = options.reconcileMs ?? DEFAULT_RECONCILE_MS;
  const tables = watchedTables(options.config);
  const secrets = [passwordOf(url), options.token];
  const interval = reconcileMs < 1000 ? `${reconcileMs} ms` : `${Math.round(reconcileMs / 1000)} s`;
  const redis = await import('../sources/redis.js');

  // The command connection is reopened after it drops: a long-running runner outlives a blip.
  const open = async (): Promise<RedisTransport> =>
    kind === 'redis' ? (await redis.openRedisTransport(url)).transport : (await redis.openUpstashTransport(url, options.token)).transport;
  let transport: RedisTransport | undefined = await open();
  const send = async (commands: string[][]) => {
    transport ??= await open();
    try {
      return await transport.send(commands, COMMAND_TIMEOUT_MS);
    } catch (error) {
      if (kind === 'redis') {
        await transport.close().catch(() => {});
        transport = undefined;
      }
      throw error;
    }
  };
  const sendOne = async (command: string[]) => {
    const [reply] = await send([command]);
    if (reply instanceof Error) throw new Error(`${label}: ${command[0]} failed: ${redact(reply.message, secrets)}`);
    return reply;
  };

  const waiter = wakeableWait();
  /** Keys a notification named since the last drain: prefix → id → when it was heard. */
  let dirty = new Map<string, Map<string, Date>>();
  let reconcileDue = true;
  let nextReconcileAt = 0;
  const warnings: string[] = [];
  let subscription: KeyspaceSubscription | undefined;

  const reconcileOnly = (prefix: string) => {
    const updates = [...tables].filter(([, ops]) => ops.has('update')).map(([table]) => table);
    return `${prefix}: new and deleted hashes are found by SCAN every ${interval}${updates.length ? `, and updates (watched on ${updates.join(', ')}) are not captured` : ''}`;
  };

  if (tables.size > 0 && kind === 'upstash') {
    warnings.push(
      reconcileOnly(`${label} is Upstash's REST API, which has no keyspace notifications`) +
        ". For changes within milliseconds, give the runner the database's rediss:// URL and run skene migrate to enable notifications",
    );
  } else if (tables.size > 0) {
    let current: string | undefined;
    let refusal: string | undefined;
    try {
      const [reply] = await send([['CONFIG', 'GET', 'notify-keyspace-events']]);
      if (reply instanceof Error) refusal = redact(reply.message, secrets);
      else current = configValue(reply);
    } catch (error) {
      refusal = redact((error as Error).message, secrets);
    }
    if (current !== undefined && !notificationsEnabled(current)) {
      warnings.push(
        reconcileOnly(`keyspace notifications are off on ${label} (notify-keyspace-events is "${current}")`) +
          `. Enable them with skene migrate, or CONFIG SET notify-keyspace-events ${withCaptureFlags(current)}`,
      );
    } else {
      try {
        subscription = await subscribeKeyspace({
          url,
          keyPrefix,
          prefixes: [...tables.keys()],
          secrets,
          onKey(prefix, id) {
            const ids = dirty.get(prefix) ?? new Map<string, Date>();
            if (!ids.has(id)) ids.set(id, new Date());
            dirty.set(prefix, ids);
            waiter.wake();
          },
          onReconnect() {
            // Notifications sent while it was away are lost: a SCAN finds what they were about.
            reconcileDue = true;
            waiter.wake();
          },
        });
      } catch (error) {
        warnings.push(reconcileOnly(`cannot listen for keyspace notifications on ${label} (${redact((error as Error).message, secrets)})`));
      }
      if (subscription && refusal !== undefined) {
        warnings.push(
          reconcileOnly(`cannot read notify-keyspace-events on ${label} (${refusal}): listening for keyspace notifications anyway; if they are off`),
        );
      }
    }
  }

  /** Every id under the prefix SCAN finds now (hashes only; `users:1:sessions` is not a row). */
  async function scanIds(prefix: string): Promise<Set<string>> {
    const ids = new Set<string>();
    const pattern = `${escapeGlob(keyPrefix + prefix)}:*`;
    let cursor = '0';
    do {
      const [next, keys] = (await sendOne(['SCAN', cursor, 'MATCH', pattern, 'TYPE', 'hash', 'COUNT', '1000'])) as [string, string[]];
      for (const key of keys) {
        const id = idOfKey(String(key), prefix, keyPrefix);
        if (id !== undefined) ids.add(id);
      }
      cursor = String(next);
    } while (cursor !== '0');
    return ids;
  }

  /** The ids the seen record says exist (not tombstones). */
  async function seenExisting(prefix: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = (await sendOne(['HSCAN', seenKey(prefix, keyPrefix), cursor, 'COUNT', '1000'])) as [string, string[]];
      for (let i = 0; i + 1 < flat.length; i += 2) if (parseSeen(String(flat[i + 1]))?.digest !== undefined) ids.push(String(flat[i]));
      cursor = String(next);
    } while (cursor !== '0');
    return ids;
  }

  /** Reads, decides, enqueues and marks one page of a prefix's candidates; returns the events. */
  async function drainPage(prefix: string, ops: Set<CaptureOp>, page: [string, Candidate][], ctx: DrainContext): Promise<number> {
    const record = seenKey(prefix, keyPrefix);
    const seenReply = (await sendOne(['HMGET', record, ...page.map(([id]) => id)])) as (string | null)[];
    const seen: (Seen | undefined)[] = page.map((_, i) => parseSeen(seenReply[i]));
    // A key SCAN found that the record already has: nothing to read (its updates are notified).
    const read = page.map(([, c], i) => !(c.scanned && seen[i]?.digest !== undefined));
    const toRead = page.filter((_, i) => read[i]);
    const replies = toRead.length ? await send(toRead.map(([id]) => ['HGETALL', `${keyPrefix}${prefix}:${id}`])) : [];
    const contents = new Map<string, Record<string, string> | undefined>();
    toRead.forEach(([id], i) => {
      const reply = replies[i];
      // WRONGTYPE: the key is no hash now, so it is no row (a delete if it was one).
      contents.set(id, reply instanceof Error ? undefined : redis.toFields(reply));
    });
    const events: CapturedEvent[] = [];
    const marks: string[] = [];
    page.forEach(([id, candidate], i) => {
      if (!read[i]) return;
      const decision = decide(prefix, id, seen[i], contents.get(id));
      if (decision.eventId && decision.op && ops.has(decision.op)) {
        events.push({ id: decision.eventId, table: prefix, op: decision.op, key: id, occurredAt: candidate.at });
      }
      if (decision.next) marks.push(id, formatSeen(decision.next));
    });
    if (events.length) await ctx.enqueue(events);
    // Only now: a crash before this line re-reads these keys, and makes the same ids again.
    if (marks.length) await sendOne(['HSET', record, ...marks]);
    return events.length;
  }

  async function drainPrefix(prefix: string, ops: Set<CaptureOp>, pending: Map<string, Date>, reconcile: boolean, ctx: DrainContext) {
    const candidates = new Map<string, Candidate>();
    for (const [id, at] of pending) candidates.set(id, { at, scanned: false });
    if (reconcile) {
      const now = new Date();
      const found = await scanIds(prefix);
      for (const id of found) if (!candidates.has(id)) candidates.set(id, { at: now, scanned: true });
      // Seen as existing, not found now: deleted while nobody listened (read again to be sure).
      for (const id of await seenExisting(prefix)) if (!found.has(id) && !candidates.has(id)) candidates.set(id, { at: now, scanned: false });
    }
    const sorted = [...candidates].sort(([a], [b]) => compareIds(a, b));
    let count = 0;
    for (let i = 0; i < sorted.length; i += PAGE) {
      const page = sorted.slice(i, i + PAGE);
      count += await drainPage(prefix, ops, page, ctx);
      for (const [id] of page) pending.delete(id);
    }
    return count;
  }

  return {
    label: `${label} (${subscription ? 'keyspace notifications and ' : ''}SCAN every ${interval})`,
    warnings,
    async drain(ctx) {
      const pending = dirty;
      dirty = new Map();
      // A timer may end a millisecond early: a wait that ended for the reconciliation gets it.
      const reconcile = reconcileDue || Date.now() >= nextReconcileAt - TIMER_SLACK_MS;
      if (reconcile) {
        reconcileDue = false;
        nextReconcileAt = Date.now() + reconcileMs;
      }
      let count = 0;
      try {
        for (const [prefix, ops] of tables) count += await drainPrefix(prefix, ops, pending.get(prefix) ?? new Map(), reconcile, ctx);
        return count;
      } catch (error) {
        // What was not consumed is read again at the next drain (keys already marked are not).
        for (const [prefix, ids] of pending) {
          const now = dirty.get(prefix) ?? new Map<string, Date>();
          for (const [id, at] of ids) if (!now.has(id) || now.get(id)! > at) now.set(id, at);
          if (now.size) dirty.set(prefix, now);
        }
        if (reconcile) reconcileDue = true;
        throw error;
      }
    },
    waitForChange(ms, signal) {
      // A due reconciliation ends the wait too: over REST it is the only way changes are seen.
      return waiter.wait(Math.max(0, Math.min(ms, nextReconcileAt - Date.now())), signal);
    },
    async close() {
      await subscription?.close();
      await transport?.close();
      transport = undefined;
    },
  };
}
