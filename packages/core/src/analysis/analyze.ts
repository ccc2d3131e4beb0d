import { loadMysqlParser } from '../sql/mysql.js';
import { loadPostgresParser } from '../sql/postgres.js';
import { RuleContext } from './context.js';
import type { Diagnostic } from './diagnostics.js';
import { parseConfigDocument, type ConfigDocument } from './document.js';
import type { Dialect } from '../dialect.js';
import type { ProjectContext } from './project.js';
import { diagnosticsByLoop, splitsByLoop } from './loop-results.js';
import { LOOP_RULES, RULES, WHOLE_DOCUMENT_RULES, type Rule } from './rules/index.js';

/**
 * Plain TypeScript syntax errors (SKN006): `report` them (`skene check`, the Action: nothing else
 * tells the user the file does not parse), or `leave-to-typescript` in an editor, whose TypeScript
 * already shows each one (the same error twice is noise).
 */
export type SyntaxReporting = 'report' | 'leave-to-typescript';

export interface AnalyzeOptions {
  fileName?: string;
  /** Default `report`. */
  syntax?: SyntaxReporting;
  /** SQL dialect of the data source; default postgres. */
  dialect?: Dialect;
  project?: ProjectContext;
}

export interface Analysis {
  document: ConfigDocument;
  diagnostics: Diagnostic[];
}

/**
 * Loads the parsers analysis needs: PostgreSQL's (WebAssembly) always, the MySQL grammar when that
 * dialect is used (or `dialect: 'all'`, as the language server does). Await before `analyze`.
 */
export async function prepareAnalysis(options: { dialect?: Dialect | 'all' } = {}): Promise<void> {
  await loadPostgresParser();
  if (options.dialect === 'mysql' || options.dialect === 'all') await loadMysqlParser();
}

/**
 * Static analysis of a config's text: never executes it, never throws on broken input.
 * A rule that fails is reported as an internal diagnostic instead of taking the others down.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  const document = parseConfigDocument(text, options.fileName);
  return { document, diagnostics: validate(document, options) };
}

/** No project files: one object, so that the loops' kept diagnostics (keyed by the project) are kept without one too. */
const NO_PROJECT: ProjectContext = Object.freeze({});

/** The diagnostics of an already parsed document (the language server reuses its parse). */
export function validate(document: ConfigDocument, options: AnalyzeOptions = {}): Diagnostic[] {
  const whole = new RuleContext(document, options.dialect ?? 'postgres', options.project ?? NO_PROJECT, options.syntax ?? 'report');
  // Each loop's diagnostics kept while it is the same (loop-results.ts; its scopes share what
  // `whole` works out of the document); the rules across loops over the whole. A rule that fails
  // is reported once, as over the whole document.
  const byLoop = splitsByLoop(document) ? diagnosticsByLoop(whole, (ctx) => runRules(ctx, LOOP_RULES)) : undefined;
  runRules(whole, byLoop ? WHOLE_DOCUMENT_RULES : RULES);
  const diagnostics = byLoop ? [...byLoop, ...whole.diagnostics] : whole.diagnostics;
  return diagnostics.sort((a, b) => a.range.start - b.range.start || a.code.localeCompare(b.code));
}

/** Runs the rules; false when one failed (reported, as SKN006). */
function runRules(ctx: RuleContext, rules: readonly Rule[]): boolean {
  let finished = true;
  for (const rule of rules) {
    try {
      rule(ctx);
    } catch (error) {
      finished = false;
      // Half-typed documents reach corners no fixture did; one rule's bug must not hide the rest.
      ctx.report(
        'SKN006',
        { start: 0, end: 0 },
        `Skene could not finish the ${rule.name} check (${error instanceof Error ? error.message : String(error)}); other checks ran.`,
        undefined,
        'warning',
      );
    }
  }
  return finished;
}
