import type { SqlDialect } from '../dialect.js';
import { analyzeQuery, type QueryInfo } from './query-info.js';
import type { RuleContext, StepEntry } from './context.js';
import { stringAt, type StringNode } from './values.js';
import { Memo } from '../memo.js';

export interface QueryCondition {
  /** The step whose condition this is; for a goal, the loop's first step (the goal is the loop's). */
  entry: StepEntry;
  node: StringNode;
  info: QueryInfo;
  /** Set for a loop's `goal` query: `$1` is the recipient's user key, whatever the trigger. */
  goal?: true;
}

const cache = new WeakMap<RuleContext, QueryCondition[]>();

/**
 * Parsed queries by dialect and text, across analyses: the language server re-analyses the whole
 * config on every edit, and an edit changes at most the query being typed — the other queries of a
 * 200-loop config come from here instead of the SQL parser. QueryInfo is never mutated. Bounded.
 */
const parsedQueries = new Memo<QueryInfo>(2000);

function analyzeQueryCached(sql: string, dialect: SqlDialect): QueryInfo {
  return parsedQueries.get(`${dialect}\u0000${sql}`, () => analyzeQuery(sql, dialect));
}

/**
 * Every static SQL condition, then every loop's SQL goal, parsed once per analysis in the
 * context's dialect (none for Redis). A goal goes through the same rules as a condition (guard,
 * syntax, dialect, tables, parameters): the runner reads it the same way.
 */
export function queryConditions(ctx: RuleContext): QueryCondition[] {
  let list = cache.get(ctx);
  if (list) return list;
  list = [];
  const dialect = ctx.dialect;
  if (dialect !== 'redis') {
    for (const entry of ctx.steps()) {
      if (stringAt(entry.condition, 'type')?.value !== 'query') continue;
      const node = stringAt(entry.condition, 'query');
      if (node && node.value) list.push({ entry, node, info: analyzeQueryCached(node.value, dialect) });
    }
    for (const { entry, goal } of ctx.goals()) {
      if (stringAt(goal, 'type')?.value !== 'query') continue;
      const node = stringAt(goal, 'query');
      if (node && node.value) list.push({ entry, node, info: analyzeQueryCached(node.value, dialect), goal: true });
    }
  }
  cache.set(ctx, list);
  return list;
}
