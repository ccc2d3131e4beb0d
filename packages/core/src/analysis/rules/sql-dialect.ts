import type { RuleContext } from '../context.js';
import { queryConditions } from '../queries.js';
import { sourceOffset } from '../values.js';

/** SKN023: syntax of the other SQL dialect (PostgreSQL's `INTERVAL '7 days'` on TiDB), with the rewrite. */
export function sqlDialect(ctx: RuleContext): void {
  for (const { node, info } of queryConditions(ctx)) {
    for (const problem of info.dialectProblems) {
      const range = { start: sourceOffset(node, problem.start), end: sourceOffset(node, problem.end) };
      const fixes =
        problem.replacement !== undefined ? [{ title: problem.fixTitle ?? 'Rewrite', edits: [{ range, newText: problem.replacement }] }] : undefined;
      ctx.report('SKN023', range, problem.message, fixes);
    }
  }
}
