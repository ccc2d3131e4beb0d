import { CronExpressionParser } from 'cron-parser';
import type { RuleContext } from '../context.js';
import { sourceOffset, stringAt } from '../values.js';
import { Memo } from '../../memo.js';

const FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

/** SKN010: a cron expression that is not 5 valid fields; the message names the field at fault. */
export function invalidCron(ctx: RuleContext): void {
  for (const { trigger, triggerType } of ctx.steps()) {
    if (triggerType !== 'schedule') continue;
    const cron = stringAt(trigger, 'cron');
    if (!cron) continue;
    const problem = cronProblem(cron.value);
    if (!problem) continue;
    const range = problem.field ? { start: sourceOffset(cron, problem.field.start), end: sourceOffset(cron, problem.field.end) } : cron.range;
    ctx.report('SKN010', range, problem.message);
  }
}

export interface CronProblem {
  message: string;
  field?: { name: string; start: number; end: number };
}

const problems = new Memo<CronProblem | undefined>(1000);

/**
 * Why `expression` is not a valid 5-field cron expression, or undefined when it is. Memoised (a
 * pure function of the text; parsing builds time-zone formatters, the costly part of re-checking a
 * config with many schedules on every edit). Bounded.
 */
export function cronProblem(expression: string): CronProblem | undefined {
  return problems.get(expression, () => findCronProblem(expression));
}

function findCronProblem(expression: string): CronProblem | undefined {
  const fields = [...expression.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
  if (fields.length !== 5) {
    const hint = fields.length === 6 ? ' Seconds are not supported: drop the first field.' : '';
    return {
      message: `A cron expression has 5 fields (minute hour day-of-month month day-of-week); '${clip(expression)}' has ${fields.length}.${hint} Example: '0 9 * * *' is daily at 09:00.`,
    };
  }
  if (tryParse(expression) === undefined) return undefined;
  // The library parses; to name the field at fault, try each field alone among wildcards.
  for (const [i, field] of fields.entries()) {
    const alone = FIELDS.map((_, j) => (j === i ? field.text : '*')).join(' ');
    const error = tryParse(alone);
    if (error)
      return {
        message: `Invalid cron ${FIELDS[i]} field '${clip(field.text)}': ${clip(error)}.`,
        field: { name: FIELDS[i], start: field.start, end: field.end },
      };
  }
  return { message: `Invalid cron expression '${clip(expression)}': ${clip(tryParse(expression) ?? '')}.` };
}

function tryParse(expression: string): string | undefined {
  try {
    CronExpressionParser.parse(expression, { strict: false });
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  }
}

/** Messages quote what the user wrote, not 100 KB of it. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
