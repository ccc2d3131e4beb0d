import type { RuleContext } from '../context.js';
import { queryConditions } from '../queries.js';
import { sourceOffset } from '../values.js';

/** SKN020: the condition does not parse in the dialect, at the exact line and column the parser names. */
export function sqlSyntax(ctx: RuleContext): void {
  const parser = ctx.dialect === 'mysql' ? 'MySQL-dialect parser' : 'PostgreSQL parser';
  for (const { node, info } of queryConditions(ctx)) {
    if (!info.syntaxError) continue;
    const { offset, message } = info.syntaxError;
    const start = sourceOffset(node, offset);
    const word = /^[\w$]+|^\S/.exec(node.value.slice(offset))?.[0].length ?? 0;
    ctx.report('SKN020', { start, end: word ? sourceOffset(node, offset + word) : start + 1 }, `SQL ${message} (${parser}).`);
  }
}
