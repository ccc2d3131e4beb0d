/** Code actions: the quick fixes of the diagnostics that touch the requested range, chosen by code. */
import type { ConfigDocument } from '../analysis/document.js';
import type { Diagnostic } from '../analysis/diagnostics.js';
import type { Range } from '../analysis/values.js';
import { QUICK_FIXES } from './quick-fixes/index.js';
import type { CodeAction } from './types.js';

export function codeActions(doc: ConfigDocument, diagnostics: readonly Diagnostic[], range: Range): CodeAction[] {
  const out: CodeAction[] = [];
  const seen = new Set<string>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.range.end < range.start || diagnostic.range.start > range.end) continue;
    for (const fix of QUICK_FIXES[diagnostic.code] ?? []) {
      for (const action of fix(diagnostic, doc)) {
        // Several diagnostics may propose the same change (two missing fields of one object): offer it once.
        const key = JSON.stringify([action.title, action.edits, action.createFile?.path]);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(action);
      }
    }
  }
  return out;
}
