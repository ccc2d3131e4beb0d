import type { RuleContext } from '../context.js';
import { capitalize, reportGuardFindings } from './guard-findings.js';

/** SKN028: a MySQL executable comment (`/*! … *\/`, `/*M! … *\/`) or optimizer hint (`/*+ … *\/`). */
export function sqlExecutableComment(ctx: RuleContext): void {
  reportGuardFindings(ctx, ['SKN028'], (p) => `${capitalize(p.message)}.`);
}
