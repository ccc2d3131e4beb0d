/**
 * The generic quick fix: the fixes analysis already attached to a diagnostic, turned into code
 * actions. Which codes use it is listed in ./index.ts (a quick fix is chosen by the diagnostic's
 * code, never by its message).
 */
import { dirname, join } from 'node:path';
import type { ConfigDocument } from '../../analysis/document.js';
import type { Diagnostic, Fix } from '../../analysis/diagnostics.js';
import type { CodeAction } from '../types.js';

export type QuickFix = (diagnostic: Diagnostic, doc: ConfigDocument) => CodeAction[];

/** The diagnostic's own fixes that `pick` accepts, as code actions (the first one preferred). */
export function attachedFixes(pick: (fix: Fix) => boolean): QuickFix {
  return (diagnostic, doc) => (diagnostic.fixes ?? []).filter(pick).map((fix) => toAction(fix, diagnostic, doc, fix === diagnostic.fixes?.[0]));
}

export function toAction(fix: Fix, diagnostic: Diagnostic, doc: ConfigDocument, preferred: boolean): CodeAction {
  return {
    title: fix.title,
    kind: 'quickfix',
    diagnostic,
    edits: fix.edits,
    ...(fix.createFile ? { createFile: { path: join(dirname(doc.fileName), fix.createFile.path), content: fix.createFile.content } } : {}),
    ...(preferred ? { isPreferred: true } : {}),
  };
}

/** The attached edits (a did-you-mean, a rewrite); the first one is preferred. */
export const attachedEdits: QuickFix = attachedFixes((fix) => fix.edits.length > 0 && !fix.createFile);

/** The attached files to create (SKN030: the missing template). */
export const attachedFiles: QuickFix = attachedFixes((fix) => fix.createFile !== undefined);
