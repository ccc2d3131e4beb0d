import type { RuleContext } from '../context.js';
import { property } from '../values.js';

/** SKN025: a schedule step's condition is what returns its recipients; without one it mails nobody. */
export function scheduleWithoutCondition(ctx: RuleContext): void {
  for (const { step, triggerType, condition } of ctx.steps()) {
    if (triggerType !== 'schedule' || condition) continue;
    const trigger = property(step, 'trigger');
    ctx.report(
      'SKN025',
      trigger?.keyRange ?? step.range,
      "A schedule step needs a condition: its query returns the recipients, one user (with an email column) per row. Add condition: { type: 'query', query: `SELECT * FROM users WHERE …` }.",
    );
  }
}
