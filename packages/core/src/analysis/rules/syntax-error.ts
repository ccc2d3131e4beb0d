import type { RuleContext } from '../context.js';

/**
 * SKN006: TypeScript cannot parse the file as written. Analysis still reports what it can read. In
 * an editor (`syntax: 'leave-to-typescript'`) TypeScript shows its own syntax errors, so only the
 * ones it would not show are reported.
 */
export function syntaxError(ctx: RuleContext): void {
  const errors = ctx.syntax === 'report' ? ctx.doc.syntaxErrors : ctx.doc.syntaxErrors.filter((e) => e.skeneOnly);
  for (const error of errors.slice(0, 20)) ctx.report('SKN006', error.range, `TypeScript syntax error: ${error.message}`);
}
