/**
 * The Redis state store's decisions, one Lua script each: Redis runs a script whole, with no
 * other command in between, so a read and the write it decides are one atomic step (two workers
 * claiming one row both count an attempt; only the first to settle it changes it). Every script
 * takes the key prefix first (ARGV[1]); the keys are (state-store-redis.ts):
 *   send:<email id>       hash: loop, step, key, recipient, state, attempts, payload, request,
 *                         last_error, provider_id, created_at, sent_at (ms of the server's clock),
 *                         address (normalised), due (ms: when it was due, the run's clock)
 *   cap:<address>         sorted set: the address's rows sending or sent, by due (the frequency cap)
 *   request:<key>         set: the 'sending' rows of a request
 *   recorded:<loop>       set: the loop's 'sending' rows with a request (the orphan sweep's)
 *   spent:<loop>          sorted set: rows the hourly cap counts, by when (sent, or recorded and tried)
 *   sends-count:<loop>    hash '<step>:<state>' → rows, for `skene status`
 *   sends-failed          set: failed rows (their errors, for `skene status`)
 *   progress:<row>        hash: subject, loop, step, key, state, reason, occurred_at, deadline,
 *                         checks, next_check_at, updated_at; <row> is JSON [loop, step, subject]
 *   due:<loop>            sorted set: waiting rows by next check
 *   progress-count:<loop> hash '<step>:<state>' → rows
 *   progress-failed       set: failed progress rows
 *   loops                 set: loops with rows;   started: set by the first runner
 *   cursors               hash: schedule and resume cursors (ms);   positions: hash
 *   paused                hash loop → JSON {reason, since}
 *   providers             hash: provider id → email id (consent: state-store-redis-consent.ts)
 * Absent values travel as '' (cjson's null is not nil, so '' is plainer).
 */

export const COMMON = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function count(kind, loop, step, state, by)
  redis.call('HINCRBY', P .. kind .. '-count:' .. loop, step .. ':' .. state, by)
end
-- Moves a send row to state 'to', its indexes with it ('at': when it was sent).
local function move_send(id, to, at)
  local k = P .. 'send:' .. id
  local f = redis.call('HMGET', k, 'loop', 'step', 'state', 'request')
  local loop, step, from, req = f[1], f[2], f[3], f[4]
  count('sends', loop, step, from, -1)
  count('sends', loop, step, to, 1)
  redis.call('HSET', k, 'state', to)
  if from == 'sending' and req then
    redis.call('SREM', P .. 'request:' .. req, id)
    redis.call('SREM', P .. 'recorded:' .. loop, id)
  end
  if to == 'failed' then
    redis.call('SADD', P .. 'sends-failed', id)
    redis.call('ZREM', P .. 'spent:' .. loop, id)
  else
    redis.call('SREM', P .. 'sends-failed', id)
    redis.call('ZADD', P .. 'spent:' .. loop, at, id)
  end
  -- The frequency cap counts rows sending or sent, by when they were due.
  local cap = redis.call('HMGET', k, 'address', 'due')
  if cap[1] then
    if to == 'failed' then redis.call('ZREM', P .. 'cap:' .. cap[1], id) else redis.call('ZADD', P .. 'cap:' .. cap[1], cap[2], id) end
  end
end
-- Creates a send row (absent before) from a record's fields; 't' is now.
local function create_send(r, t)
  local k = P .. 'send:' .. r.id
  local state = 'sending'
  if r.failure ~= '' then state = 'failed' end
  local due = t
  if r.due ~= '' then due = tonumber(r.due) end
  redis.call('HSET', k, 'loop', r.loop, 'step', r.step, 'key', r.key, 'recipient', r.recipient, 'state', state, 'attempts', 0, 'created_at', t,
    'address', r.address, 'due', due)
  if r.payload ~= '' then redis.call('HSET', k, 'payload', r.payload) end
  if r.request ~= '' then redis.call('HSET', k, 'request', r.request) end
  redis.call('SADD', P .. 'loops', r.loop)
  count('sends', r.loop, r.step, state, 1)
  if state == 'failed' then
    redis.call('HSET', k, 'last_error', r.failure)
    redis.call('SADD', P .. 'sends-failed', r.id)
  else
    redis.call('ZADD', P .. 'cap:' .. r.address, due, r.id)
    if r.request ~= '' then
      redis.call('SADD', P .. 'request:' .. r.request, r.id)
      redis.call('SADD', P .. 'recorded:' .. r.loop, r.id)
    end
  end
end
-- Counts an attempt on a 'sending' row; its fields, or nil when it is settled or absent.
local function claim(id)
  local k = P .. 'send:' .. id
  local f = redis.call('HMGET', k, 'state', 'loop', 'created_at', 'key', 'recipient', 'payload')
  if f[1] ~= 'sending' then return nil end
  local attempts = redis.call('HINCRBY', k, 'attempts', 1)
  -- Tried: the hourly cap counts it from when it was recorded, until it is sent or failed.
  redis.call('ZADD', P .. 'spent:' .. f[2], f[3], id)
  return { id = id, key = f[4], recipient = f[5], payload = f[6] or '', attempts = attempts }
end
`;

/** ARGV: prefix, JSON [{id, loop, step, key, recipient, payload, failure, request, address, due}]. Creates absent rows only. */
export const RECORD = `${COMMON}
local rows = cjson.decode(ARGV[2])
local created, earlier = {}, {}
local t = now_ms()
for _, r in ipairs(rows) do
  local existing = redis.call('HGET', P .. 'send:' .. r.id, 'state')
  if existing then
    if existing == 'sending' then table.insert(earlier, r.id) end
  else
    create_send(r, t)
    table.insert(created, { r.id, r.failure })
  end
end
return cjson.encode({ created = created, earlier = earlier })
`;

/** ARGV: prefix, email id. JSON of the claimed row, or '' when it is settled or absent. */
export const CLAIM_ONE = `${COMMON}
local row = claim(ARGV[2])
if not row then return '' end
return cjson.encode(row)
`;

/** ARGV: prefix, request key. JSON [claimed rows] of the request's 'sending' members. */
export const CLAIM_REQUEST = `${COMMON}
local claimed = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'request:' .. ARGV[2])) do
  local row = claim(id)
  if row then table.insert(claimed, row) end
end
return cjson.encode(claimed)
`;

/**
 * ARGV: prefix, mode, JSON [[id, value]]. Modes: 'sent' (value: provider id) from 'sending';
 * 'sent-any' from 'sending' or 'failed'; 'failed' (value: reason) from 'sending'; 'note'
 * (value: reason) on 'sending' rows, state unchanged. Returns how many rows changed state.
 */
export const SETTLE = `${COMMON}
local mode = ARGV[2]
local changed = 0
local t = now_ms()
for _, e in ipairs(cjson.decode(ARGV[3])) do
  local id, value = e[1], e[2]
  local k = P .. 'send:' .. id
  local state = redis.call('HGET', k, 'state')
  if mode == 'note' then
    if state == 'sending' then redis.call('HSET', k, 'last_error', value) end
  elseif mode == 'failed' then
    if state == 'sending' then
      move_send(id, 'failed', t)
      redis.call('HSET', k, 'last_error', value)
      changed = changed + 1
    end
  elseif state == 'sending' or (mode == 'sent-any' and state == 'failed') then
    move_send(id, 'sent', t)
    redis.call('HSET', k, 'sent_at', t)
    redis.call('HDEL', k, 'last_error')
    if value ~= '' then
      redis.call('HSET', k, 'provider_id', value)
      -- Resend's webhooks name the email by this id (state-store-redis-consent.ts).
      redis.call('HSET', P .. 'providers', value, id)
    else
      redis.call('HDEL', k, 'provider_id')
    end
    changed = changed + 1
  end
end
return changed
`;

/** ARGV: prefix, loop, max attempts. Fails the loop's recorded 'sending' rows claimed that often. */
export const GIVE_UP = `${COMMON}
local changed = 0
for _, id in ipairs(redis.call('SMEMBERS', P .. 'recorded:' .. ARGV[2])) do
  local k = P .. 'send:' .. id
  local f = redis.call('HMGET', k, 'state', 'attempts', 'last_error')
  if f[1] == 'sending' and tonumber(f[2]) >= tonumber(ARGV[3]) then
    move_send(id, 'failed', 0)
    redis.call('HSET', k, 'last_error', 'gave up after ' .. f[2] .. ' attempts, never settled: ' .. (f[3] or 'no answer recorded'))
    changed = changed + 1
  end
end
return changed
`;

/** ARGV: prefix, loop, resume cursor name. The loop's sends since the later of an hour ago and its last resume. */
export const SENDS_IN_HOUR = `${COMMON}
local key = P .. 'spent:' .. ARGV[2]
local hour_ago = now_ms() - 3600000
-- Older entries can never count again: every later window starts later.
redis.call('ZREMRANGEBYSCORE', key, '-inf', hour_ago)
local since = '(' .. hour_ago
local resumed = tonumber(redis.call('HGET', P .. 'cursors', ARGV[3]) or '')
-- From the resume on, its own millisecond included: a send settled in it is a send after it.
if resumed and resumed > hour_ago then since = resumed end
return redis.call('ZCOUNT', key, since, '+inf')
`;

/**
 * ARGV: prefix, row id, JSON {subject, loop, step, key, state, reason, occurred_at, deadline,
 * checks, next_check_at} (times in ms, '' when absent). A row at an end is left as it is.
 */
export const SET_PROGRESS = `${COMMON}
local row = ARGV[2]
local u = cjson.decode(ARGV[3])
local k = P .. 'progress:' .. row
local old = redis.call('HGET', k, 'state')
if old and old ~= 'waiting' then return 0 end
redis.call('HSET', k, 'subject', u.subject, 'loop', u.loop, 'step', u.step, 'state', u.state, 'reason', u.reason, 'checks', u.checks, 'updated_at', now_ms())
for _, field in ipairs({ 'key', 'occurred_at', 'deadline' }) do
  if u[field] ~= '' then redis.call('HSET', k, field, u[field]) end
end
if u.next_check_at ~= '' then redis.call('HSET', k, 'next_check_at', u.next_check_at) else redis.call('HDEL', k, 'next_check_at') end
if old then count('progress', u.loop, u.step, old, -1) end
count('progress', u.loop, u.step, u.state, 1)
redis.call('SADD', P .. 'loops', u.loop)
if u.state == 'failed' then redis.call('SADD', P .. 'progress-failed', row) end
if u.state == 'waiting' and u.next_check_at ~= '' then
  redis.call('ZADD', P .. 'due:' .. u.loop, u.next_check_at, row)
else
  redis.call('ZREM', P .. 'due:' .. u.loop, row)
end
return 1
`;

/** ARGV: prefix, cursor name, ms. Moves the cursor forward only. */
export const ADVANCE_CURSOR = `${COMMON}
local current = tonumber(redis.call('HGET', P .. 'cursors', ARGV[2]) or '')
if not current or current < tonumber(ARGV[3]) then redis.call('HSET', P .. 'cursors', ARGV[2], ARGV[3]) end
return 1
`;

/** ARGV: prefix, loop, reason. */
export const PAUSE = `${COMMON}
redis.call('HSET', P .. 'paused', ARGV[2], cjson.encode({ reason = ARGV[3], since = now_ms() }))
return 1
`;

/** ARGV: prefix, loop, resume cursor name. The pause cleared (JSON), or '' when the loop was not paused. */
export const RESUME = `${COMMON}
local paused = redis.call('HGET', P .. 'paused', ARGV[2])
if not paused then return '' end
redis.call('HDEL', P .. 'paused', ARGV[2])
redis.call('HSET', P .. 'cursors', ARGV[3], now_ms())
return paused
`;
