/**
 * The SQL the engine itself writes, per dialect: reading the trigger table page by page,
 * evaluating a per-row condition for a whole batch of keys in one statement, fetching users.
 * PostgreSQL passes values as parameters; the MySQL dialect inlines escaped literals and passes
 * none (so a `?` inside the user's condition is never taken for a placeholder).
 */
import { CONDITION_ALIAS, GuardRefusal, verifyMysqlWrapper, verifyPostgresWrapper } from '../guard/index.js';
import { quoteIdent } from '../sql/identifiers.js';
import type { SqlDialect } from '../dialect.js';

export const KEY_COLUMN = '__skene_key';

// The one quoting function of core lives with the SQL helpers; the engine's statements use it too.
export { quoteIdent } from '../sql/identifiers.js';

/** A MySQL literal for a key or a time. */
export function mysqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `'${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  const text = String(value).replace(
    /[\0\n\r\b\t\\'"\x1a]/g,
    (c) => ({ '\0': '\\0', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\t': '\\t', '\x1a': '\\Z' })[c] ?? `\\${c}`,
  );
  return `'${text}'`;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

export function tableExistsQuery(dialect: SqlDialect, table: string): Statement {
  if (dialect === 'postgres') return { sql: 'SELECT to_regclass($1) IS NOT NULL AS found', params: [quoteIdent(dialect, table)] };
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [undefined, table];
  return {
    sql: `SELECT COUNT(*) AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schema ? mysqlLiteral(schema) : 'DATABASE()'} AND TABLE_NAME = ${mysqlLiteral(name)}`,
    params: [],
  };
}

/** Columns of the primary key, in key order. */
export function primaryKeyQuery(dialect: SqlDialect, table: string): Statement {
  if (dialect === 'postgres') {
    return {
      sql: `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      params: [quoteIdent(dialect, table)],
    };
  }
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [undefined, table];
  return {
    sql: `SELECT COLUMN_NAME AS column_name FROM information_schema.KEY_COLUMN_USAGE
          WHERE TABLE_SCHEMA = ${schema ? mysqlLiteral(schema) : 'DATABASE()'} AND TABLE_NAME = ${mysqlLiteral(name)} AND CONSTRAINT_NAME = 'PRIMARY'
          ORDER BY ORDINAL_POSITION`,
    params: [],
  };
}

/**
 * The table's single-column foreign keys: the column, the referenced table (`schema.name`, the
 * default schema — MySQL: the connection's database — left out) and the referenced column.
 */
export function foreignKeysQuery(dialect: SqlDialect, table: string): Statement {
  if (dialect === 'postgres') {
    return {
      sql: `SELECT a.attname AS column_name, CASE WHEN n.nspname = 'public' THEN NULL ELSE n.nspname END AS ref_schema, r.relname AS ref_table, ra.attname AS ref_column
            FROM pg_constraint c JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace n ON n.oid = r.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
            WHERE c.conrelid = to_regclass($1) AND c.contype = 'f' AND cardinality(c.conkey) = 1 ORDER BY c.conname`,
      params: [quoteIdent(dialect, table)],
    };
  }
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [undefined, table];
  return {
    sql: `SELECT k.COLUMN_NAME AS column_name, CASE WHEN k.REFERENCED_TABLE_SCHEMA = DATABASE() THEN NULL ELSE k.REFERENCED_TABLE_SCHEMA END AS ref_schema,
                 k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_column
          FROM information_schema.KEY_COLUMN_USAGE k
          WHERE k.TABLE_SCHEMA = ${schema ? mysqlLiteral(schema) : 'DATABASE()'} AND k.TABLE_NAME = ${mysqlLiteral(name)} AND k.REFERENCED_TABLE_NAME IS NOT NULL
            AND (SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE o WHERE o.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND o.TABLE_NAME = k.TABLE_NAME AND o.CONSTRAINT_NAME = k.CONSTRAINT_NAME) = 1
          ORDER BY k.CONSTRAINT_NAME`,
    params: [],
  };
}

export function columnsQuery(dialect: SqlDialect, table: string): Statement {
  if (dialect === 'postgres') {
    return {
      sql: 'SELECT attname AS column_name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
      params: [quoteIdent(dialect, table)],
    };
  }
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [undefined, table];
  return {
    sql: `SELECT COLUMN_NAME AS column_name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${schema ? mysqlLiteral(schema) : 'DATABASE()'} AND TABLE_NAME = ${mysqlLiteral(name)} ORDER BY ORDINAL_POSITION`,
    params: [],
  };
}

/** Which rows of a trigger table a page reads. */
export interface PageOptions {
  afterKey?: unknown;
  /** Only rows created since then. */
  since?: { column: string; at: Date };
  /** Only rows with these keys (the runner: the keys of the captured events). */
  keys?: readonly unknown[];
  limit: number;
}

/** One page of the trigger table in key order, after `afterKey`, optionally only rows created since `since`, or with `keys`. */
export function pageQuery(dialect: SqlDialect, table: string, key: string, options: PageOptions): Statement {
  const t = quoteIdent(dialect, table);
  const k = quoteIdent(dialect, key);
  const where: string[] = [];
  const params: unknown[] = [];
  const value = (v: unknown) => {
    if (dialect === 'mysql') return mysqlLiteral(v);
    params.push(v);
    return `$${params.length}`;
  };
  if (options.afterKey !== undefined) where.push(`${k} > ${value(options.afterKey)}`);
  if (options.since)
    where.push(`${quoteIdent(dialect, options.since.column)} >= ${value(dialect === 'postgres' ? options.since.at.toISOString() : options.since.at)}`);
  if (options.keys) {
    if (dialect === 'postgres') where.push(`${k} = ANY(${value([...options.keys])})`);
    else where.push(options.keys.length ? `${k} IN (${options.keys.map(mysqlLiteral).join(', ')})` : 'FALSE');
  }
  return {
    sql: `SELECT * FROM ${t}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${k} LIMIT ${options.limit}`,
    params,
  };
}

/**
 * The condition for a batch of keys in one statement; each returned row is `__skene_key` and the
 * condition's first row for that key. Keys with no row did not meet the condition.
 * PostgreSQL: a LATERAL join over the trigger table's rows with those keys. MySQL dialect
 * (MariaDB and TiDB have no LATERAL): one parenthesised branch per key, UNION ALL.
 */
export function conditionBatchQuery(dialect: SqlDialect, table: string, key: string, condition: BatchCondition, keys: unknown[]): Statement {
  if (dialect === 'postgres') {
    const k = `__skene_t.${quoteIdent(dialect, key)}`;
    const sql =
      `SELECT ${k} AS ${KEY_COLUMN}, __skene_m.* FROM ${quoteIdent(dialect, table)} AS __skene_t ` +
      `CROSS JOIN LATERAL (SELECT * FROM (\n${condition.replace(k)}\n) AS ${CONDITION_ALIAS} LIMIT 1) AS __skene_m ` +
      `WHERE ${k} = ANY($1)`;
    return verified(
      { sql, params: [keys] },
      verifyPostgresWrapper({ sql, condition: condition.text, keyColumn: ['__skene_t', key], allowFunctions: condition.allowFunctions }),
    );
  }
  const branch = `(SELECT %KEY% AS ${KEY_COLUMN}, ${CONDITION_ALIAS}.* FROM (\n%CONDITION%\n) AS ${CONDITION_ALIAS} LIMIT 1)`;
  const separator = '\nUNION ALL\n';
  const literals = keys.map(mysqlLiteral);
  const sql = literals.map((literal) => branch.replace('%KEY%', () => literal).replace('%CONDITION%', () => condition.replace(literal))).join(separator);
  return verified({ sql, params: [] }, verifyMysqlWrapper({ sql, condition: condition.text, literals, branch, separator }));
}

/** A database trigger's condition, ready to batch: its text alone and how to put a key for `$1`. */
export interface BatchCondition {
  text: string;
  replace(text: string): string;
  allowFunctions?: readonly string[];
}

/** The statement, once the guard has read it again as the wrapper around the condition. */
function verified(statement: Statement, problem: ReturnType<typeof verifyPostgresWrapper>): Statement {
  if (problem) throw new GuardRefusal(problem);
  return statement;
}

export const HIT_COLUMN = '__skene_hit';

/**
 * PostgreSQL: one page of the trigger table and each row's condition in one set-based statement
 * (LEFT JOIN LATERAL, so rows whose condition does not hold come back too, with no hit). Read as
 * arrays: the columns before `__skene_hit` are the row, those after it the condition's first row.
 */
export function pageWithConditionQuery(table: string, key: string, condition: BatchCondition, options: PageOptions): Statement {
  const page = pageQuery('postgres', table, key, options);
  const k = `__skene_t.${quoteIdent('postgres', key)}`;
  const sql =
    `SELECT __skene_t.*, __skene_m.* FROM (${page.sql}) AS __skene_t ` +
    `LEFT JOIN LATERAL (SELECT 1 AS ${HIT_COLUMN}, ${CONDITION_ALIAS}.* FROM (\n${condition.replace(k)}\n) AS ${CONDITION_ALIAS} LIMIT 1) AS __skene_m ON true ` +
    `ORDER BY ${k}`;
  return verified(
    { sql, params: page.params },
    verifyPostgresWrapper({ sql, condition: condition.text, keyColumn: ['__skene_t', key], allowFunctions: condition.allowFunctions }),
  );
}

/** The people table's rows whose `idColumn` is one of `ids`. */
export function usersQuery(dialect: SqlDialect, usersTable: string, idColumn: string, ids: unknown[]): Statement {
  const t = quoteIdent(dialect, usersTable);
  const k = quoteIdent(dialect, idColumn);
  if (dialect === 'postgres') return { sql: `SELECT * FROM ${t} WHERE ${k} = ANY($1)`, params: [ids] };
  return { sql: `SELECT * FROM ${t} WHERE ${k} IN (${ids.map(mysqlLiteral).join(', ')})`, params: [] };
}

/** Every person, for a schedule step without a condition. */
export function allUsersQuery(dialect: SqlDialect, usersTable: string, idColumn: string): Statement {
  return { sql: `SELECT * FROM ${quoteIdent(dialect, usersTable)} ORDER BY ${quoteIdent(dialect, idColumn)}`, params: [] };
}
