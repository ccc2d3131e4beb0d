import type { RuleContext } from '../context.js';

/** SKN006: TypeScript cannot parse the file as written. Analysis still reports what it can read. */
export function syntaxError(ctx: RuleContext): void {
  for (const error of ctx.doc.syntaxErrors.slice(0, 20)) ctx.report('SKN006', error.range, `TypeScript syntax error: ${error.message}`);
}
