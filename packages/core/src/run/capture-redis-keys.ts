/**
 * What Redis capture (capture-redis.ts) decides about one hash, kept apart from the connections:
 * the seen record Skene keeps in the source Redis, the event ids, and the keyspace-notification
 * flags it needs.
 *
 * The seen record of a prefix is one hash, `skene:seen:<prefix>`, field = the hash's id. Its value
 * is `<generation>:<updates>:<digest>` while the key exists (the updates captured in this
 * generation, the digest of the content last captured) and `-<generation>` once it was deleted: a
 * key deleted and written again is a new generation, so its insert is a new event. Tombstones stay
 * (one short field per deleted key) so a generation is never handed out twice. A `!` in front marks
 * a state whose jobs may not be stored yet.
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
  /** Updates captured in this generation: the next update is `updates + 1`, so no two share an id. */
  updates: number;
  /** Undefined: deleted (a tombstone). */
  digest?: string;
  /**
   * Written before the events' jobs are stored (`!` in front): whoever reads it next stores this
   * state's events again (same ids, so decided once) before deciding anything newer. A crash
   * between deciding and storing therefore loses nothing.
   */
  pending?: boolean;
}

export function parseSeen(value: string | null | undefined): Seen | undefined {
  if (!value) return undefined;
  const pending = value.startsWith('!');
  const text = pending ? value.slice(1) : value;
  const flag = pending ? { pending } : {};
  if (text.startsWith('-')) {
    const generation = Number(text.slice(1));
    return Number.isSafeInteger(generation) && generation > 0 ? { generation, updates: 0, ...flag } : undefined;
  }
  // `<generation>:<updates>:<digest>`; records written before the counter are `<generation>:<digest>`.
  const parts = text.split(':');
  const generation = Number(parts[0]);
  const updates = parts.length >= 3 ? Number(parts[1]) : 0;
  if (!Number.isSafeInteger(generation) || generation <= 0 || !Number.isSafeInteger(updates) || updates < 0) return undefined;
  return { generation, updates, digest: parts.length === 1 ? '' : parts[parts.length - 1]!, ...flag };
}

export function formatSeen(seen: Seen): string {
  const state = seen.digest === undefined ? `-${seen.generation}` : `${seen.generation}:${seen.updates}:${seen.digest}`;
  return seen.pending ? `!${state}` : state;
}

/** The content's digest: the same fields and values in any order give the same digest. */
export function digestOf(fields: Record<string, string>): string {
  const entries = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 32);
}

export interface DecidedEvent {
  op: CaptureOp;
  eventId: string;
}

export interface Decision {
  /** In the order they happened (a delete before the insert that re-created the hash). */
  events: DecidedEvent[];
  /** The seen record's new value, when it changes. */
  next?: Seen;
}

export interface DecideInput {
  prefix: string;
  id: string;
  seen: Seen | undefined;
  /** Undefined: the key does not exist (or is not a hash, which is not a row). */
  fields: Record<string, string> | undefined;
  /** A notification said the key was deleted, expired or renamed away since it was last read. */
  gone?: boolean;
}

const deleteEvent = (prefix: string, id: string, generation: number): DecidedEvent => ({ op: 'delete', eventId: `r:${prefix}:${id}:${generation}:d` });
const insertEvent = (prefix: string, id: string, generation: number): DecidedEvent => ({ op: 'insert', eventId: `r:${prefix}:${id}:${generation}` });

/**
 * The events a recorded state stands for: the delete of a tombstone, the insert of a generation's
 * first content (with the delete of the generation before it, when there was one), or the update
 * with its number. What `decide` emits for a state is a subset of these, so re-storing them for a
 * pending record repeats ids already made and never makes a new one.
 */
export function eventsOfState(prefix: string, id: string, seen: Seen): DecidedEvent[] {
  if (seen.digest === undefined) return [deleteEvent(prefix, id, seen.generation)];
  if (seen.updates === 0) {
    const insert = insertEvent(prefix, id, seen.generation);
    return seen.generation > 1 ? [deleteEvent(prefix, id, seen.generation - 1), insert] : [insert];
  }
  return [{ op: 'update', eventId: `r:${prefix}:${id}:${seen.generation}:u:${seen.updates}:${seen.digest}` }];
}

/**
 * What a hash's current content means against the seen record. Ids depend only on the prefix, the
 * id, the generation and the update's number (the digest is kept in an update's id to read it):
 * every runner that decides from the same record makes the same id, and the compare-and-set of the
 * record lets only one of them move it on.
 */
export function decide(input: DecideInput): Decision {
  const { prefix, id, seen, fields } = input;
  const exists = seen?.digest !== undefined;
  if (!fields || Object.keys(fields).length === 0) {
    if (!exists) return { events: [] };
    return { events: [deleteEvent(prefix, id, seen!.generation)], next: { generation: seen!.generation, updates: 0 } };
  }
  const digest = digestOf(fields);
  if (!seen || !exists) {
    const next = { generation: (seen?.generation ?? 0) + 1, updates: 0, digest };
    return { events: eventsOfState(prefix, id, next).filter((e) => e.op === 'insert'), next };
  }
  if (input.gone) {
    // Deleted and written again between two reads: the old row's delete, then a new generation.
    const next = { generation: seen.generation + 1, updates: 0, digest };
    return { events: eventsOfState(prefix, id, next), next };
  }
  if (seen.digest === digest) return { events: [] };
  const next = { generation: seen.generation, updates: seen.updates + 1, digest };
  return { events: eventsOfState(prefix, id, next), next };
}

/**
 * Sets each field of a seen record only if it still holds what the runner read (`''`: absent),
 * so a slow runner never writes a stale state over a newer one. ARGV: field, expected, new, …
 * Answers 1 (set) or 0 (changed meanwhile) per field. EVAL works over Upstash's REST API too.
 */
export const COMPARE_AND_SET = `local out = {}
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i]) or ''
  if current == ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out`;

/** Notification events after which the key that is there now (if any) is a new row. */
export const GONE_EVENTS = new Set(['del', 'expired', 'evicted', 'rename_from', 'move_from']);

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
