/** Quick fixes by diagnostic code — each in its own file, named for what it fixes. */
import type { DiagnosticCode } from '../../analysis/diagnostics.js';
import { addMissingFields } from './add-missing-fields.js';
import { changeColumn } from './change-column.js';
import { changeEnumValue } from './change-enum-value.js';
import { changePlaceholderRoot } from './change-placeholder-root.js';
import { changeTable } from './change-table.js';
import { changeTemplate } from './change-template.js';
import { changeTimezone } from './change-timezone.js';
import { compactDuration } from './compact-duration.js';
import { createTemplate } from './create-template.js';
import { renameKey } from './rename-key.js';
import { rewriteSqlDialect } from './rewrite-sql-dialect.js';
import type { QuickFix } from './shared.js';

export type { QuickFix } from './shared.js';

export const QUICK_FIXES: Partial<Record<DiagnosticCode, QuickFix[]>> = {
  SKN001: [renameKey],
  SKN002: [addMissingFields],
  SKN004: [changeEnumValue],
  SKN011: [changeTimezone],
  SKN012: [compactDuration],
  SKN023: [rewriteSqlDialect],
  SKN030: [changeTemplate, createTemplate],
  SKN032: [changePlaceholderRoot],
  SKN040: [changeTable],
  SKN041: [changeColumn],
};
