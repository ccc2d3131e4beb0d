/**
 * The plan evaluates a database trigger's condition for a batch of rows in one statement: the
 * condition becomes a sub-query of a wrapper the engine writes (plan/sql.ts). Text put inside
 * other text could change meaning, so before a wrapper runs it is read again and verified:
 * - PostgreSQL: the final statement is parsed, passes the whole guard, and holds the condition —
 *   the very tree it has alone, `$1` being the trigger row's key — as exactly one sub-query
 *   (`__skene_c`), once;
 * - MySQL dialect: the final statement's tokens are exactly the wrapper's around the condition's
 *   own tokens (its `$1` the key's literal), branch after branch — the lexer MySQL itself applies.
 */
import { parsePostgres } from '../sql/postgres.js';
import { codeTokens, lexMysql } from './mysql-lexer.js';
import { guardParsedPostgres } from './postgres.js';
import { applyAllowFunctions, firstError, type GuardProblem } from './types.js';
import { Memo } from '../memo.js';

export const CONDITION_ALIAS = '__skene_c';

const verified = new Memo<GuardProblem | undefined>(500);

function mismatch(message: string): GuardProblem {
  return { code: 'SKN021', severity: 'error', start: 0, end: 0, message: `refused: ${message} — the condition must run exactly as it parses alone` };
}

export interface PostgresWrapperCheck {
  /** The statement about to run. */
  sql: string;
  /** The condition alone, as the user wrote it (trailing `;` removed). */
  condition: string;
  /** What `$1` became in the wrapper: a column reference such as ["__skene_t", "id"]. */
  keyColumn: readonly string[];
  allowFunctions?: readonly string[];
}

/** undefined when `sql` is the wrapper around `condition`; else why not. Needs the parser loaded. */
export function verifyPostgresWrapper(check: PostgresWrapperCheck): GuardProblem | undefined {
  // The config's allowFunctions decide the verdict too: a text one config vouches for stays refused for another.
  const allowed = (check.allowFunctions ?? []).join('\u0001');
  return verified.get(`pg\u0000${check.keyColumn.join('.')}\u0000${allowed}\u0000${check.condition}\u0000${check.sql}`, () => {
    const final = parsePostgres(check.sql);
    const alone = parsePostgres(check.condition);
    if (!final.ok || !alone.ok) return mismatch('the batched statement does not parse');
    const guarded = firstError(applyAllowFunctions(guardParsedPostgres(check.sql, final.ast), check.allowFunctions));
    if (guarded) return guarded;
    const subqueries: unknown[] = [];
    collectAliased(final.ast, subqueries);
    if (subqueries.length !== 1) return mismatch(`the batched statement holds the condition ${subqueries.length} times`);
    const key = { ColumnRef: { fields: check.keyColumn.map((sval) => ({ String: { sval } })) } };
    const expected = JSON.stringify(normalize(alone.ast.stmts[0]!.stmt, key));
    return JSON.stringify(normalize(subqueries[0], key)) === expected ? undefined : mismatch('the condition reads differently inside the batched statement');
  });
}

/** Every `(…) AS __skene_c` sub-select's query. */
function collectAliased(node: unknown, into: unknown[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectAliased(item, into);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const sub = record.RangeSubselect as { alias?: { aliasname?: string }; subquery?: unknown } | undefined;
  if (sub?.alias?.aliasname === CONDITION_ALIAS) into.push(sub.subquery);
  for (const value of Object.values(record)) collectAliased(value, into);
}

/** The tree without positions, `$1` as the wrapper's key column (so both sides compare as one). */
function normalize(node: unknown, key: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => normalize(item, key));
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const param = record.ParamRef as { number?: number } | undefined;
  if (param && param.number === 1 && Object.keys(record).length === 1) return key;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'location' || k === 'stmt_location' || k === 'stmt_len') continue;
    out[k] = normalize(v, key);
  }
  return out;
}

export interface MysqlWrapperCheck {
  sql: string;
  condition: string;
  /** The literal each branch put for `$1`, in order. */
  literals: readonly string[];
  /** The text of one branch around the condition, `%KEY%` where the literal goes and `%CONDITION%` the condition. */
  branch: string;
  /** What joins the branches. */
  separator: string;
}

/** undefined when the tokens of `sql` are the wrapper's around the condition's own, branch by branch. */
export function verifyMysqlWrapper(check: MysqlWrapperCheck): GuardProblem | undefined {
  const texts = (sql: string) => codeTokens(lexMysql(sql).tokens).map((t) => t.text);
  const [before, after] = check.branch.split('%CONDITION%') as [string, string];
  const condition = texts(check.condition);
  const expected: string[] = [];
  check.literals.forEach((literal, i) => {
    const key = texts(literal);
    if (i > 0) expected.push(...texts(check.separator));
    for (const part of texts(before.replace('%KEY%', () => literal))) expected.push(part);
    for (const part of condition) expected.push(...(part === '$1' ? key : [part]));
    expected.push(...texts(after));
  });
  const lexed = lexMysql(check.sql);
  if (lexed.unterminated || lexed.tokens.some((t) => t.kind === 'executable-comment'))
    return mismatch('the batched statement does not read as the wrapper around the condition');
  const actual = codeTokens(lexed.tokens).map((t) => t.text);
  if (actual.length !== expected.length || actual.some((t, i) => t !== expected[i])) {
    return mismatch('the condition reads differently inside the batched statement');
  }
  return undefined;
}
