/**
 * `skene check` as a service: the CLI, the Action and CI call this; the language server calls
 * `analyze` on its open buffers instead. Reads files; prints nothing.
 */
import { readFileSync } from 'node:fs';
import { prepareAnalysis, validate } from '../analysis/analyze.js';
import type { Diagnostic } from '../analysis/diagnostics.js';
import { parseConfigDocument, type ConfigDocument } from '../analysis/document.js';
import { dialectForUrl, type Dialect } from '../dialect.js';
import { projectData } from '../project-data.js';
import { loadProjectContext } from '../analysis/project-files.js';
import { stringAt, valueOf } from '../analysis/values.js';
import { plural } from '../text.js';

export interface CheckOptions {
  dialect?: Dialect;
  databaseUrl?: string;
  /** Explicit schema files (`--schema`); default: the project's, as the plan finds them (projectData). */
  schemaFiles?: string[];
  /** The seed the plan is given (`--seed`, `skene.seed`), relative to `base`: its tables are the schema. */
  seeds?: string[];
  base?: string;
}

export interface CheckResult {
  file: string;
  text: string;
  document: ConfigDocument;
  dialect: Dialect;
  diagnostics: Diagnostic[];
}

/** One diagnostic as tools read it: 1-based lines and columns (DESIGN §4). */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Diagnostic['severity'];
  code: string;
  message: string;
}

export async function checkConfigFile(file: string, options: CheckOptions = {}): Promise<CheckResult> {
  // Editors do not show a byte-order mark, so columns are counted without it.
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  // PostgreSQL's parser, which every check needs, compiles on another thread while this one parses.
  prepareAnalysis().catch(() => {}); // its failure is the await's below
  const document = parseConfigDocument(text, file);
  // The dialect: explicit, else the database URL's scheme (flag/env), else `database.url` in the config.
  const dialect =
    options.dialect ?? dialectForUrl(options.databaseUrl) ?? dialectForUrl(stringAt(valueOf(document.root, 'database'), 'url')?.value) ?? 'postgres';
  const schemaFiles = options.schemaFiles?.length
    ? options.schemaFiles
    : projectData({ configPath: file, seeds: options.seeds, base: options.base, dialect }).schemaFiles;
  await prepareAnalysis({ dialect });
  let project = loadProjectContext(file, { schemaFiles });
  // Schema files may be in either SQL dialect whatever the data source. Most are PostgreSQL's: the
  // MySQL grammar (~10 ms to load) is loaded only when a file needs it, and the files read again.
  if (project.unreadWithoutMysql) {
    await prepareAnalysis({ dialect: 'mysql' });
    project = loadProjectContext(file, { schemaFiles });
  }
  return { file, text, document, dialect, diagnostics: validate(document, { fileName: file, dialect, project }) };
}

export function toJsonDiagnostics(result: Pick<CheckResult, 'file' | 'document' | 'diagnostics'>, displayFile = result.file): JsonDiagnostic[] {
  const { lines } = result.document;
  return result.diagnostics.map((d) => {
    const start = lines.position(d.range.start);
    const end = lines.position(d.range.end);
    return {
      file: displayFile,
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
    };
  });
}

/** tsc-style: `file:line:col - error SKN004: message`, the source line, and a caret under the range. */
export function formatDiagnosticsText(result: Pick<CheckResult, 'file' | 'document' | 'diagnostics'>, displayFile = result.file, color = false): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const { lines } = result.document;
  const out: string[] = [];
  for (const d of result.diagnostics) {
    const start = lines.position(d.range.start);
    const end = lines.position(d.range.end);
    const severity = d.severity === 'error' ? paint('31', 'error') : d.severity === 'warning' ? paint('33', 'warning') : paint('36', 'info');
    out.push(
      `${paint('36', displayFile)}:${paint('33', String(start.line + 1))}:${paint('33', String(start.character + 1))} - ${severity} ${paint('90', d.code)}: ${printable(d.message)}`,
    );
    const { source, caretAt, caretWidth } = excerpt(lines.lineText(start.line), start.character, end.line === start.line ? end.character : undefined);
    const gutter = String(start.line + 1);
    out.push(
      '',
      `${paint('7', gutter)} ${source}`,
      `${paint('7', ' '.repeat(gutter.length))} ${caretAt}${paint(d.severity === 'error' ? '31' : '33', '~'.repeat(caretWidth))}`,
    );
    if (d.fixes?.[0]) out.push(`${' '.repeat(gutter.length + 1)}${paint('32', `fix: ${printable(d.fixes[0].title)}`)}`);
    out.push('');
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  out.push(
    errors || warnings
      ? `Found ${plural(errors, 'error')} and ${plural(warnings, 'warning')} in ${displayFile}.`
      : `${displayFile}: no problems found (${plural(result.document.loops.length, 'loop')}).`,
  );
  return out.join('\n') + '\n';
}

const EXCERPT_WIDTH = 160;

/**
 * The source line as printed under a diagnostic: control characters made visible (a config must not
 * drive the terminal), long lines cut to a window around the problem, and the caret's indent
 * keeping the line's tabs so it lines up.
 */
function excerpt(line: string, from: number, to: number | undefined): { source: string; caretAt: string; caretWidth: number } {
  let start = 0;
  let end = line.length;
  if (line.length > EXCERPT_WIDTH) {
    start = Math.max(0, Math.min(from - 40, line.length - EXCERPT_WIDTH));
    end = start + EXCERPT_WIDTH;
  }
  const head = start > 0 ? '…' : '';
  const source = head + printable(line.slice(start, end)) + (end < line.length ? '…' : '');
  const caretAt = head.replace('…', ' ') + line.slice(start, from).replace(/[^\t]/g, ' ');
  const caretEnd = Math.min(to ?? line.length, end);
  return { source, caretAt, caretWidth: Math.max(1, caretEnd - from) };
}

/** Control characters (but tab) shown as `?`: printed raw they could move the cursor or retitle the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}
