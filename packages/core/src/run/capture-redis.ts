/**
 * Change capture for Redis and Upstash, where a "table" is a key prefix of hashes (`users:<id>`).
 *
 * - Keyspace notifications (TCP only: redis://, rediss://): a subscriber on
 *   `__keyspace@<db>__:<prefix>:*` for each prefix a database trigger names. A notification only
 *   marks the key dirty (and whether it was removed) and wakes the runner; the next drain reads the
 *   hash and compares it with the seen record (capture-redis-keys.ts): an insert, an update (new
 *   content), a delete, or a delete and a new insert.
 * - Reconciliation (always; the only mode over Upstash's REST API, which has no pub/sub): a SCAN of
 *   each prefix against the seen record. The first drain after open reconciles, later ones every
 *   `reconcileMs`. A full one also re-reads every hash it finds (HGETALL) for updates: the first
 *   after open and after the subscriber reconnects (notifications were missed), and every one
 *   when there are no notifications; with notifications later ones read only new and gone keys.
 *
 * Exactly once, with several runners and crashes: a drain writes the state it decided to the seen
 * record as pending (`!`), by compare-and-set against what it read, before storing the jobs, and
 * clears the mark after. Losing the compare-and-set sends the key back to dirty (another runner
 * moved it on: it is read again). Whoever reads a pending state stores its jobs again (the same
 * ids) before deciding anything newer.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { RedisTransport } from '../sources/redis.js';
import { maskUrl, passwordOf, redact, sourceKindOf } from '../sources/url.js';
import { wakeableWait, watchedTables, type Capture, type CaptureOp, type CapturedEvent, type DrainContext } from './capture.js';
import {
  compareIds,
  COMPARE_AND_SET,
  configValue,
  decide,
  escapeGlob,
  eventsOfState,
  formatSeen,
  idOfKey,
  notificationsEnabled,
  parseSeen,
  seenKey,
  withCaptureFlags,
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
/** Keys read, decided and enqueued together: one HMGET, one pipeline of HGETALL, two compare-and-set EVALs. */
const PAGE = 500;
const TIMER_SLACK_MS = 10;

/** A hash to look at in a drain: when the capture learnt of it, and how. */
interface Candidate {
  at: Date;
  /** Found by SCAN, with no notification: an existing seen key is read only in a full reconciliation. */
  scanned: boolean;
  /**
   * A notification said it was removed: the seen record's value this runner knew when it heard
   * that. The removal is the runner's to decide only if the record still holds that value; if it
   * moved on, another runner (or this one, reading after the removal) already decided past it.
   */
  goneFrom?: string;
}

/** A seen record's value without its pending mark. */
const withoutMark = (value: string) => (value.startsWith('!') ? value.slice(1) : value);

/** What a drain does with a prefix: its dirty keys, and the reconciliation due (if any). */
interface PrefixDrain {
  prefix: string;
  ops: Set<CaptureOp>;
  pending: Map<string, Candidate>;
  reconcile: 'none' | 'scan' | 'full';
  ctx: DrainContext;
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
  /** Keys a notification named since the last drain (or to read again): prefix → id → candidate. */
  let dirty = new Map<string, Map<string, Candidate>>();
  const markDirty = (prefix: string, id: string, candidate: Candidate) => {
    const ids = dirty.get(prefix) ?? new Map<string, Candidate>();
    const known = ids.get(id);
    const at = known && known.at < candidate.at ? known.at : candidate.at;
    ids.set(id, { at, scanned: false, goneFrom: known?.goneFrom ?? candidate.goneFrom });
    dirty.set(prefix, ids);
  };
  /**
   * The seen record's value this runner last read or wrote, per prefix and id (without the `!`):
   * what a removal it hears is relative to. Kept only with notifications (one entry per hash read).
   */
  const lastSeen = new Map<string, Map<string, string>>();
  const remember = (prefix: string, id: string, value: string) => {
    if (!subscription) return;
    const ids = lastSeen.get(prefix) ?? new Map<string, string>();
    ids.set(id, withoutMark(value));
    lastSeen.set(prefix, ids);
  };
  let reconcileDue = true;
  /** Re-read every hash at the next reconciliation: at open, and after notifications were missed. */
  let fullReconcileDue = true;
  let nextReconcileAt = 0;
  const warnings: string[] = [];
  let subscription: KeyspaceSubscription | undefined;

  const reconcileOnly = (prefix: string) => {
    const updates = [...tables].filter(([, ops]) => ops.has('update')).map(([table]) => table);
    // Updates cost a read of every hash at every pass: say so, it is what an Upstash bill counts.
    const reads = `, and updates (watched on ${updates.join(', ')}) by reading every hash at each pass (one HGETALL per hash)`;
    return `${prefix}: new and deleted hashes are found by SCAN every ${interval}${updates.length ? reads : ''}`;
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
          onKey(prefix, id, gone) {
            // A key this runner never read has no state to be removed from: an insert needs no flag.
            const goneFrom = gone ? lastSeen.get(prefix)?.get(id) : undefined;
            markDirty(prefix, id, { at: new Date(), scanned: false, goneFrom });
            waiter.wake();
          },
          onReconnect() {
            // Notifications sent while it was away are lost: a full reconciliation reads what they were about.
            reconcileDue = true;
            fullReconcileDue = true;
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

  /** The ids the seen record says exist, or whose pending state is a delete not yet stored. */
  async function seenExisting(prefix: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = (await sendOne(['HSCAN', seenKey(prefix, keyPrefix), cursor, 'COUNT', '1000'])) as [string, string[]];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const seen = parseSeen(String(flat[i + 1]));
        if (seen && (seen.digest !== undefined || seen.pending)) ids.push(String(flat[i]));
      }
      cursor = String(next);
    } while (cursor !== '0');
    return ids;
  }

  /** Sets seen fields whose value is still what was read; `[field, expected, new]…` → set or not, per field. */
  async function compareAndSet(record: string, triples: string[]): Promise<boolean[]> {
    if (triples.length === 0) return [];
    const reply = (await sendOne(['EVAL', COMPARE_AND_SET, '1', record, ...triples])) as unknown[];
    return reply.map((r) => Number(r) === 1);
  }

  /** Stores events whose op a trigger watches (the seen record moves on for the others too). */
  async function store(prefix: string, ops: Set<CaptureOp>, events: CapturedEvent[], ctx: DrainContext): Promise<number> {
    const watched = events.filter((e) => ops.has(e.op));
    if (watched.length) await ctx.enqueue(watched);
    return watched.length;
  }

  /** Reads, decides, enqueues and marks one page of a prefix's candidates; returns the events stored. */
  async function drainPage(run: PrefixDrain, page: [string, Candidate][]): Promise<number> {
    const { prefix, ctx } = run;
    const record = seenKey(prefix, keyPrefix);
    const raw = ((await sendOne(['HMGET', record, ...page.map(([id]) => id)])) as (string | null)[]).map((v) => (v == null ? '' : String(v)));
    const seen = raw.map((value) => parseSeen(value));
    page.forEach(([id], i) => remember(prefix, id, raw[i]!));
    // A key SCAN found that the record already has is read only when reconciling in full.
    const read = page.map(([, c], i) => !(c.scanned && seen[i]?.digest !== undefined && !seen[i]?.pending && run.reconcile !== 'full'));
    const toRead = page.filter((_, i) => read[i]);
    const replies = toRead.length ? await send(toRead.map(([id]) => ['HGETALL', `${keyPrefix}${prefix}:${id}`])) : [];
    const contents = new Map<string, Record<string, string> | undefined>();
    toRead.forEach(([id], i) => {
      const reply = replies[i];
      // WRONGTYPE: the key is no hash now, so it is no row (a delete if it was one). Any other
      // error (a refused command, a quota) says nothing about the key: it stays dirty.
      if (reply instanceof Error && !reply.message.startsWith('WRONGTYPE')) {
        throw new Error(`${label}: HGETALL failed: ${redact(reply.message, secrets)}`);
      }
      contents.set(id, reply instanceof Error ? undefined : redis.toFields(reply));
    });

    // A pending state's jobs may never have been stored (its runner stopped): store them again
    // before the record moves past it (the same ids, so decided once).
    let count = 0;
    const recovered = page.flatMap(([id, c], i) =>
      seen[i]?.pending ? eventsOfState(prefix, id, seen[i]!).map((e) => ({ id: e.eventId, op: e.op, table: prefix, key: id, occurredAt: c.at })) : [],
    );
    count += await store(prefix, run.ops, recovered, ctx);

    const intents: string[] = [];
    const decided: { id: string; events: CapturedEvent[]; value: string; final: string }[] = [];
    const settle: string[] = [];
    page.forEach(([id, candidate], i) => {
      const base = seen[i] && { ...seen[i]!, pending: false };
      const gone = candidate.goneFrom !== undefined && candidate.goneFrom === withoutMark(raw[i]!);
      const decision = read[i] ? decide({ prefix, id, seen: base, fields: contents.get(id), gone }) : { events: [] };
      if (decision.next) {
        const value = formatSeen({ ...decision.next, pending: true });
        intents.push(id, raw[i]!, value);
        const events = decision.events.map((e) => ({ id: e.eventId, table: prefix, op: e.op, key: id, occurredAt: candidate.at }));
        decided.push({ id, events, value, final: formatSeen(decision.next) });
      } else if (seen[i]?.pending) settle.push(id, raw[i]!, formatSeen(base!));
    });
    const won = await compareAndSet(record, intents);
    const events: CapturedEvent[] = [];
    decided.forEach((d, i) => {
      if (won[i]) {
        events.push(...d.events);
        settle.push(d.id, d.value, d.final);
        remember(prefix, d.id, d.final);
      } else {
        // Another runner moved the record on since it was read: read the key again, against that.
        markDirty(prefix, d.id, { at: page.find(([id]) => id === d.id)![1].at, scanned: false });
        waiter.wake();
      }
    });
    count += await store(prefix, run.ops, events, ctx);
    // Only now: a crash before this line leaves the states pending, and their jobs are stored again.
    // A mark another runner already cleared (or moved past) is left as it is.
    await compareAndSet(record, settle);
    return count;
  }

  async function drainPrefix(run: PrefixDrain) {
    const { prefix, pending } = run;
    const candidates = new Map<string, Candidate>(pending);
    if (run.reconcile !== 'none') {
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
      count += await drainPage(run, page);
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
      // Without notifications a full reconciliation is the only way updates are seen.
      const full = reconcile && (fullReconcileDue || !subscription);
      if (reconcile) {
        reconcileDue = false;
        fullReconcileDue = false;
        nextReconcileAt = Date.now() + reconcileMs;
      }
      let count = 0;
      try {
        for (const [prefix, ops] of tables) {
          // Re-reading every hash buys nothing where no trigger watches updates.
          const mode = !reconcile ? 'none' : full && ops.has('update') ? 'full' : 'scan';
          count += await drainPrefix({ prefix, ops, pending: pending.get(prefix) ?? new Map(), reconcile: mode, ctx });
        }
        return count;
      } catch (error) {
        // What was not consumed is read again at the next drain (keys already marked are not).
        for (const [prefix, ids] of pending) for (const [id, candidate] of ids) markDirty(prefix, id, candidate);
        if (reconcile) reconcileDue = true;
        if (full) fullReconcileDue = true;
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
