/**
 * The read-only guard: the one place that decides whether a condition may run. `skene check`, the
 * language server, `skene plan`, the Action and the runner all ask it, so they always agree. It
 * works on the real parsers' trees against allow-lists (allow-list.ts); see docs/read-only.md.
 */
import type { SqlDialect } from '../dialect.js';
import { guardMysql } from './mysql.js';
import { guardPostgres, type PostgresCatalog } from './postgres.js';
import type { GuardProblem } from './types.js';

export * from './types.js';
export { guardRedisCommand, isRedisReadCommand } from './redis.js';
export { CONDITION_ALIAS, verifyPostgresWrapper, verifyMysqlWrapper } from './wrapper.js';
export { POSTGRES_FUNCTIONS, POSTGRES_TYPES, MYSQL_FUNCTIONS, REDIS_READ_COMMANDS } from './allow-list.js';
export { STATIC_POSTGRES_CATALOG, type PostgresCatalog } from './postgres.js';

const verdicts = new Map<string, readonly GuardProblem[]>();
const MAX_VERDICTS = 2000;

/**
 * Everything that stops `sql` from running as a condition ([] when it may run), before the
 * config's `allowFunctions` (applyAllowFunctions). PostgreSQL needs its parser loaded, the MySQL
 * dialect its grammar (prepareAnalysis / loadMysqlParser). Verdicts are cached: the language
 * server asks again on every edit.
 */
export function guardCondition(sql: string, dialect: SqlDialect, catalog?: PostgresCatalog): readonly GuardProblem[] {
  // With a database's own catalog (at plan time), verdicts are kept per catalog.
  const cache = catalog ? (byCatalog.get(catalog) ?? byCatalog.set(catalog, new Map()).get(catalog)!) : verdicts;
  const key = `${dialect}\u0000${sql}`;
  let verdict = cache.get(key);
  if (!verdict) {
    verdict = Object.freeze(dialect === 'postgres' ? guardPostgres(sql, catalog) : guardMysql(sql));
    if (cache.size >= MAX_VERDICTS) cache.clear();
    cache.set(key, verdict);
  }
  return verdict;
}

const byCatalog = new WeakMap<PostgresCatalog, Map<string, readonly GuardProblem[]>>();
