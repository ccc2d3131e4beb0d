/**
 * The runner's state in Redis, beside BullMQ's jobs: for Redis and Upstash users, and anyone who
 * names a `redis://` state URL. Each decision is a Lua script (state-store-redis-lua.ts), atomic
 * as PostgreSQL's statements are; reads that decide nothing are plain commands. All keys live
 * under one prefix with a hash tag (`skene:{state}:` by default), so a cluster keeps them in one
 * slot, where a script may use them together. Times are the Redis server's clock.
 */
import type { Redis } from 'ioredis';
import { resumeCursor } from './cap.js';
import { redisGoalStore } from './goal-store-redis.js';
import type { OutgoingEmail } from './sender.js';
import * as lua from './state-store-redis-lua.js';
import { redisConsent } from './state-store-redis-consent.js';
import { capFields, plannedRow, recordCappedRedis, RECORD_CAPPED, sentSinceRedis } from './state-store-redis-cap.js';
import type { ClaimedSend, DueCheck, ProgressState, RunStateStore, SendState, StateCounts, StepCount } from './state-store.js';

export const DEFAULT_STATE_PREFIX = 'skene:{state}:';

/** Rows per script call when recording an occurrence: a script holds Redis while it runs, and each row carries its HTML. */
const RECORD_PAGE = 100;
const DUE_LIMIT = 10_000;

const SCRIPTS = {
  skeneRecord: lua.RECORD,
  skeneRecordCapped: RECORD_CAPPED,
  skeneClaimOne: lua.CLAIM_ONE,
  skeneClaimRequest: lua.CLAIM_REQUEST,
  skeneSettle: lua.SETTLE,
  skeneGiveUp: lua.GIVE_UP,
  skeneSendsInHour: lua.SENDS_IN_HOUR,
  skeneSetProgress: lua.SET_PROGRESS,
  skeneAdvanceCursor: lua.ADVANCE_CURSOR,
  skenePause: lua.PAUSE,
  skeneResume: lua.RESUME,
};
type ScriptName = keyof typeof SCRIPTS;

interface ClaimedRow {
  id: string;
  key: string;
  recipient: string;
  payload: string;
  attempts: number;
}

/** cjson writes an empty table as an object. */
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const payloadOf = (text: string | null | undefined): OutgoingEmail | null => (text ? (JSON.parse(text) as OutgoingEmail) : null);
const dateOf = (ms: string | null | undefined): Date | null => (ms ? new Date(Number(ms)) : null);
const msOf = (date: Date | undefined): string => (date ? String(date.getTime()) : '');

/** A progress row's id: its primary key, unambiguous whatever the loop id holds. */
export function progressRowId(loop: string, step: number, subject: string): string {
  return JSON.stringify([loop, step, subject]);
}

/** The runner's state on an ioredis connection, under `prefix` (default DEFAULT_STATE_PREFIX). */
export function redisStateStore(redis: Redis, prefix = DEFAULT_STATE_PREFIX): RunStateStore {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua: script });
  }
  const run = async (name: ScriptName, ...args: (string | number)[]): Promise<unknown> =>
    (redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name](prefix, ...args);
  const key = (...parts: string[]) => prefix + parts.join('');
  const settle = async (mode: string, entries: [string, string][]) => (entries.length ? Number(await run('skeneSettle', mode, JSON.stringify(entries))) : 0);
  const hmgets = async (keys: string[], fields: string[]): Promise<(string | null)[][]> => {
    if (!keys.length) return [];
    const pipeline = redis.pipeline();
    for (const k of keys) pipeline.hmget(k, ...fields);
    const answers = (await pipeline.exec()) ?? [];
    return answers.map(([error, value]) => {
      if (error) throw error;
      return value as (string | null)[];
    });
  };
  const record = async (rows: object[]) => JSON.parse(String(await run('skeneRecord', JSON.stringify(rows)))) as { created: unknown; earlier: unknown };

  const store: RunStateStore = {
    ensure: async () => void (await redis.set(key('started'), '1')),
    goals: redisGoalStore(redis, prefix),

    async recordSend(send) {
      const payload = send.payload ? JSON.stringify(send.payload) : '';
      await record([
        { id: send.emailId, loop: send.loop, step: send.step, key: send.key, recipient: send.recipient, payload, failure: '', request: '', ...capFields(send) },
      ]);
    },

    async recordPlanned(sends) {
      const result = { created: [] as { emailId: string; failure: string | null }[], earlierSending: [] as string[] };
      for (let i = 0; i < sends.length; i += RECORD_PAGE) {
        const rows = sends.slice(i, i + RECORD_PAGE).map(plannedRow);
        const page = await record(rows);
        for (const [emailId, failure] of list<[string, string]>(page.created)) result.created.push({ emailId, failure: failure || null });
        result.earlierSending.push(...list<string>(page.earlier));
      }
      return result;
    },

    recordCapped: (sends, cap) => recordCappedRedis((...args) => run('skeneRecordCapped', ...args), sends, cap),
    sentSince: (input) => sentSinceRedis(redis, prefix, input),

    async claimSend(emailId) {
      const answer = String(await run('skeneClaimOne', emailId));
      if (!answer) return undefined;
      const row = JSON.parse(answer) as ClaimedRow;
      return { attempts: row.attempts, payload: payloadOf(row.payload) };
    },

    async claimRequest(request) {
      const rows = list<ClaimedRow>(JSON.parse(String(await run('skeneClaimRequest', request))));
      return rows.map((r): ClaimedSend => ({ emailId: r.id, key: r.key, recipient: r.recipient, payload: payloadOf(r.payload), attempts: r.attempts }));
    },

    async sendState(emailId) {
      return ((await redis.hget(key('send:', emailId), 'state')) ?? undefined) as SendState | undefined;
    },

    async requestsOf(emailIds) {
      const rows = await hmgets(
        emailIds.map((id) => key('send:', id)),
        ['state', 'request'],
      );
      return new Map(emailIds.flatMap((id, i) => (rows[i]![0] === 'sending' && rows[i]![1] ? [[id, rows[i]![1]] as [string, string]] : [])));
    },

    settleSent: (sent, options = {}) =>
      settle(
        options.fromFailed ? 'sent-any' : 'sent',
        sent.map((s) => [s.emailId, s.providerId ?? '']),
      ),
    settleFailed: (failed) =>
      settle(
        'failed',
        failed.map((f) => [f.emailId, f.reason]),
      ),
    noteSendError: async (emailIds, reason) =>
      void (await settle(
        'note',
        emailIds.map((id) => [id, reason]),
      )),

    async countSending(emailIds) {
      const rows = await hmgets(
        emailIds.map((id) => key('send:', id)),
        ['state'],
      );
      return rows.filter((r) => r[0] === 'sending').length;
    },

    sendsInHour: async (loop) => Number(await run('skeneSendsInHour', loop, resumeCursor(loop))),
    giveUpRecorded: async (loop, maxAttempts) => Number(await run('skeneGiveUp', loop, maxAttempts)),

    async unsettledRecorded(loop) {
      const ids = await redis.smembers(key('recorded:', loop));
      const rows = await hmgets(
        ids.map((id) => key('send:', id)),
        ['state', 'step', 'attempts'],
      );
      return ids
        .flatMap((emailId, i) => (rows[i]![0] === 'sending' ? [{ emailId, step: Number(rows[i]![1]), attempts: Number(rows[i]![2]) }] : []))
        .sort((a, b) => a.step - b.step || (a.emailId < b.emailId ? -1 : a.emailId > b.emailId ? 1 : 0));
    },

    async setProgress(u) {
      const update = {
        subject: u.subject,
        loop: u.loop,
        step: u.step,
        key: u.key ?? '',
        state: u.state,
        reason: u.reason,
        occurred_at: msOf(u.occurredAt),
        deadline: msOf(u.deadline),
        checks: u.checks ?? 0,
        next_check_at: msOf(u.nextCheckAt),
      };
      await run('skeneSetProgress', progressRowId(u.loop, u.step, u.subject), JSON.stringify(update));
    },

    async progressState(subject, loop, step) {
      return ((await redis.hget(key('progress:', progressRowId(loop, step, subject)), 'state')) ?? undefined) as ProgressState | undefined;
    },

    async dueChecks(at, loops) {
      const due: { row: string; at: number }[] = [];
      for (const loop of loops) {
        const flat = await redis.zrangebyscore(key('due:', loop), '-inf', at.getTime(), 'WITHSCORES', 'LIMIT', 0, DUE_LIMIT);
        for (let i = 0; i < flat.length; i += 2) due.push({ row: flat[i]!, at: Number(flat[i + 1]) });
      }
      due.sort((a, b) => a.at - b.at);
      const picked = due.slice(0, DUE_LIMIT);
      const rows = await hmgets(
        picked.map((d) => key('progress:', d.row)),
        ['state', 'subject', 'loop', 'step', 'key', 'occurred_at', 'checks'],
      );
      return rows.flatMap(([state, subject, loop, step, k, occurred, checks]): DueCheck[] =>
        state === 'waiting'
          ? [{ subject: subject!, loop_id: loop!, step: Number(step), key: k ?? null, occurred_at: dateOf(occurred), checks: Number(checks) }]
          : [],
      );
    },

    async scheduleCursor(name) {
      return dateOf(await redis.hget(key('cursors'), name)) ?? undefined;
    },
    advanceScheduleCursor: async (name, firedAt) => void (await run('skeneAdvanceCursor', name, firedAt.getTime())),

    positions: {
      get: async (name) => (await redis.hget(key('positions'), name)) ?? undefined,
      set: async (name, value) => void (await redis.hset(key('positions'), name, value)),
    },

    async pausedLoops() {
      const all = await redis.hgetall(key('paused'));
      return new Map(Object.entries(all).map(([loop, text]) => [loop, pauseOf(text)]));
    },
    pauseLoop: async (loop, reason) => void (await run('skenePause', loop, reason)),
    async resumeLoop(loop) {
      const was = String(await run('skeneResume', loop, resumeCursor(loop)));
      return was ? pauseOf(was) : undefined;
    },

    statusCounts: () => statusCounts({ redis, key, hmgets, pausedLoops: () => store.pausedLoops() }),
    ...redisConsent(redis, prefix),
  };
  return store;
}

function pauseOf(text: string): { reason: string; since: Date } {
  const { reason, since } = JSON.parse(text) as { reason: string; since: number };
  return { reason, since: new Date(since) };
}

interface StatusReader {
  redis: Redis;
  key: (...parts: string[]) => string;
  hmgets: (keys: string[], fields: string[]) => Promise<(string | null)[][]>;
  pausedLoops: RunStateStore['pausedLoops'];
}

/** `skene status`'s counts from the count hashes, and the failed rows (few) for errors and evaluation failures. */
async function statusCounts({ redis, key, hmgets, pausedLoops }: StatusReader): Promise<StateCounts | undefined> {
  if (!(await redis.exists(key('started')))) return undefined;
  const loops = await redis.smembers(key('loops'));
  const counted = async (kind: string, keep: (state: string) => boolean): Promise<StepCount[]> => {
    const out: StepCount[] = [];
    for (const loop of loops) {
      for (const [field, n] of Object.entries(await redis.hgetall(key(`${kind}-count:`, loop)))) {
        const [step, state] = field.split(':') as [string, string];
        if (Number(n) > 0 && keep(state)) out.push({ loop, step: Number(step), state, n: Number(n) });
      }
    }
    return out;
  };
  const sends = await counted('sends', () => true);
  const progress = await counted('progress', (state) => state !== 'done' && state !== 'failed');
  const failedSends = (
    await hmgets(
      (await redis.smembers(key('sends-failed'))).map((id) => key('send:', id)),
      ['loop', 'step', 'key', 'last_error', 'created_at', 'state'],
    )
  ).filter((r) => r[5] === 'failed');
  const failedProgress = (
    await hmgets(
      (await redis.smembers(key('progress-failed'))).map((row) => key('progress:', row)),
      ['loop', 'step', 'subject', 'key', 'reason', 'updated_at'],
    )
  ).map(([loop, step, subject, k, reason, at]) => ({ loop: loop!, step: Number(step), subject: subject!, key: k, reason: reason!, at: Number(at) }));
  const failedKeys = new Set(failedSends.map(([loop, step, k]) => JSON.stringify([loop, Number(step), k])));
  const evaluationFailures = new Map<string, StepCount>();
  for (const p of failedProgress) {
    if (p.subject.startsWith('chunk:') || (p.key !== null && failedKeys.has(JSON.stringify([p.loop, p.step, p.key])))) continue;
    const id = JSON.stringify([p.loop, p.step]);
    const entry = evaluationFailures.get(id) ?? { loop: p.loop, step: p.step, state: 'failed', n: 0 };
    entry.n++;
    evaluationFailures.set(id, entry);
  }
  // The latest error per loop and step, as PostgreSQL's DISTINCT ON … ORDER BY at DESC picks it.
  const latest = new Map<string, { loop: string; step: number; error: string; at: number }>();
  const candidates = [
    ...failedSends.map(([loop, step, , error, at]) => ({ loop: loop!, step: Number(step), error: error ?? '', at: Number(at) })),
    ...failedProgress.map((p) => ({ loop: p.loop, step: p.step, error: p.reason, at: p.at })),
  ];
  for (const c of candidates) {
    const id = JSON.stringify([c.loop, c.step]);
    if ((latest.get(id)?.at ?? -Infinity) < c.at) latest.set(id, c);
  }
  const paused = [...(await pausedLoops())].map(([loop, p]) => ({ loop, ...p }));
  return {
    sends,
    progress,
    evaluationFailures: [...evaluationFailures.values()],
    errors: [...latest.values()].map(({ loop, step, error }) => ({ loop, step, error })),
    paused,
  };
}
