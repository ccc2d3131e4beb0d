/**
 * Consent in the Redis state (state-store-redis.ts), under the store's prefix:
 *   suppress:<address>   hash: scope (a loop id, or `*` for every loop) → JSON {reason, source, at}
 *   providers            hash: provider id → email id (written when a send settles 'sent')
 *   send:<email id>      field delivered_at (ms), from Resend's email.delivered webhook
 * Each write is one script, so two listeners recording the same address keep one reason, and a
 * delivery is noted once. Reads of absent keys are empty: a plan reading a state no runner made
 * suppresses no one.
 */
import type { Redis } from 'ioredis';
import { normalizeAddress, type SuppressionReason } from '../plan/recipient-state.js';
import { ALL_LOOPS } from '../plan/unsubscribe-token.js';
import type { RunStateStore } from './state-store.js';

/** ARGV: prefix, address, scope, JSON entry without its time. 1 when recorded, 0 when it was already. */
const SUPPRESS = `
local t = redis.call('TIME')
local entry = cjson.decode(ARGV[4])
entry.at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('HSETNX', ARGV[1] .. 'suppress:' .. ARGV[2], ARGV[3], cjson.encode(entry))
`;

/** ARGV: prefix, provider id, ms. The email id the first time its delivery is noted, else ''. */
const DELIVERED = `
local id = redis.call('HGET', ARGV[1] .. 'providers', ARGV[2])
if not id then return '' end
if redis.call('HSETNX', ARGV[1] .. 'send:' .. id, 'delivered_at', ARGV[3]) == 0 then return '' end
return id
`;

type Scripts = { skeneSuppress(...args: string[]): Promise<number>; skeneDelivered(...args: string[]): Promise<string> };

export function redisConsent(redis: Redis, prefix: string): Pick<RunStateStore, 'suppress' | 'suppressed' | 'markDelivered'> {
  if (!('skeneSuppress' in redis)) redis.defineCommand('skeneSuppress', { numberOfKeys: 0, lua: SUPPRESS });
  if (!('skeneDelivered' in redis)) redis.defineCommand('skeneDelivered', { numberOfKeys: 0, lua: DELIVERED });
  const scripts = redis as unknown as Scripts;
  return {
    async suppress({ address, scope, reason, source }) {
      return (await scripts.skeneSuppress(prefix, normalizeAddress(address), scope, JSON.stringify({ reason, source }))) === 1;
    },

    async suppressed({ addresses, loop }) {
      const found = new Map<string, SuppressionReason>();
      if (!addresses.length) return found;
      const normalized = [...new Set(addresses.map(normalizeAddress))];
      const pipeline = redis.pipeline();
      for (const address of normalized) pipeline.hmget(`${prefix}suppress:${address}`, ALL_LOOPS, loop);
      const answers = (await pipeline.exec()) ?? [];
      normalized.forEach((address, i) => {
        const [error, value] = answers[i] ?? [new Error('no answer')];
        if (error) throw error;
        // Every loop's entry wins over this loop's: the reason shown is the broader one.
        const entry = (value as (string | null)[]).find((v) => v !== null);
        if (entry) found.set(address, (JSON.parse(entry) as { reason: SuppressionReason }).reason);
      });
      return found;
    },

    async markDelivered(providerId, at) {
      return (await scripts.skeneDelivered(prefix, providerId, String(at.getTime()))) || undefined;
    },
  };
}
