/** The read-only guard for Redis: a condition's command must be on the read allow-list. */
import { REDIS_READ_COMMANDS } from './allow-list.js';
import type { GuardProblem } from './types.js';

export function isRedisReadCommand(name: string): boolean {
  return Object.hasOwn(REDIS_READ_COMMANDS, name.toUpperCase());
}

/** [] when `command` may run; else one SKN029 problem (its position is the command's name, argument 0). */
export function guardRedisCommand(command: readonly string[]): GuardProblem[] {
  const name = command[0]?.toUpperCase() ?? '';
  if (isRedisReadCommand(name)) return [];
  return [
    {
      code: 'SKN029',
      severity: 'error',
      start: 0,
      end: 0,
      message: `${name || '(empty command)'} is not a read-only Redis command: a condition only reads (allowed: GET, HGET, HGETALL, SISMEMBER, SMEMBERS, EXISTS, ZSCORE, … — see docs/read-only.md)`,
    },
  ];
}
