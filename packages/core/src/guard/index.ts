/**
 * The read-only guard: the one place that decides whether a condition may run. `skene check`, the
 * language server, `skene plan`, the Action and the runner all ask it, so they always agree. It
 * works on the real parsers' trees against allow-lists (allow-list.ts); see docs/read-only.md.
 */
import { guardMysql } from './mysql.js';
import { guardPostgres } from './postgres.js';
import type { GuardDialect, GuardProblem } from './types.js';

export * from './types.js';
export { guardRedisCommand, isRedisReadCommand } from './redis.js';
export { CONDITION_ALIAS, verifyPostgresWrapper, verifyMysqlWrapper } from './wrapper.js';
export { POSTGRES_FUNCTIONS, MYSQL_FUNCTIONS, REDIS_READ_COMMANDS } from './allow-list.js';

const verdicts = new Map<string, readonly GuardProblem[]>();
const MAX_VERDICTS = 2000;

/**
 * Everything that stops `sql` from running as a condition ([] when it may run), before the
 * config's `allowFunctions` (applyAllowFunctions). PostgreSQL needs its parser loaded, the MySQL
 * dialect its grammar (prepareAnalysis / loadMysqlParser). Verdicts are cached: the language
 * server asks again on every edit.
 */
export function guardCondition(sql: string, dialect: GuardDialect): readonly GuardProblem[] {
  const key = `${dialect}\u0000${sql}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = Object.freeze(dialect === 'postgres' ? guardPostgres(sql) : guardMysql(sql));
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}
