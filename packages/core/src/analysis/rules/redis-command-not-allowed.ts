import { guardRedisCommand } from '../../guard/index.js';
import type { RuleContext } from '../context.js';
import { stringAt, valueOf } from '../values.js';

/** SKN029: a Redis condition's (or goal's) command that is not on the read allow-list — exactly what the plan refuses. */
export function redisCommandNotAllowed(ctx: RuleContext): void {
  const checked = [...ctx.steps().map((s) => s.condition), ...ctx.goals().map((g) => g.goal)];
  for (const condition of checked) {
    if (stringAt(condition, 'type')?.value !== 'redis') continue;
    const command = valueOf(condition, 'command');
    const name = command?.kind === 'array' ? command.items[0] : undefined;
    if (name?.kind !== 'string') continue;
    for (const problem of guardRedisCommand([name.value])) ctx.report(problem.code, name.range, `${problem.message}.`);
  }
}
