import type { RuleContext } from '../context.js';
import { queryConditions } from '../queries.js';
import { sourceOffset } from '../values.js';

/** SKN021: a condition must be exactly one read-only SELECT or WITH statement. */
export function sqlNotReadOnly(ctx: RuleContext): void {
  for (const { node, info } of queryConditions(ctx)) {
    if (info.syntaxError) continue;
    const reported = new Set<string>();
    for (const write of info.writes) {
      const key = `${write.start}:${write.kind}`;
      if (reported.has(key)) continue;
      reported.add(key);
      ctx.report('SKN021', { start: sourceOffset(node, write.start), end: sourceOffset(node, write.end) },
        `A condition must only read: ${write.kind} is not allowed. Write one SELECT (or WITH … SELECT) statement; plans run it in a read-only transaction.`);
    }
    if (info.statementCount === 0) {
      ctx.report('SKN021', node.range, 'The query is empty (only white space or comments). Write one SELECT statement.');
    } else if (info.statementCount > 1 && !info.writes.length) {
      ctx.report('SKN021', node.range, `A condition is one statement; this query has ${info.statementCount}. Remove the extra statements (and the \`;\` between them).`);
    }
  }
}
