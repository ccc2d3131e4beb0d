/**
 * What the language services answer: plain data with document offsets (UTF-16, like LSP), so the
 * services know nothing of any editor protocol. The language server converts these to LSP types.
 */
import type { Diagnostic, TextEdit } from '../analysis/diagnostics.js';
import type { Range } from '../analysis/values.js';

export type CompletionKind = 'property' | 'value' | 'enum' | 'table' | 'column' | 'template' | 'cron' | 'duration' | 'timezone' | 'placeholder' | 'snippet';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** One line shown beside the label (a type, a cron expression's meaning, a column's type). */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** The text that replaces `range`; the label when absent. */
  insertText?: string;
  /** `insertText` holds `${1}`-style tab stops. */
  snippet?: boolean;
  /** What the item replaces (the half-typed word at the cursor); the cursor itself when empty. */
  range: Range;
  /** Orders items: lower first. */
  sortText?: string;
  /** Text the editor filters on, when it differs from the label (e.g. a quoted value). */
  filterText?: string;
}

export interface CompletionResult {
  items: CompletionItem[];
}

export interface HoverResult {
  /** Markdown. */
  contents: string;
  range: Range;
}

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  /** The diagnostic the action fixes. */
  diagnostic: Diagnostic;
  /** Edits on the config itself. */
  edits: TextEdit[];
  /** A file to create, as an absolute path (e.g. a missing email template). */
  createFile?: { path: string; content: string };
  isPreferred?: boolean;
}

export type SymbolKind = 'loop' | 'step';

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: SymbolKind;
  range: Range;
  selectionRange: Range;
  children: DocumentSymbol[];
}

/** A place in another file (a template, a schema file): absolute path and 0-based position. */
export interface Location {
  path: string;
  line: number;
  character: number;
  /** The span in the config the definition was asked from. */
  originRange?: Range;
}

export interface CodeLens {
  range: Range;
  title: string;
  command: 'skene.planLoop' | 'skene.copyPrompt';
  arguments: unknown[];
}
