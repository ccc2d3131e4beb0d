/**
 * The goal rows (goal-store.ts) in Redis, under the state's prefix (state-store-redis.ts). Every
 * change of state is one Lua script, so a row leaves 'checking' once however many workers check
 * it. Keys:
 *   goal:<email id>            hash: loop, step, user_key, within_ms, state, sent_at, deadline,
 *                              checks, next_check_at, converted_at (ms of the run's clock)
 *   goal-due:<loop>            sorted set: 'checking' rows by next check
 *   goal-count:<loop>          hash '<step>:<state>' → rows, for `skene status`
 *   goal-times:<loop>:<step>   sorted set: converted rows by time to convert (the median's)
 *   goal-loops                 set: loops with goal rows
 */
import type { Redis } from 'ioredis';
import { median, type DueGoal, type GoalCount, type GoalStore } from './goal-store.js';

const COMMON = `
local P = ARGV[1]
local function count(loop, step, state, by)
  redis.call('HINCRBY', P .. 'goal-count:' .. loop, step .. ':' .. state, by)
end
`;

/** ARGV[2]: JSON [[id, loop, step, user_key, within_ms], …]. A row that exists is left as it is. */
const TRACK = `${COMMON}
for _, g in ipairs(cjson.decode(ARGV[2])) do
  local k = P .. 'goal:' .. g[1]
  if redis.call('EXISTS', k) == 0 then
    redis.call('HSET', k, 'loop', g[2], 'step', g[3], 'user_key', g[4], 'within_ms', g[5], 'state', 'unsent', 'checks', 0)
    redis.call('SADD', P .. 'goal-loops', g[2])
    count(g[2], g[3], 'unsent', 1)
  end
end
return 0`;

/** ARGV[2]: JSON [id, …]; ARGV[3]: when they were sent (ms). Only 'unsent' rows are armed. */
const SENT = `${COMMON}
local at = tonumber(ARGV[3])
for _, id in ipairs(cjson.decode(ARGV[2])) do
  local k = P .. 'goal:' .. id
  local f = redis.call('HMGET', k, 'state', 'loop', 'step', 'within_ms')
  if f[1] == 'unsent' then
    redis.call('HSET', k, 'state', 'checking', 'sent_at', at, 'deadline', at + tonumber(f[4]), 'next_check_at', at)
    redis.call('ZADD', P .. 'goal-due:' .. f[2], at, id)
    count(f[2], f[3], 'unsent', -1)
    count(f[2], f[3], 'checking', 1)
  end
end
return 0`;

/** ARGV[2]: JSON [[id, state, ms], …]. Only 'checking' rows change; returns how many were settled. */
const UPDATE = `${COMMON}
local settled = 0
for _, u in ipairs(cjson.decode(ARGV[2])) do
  local id, to, at = u[1], u[2], tonumber(u[3])
  local k = P .. 'goal:' .. id
  local f = redis.call('HMGET', k, 'state', 'loop', 'step', 'sent_at')
  if f[1] == 'checking' then
    redis.call('HINCRBY', k, 'checks', 1)
    if to == 'checking' then
      redis.call('HSET', k, 'next_check_at', at)
      redis.call('ZADD', P .. 'goal-due:' .. f[2], at, id)
    else
      redis.call('HSET', k, 'state', to)
      redis.call('HDEL', k, 'next_check_at')
      redis.call('ZREM', P .. 'goal-due:' .. f[2], id)
      count(f[2], f[3], 'checking', -1)
      count(f[2], f[3], to, 1)
      if to == 'converted' then
        redis.call('HSET', k, 'converted_at', at)
        redis.call('ZADD', P .. 'goal-times:' .. f[2] .. ':' .. f[3], math.max(0, at - tonumber(f[4])), id)
      end
      settled = settled + 1
    end
  end
end
return settled`;

const SCRIPTS = { skeneGoalTrack: TRACK, skeneGoalSent: SENT, skeneGoalUpdate: UPDATE };
type ScriptName = keyof typeof SCRIPTS;

export function redisGoalStore(redis: Redis, prefix: string): GoalStore {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua: script });
  }
  const run = (name: ScriptName, ...args: (string | number)[]) =>
    (redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name](prefix, ...args);
  const key = (...parts: string[]) => prefix + parts.join('');
  return {
    async track(goals) {
      if (goals.length) await run('skeneGoalTrack', JSON.stringify(goals.map((g) => [g.emailId, g.loop, g.step, g.userKey, g.withinMs])));
    },

    async sent(emailIds, sentAt) {
      if (emailIds.length) await run('skeneGoalSent', JSON.stringify(emailIds), sentAt.getTime());
    },

    async due(at, loops, limit) {
      const ids: { id: string; score: number }[] = [];
      for (const loop of loops) {
        const found = await redis.zrangebyscore(key('goal-due:', loop), '-inf', at.getTime(), 'WITHSCORES', 'LIMIT', 0, limit);
        for (let i = 0; i + 1 < found.length; i += 2) ids.push({ id: found[i]!, score: Number(found[i + 1]) });
      }
      ids.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const chosen = ids.slice(0, limit);
      if (!chosen.length) return [];
      const pipeline = redis.pipeline();
      for (const { id } of chosen) pipeline.hmget(key('goal:', id), 'loop', 'step', 'user_key', 'sent_at', 'deadline', 'checks', 'state');
      const rows = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return value as (string | null)[];
      });
      return chosen.flatMap(({ id }, i): DueGoal[] => {
        const [loop, step, userKey, sentAt, deadline, checks, state] = rows[i]!;
        if (state !== 'checking') return [];
        return [
          {
            emailId: id,
            loop: loop!,
            step: Number(step),
            userKey: userKey!,
            sentAt: new Date(Number(sentAt)),
            deadline: new Date(Number(deadline)),
            checks: Number(checks),
          },
        ];
      });
    },

    async update(updates) {
      if (!updates.length) return 0;
      const rows = updates.map((u) => [
        u.emailId,
        u.state,
        u.state === 'converted' ? u.convertedAt.getTime() : u.state === 'checking' ? u.nextCheckAt.getTime() : 0,
      ]);
      return Number(await run('skeneGoalUpdate', JSON.stringify(rows)));
    },

    async counts() {
      const out: GoalCount[] = [];
      for (const loop of (await redis.smembers(key('goal-loops'))).sort()) {
        const steps = new Map<number, Record<string, number>>();
        for (const [field, n] of Object.entries(await redis.hgetall(key('goal-count:', loop)))) {
          const [step, state] = field.split(':') as [string, string];
          const entry = steps.get(Number(step)) ?? {};
          entry[state] = Number(n);
          steps.set(Number(step), entry);
        }
        for (const [step, c] of [...steps].sort((a, b) => a[0] - b[0])) {
          const tracked = (c.checking ?? 0) + (c.converted ?? 0) + (c['not-converted'] ?? 0);
          if (!tracked) continue;
          // The middle one or two times, by rank: the median without reading every time.
          const times = key('goal-times:', loop, ':', String(step));
          const n = await redis.zcard(times);
          const middle = n
            ? (await redis.zrange(times, String(Math.floor((n - 1) / 2)), String(Math.floor(n / 2)), 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number)
            : [];
          const mid = median(middle);
          out.push({
            loop,
            step,
            tracked,
            converted: c.converted ?? 0,
            notConverted: c['not-converted'] ?? 0,
            medianMs: mid === null ? null : Math.round(mid),
          });
        }
      }
      return out;
    },
  };
}
