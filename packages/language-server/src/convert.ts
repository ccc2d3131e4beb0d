/** Plain service results (document offsets) ↔ LSP types. */
import { pathToFileURL } from 'node:url';
import { CODES, docsUrl, type Diagnostic as SkeneDiagnostic } from '@skene/core/analysis';
import type {
  CodeAction as SkeneCodeAction,
  CodeLens as SkeneCodeLens,
  CompletionItem as SkeneCompletionItem,
  DocumentSymbol as SkeneSymbol,
  Location as SkeneLocation,
} from '@skene/core/language';
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, DocumentSymbol, Location, Range, WorkspaceEdit } from 'vscode-languageserver/node';
import { CodeActionKind, CompletionItemKind, DiagnosticSeverity, InsertTextFormat, MarkupKind, SymbolKind } from './lsp.js';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export function toRange(doc: TextDocument, range: { start: number; end: number }): Range {
  return { start: doc.positionAt(range.start), end: doc.positionAt(range.end) };
}

export function fromRange(doc: TextDocument, range: Range): { start: number; end: number } {
  return { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(doc: TextDocument, d: SkeneDiagnostic): Diagnostic {
  return {
    range: toRange(doc, d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: docsUrl(d.code) },
    source: 'skene',
    message: d.message,
    data: { name: CODES[d.code]?.name },
  };
}

const KINDS: Record<SkeneCompletionItem['kind'], CompletionItemKind> = {
  property: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  enum: CompletionItemKind.EnumMember,
  table: CompletionItemKind.Struct,
  column: CompletionItemKind.Field,
  template: CompletionItemKind.File,
  cron: CompletionItemKind.Value,
  duration: CompletionItemKind.Unit,
  timezone: CompletionItemKind.Value,
  placeholder: CompletionItemKind.Variable,
  snippet: CompletionItemKind.Snippet,
};

/** `${1|a,b|}` → `a`, `${2:x}` → `x`, `${3}` → `` — for clients without snippet support. */
export function stripSnippet(text: string): string {
  return text
    .replace(/\$\{\d+\|([^,|}]*)[^}]*\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\{\d+\}/g, '');
}

export function toCompletionItem(doc: TextDocument, item: SkeneCompletionItem, snippets: boolean): CompletionItem {
  const text = item.insertText ?? item.label;
  const snippet = item.snippet === true && snippets;
  return {
    label: item.label,
    kind: KINDS[item.kind],
    ...(item.detail ? { detail: item.detail } : {}),
    ...(item.documentation ? { documentation: { kind: MarkupKind.Markdown, value: item.documentation } } : {}),
    ...(item.sortText ? { sortText: item.sortText } : {}),
    ...(item.filterText ? { filterText: item.filterText } : {}),
    insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range: toRange(doc, item.range), newText: snippet ? text : item.snippet ? stripSnippet(text) : text },
  };
}

export function toSymbol(doc: TextDocument, s: SkeneSymbol): DocumentSymbol {
  return {
    name: s.name,
    ...(s.detail ? { detail: s.detail } : {}),
    kind: s.kind === 'loop' ? SymbolKind.Module : SymbolKind.Event,
    range: toRange(doc, s.range),
    selectionRange: toRange(doc, s.selectionRange),
    children: s.children.map((c) => toSymbol(doc, c)),
  };
}

export function toLocation(l: SkeneLocation): Location {
  const at = { line: l.line, character: l.character };
  return { uri: pathToFileURL(l.path).href, range: { start: at, end: at } };
}

export function toCodeLens(doc: TextDocument, lens: SkeneCodeLens): CodeLens {
  // The document's URI goes after the service's arguments, so the extension knows which config.
  return { range: toRange(doc, lens.range), command: { title: lens.title, command: lens.command, arguments: [...lens.arguments, doc.uri] } };
}

export interface EditSupport {
  documentChanges: boolean;
  createFiles: boolean;
}

/** A code action as a WorkspaceEdit; undefined when the client cannot apply it (a file to create without resource operations). */
export function toCodeAction(doc: TextDocument, action: SkeneCodeAction, lspDiagnostic: Diagnostic, support: EditSupport): CodeAction | undefined {
  const edits = action.edits.map((e) => ({ range: toRange(doc, e.range), newText: e.newText }));
  let edit: WorkspaceEdit;
  if (action.createFile) {
    if (!support.documentChanges || !support.createFiles) return undefined;
    const uri = pathToFileURL(action.createFile.path).href;
    edit = {
      documentChanges: [
        { kind: 'create', uri, options: { overwrite: false, ignoreIfExists: true } },
        {
          textDocument: { uri, version: null },
          edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: action.createFile.content }],
        },
        ...(edits.length ? [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] : []),
      ],
    };
  } else if (support.documentChanges) {
    edit = { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
  } else {
    edit = { changes: { [doc.uri]: edits } };
  }
  return { title: action.title, kind: CodeActionKind.QuickFix, diagnostics: [lspDiagnostic], isPreferred: action.isPreferred ?? false, edit };
}
