/**
 * Quick fixes by diagnostic code, never by message. Most codes' fixes are computed by analysis and
 * attached to the diagnostic (a did-you-mean edit, a rewrite, a file to create): one generic
 * provider turns those into code actions. A code gets a file of its own only when its fix is
 * special — computed here from the syntax tree and the schema (add-missing-fields.ts).
 */
import type { DiagnosticCode } from '../../analysis/diagnostics.js';
import { addMissingFields } from './add-missing-fields.js';
import { attachedEdits, attachedFiles, type QuickFix } from './attached-fixes.js';

export type { QuickFix } from './attached-fixes.js';

export const QUICK_FIXES: Partial<Record<DiagnosticCode, QuickFix[]>> = {
  // unknown key: rename it to the key it was meant to be (`personalisation` → `personalization`)
  SKN001: [attachedEdits],
  // missing required field: add the object's missing required keys with placeholder values
  SKN002: [addMissingFields],
  // value not allowed: change it to the closest allowed value (or any other allowed one)
  SKN004: [attachedEdits],
  // unknown time zone: change it to the IANA zone it was meant to be
  SKN011: [attachedEdits],
  // invalid duration: write it in the compact form (`'5 minutes'` → `'5m'`)
  SKN012: [attachedEdits],
  // SQL of another dialect: the rewrite analysis proposes (`INTERVAL '7 days'` → MySQL `INTERVAL 7 DAY`)
  SKN023: [attachedEdits],
  // template not found: change the name to the template in emails/ it was meant to be, or create
  // `emails/<name>.tsx`, a React Email component taking the personalization keys as props
  SKN030: [attachedEdits, attachedFiles],
  // unknown placeholder root: change it to the root it was meant to be (`{{usr.name}}` → `{{user.name}}`)
  SKN032: [attachedEdits],
  // unknown table: change it to the table in the schema files it was meant to be
  SKN040: [attachedEdits],
  // unknown column in `{{user.…}}`/`{{row.…}}`: change it to the column it was meant to be
  SKN041: [attachedEdits],
};
