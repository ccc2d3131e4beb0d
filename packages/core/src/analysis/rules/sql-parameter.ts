import type { RuleContext } from '../context.js';
import { queryConditions } from '../queries.js';
import { sourceOffset } from '../values.js';

/**
 * SKN022: `$1` is the triggering row's key in database triggers; schedules have no parameters; a
 * goal has one, `$1`, the recipient's user key.
 */
export function sqlParameter(ctx: RuleContext): void {
  for (const { node, info, entry, goal } of queryConditions(ctx)) {
    for (const param of info.params) {
      const range = { start: sourceOffset(node, param.start), end: sourceOffset(node, param.end) };
      if (goal) {
        if (param.number !== 1)
          ctx.report('SKN022', range, `$${param.number} has no value: a goal passes one parameter, $1, the recipient's user key (users.key).`);
      } else if (entry.triggerType === 'schedule') {
        ctx.report(
          'SKN022',
          range,
          `$${param.number} has no value in a schedule step: the query itself returns the recipients (one user per row). Remove the parameter.`,
        );
      } else if (entry.triggerType === 'database' && param.number !== 1) {
        ctx.report('SKN022', range, `$${param.number} has no value: a database trigger passes one parameter, $1, the triggering row's primary key.`);
      }
    }
  }
}
