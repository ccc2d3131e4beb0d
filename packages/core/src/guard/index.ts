/**
 * The read-only guard: the one place that decides whether a condition may run. `skene check`, the
 * language server, `skene plan`, the Action and the runner all ask it, so they always agree. It
 * works on the real parsers' trees against allow-lists (allow-list.ts); see docs/read-only.md.
 */
import type { SqlDialect } from '../dialect.js';
import { guardMysql } from './mysql.js';
import type { ParseOutcome, PgParseResult } from '../sql/postgres.js';
import { guardPostgres, guardPostgresParse, type PostgresCatalog } from './postgres.js';
import type { GuardProblem } from './types.js';
import { Memo } from '../memo.js';

export * from './types.js';
export { guardRedisCommand, isRedisReadCommand } from './redis.js';
export { CONDITION_ALIAS, verifyPostgresWrapper, verifyMysqlWrapper } from './wrapper.js';
export { POSTGRES_FUNCTIONS, POSTGRES_TYPES, MYSQL_FUNCTIONS, REDIS_READ_COMMANDS } from './allow-list.js';
export { STATIC_POSTGRES_CATALOG, type PostgresCatalog } from './postgres.js';

const VERDICTS = 2000;
const verdicts = new Memo<readonly GuardProblem[]>(VERDICTS);

/**
 * Everything that stops `sql` from running as a condition ([] when it may run), before the
 * config's `allowFunctions` (applyAllowFunctions). PostgreSQL needs its parser loaded, the MySQL
 * dialect its grammar (prepareAnalysis / loadMysqlParser). Verdicts are cached: the language
 * server asks again on every edit.
 */
export function guardCondition(sql: string, dialect: SqlDialect, catalog?: PostgresCatalog): readonly GuardProblem[] {
  return verdict({ sql, dialect, catalog }, () => (dialect === 'postgres' ? guardPostgres(sql, catalog) : guardMysql(sql)));
}

/**
 * guardCondition's verdict on a PostgreSQL condition whose parse the caller has (analysis parses
 * each condition once, for the guard and for the tables it reads); kept in the same cache.
 */
export function guardParsedPostgresCondition(sql: string, parsed: ParseOutcome<PgParseResult>): readonly GuardProblem[] {
  return verdict({ sql, dialect: 'postgres' }, () => guardPostgresParse(sql, parsed));
}

function verdict(query: { sql: string; dialect: SqlDialect; catalog?: PostgresCatalog }, decide: () => GuardProblem[]): readonly GuardProblem[] {
  // With a database's own catalog (at plan time), verdicts are kept per catalog.
  const { catalog } = query;
  const cache = catalog ? (byCatalog.get(catalog) ?? byCatalog.set(catalog, new Memo(VERDICTS)).get(catalog)!) : verdicts;
  return cache.get(`${query.dialect}\u0000${query.sql}`, () => Object.freeze(decide()));
}

const byCatalog = new WeakMap<PostgresCatalog, Memo<readonly GuardProblem[]>>();
