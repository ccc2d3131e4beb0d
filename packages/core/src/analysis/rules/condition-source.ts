import type { RuleContext } from '../context.js';
import type { Fix } from '../diagnostics.js';
import { stringAt, type StringNode } from '../values.js';

/** SKN024: a SQL condition against a Redis source, or a Redis condition against a SQL database. */
export function conditionSource(ctx: RuleContext): void {
  for (const { condition, triggerType } of ctx.steps()) {
    const type = stringAt(condition, 'type');
    if (!type || condition?.kind !== 'object') continue;
    if (ctx.dialect === 'redis' && type.value === 'query') {
      const query = stringAt(condition, 'query');
      const rewrite = query && triggerType === 'database' ? redisRewrite(query) : undefined;
      const fixes: Fix[] | undefined = rewrite ? [{ title: 'Rewrite as a Redis condition', edits: [{ range: condition.range, newText: rewrite }] }] : undefined;
      ctx.report(
        'SKN024',
        type.range,
        `Redis has no SQL: a query condition cannot run against a Redis source. Use { type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }${rewrite ? ' (a quick fix writes it from this query)' : ''}.`,
        fixes,
      );
    } else if (ctx.dialect !== 'redis' && type.value === 'redis') {
      ctx.report(
        'SKN024',
        type.range,
        `A redis condition needs a Redis source (a redis:// or Upstash URL); this config's data source is ${ctx.dialect === 'mysql' ? 'MySQL-dialect' : 'PostgreSQL'}. Use { type: 'query', query: \`SELECT …\` } instead.`,
      );
    }
  }
  for (const { goal } of ctx.goals()) {
    const type = stringAt(goal, 'type');
    if (type && ctx.dialect === 'redis' && type.value === 'query') {
      ctx.report(
        'SKN024',
        type.range,
        `Redis has no SQL: a query goal cannot run against a Redis source. Use { type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'invited_teammate'], within: '7d' }.`,
      );
    } else if (type && ctx.dialect !== 'redis' && type.value === 'redis') {
      ctx.report(
        'SKN024',
        type.range,
        `A redis goal needs a Redis source (a redis:// or Upstash URL); this config's data source is ${ctx.dialect === 'mysql' ? 'MySQL-dialect' : 'PostgreSQL'}. Use { type: 'query', query: \`SELECT … WHERE user_id = $1\`, within: '7d' } instead.`,
      );
    }
  }
}

/** `… FROM user_actions WHERE user_id = $1 AND action_type = 'x'` → SISMEMBER user_actions:{{user.id}} x. */
function redisRewrite(query: StringNode): string | undefined {
  const table = /\bFROM\s+([A-Za-z_]\w*)/i.exec(query.value)?.[1];
  const member = /=\s*'([^']+)'/.exec(query.value)?.[1];
  if (!table || !member) return undefined;
  return `{ type: 'redis', command: ['SISMEMBER', '${table}:{{user.id}}', '${member}'] }`;
}
