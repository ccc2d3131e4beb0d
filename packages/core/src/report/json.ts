/**
 * The report as JSON: two-space indented, keys in model order, a final newline. Same report → same
 * bytes. Masked: digests of the real values, then every string masked (before serialising, so the
 * JSON's own escapes are never touched); either way every string is well-formed.
 */
import { maskStrings, type Masker } from './mask.js';
import type { PlanReport } from './model.js';
import { maskRecipients, wellFormed } from './output.js';

export function renderJson(report: PlanReport): string {
  const out = report.recipients === 'masked' ? maskRecipients(report) : maskStrings(report, wellFormed as Masker);
  return `${JSON.stringify(out, null, 2)}\n`;
}
