/**
 * The frequency cap's part of the Redis state: each send row (sending or sent) is a member of
 * `cap:<address>`, a sorted set by when it was due (state-store-redis-lua.ts keeps it as rows are
 * created, fail or are sent). `RECORD_CAPPED` counts and records in one script, which Redis runs
 * whole: two workers never exceed the cap.
 */
import type { Redis } from 'ioredis';
import { normalizeAddress, type SentEmail } from '../plan/recipient-state.js';
import { COMMON } from './state-store-redis-lua.js';
import type { NewSend, PlannedSend, RecordedCapped } from './state-store.js';

/**
 * ARGV: prefix, JSON [{id, loop, step, key, recipient, payload, failure, request, address, due}],
 * emails, per (ms). Per row, in order: an id recorded already is left as it is; else it is created
 * only while its address has fewer than `emails` rows due after its due minus `per`. JSON {created,
 * earlier, capped: [[id, the latest row in the window]]}.
 */
export const RECORD_CAPPED = `${COMMON}
local rows = cjson.decode(ARGV[2])
local emails, per = tonumber(ARGV[3]), tonumber(ARGV[4])
local created, earlier, capped = {}, {}, {}
local t = now_ms()
for _, r in ipairs(rows) do
  local existing = redis.call('HGET', P .. 'send:' .. r.id, 'state')
  if existing then
    if existing == 'sending' then table.insert(earlier, r.id) end
  else
    local due = t
    if r.due ~= '' then due = tonumber(r.due) end
    local window = P .. 'cap:' .. r.address
    local from = '(' .. string.format('%d', due - per)
    if redis.call('ZCOUNT', window, from, '+inf') >= emails then
      local last = redis.call('ZREVRANGEBYSCORE', window, '+inf', from, 'LIMIT', 0, 1)
      table.insert(capped, { r.id, last[1] or '' })
    else
      create_send(r, t)
      table.insert(created, { r.id, r.failure })
    end
  end
end
return cjson.encode({ created = created, earlier = earlier, capped = capped })
`;

/** A row's cap fields as the scripts take them: the normalised address and the due time (ms, '' for now). */
export function capFields(send: Pick<NewSend, 'recipient' | 'dueAt'>): { address: string; due: string } {
  return { address: normalizeAddress(send.recipient), due: send.dueAt ? String(send.dueAt.getTime()) : '' };
}

/** cjson writes an empty table as an object. */
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Rows per script call (each carries its HTML; a script holds Redis while it runs). */
const PAGE = 100;

/** A planned send as the recording scripts take it (RECORD_PLANNED, RECORD_CAPPED): strings, '' for none. */
export function plannedRow(s: PlannedSend) {
  return {
    id: s.emailId,
    loop: s.loop,
    step: s.step,
    key: s.key,
    recipient: s.recipient,
    payload: s.payload ? JSON.stringify(s.payload) : '',
    failure: s.failure ?? '',
    request: s.request ?? '',
    ...capFields(s),
  };
}

/** `RunStateStore.recordCapped` on Redis: pages of rows through RECORD_CAPPED (`call` runs it with the prefix). */
export async function recordCappedRedis(
  call: (...args: (string | number)[]) => Promise<unknown>,
  sends: PlannedSend[],
  cap: { emails: number; perMs: number },
): Promise<RecordedCapped> {
  const result: RecordedCapped = { created: [], earlierSending: [], capped: [] };
  for (let i = 0; i < sends.length; i += PAGE) {
    const rows = sends.slice(i, i + PAGE).map(plannedRow);
    const page = JSON.parse(String(await call(JSON.stringify(rows), cap.emails, Math.round(cap.perMs)))) as Record<string, unknown>;
    for (const [emailId, failure] of list<[string, string]>(page.created)) result.created.push({ emailId, failure: failure || null });
    result.earlierSending.push(...list<string>(page.earlier));
    for (const [emailId, takenBy] of list<[string, string]>(page.capped)) result.capped.push({ emailId, takenBy: takenBy || null });
  }
  return result;
}

/** `RecipientState.sentSince` on Redis: one range of each address's `cap:` set, pipelined. */
export async function sentSinceRedis(redis: Redis, prefix: string, input: { addresses: readonly string[]; since: Date }): Promise<Map<string, SentEmail[]>> {
  const found = new Map<string, SentEmail[]>();
  const addresses = [...new Set(input.addresses.map(normalizeAddress))];
  for (let i = 0; i < addresses.length; i += 1000) {
    const page = addresses.slice(i, i + 1000);
    const pipeline = redis.pipeline();
    for (const address of page) pipeline.zrangebyscore(`${prefix}cap:${address}`, input.since.getTime(), '+inf', 'WITHSCORES');
    const answers = (await pipeline.exec()) ?? [];
    answers.forEach(([error, value], j) => {
      if (error) throw error;
      const flat = value as string[];
      if (!flat.length) return;
      const sent: SentEmail[] = [];
      for (let k = 0; k < flat.length; k += 2) sent.push({ id: flat[k]!, at: new Date(Number(flat[k + 1])) });
      found.set(page[j]!, sent);
    });
  }
  return found;
}
