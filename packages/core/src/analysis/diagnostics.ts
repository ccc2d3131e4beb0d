import { repositoryFileUrl } from '../repository.js';
import type { Range } from './values.js';

export type Severity = 'error' | 'warning' | 'info';

/** A text edit on the config (or a file to create, for quick fixes that write templates). */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** A file the fix creates, relative to the config's folder (e.g. a missing email template). */
  createFile?: { path: string; content: string };
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  range: Range;
  message: string;
  /** Quick fixes, first is preferred. Editors pick them by `code`, never by message text. */
  fixes?: Fix[];
}

/**
 * Stable codes. Never renumber: users and tools filter on them. Documented in docs/diagnostics.md.
 */
export const CODES = {
  SKN001: { name: 'unknown-key', title: 'Unknown key' },
  SKN002: { name: 'missing-field', title: 'Missing required field' },
  SKN003: { name: 'wrong-type', title: 'Wrong type' },
  SKN004: { name: 'invalid-enum', title: 'Value not allowed' },
  SKN005: { name: 'invalid-value', title: 'Value out of range or malformed' },
  SKN006: { name: 'syntax-error', title: 'TypeScript syntax error' },
  SKN007: { name: 'no-loops', title: 'No loops found' },
  SKN008: { name: 'not-static', title: 'Value computed at run time' },
  SKN009: { name: 'duplicate-id', title: 'Duplicate loop id' },
  SKN010: { name: 'invalid-cron', title: 'Invalid cron expression' },
  SKN011: { name: 'unknown-timezone', title: 'Unknown time zone' },
  SKN012: { name: 'invalid-duration', title: 'Invalid duration' },
  SKN020: { name: 'sql-syntax', title: 'SQL syntax error' },
  SKN021: { name: 'sql-not-read-only', title: 'SQL condition is not a single read-only query' },
  SKN022: { name: 'sql-parameter', title: 'SQL parameter does not fit the trigger' },
  SKN023: { name: 'sql-dialect', title: 'SQL syntax of another dialect' },
  SKN024: { name: 'condition-source', title: 'Condition does not fit the data source' },
  SKN025: { name: 'schedule-without-condition', title: 'Schedule without recipients' },
  SKN026: { name: 'sql-function-not-allowed', title: 'Function outside the read-only allow-list' },
  SKN027: { name: 'sql-function-vouched', title: 'Function the config vouches for' },
  SKN028: { name: 'sql-executable-comment', title: 'MySQL executable comment or optimizer hint' },
  SKN029: { name: 'redis-command-not-allowed', title: 'Redis command that is not a read' },
  SKN030: { name: 'template-not-found', title: 'Email template not found' },
  SKN031: { name: 'placeholder-malformed', title: 'Malformed placeholder' },
  SKN032: { name: 'placeholder-root', title: 'Unknown placeholder root' },
  SKN040: { name: 'unknown-table', title: 'Unknown table' },
  SKN041: { name: 'unknown-column', title: 'Unknown column' },
  SKN042: { name: 'unknown-people-table', title: 'People table or column not found' },
  SKN043: { name: 'no-person', title: 'Trigger table reaches no person' },
  SKN044: { name: 'tidb-delete-trigger', title: 'Delete trigger on TiDB' },
  SKN045: { name: 'capture-unwatched-table', title: 'Capture columns for a table no trigger watches' },
} as const;

export type DiagnosticCode = keyof typeof CODES;

export const DOCS_BASE = repositoryFileUrl('docs/diagnostics.md');

export function docsUrl(code: DiagnosticCode): string {
  return `${DOCS_BASE}#${code.toLowerCase()}-${CODES[code].name}`;
}
