import type { RuleContext } from '../context.js';
import { capitalize, reportGuardFindings } from './guard-findings.js';

/**
 * SKN026: a function, cast or operator outside the read-only allow-list (guard/allow-list.ts);
 * SKN027 (a warning): one the config vouches for in `database.allowFunctions`.
 */
export function sqlFunctionNotAllowed(ctx: RuleContext): void {
  reportGuardFindings(ctx, ['SKN026', 'SKN027'], (p) => `${capitalize(p.message)}.`);
}
