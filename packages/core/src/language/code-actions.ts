/** Code actions: the quick fixes of the diagnostics that touch the requested range, chosen by code. */
import type { ConfigDocument } from '../analysis/document.js';
import type { Diagnostic } from '../analysis/diagnostics.js';
import type { Range } from '../analysis/values.js';
import { QUICK_FIXES } from './quick-fixes/index.js';
import type { CodeAction } from './types.js';

export function codeActions(doc: ConfigDocument, diagnostics: readonly Diagnostic[], range: Range): CodeAction[] {
  const out: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.range.end < range.start || diagnostic.range.start > range.end) continue;
    for (const fix of QUICK_FIXES[diagnostic.code] ?? []) out.push(...fix(diagnostic, doc));
  }
  return out;
}
