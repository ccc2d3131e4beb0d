import type { RuleContext } from '../context.js';
import { sourceOffset } from '../values.js';

/** SKN031: `{{` without `}}`, empty `{{}}`, or an expression that is not a dotted path. */
export function placeholderMalformed(ctx: RuleContext): void {
  for (const { node } of ctx.templateStrings()) {
    for (const problem of ctx.placeholdersIn(node.value).problems) {
      ctx.report('SKN031', { start: sourceOffset(node, problem.start), end: sourceOffset(node, problem.end) }, `Malformed placeholder: ${problem.message}.`);
    }
  }
}
