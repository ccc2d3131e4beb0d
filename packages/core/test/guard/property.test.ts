/**
 * The read-only guard on random queries. Random SELECTs built from allow-listed functions (a
 * curated sub-list with known arities, drawn from POSTGRES_FUNCTIONS / MYSQL_FUNCTIONS), columns,
 * literals, operators, CASE, scalar and IN sub-selects and CTEs always pass; the same query with
 * one non-allowed call put anywhere an expression may stand is always refused with exactly one
 * SKN026, starting at that call's name. PROPERTY_RUNS sets the number of runs (default 200).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { guardCondition, MYSQL_FUNCTIONS, POSTGRES_FUNCTIONS, type GuardDialect } from '../../src/guard/index.js';
import { loadMysqlParser } from '../../src/sql/mysql.js';
import { loadPostgresParser } from '../../src/sql/postgres.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

/** A piece of a query: text and sub-nodes. `slot`: an expression a call may stand in for. */
interface Node {
  parts: (string | Node)[];
  slot: boolean;
  /** The replacement call: where the guard must point. */
  forbidden?: string;
}

/** `q\`abs(${x})\`` — an expression node from text and child nodes. */
function q(strings: TemplateStringsArray, ...children: (Node | string)[]): Node {
  const parts: (string | Node)[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(s);
    if (i < children.length) parts.push(children[i]!);
  });
  return { parts, slot: true };
}
const leaf = (text: string): Node => ({ parts: [text], slot: true });
const frame = (node: Node): Node => ({ ...node, slot: false });

function render(node: Node, onForbidden?: (offset: number) => void): string {
  let out = '';
  const walk = (n: Node) => {
    if (n.forbidden !== undefined) onForbidden?.(out.length);
    for (const p of n.parts) {
      if (typeof p === 'string') out += p;
      else walk(p);
    }
  };
  walk(node);
  return out;
}

/** Every expression slot of the tree, in order. */
function slots(node: Node): Node[] {
  const found: Node[] = [];
  const walk = (n: Node) => {
    if (n.slot) found.push(n);
    for (const p of n.parts) if (typeof p !== 'string') walk(p);
  };
  walk(node);
  return found;
}

/** The tree with slot number `index` replaced by `call`. */
function replaceSlot(node: Node, index: number, call: Node): Node {
  let i = 0;
  const walk = (n: Node): Node => {
    if (n.slot && i++ === index) return call;
    return { ...n, parts: n.parts.map((p) => (typeof p === 'string' ? p : walk(p))) };
  };
  return walk(node);
}

type Type = 'num' | 'text' | 'time' | 'bool' | 'json';

/** A function of the curated list: its name (checked against the dialect's allow-list) and shape. */
interface Fn {
  name: string;
  returns: Type;
  args: (Type | string)[]; // a string that is not a Type is literal text (`'day'`, `2`)
}

interface Dialect {
  name: GuardDialect;
  allowList: ReadonlySet<string>;
  normalise: (name: string) => string;
  columns: Record<Type, string[]>;
  literals: Record<Type, string[]>;
  functions: Fn[];
  /** Other typed expressions: operators and syntax (`x + y`, `now() - interval '7 days'`, …). */
  syntax: (e: (t: Type) => fc.Arbitrary<Node>) => Partial<Record<Type, fc.Arbitrary<Node>[]>>;
  aggregates: (e: (t: Type) => fc.Arbitrary<Node>) => fc.Arbitrary<Node>[];
  forbidden: fc.Arbitrary<Node>;
}

const caseOf = (name: string) => fc.constantFrom(name, name.toUpperCase(), name.toLowerCase());
const sep = fc.constantFrom('', '', '', ' ');

function call(name: string, args: fc.Arbitrary<Node>[]): fc.Arbitrary<Node> {
  return fc.tuple(caseOf(name), sep, fc.tuple(...args)).map(([n, s, as]) => {
    const parts: (string | Node)[] = [n + s + '('];
    as.forEach((a, i) => parts.push(...(i ? [', ', a] : [a])));
    parts.push(')');
    return { parts, slot: true } satisfies Node;
  });
}

/** Typed expressions of a dialect, depth-bounded. */
function expressions(d: Dialect, maxDepth: number): (t: Type, depth?: number) => fc.Arbitrary<Node> {
  const memo = new Map<string, fc.Arbitrary<Node>>();
  const expr = (t: Type, depth = maxDepth): fc.Arbitrary<Node> => {
    const key = `${t}/${depth}`;
    const known = memo.get(key);
    if (known) return known;
    const leaves = fc.constantFrom(...d.columns[t], ...d.literals[t]).map(leaf);
    let arb: fc.Arbitrary<Node>;
    if (depth === 0) arb = leaves;
    else {
      const sub = (u: Type) => expr(u, depth - 1);
      const fns = d.functions
        .filter((f) => f.returns === t)
        .map((f) =>
          call(
            f.name,
            f.args.map((a) => (isType(a) ? sub(a) : fc.constant(leaf(a)))),
          ),
        );
      const syntax = d.syntax(sub)[t] ?? [];
      const caseExpr = fc.tuple(fc.array(fc.tuple(sub('bool'), sub(t)), { minLength: 1, maxLength: 2 }), sub(t)).map(([whens, otherwise]) => {
        const parts: (string | Node)[] = ['CASE'];
        for (const [cond, value] of whens) parts.push(' WHEN ', cond, ' THEN ', value);
        parts.push(' ELSE ', otherwise, ' END');
        return { parts, slot: true } satisfies Node;
      });
      const scalar = depth >= 2 ? [scalarSubquery(d, t, sub)] : [];
      arb = fc.oneof(
        { arbitrary: leaves, weight: 3 },
        ...[...fns, ...syntax].map((a) => ({ arbitrary: a, weight: 2 })),
        { arbitrary: caseExpr, weight: 1 },
        ...scalar.map((a) => ({ arbitrary: a, weight: 1 })),
      );
    }
    memo.set(key, arb);
    return arb;
  };
  return expr;
}

const isType = (a: string): a is Type => ['num', 'text', 'time', 'bool', 'json'].includes(a);

/** `(SELECT max(a.created_at) FROM user_actions a WHERE a.user_id = u.id AND …)` of type t. */
function scalarSubquery(d: Dialect, t: Type, sub: (u: Type) => fc.Arbitrary<Node>): fc.Arbitrary<Node> {
  const aggregate =
    t === 'num'
      ? fc.oneof(
          sub('num').map((x) => q`sum(${x})`),
          fc.constant(leaf('count(*)')),
        )
      : t === 'bool'
        ? sub('bool').map((b) => q`(${b}) = ${d.name === 'postgres' ? 'true' : '1'}`)
        : sub(t).map((x) => q`max(${x})`);
  return fc.tuple(aggregate, sub('bool')).map(([value, where]) => q`(SELECT ${value} FROM user_actions a2 WHERE a2.user_id = u.id AND ${where})`);
}

/** A whole SELECT: optional CTE, select list (with aggregates and windows), FROM, WHERE, ORDER BY. */
function query(d: Dialect): fc.Arbitrary<Node> {
  const expr = expressions(d, 3);
  const anyExpr = fc.constantFrom<Type>('num', 'text', 'time', 'json').chain((t) => expr(t));
  const item = fc.oneof({ arbitrary: anyExpr, weight: 3 }, { arbitrary: fc.oneof(...d.aggregates((t) => expr(t, 1))), weight: 1 });
  const items = fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => {
    const parts: (string | Node)[] = [];
    xs.forEach((x, i) => parts.push(...(i ? [', ', x, ` AS c${i}`] : [x, ' AS c0'])));
    return frame({ parts, slot: false });
  });
  const inSubquery = fc.tuple(expr('bool', 2)).map(([w]) => q`u.id IN (SELECT a3.user_id FROM user_actions a3 WHERE ${w})`);
  const where = fc.oneof({ arbitrary: expr('bool'), weight: 3 }, { arbitrary: inSubquery, weight: 1 });
  const cte = fc.option(fc.tuple(expr('num', 2), expr('bool', 2)), { nil: undefined });
  const orderBy = fc.option(expr('num', 1), { nil: undefined });
  return fc.tuple(cte, items, where, orderBy, fc.boolean()).map(([withPart, list, condition, order, join]) => {
    const parts: (string | Node)[] = [];
    if (withPart) parts.push('WITH c AS (SELECT u.id AS id, ', withPart[0], ' AS v FROM users u WHERE ', withPart[1], ') ');
    parts.push('SELECT ', list, ' FROM users u');
    if (withPart) parts.push(' JOIN c ON c.id = u.id');
    if (join) parts.push(' LEFT JOIN user_actions a ON a.user_id = u.id');
    parts.push(' WHERE ', condition);
    if (order) parts.push(' ORDER BY ', order);
    return frame({ parts, slot: false });
  });
}

const fn = (name: string, returns: Type, ...args: (Type | string)[]): Fn => ({ name, returns, args });

const POSTGRES: Dialect = {
  name: 'postgres',
  allowList: POSTGRES_FUNCTIONS,
  normalise: (n) => n.toLowerCase(),
  columns: {
    num: ['u.id', 'u.score', 'a.id'],
    text: ['u.email', 'u.name', 'u.plan', 'a.action_type'],
    time: ['u.created_at', 'u.last_activity_at', 'a.created_at'],
    bool: ['u.re_engagement_sent'],
    json: ['u.metadata', 'a.properties'],
  },
  literals: {
    num: ['0', '1', '42', '2.5', '-3'],
    text: ["'pro'", "'first_project_created'", "''", "'O''Brien'", "'%@example.com'"],
    time: ['now()', "timestamptz '2026-03-02 09:00:00+00'", 'current_timestamp', "'2026-01-01'::timestamptz"],
    bool: ['true', 'false'],
    json: ["'{}'::jsonb", `'{"a": 1}'::jsonb`],
  },
  functions: [
    fn('abs', 'num', 'num'),
    fn('ceil', 'num', 'num'),
    fn('floor', 'num', 'num'),
    fn('round', 'num', 'num'),
    fn('sign', 'num', 'num'),
    fn('sqrt', 'num', 'num'),
    fn('power', 'num', 'num', '2'),
    fn('trunc', 'num', 'num'),
    fn('mod', 'num', 'num', '7'),
    fn('div', 'num', 'num', '3'),
    fn('ln', 'num', 'num'),
    fn('exp', 'num', 'num'),
    fn('log', 'num', 'num'),
    fn('pi', 'num'),
    fn('random', 'num'),
    fn('width_bucket', 'num', 'num', '0', '100', '10'),
    fn('num_nonnulls', 'num', 'num', 'text'),
    fn('length', 'num', 'text'),
    fn('char_length', 'num', 'text'),
    fn('octet_length', 'num', 'text'),
    fn('strpos', 'num', 'text', 'text'),
    fn('ascii', 'num', 'text'),
    fn('date_part', 'num', "'day'", 'time'),
    fn('jsonb_array_length', 'num', 'json'),
    fn('cardinality', 'num', 'ARRAY[1, 2]'),
    fn('array_length', 'num', 'ARRAY[1, 2]', '1'),
    fn('gcd', 'num', 'num', '12'),
    fn('lower', 'text', 'text'),
    fn('upper', 'text', 'text'),
    fn('initcap', 'text', 'text'),
    fn('btrim', 'text', 'text'),
    fn('ltrim', 'text', 'text'),
    fn('rtrim', 'text', 'text'),
    fn('concat', 'text', 'text', 'num'),
    fn('concat_ws', 'text', "', '", 'text', 'text'),
    fn('substr', 'text', 'text', 'num'),
    fn('left', 'text', 'text', '1'),
    fn('right', 'text', 'text', '3'),
    fn('replace', 'text', 'text', "'a'", "'b'"),
    fn('split_part', 'text', 'text', "'@'", '1'),
    fn('lpad', 'text', 'text', '10', "'*'"),
    fn('md5', 'text', 'text'),
    fn('reverse', 'text', 'text'),
    fn('repeat', 'text', 'text', '2'),
    fn('to_char', 'text', 'time', "'YYYY-MM-DD'"),
    fn('format', 'text', "'%s: %s'", 'text', 'num'),
    fn('quote_literal', 'text', 'text'),
    fn('regexp_replace', 'text', 'text', "'[0-9]+'", "''"),
    fn('translate', 'text', 'text', "'ab'", "'xy'"),
    fn('to_hex', 'text', '255'),
    fn('jsonb_typeof', 'text', 'json'),
    fn('jsonb_extract_path_text', 'text', 'json', "'a'"),
    fn('version', 'text'),
    fn('now', 'time'),
    fn('clock_timestamp', 'time'),
    fn('statement_timestamp', 'time'),
    fn('transaction_timestamp', 'time'),
    fn('date_trunc', 'time', "'week'", 'time'),
    fn('to_timestamp', 'time', 'num'),
    fn('make_timestamptz', 'time', '2026', '3', '2', '9', '0', '0'),
    fn('date_bin', 'time', "interval '1 day'", 'time', "timestamptz '2020-01-01'"),
    fn('starts_with', 'bool', 'text', 'text'),
    fn('isfinite', 'bool', 'time'),
    fn('jsonb_exists', 'bool', 'json', "'a'"),
    fn('jsonb_path_exists', 'bool', 'json', "'$.a'"),
    fn('bool', 'bool', "'t'"),
    fn('jsonb_build_object', 'json', "'k'", 'num', "'t'", 'text'),
    fn('to_jsonb', 'json', 'text'),
    fn('jsonb_strip_nulls', 'json', 'json'),
    fn('jsonb_set', 'json', 'json', "'{a}'", "'1'::jsonb"),
    fn('jsonb_build_array', 'json', 'num', 'text'),
  ],
  syntax: (e) => ({
    num: [
      fc.tuple(e('num'), fc.constantFrom('+', '-', '*', '/', '%'), e('num')).map(([a, op, b]) => q`(${a} ${op} ${b})`),
      fc.tuple(e('num'), e('num')).map(([a, b]) => q`greatest(${a}, ${b})`),
      fc.tuple(e('num'), e('num')).map(([a, b]) => q`coalesce(${a}, ${b}, 0)`),
      fc.tuple(e('num'), e('num')).map(([a, b]) => q`nullif(${a}, ${b})`),
      e('time').map((t) => q`extract(epoch from ${t})`),
      e('text').map((t) => q`${t}::int`),
      e('json').map((j) => q`(${j}->>'n')::numeric`),
    ],
    text: [
      fc.tuple(e('text'), e('text')).map(([a, b]) => q`${a} || ${b}`),
      e('json').map((j) => q`${j}->>'name'`),
      e('num').map((n) => q`${n}::text`),
      fc.tuple(e('text'), e('text')).map(([a, b]) => q`coalesce(${a}, ${b})`),
      e('text').map((t) => q`trim(both ' ' from ${t})`),
      e('text').map((t) => q`substring(${t} from 2 for 3)`),
    ],
    time: [
      fc.tuple(e('time'), fc.constantFrom("'7 days'", "'1 hour'", "'30 minutes'")).map(([t, i]) => q`${t} - interval ${i}`),
      fc.tuple(e('time'), e('num')).map(([t, n]) => q`${t} + ${n} * interval '1 day'`),
      fc.tuple(e('time'), e('time')).map(([a, b]) => q`greatest(${a}, ${b})`),
      e('time').map((t) => q`${t} AT TIME ZONE 'UTC'`),
      e('time').map((t) => q`${t}::date::timestamptz`),
    ],
    bool: [
      fc.tuple(e('num'), fc.constantFrom('=', '<>', '<', '<=', '>', '>='), e('num')).map(([a, op, b]) => q`${a} ${op} ${b}`),
      fc.tuple(e('time'), fc.constantFrom('<', '>=', '='), e('time')).map(([a, op, b]) => q`${a} ${op} ${b}`),
      fc.tuple(e('text'), fc.constantFrom('=', 'LIKE', 'ILIKE', 'NOT LIKE', '~', '<>'), e('text')).map(([a, op, b]) => q`${a} ${op} ${b}`),
      fc.tuple(e('bool'), fc.constantFrom('AND', 'OR'), e('bool')).map(([a, op, b]) => q`(${a} ${op} ${b})`),
      e('bool').map((b) => q`NOT ${b}`),
      fc.tuple(e('text'), fc.constantFrom('IS NULL', 'IS NOT NULL')).map(([x, is]) => q`${x} ${is}`),
      fc.tuple(e('num'), e('num'), e('num')).map(([x, lo, hi]) => q`${x} BETWEEN ${lo} AND ${hi}`),
      fc.tuple(e('text'), e('text')).map(([x, y]) => q`${x} IN (${y}, 'a', 'b')`),
      fc.tuple(e('text')).map(([x]) => q`${x} = ANY(ARRAY['a', 'b'])`),
      fc.tuple(e('json'), fc.constantFrom('@>', '<@')).map(([j, op]) => q`${j} ${op} '{"a": 1}'::jsonb`),
      e('json').map((j) => q`${j} ? 'a'`),
      e('bool').map((b) => q`EXISTS (SELECT 1 FROM user_actions a4 WHERE a4.user_id = u.id AND ${b})`),
      fc.tuple(e('num'), e('num')).map(([a, b]) => q`${a} IS DISTINCT FROM ${b}`),
    ],
    json: [e('json').map((j) => q`${j}->'a'`), e('json').map((j) => q`${j} #> '{a,b}'`), fc.tuple(e('json'), e('json')).map(([a, b]) => q`${a} || ${b}`)],
  }),
  aggregates: (e) => [
    fc.constant(leaf('count(*)')),
    e('num').map((x) => q`sum(${x})`),
    e('num').map((x) => q`avg(${x})`),
    e('time').map((x) => q`max(${x})`),
    fc.tuple(e('num'), e('bool')).map(([x, b]) => q`count(${x}) FILTER (WHERE ${b})`),
    e('text').map((x) => q`string_agg(${x}, ', ' ORDER BY ${x})`),
    e('num').map((x) => q`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${x})`),
    fc.tuple(e('text'), e('time')).map(([p, o]) => q`row_number() OVER (PARTITION BY ${p} ORDER BY ${o} DESC)`),
    fc.tuple(e('num'), e('time')).map(([x, o]) => q`lag(${x}) OVER (ORDER BY ${o})`),
    e('bool').map((b) => q`bool_and(${b})`),
  ],
  forbidden: fc
    .oneof(
      fc.constantFrom(
        'pg_sleep(1)',
        "dblink_exec('x', 'y')",
        "nextval('s')",
        "set_config('a', 'b', false)",
        'pg_advisory_lock(1)',
        "pg_read_file('/etc/passwd')",
        "lo_import('/etc/passwd')",
        'txid_current()',
        'pg_terminate_backend(1)',
        "query_to_xml('select 1', true, true, '')",
        'pg_reload_conf()',
        "pg_notify('c', 'p')",
        "currval('s')",
        'pg_catalog.pg_sleep(1)',
        'PG_SLEEP (1)',
        'public.pg_sleep(1)',
        '"greatest"(1, 2)',
        '"coalesce"(u.id, 0)',
        'analytics.engagement_score(u.id)',
        "dblink('x', 'select 1')",
      ),
      fc
        .tuple(fc.constantFrom('fn_', 'udf_', 'score_'), fc.stringMatching(/^[a-z0-9_]{1,8}$/), fc.constantFrom('1', 'u.id', "'x', 2"))
        .map(([p, n, a]) => `${p}${n}(${a})`),
    )
    .map((text) => ({ parts: [text], slot: true, forbidden: text })),
};

const MYSQL: Dialect = {
  name: 'mysql',
  allowList: MYSQL_FUNCTIONS,
  normalise: (n) => n.toUpperCase(),
  columns: {
    num: ['u.id', 'u.score', 'a.id'],
    text: ['u.email', 'u.name', 'u.plan', 'a.action_type'],
    time: ['u.created_at', 'u.last_activity_at', 'a.created_at'],
    bool: ['u.re_engagement_sent'],
    json: ['u.metadata', 'a.properties'],
  },
  literals: {
    num: ['0', '1', '42', '2.5'],
    text: ["'pro'", "'first_project_created'", "''", "'O''Brien'", "'%@example.com'", '"double"'],
    time: ['NOW()', "'2026-03-02 09:00:00'", 'CURRENT_TIMESTAMP', 'CURDATE()'],
    bool: ['TRUE', 'FALSE'],
    json: ["'{}'", `'{"a": 1}'`],
  },
  functions: [
    fn('ABS', 'num', 'num'),
    fn('ROUND', 'num', 'num', '1'),
    fn('FLOOR', 'num', 'num'),
    fn('CEIL', 'num', 'num'),
    fn('SIGN', 'num', 'num'),
    fn('SQRT', 'num', 'num'),
    fn('POWER', 'num', 'num', '2'),
    fn('MOD', 'num', 'num', '7'),
    fn('TRUNCATE', 'num', 'num', '1'),
    fn('PI', 'num'),
    fn('RAND', 'num'),
    fn('LENGTH', 'num', 'text'),
    fn('CHAR_LENGTH', 'num', 'text'),
    fn('LOCATE', 'num', "'@'", 'text'),
    fn('INSTR', 'num', 'text', "'a'"),
    fn('DATEDIFF', 'num', 'time', 'time'),
    fn('UNIX_TIMESTAMP', 'num', 'time'),
    fn('YEAR', 'num', 'time'),
    fn('MONTH', 'num', 'time'),
    fn('DAYOFWEEK', 'num', 'time'),
    fn('HOUR', 'num', 'time'),
    fn('JSON_LENGTH', 'num', 'json'),
    fn('GREATEST', 'num', 'num', 'num'),
    fn('LEAST', 'num', 'num', 'num'),
    fn('IFNULL', 'num', 'num', '0'),
    fn('NULLIF', 'num', 'num', '0'),
    fn('CRC32', 'num', 'text'),
    fn('LOWER', 'text', 'text'),
    fn('UPPER', 'text', 'text'),
    fn('TRIM', 'text', 'text'),
    fn('LTRIM', 'text', 'text'),
    fn('RTRIM', 'text', 'text'),
    fn('CONCAT', 'text', 'text', 'num'),
    fn('CONCAT_WS', 'text', "', '", 'text', 'text'),
    fn('SUBSTRING', 'text', 'text', '1', '3'),
    fn('LEFT', 'text', 'text', '2'),
    fn('RIGHT', 'text', 'text', '2'),
    fn('REPLACE', 'text', 'text', "'a'", "'b'"),
    fn('LPAD', 'text', 'text', '5', "'*'"),
    fn('MD5', 'text', 'text'),
    fn('SHA2', 'text', 'text', '256'),
    fn('HEX', 'text', 'text'),
    fn('DATE_FORMAT', 'text', 'time', "'%Y-%m'"),
    fn('SUBSTRING_INDEX', 'text', 'text', "'@'", '1'),
    fn('REVERSE', 'text', 'text'),
    fn('REPEAT', 'text', 'text', '2'),
    fn('QUOTE', 'text', 'text'),
    fn('JSON_UNQUOTE', 'text', 'json'),
    fn('COALESCE', 'text', 'text', 'text'),
    fn('DAYNAME', 'text', 'time'),
    fn('NOW', 'time'),
    fn('UTC_TIMESTAMP', 'time'),
    fn('CURDATE', 'time'),
    fn('DATE', 'time', 'time'),
    fn('LAST_DAY', 'time', 'time'),
    fn('FROM_UNIXTIME', 'time', 'num'),
    fn('STR_TO_DATE', 'time', "'2026-03-02'", "'%Y-%m-%d'"),
    fn('ADDDATE', 'time', 'time', '1'),
    fn('JSON_CONTAINS', 'bool', 'json', `'"x"'`, "'$.tags'"),
    fn('JSON_VALID', 'bool', 'text'),
    fn('ISNULL', 'bool', 'text'),
    fn('JSON_OBJECT', 'json', "'k'", 'num'),
    fn('JSON_ARRAY', 'json', 'num', 'text'),
    fn('JSON_EXTRACT', 'json', 'json', "'$.a'"),
    fn('JSON_SET', 'json', 'json', "'$.a'", 'num'),
    fn('JSON_MERGE_PATCH', 'json', 'json', 'json'),
  ],
  syntax: (e) => ({
    num: [
      fc.tuple(e('num'), fc.constantFrom('+', '-', '*', '/', 'DIV'), e('num')).map(([a, op, b]) => q`(${a} ${op} ${b})`),
      fc.tuple(e('time'), e('time')).map(([a, b]) => q`TIMESTAMPDIFF(DAY, ${a}, ${b})`),
      fc.tuple(e('bool'), e('num'), e('num')).map(([c, a, b]) => q`IF(${c}, ${a}, ${b})`),
      e('text').map((t) => q`CAST(${t} AS SIGNED)`),
    ],
    text: [
      e('num').map((n) => q`CAST(${n} AS CHAR)`),
      fc.tuple(e('json')).map(([j]) => q`JSON_UNQUOTE(JSON_EXTRACT(${j}, '$.name'))`),
      fc.tuple(e('bool'), e('text'), e('text')).map(([c, a, b]) => q`IF(${c}, ${a}, ${b})`),
    ],
    time: [
      fc.tuple(e('time'), fc.constantFrom('7 DAY', '1 HOUR', '30 MINUTE')).map(([t, i]) => q`DATE_SUB(${t}, INTERVAL ${i})`),
      fc.tuple(e('time'), e('num')).map(([t, n]) => q`DATE_ADD(${t}, INTERVAL ${n} DAY)`),
      fc.tuple(e('time')).map(([t]) => q`${t} - INTERVAL 7 DAY`),
      fc.tuple(e('time')).map(([t]) => q`TIMESTAMPADD(HOUR, 1, ${t})`),
      fc.tuple(e('time'), e('time')).map(([a, b]) => q`COALESCE(${a}, ${b})`),
    ],
    bool: [
      fc.tuple(e('num'), fc.constantFrom('=', '<>', '!=', '<', '<=', '>', '>='), e('num')).map(([a, op, b]) => q`${a} ${op} ${b}`),
      fc.tuple(e('time'), fc.constantFrom('<', '>=', '='), e('time')).map(([a, op, b]) => q`${a} ${op} ${b}`),
      fc.tuple(e('text'), fc.constantFrom('=', 'LIKE', 'NOT LIKE', '<>'), e('text')).map(([a, op, b]) => q`${a} ${op} ${b}`),
      fc.tuple(e('text'), fc.constantFrom("'^[a-z]+@'", "'[.]com$'")).map(([a, re]) => q`${a} REGEXP ${leaf(re)}`),
      fc.tuple(e('bool'), fc.constantFrom('AND', 'OR'), e('bool')).map(([a, op, b]) => q`(${a} ${op} ${b})`),
      fc.tuple(e('text'), fc.constantFrom('IS NULL', 'IS NOT NULL')).map(([x, is]) => q`${x} ${is}`),
      fc.tuple(e('num'), e('num'), e('num')).map(([x, lo, hi]) => q`${x} BETWEEN ${lo} AND ${hi}`),
      fc.tuple(e('text'), e('text')).map(([x, y]) => q`${x} IN (${y}, 'a', 'b')`),
      e('bool').map((b) => q`EXISTS (SELECT 1 FROM user_actions a4 WHERE a4.user_id = u.id AND ${b})`),
      e('bool').map((b) => q`NOT (${b})`),
      e('num').map((x) => q`${x} = ANY (SELECT a5.id FROM user_actions a5)`),
      // REGEXP's pattern is a literal: the MySQL grammar does not parse `x REGEXP CAST(… AS CHAR)`.
      // No `<=>`: the grammar does not parse it (SKN020, see the NULL-safe query in corpus.test.ts).
    ],
    json: [],
  }),
  aggregates: (e) => [
    fc.constant(leaf('COUNT(*)')),
    e('num').map((x) => q`SUM(${x})`),
    e('num').map((x) => q`AVG(${x})`),
    e('time').map((x) => q`MAX(${x})`),
    e('num').map((x) => q`COUNT(DISTINCT ${x})`),
    e('text').map((x) => q`GROUP_CONCAT(${x} ORDER BY ${x} SEPARATOR ', ')`),
    fc.tuple(e('text'), e('time')).map(([p, o]) => q`ROW_NUMBER() OVER (PARTITION BY ${p} ORDER BY ${o} DESC)`),
    fc.tuple(e('num'), e('time')).map(([x, o]) => q`LAG(${x}) OVER (ORDER BY ${o})`),
  ],
  forbidden: fc
    .oneof(
      fc.constantFrom(
        'SLEEP(1)',
        "GET_LOCK('a', 1)",
        'BENCHMARK(1000, 1)',
        "RELEASE_LOCK('a')",
        "IS_FREE_LOCK('a')",
        "IS_USED_LOCK('a')",
        "LOAD_FILE('/etc/passwd')",
        'LAST_INSERT_ID()',
        "MASTER_POS_WAIT('f', 1)",
        'RELEASE_ALL_LOCKS()',
        "NAME_CONST('a', 1)",
        'sleep(1)',
        'Sleep (1)',
        'analytics.engagement_score(u.id)',
        '`fn_score`(u.id)',
        'NEXTVAL(seq)',
        'SETVAL(seq, 1)',
        // Backquoted, an allowed name is a stored function's to MariaDB: `now`() calls test.now().
        '`now`()',
        '`exists`(1)',
      ),
      fc
        .tuple(fc.constantFrom('fn_', 'udf_', 'score_'), fc.stringMatching(/^[a-z0-9_]{1,8}$/), fc.constantFrom('1', 'u.id', "'x', 2"))
        .map(([p, n, a]) => `${p}${n}(${a})`),
    )
    .map((text) => ({ parts: [text], slot: true, forbidden: text })),
};

/**
 * The MySQL guard's known bug: a call after a comma and before `AS alias` (`SELECT a, f(x) AS v`)
 * is taken for a CTE's column list (`, cte(a) AS (…)`) by the token scan (src/guard/mysql.ts,
 * tokenCalls), so only the grammar's tree checks it: by name only (a backquoted `now`() passes as
 * NOW), and located by the first word of that name (the whole query for a backquoted name, the
 * last part of a qualified one). See the test at the end of this file.
 */
function knownMysqlColumnListBug(sql: string, at: number, call: string): boolean {
  const name = call.slice(0, call.indexOf('(')).trim();
  return /,\s*$/.test(sql.slice(0, at)) && /^\s+AS\b/i.test(sql.slice(at + call.length)) && /[`.]/.test(name);
}

before(async () => {
  await loadPostgresParser();
  await loadMysqlParser();
});

const describeProblems = (sql: string, dialect: GuardDialect) =>
  guardCondition(sql, dialect).map((p) => `${p.code} @${p.start} ${JSON.stringify(sql.slice(p.start, p.end))} ${p.message.slice(0, 80)}`);

for (const d of [POSTGRES, MYSQL]) {
  describe(`${d.name}: random queries`, () => {
    test('the curated functions are all on the allow-list', () => {
      for (const f of d.functions) assert.ok(d.allowList.has(d.normalise(f.name)), `${f.name} is not on the ${d.name} allow-list`);
    });

    test('a random SELECT of allow-listed functions passes the guard', { timeout: 60_000 }, () => {
      fc.assert(
        fc.property(
          query(d).map((tree) => render(tree)),
          (sql) => {
            assert.deepEqual(describeProblems(sql, d.name), [], sql);
          },
        ),
        { numRuns: RUNS, includeErrorInReport: true },
      );
    });

    test('one non-allowed call anywhere is one SKN026 at that call', { timeout: 60_000 }, () => {
      // The query with one slot replaced, as { sql, at: where the call starts, call }.
      const withCall = query(d)
        .chain((tree) => fc.tuple(fc.constant(tree), fc.nat({ max: slots(tree).length - 1 }), d.forbidden))
        .map(([tree, index, call]) => {
          let at = -1;
          const sql = render(replaceSlot(tree, index, call), (offset) => (at = offset));
          return { sql, at, call: call.forbidden! };
        });
      fc.assert(
        fc.property(withCall, ({ sql, at, call }) => {
          assert.ok(at >= 0 && sql.startsWith(call, at));
          const problems = guardCondition(sql, d.name);
          const report = `${sql}\n${describeProblems(sql, d.name).join('\n')}`;
          const name = call.slice(0, call.indexOf('(')).trim();
          // The known MySQL bug's shape is the test below's (deterministic), not left to chance here.
          fc.pre(!(d.name === 'mysql' && knownMysqlColumnListBug(sql, at, call)));
          assert.deepEqual(
            problems.map((p) => [p.code, p.start]),
            [['SKN026', at]],
            report,
          );
          assert.equal(sql.slice(problems[0]!.start, problems[0]!.end).trim().toLowerCase(), name.toLowerCase(), "the range is the call's name");
        }),
        { numRuns: RUNS, includeErrorInReport: true },
      );
    });
  });
}

test('postgres: a quoted grammar name is a call PostgreSQL resolves outside pg_catalog: refused', () => {
  // "greatest"(…) is no GREATEST expression but a call of a function named greatest, and pg_catalog has none.
  for (const sql of ['SELECT "greatest"(1, 2)', 'SELECT "coalesce"(u.id, 0) FROM users u', 'SELECT "user"()', 'SELECT pg_catalog.nullif(1, 2)']) {
    assert.deepEqual(
      guardCondition(sql, 'postgres').map((p) => p.code),
      ['SKN026'],
      sql,
    );
  }
});

test('mysql: a backquoted name is not the built-in: `now`() is refused (MariaDB calls a stored function now())', () => {
  for (const sql of ['SELECT `now`()', 'SELECT `NOW`() FROM users', 'SELECT 1 FROM users WHERE `exists`(1)', 'SELECT `DATE_SUB`(NOW(), 1)']) {
    assert.deepEqual(
      guardCondition(sql, 'mysql').map((p) => [p.code, p.start]),
      [['SKN026', sql.indexOf('`')]],
      sql,
    );
  }
});

test('mysql: a call between `,` and `AS alias` is checked like any other call, at its own name', () => {
  // Fails today (guard bug in src/guard/mysql.ts, see knownMysqlColumnListBug): the first query
  // passes the guard, and MariaDB would call a stored function `now`; the others point elsewhere.
  for (const [sql, call] of [
    ['SELECT u.id, `now`() AS t FROM users u', '`now`('],
    ['SELECT u.id, `fn_score`(u.id) AS v FROM users u', '`fn_score`('],
    ['SELECT u.id, analytics.engagement_score(u.id) AS v FROM users u', 'analytics.engagement_score('],
    ['SELECT u.email AS fn_x, fn_x(u.id) AS v FROM users u', 'fn_x('],
  ] as const) {
    assert.deepEqual(
      guardCondition(sql, 'mysql').map((p) => [p.code, p.start]),
      [['SKN026', sql.indexOf(call)]],
      sql,
    );
  }
});
