import type { RuleContext } from '../context.js';
import { capitalize, reportGuardFindings } from './guard-findings.js';

/**
 * SKN021: a condition must be exactly one read-only SELECT or WITH statement — the read-only
 * guard's verdict (guard/), which the plan and the runner apply too. Also SKN020 for what does not
 * parse unambiguously alone (`--1` in MySQL) when the parser itself accepted it.
 */
export function sqlNotReadOnly(ctx: RuleContext): void {
  reportGuardFindings(ctx, ['SKN021', 'SKN020'], (p) => `${capitalize(p.message)}. Plans and runs refuse it too.`);
}
