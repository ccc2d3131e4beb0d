import { analyzeQuery, type QueryInfo } from '../sql/query-info.js';
import type { RuleContext, StepEntry } from './context.js';
import { stringAt, type StringNode } from './values.js';

export interface QueryCondition {
  entry: StepEntry;
  node: StringNode;
  info: QueryInfo;
}

const cache = new WeakMap<RuleContext, QueryCondition[]>();

/** Every static SQL condition, parsed once per analysis in the context's dialect (none for Redis). */
export function queryConditions(ctx: RuleContext): QueryCondition[] {
  let list = cache.get(ctx);
  if (list) return list;
  list = [];
  const dialect = ctx.dialect;
  if (dialect !== 'redis') {
    for (const entry of ctx.steps()) {
      if (stringAt(entry.condition, 'type')?.value !== 'query') continue;
      const node = stringAt(entry.condition, 'query');
      if (node && node.value.trim()) list.push({ entry, node, info: analyzeQuery(node.value, dialect) });
    }
  }
  cache.set(ctx, list);
  return list;
}
