/**
 * The values the server uses from vscode-languageserver, imported here once. In the bundle
 * (dist/server.cjs) every module that imports a CommonJS package gets its own copy of the
 * package's exports (esbuild's interop defines a getter per name): seven modules importing its
 * ~320 names made seven copies, ~3 ms of a cold start. Types are imported from the package itself.
 */
export {
  CodeActionKind,
  CompletionItemKind,
  CompletionTriggerKind,
  createConnection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  InsertTextFormat,
  MarkupKind,
  ProposedFeatures,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
