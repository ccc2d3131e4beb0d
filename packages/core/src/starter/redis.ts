/**
 * The Redis starter: user hashes `users:<id>` as seed (redis-cli commands), and a loop on new
 * users whose condition is a set the app keeps (Redis conditions hold when the reply is truthy).
 */
import type { LoopType } from '@skene/sdk';
import type { StackDetection } from '../detect/types.js';
import { RECOVERY, resendEmail, type LoopParts, type StarterCondition } from './loop.js';
import { count, dormant, isScheduled, PEOPLE } from './people.js';
import { REDIS_RE_ENGAGEMENT, REDIS_WELCOME } from './templates.js';

/** How the loop picks who is emailed: its condition (if any), the seed it needs, and who waits. */
interface RedisCondition {
  condition?: StarterCondition;
  opinion: string;
  seed: string[];
  waiting: number;
}

function redisCondition(detection: StackDetection, pattern: LoopType): RedisCondition {
  if (isScheduled(pattern)) {
    // Idleness is a set the app (or a job) keeps.
    return {
      condition: {
        type: 'redis',
        command: ['SISMEMBER', 'dormant_users', '{{user.id}}'],
        note: 'Holds when the user is in the set `dormant_users` (kept by your app or a nightly job).',
      },
      opinion: 'Re-engage users who have gone dormant',
      seed: [`SADD dormant_users ${PEOPLE.flatMap((p, i) => (dormant(p) ? [String(i + 1)] : [])).join(' ')}`],
      waiting: count((p) => !dormant(p)),
    };
  }
  if (detection.redisKeys.some((k) => k.prefix === 'user_actions' && k.kind === 'set')) {
    return {
      condition: {
        type: 'redis',
        command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'],
        timeout: '5m',
        note: 'Holds once the user has created a first project (the set `user_actions:<id>` your code writes).',
      },
      opinion: 'Welcome users who create their first project',
      seed: PEOPLE.map((p, i) => `SADD user_actions:${i + 1} signed_in${p.firstProject ? ' first_project_created' : ''}`),
      waiting: count((p) => !p.firstProject),
    };
  }
  return { opinion: 'Welcome every new user and point them to their first key action', seed: [], waiting: 0 };
}

export function redisParts(detection: StackDetection, pattern: LoopType): LoopParts & { seed: string } {
  const { condition, opinion, seed, waiting } = redisCondition(detection, pattern);
  const template = isScheduled(pattern) ? REDIS_RE_ENGAGEMENT : REDIS_WELCOME;
  const lines = [
    '# Seed data for `skene plan` against Redis: redis-cli commands, one per line, fixed dates.',
    '# `skene plan --database-url redis://127.0.0.1:6379/15 --seed skene/seed.redis` loads it into a scratch database.',
    ...PEOPLE.map(
      (p, i) =>
        `HSET users:${i + 1} id ${i + 1} email ${p.email} name "${p.name}" created_at ${p.created.replace(' ', 'T')}Z last_activity_at ${p.active.replace(' ', 'T')}Z`,
    ),
    ...seed,
  ];
  return {
    loop: {
      id: isScheduled(pattern) ? 're-engagement' : 'welcome',
      type: pattern,
      opinion,
      step: {
        note: 'Redis has no tables: `users` is the key prefix of the user hashes `users:<id>`.',
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition,
        action: resendEmail(template.name, { name: '{{user.name}}' }),
      },
      recovery: RECOVERY,
    },
    template,
    expected: { emails: PEOPLE.length - waiting, waiting },
    seed: `${lines.join('\n')}\n`,
  };
}
