import { applyAllowFunctions, type GuardCode, type GuardProblem } from '../../guard/index.js';
import type { RuleContext } from '../context.js';
import { queryConditions } from '../queries.js';
import { sourceOffset, type StringNode } from '../values.js';

/**
 * The read-only guard's findings with the given codes, for the rules that report them (one rule
 * per code). A syntax error is SKN020's, reported once by sql-syntax.ts.
 */
export function reportGuardFindings(ctx: RuleContext, codes: readonly GuardCode[], explain: (p: GuardProblem) => string): void {
  for (const { node, info, goal } of queryConditions(ctx)) {
    for (const found of applyAllowFunctions(info.guard, ctx.allowFunctions)) {
      if (!codes.includes(found.code) || (found.code === 'SKN020' && info.syntaxError)) continue;
      // The guard speaks of "the condition"; in a goal, say what the user wrote.
      const problem = goal ? { ...found, message: found.message.replace(/^the condition\b/, 'the goal') } : found;
      ctx.report(problem.code, rangeIn(node, problem), explain(problem), undefined, problem.severity);
    }
  }
}

function rangeIn(node: StringNode, problem: GuardProblem) {
  const start = sourceOffset(node, problem.start);
  return { start, end: Math.max(start + (problem.end > problem.start ? 0 : 1), sourceOffset(node, problem.end)) };
}

export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
