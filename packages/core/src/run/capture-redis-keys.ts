/**
 * What Redis capture (capture-redis.ts) decides about one hash, kept apart from the connections:
 * the seen record Skene keeps in the source Redis, the event ids, and the keyspace-notification
 * flags it needs.
 *
 * The seen record of a prefix is one hash, `skene:seen:<prefix>`, field = the hash's id. Its value
 * is `<generation>:<digest>` while the key exists (the digest of the content last captured) and
 * `-<generation>` once it was deleted: a key deleted and written again is a new generation, so
 * its insert is a new event. Tombstones stay (one short field per deleted key) so a generation is
 * never handed out twice.
 */
import { createHash } from 'node:crypto';
import type { CaptureOp } from './capture.js';

/** Where Skene keeps its seen records in the source Redis (`skene migrate --down` removes them). */
export const SEEN_NAMESPACE = 'skene:seen:';

export function seenKey(prefix: string, keyPrefix = ''): string {
  return `${keyPrefix}${SEEN_NAMESPACE}${prefix}`;
}

/** A hash as the seen record knows it: its generation, and the digest when it exists. */
export interface Seen {
  generation: number;
  /** Undefined: deleted (a tombstone). */
  digest?: string;
}

export function parseSeen(value: string | null | undefined): Seen | undefined {
  if (!value) return undefined;
  if (value.startsWith('-')) {
    const generation = Number(value.slice(1));
    return Number.isSafeInteger(generation) && generation > 0 ? { generation } : undefined;
  }
  const colon = value.indexOf(':');
  const generation = Number(colon === -1 ? value : value.slice(0, colon));
  if (!Number.isSafeInteger(generation) || generation <= 0) return undefined;
  return { generation, digest: colon === -1 ? '' : value.slice(colon + 1) };
}

export function formatSeen(seen: Seen): string {
  return seen.digest === undefined ? `-${seen.generation}` : `${seen.generation}:${seen.digest}`;
}

/** The content's digest: the same fields and values in any order give the same digest. */
export function digestOf(fields: Record<string, string>): string {
  const entries = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 32);
}

export interface Decision {
  op?: CaptureOp;
  /** The event's id, when there is an event (whether or not a trigger watches its op). */
  eventId?: string;
  /** The seen record's new value, when it changes. */
  next?: Seen;
}

/**
 * What a hash's current content means against the seen record. `fields` undefined: the key does
 * not exist (or is not a hash, which is not a row). Ids depend only on the prefix, the id, the
 * generation and the content, so every runner that sees the same change makes the same id.
 */
export function decide(prefix: string, id: string, seen: Seen | undefined, fields: Record<string, string> | undefined): Decision {
  const exists = seen?.digest !== undefined;
  if (!fields || Object.keys(fields).length === 0) {
    if (!exists) return {};
    return { op: 'delete', eventId: `r:${prefix}:${id}:${seen!.generation}:d`, next: { generation: seen!.generation } };
  }
  const digest = digestOf(fields);
  if (!seen || !exists) {
    const generation = (seen?.generation ?? 0) + 1;
    return { op: 'insert', eventId: `r:${prefix}:${id}:${generation}`, next: { generation, digest } };
  }
  if (seen.digest === digest) return {};
  return { op: 'update', eventId: `r:${prefix}:${id}:${seen.generation}:u:${digest}`, next: { generation: seen.generation, digest } };
}

/** A hash's id is the part after `<prefix>:`; `users:1:sessions` is not a row of `users` (as the plan reads it). */
export function idOfKey(key: string, prefix: string, keyPrefix = ''): string | undefined {
  const head = `${keyPrefix}${prefix}:`;
  if (!key.startsWith(head)) return undefined;
  const id = key.slice(head.length);
  return id === '' || id.includes(':') ? undefined : id;
}

/** A literal for SCAN MATCH and PSUBSCRIBE patterns. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Numeric ids in numeric order, then the rest in code-point order (pages in a stable order). */
export function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The notify-keyspace-events classes capture needs: K (keyspace channels), h (hash commands),
 * g (DEL, RENAME, …). `A` stands for every class but K, E, m and n.
 */
const REQUIRED = ['K', 'h', 'g'];
/** What `skene migrate` adds: the required classes, and x so an expired hash is a delete at once. */
const WANTED = [...REQUIRED, 'x'];

function missing(current: string, wanted: string[]): string[] {
  return wanted.filter((flag) => !current.includes(flag) && !(flag !== 'K' && current.includes('A')));
}

/** Whether the server's notify-keyspace-events lets capture hear hash writes and deletes. */
export function notificationsEnabled(current: string): boolean {
  return missing(current, REQUIRED).length === 0;
}

/** The value to set: what is set now (never removing a flag an application uses) plus what capture wants. */
export function withCaptureFlags(current: string): string {
  return current + missing(current, WANTED).join('');
}

/** `CONFIG GET` answers `[name, value]` (an object on some clients): the value. */
export function configValue(reply: unknown): string | undefined {
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : undefined;
  if (reply && typeof reply === 'object') {
    const value = Object.values(reply)[0];
    return value === undefined ? undefined : String(value);
  }
  return undefined;
}
