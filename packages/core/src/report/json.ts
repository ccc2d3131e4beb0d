/** The report as JSON: two-space indented, keys in model order, a final newline. Same report → same bytes. */
import type { PlanReport } from './model.js';

export function renderJson(report: PlanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
