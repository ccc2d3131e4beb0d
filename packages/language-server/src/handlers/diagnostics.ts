/**
 * Documents and their diagnostics: pushed after open (at once) and change (debounced), answered
 * when pulled (textDocument/diagnostic), and checked again when settings or project files change.
 */
import type { Diagnostic as SkeneDiagnostic } from '@skene/core/analysis';
import { DocumentDiagnosticReportKind } from '../lsp.js';
import { toDiagnostic } from '../convert.js';
import type { OpenConfig, ServerHooks, Workspace } from '../workspace.js';

export interface CheckedConfig extends OpenConfig {
  diagnostics: SkeneDiagnostic[];
}

export interface DiagnosticsHandlers {
  /** The config's diagnostics for its current version (computed once per version and generation). */
  diagnosticsOf(uri: string): Promise<CheckedConfig | undefined>;
  /** Settings or project files changed: every open config is checked again. */
  recheckAll(): void;
  /** Cancels the pending pushes (on shutdown). */
  dispose(): void;
}

interface Checked {
  version: number;
  generation: number;
  diagnostics: SkeneDiagnostic[];
}

export function registerDiagnostics(ws: Workspace, hooks: ServerHooks): DiagnosticsHandlers {
  const { connection, documents } = ws;
  const checked = new Map<string, Checked>();
  const timers = new Map<string, NodeJS.Timeout>();
  let afterFirstAnalysis = hooks.afterFirstAnalysis;

  async function diagnosticsOf(uri: string): Promise<CheckedConfig | undefined> {
    let config = ws.configOf(uri);
    if (!config) return undefined;
    const cached = checked.get(uri);
    if (cached && cached.version === config.text.version && cached.generation === ws.generation) return { ...config, diagnostics: cached.diagnostics };
    const dialect = ws.dialectOf(config.doc);
    if (!ws.isPrepared(dialect)) {
      await ws.prepare(dialect);
      config = ws.configOf(uri); // the document may have changed meanwhile
      if (!config) return undefined;
    }
    // The editor's TypeScript shows plain syntax errors itself; Skene's copy of each was noise.
    const options = { fileName: config.doc.fileName, dialect, project: ws.projectOf(uri), syntax: 'leave-to-typescript' as const };
    const diagnostics = ws.services.validate(config.doc, options);
    checked.set(uri, { version: config.text.version, generation: ws.generation, diagnostics });
    if (afterFirstAnalysis) {
      const hook = afterFirstAnalysis;
      afterFirstAnalysis = undefined;
      try {
        hook();
      } catch (error) {
        ws.log(`skene: ${String(error)}`);
      }
    }
    return { ...config, diagnostics };
  }

  const push = ws.guard(
    'diagnostics',
    () => undefined,
    async (uri: string) => {
      const result = await diagnosticsOf(uri);
      if (!result) return;
      await connection.sendDiagnostics({ uri, version: result.text.version, diagnostics: result.diagnostics.map((d) => toDiagnostic(result.text, d)) });
    },
  );

  /** Pushes diagnostics after `delay` (the debounce while typing; none when a file is opened). */
  function schedule(uri: string, delay = ws.settings.debounceMs): void {
    if (!ws.settings.pushDiagnostics) return;
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        void push(uri);
      }, delay),
    );
  }

  function recheckAll(): void {
    ws.generation++;
    for (const doc of documents.all()) schedule(doc.uri);
    if (ws.client.refreshPull) connection.languages.diagnostics.refresh().catch((e: unknown) => ws.log(`skene: diagnostics refresh failed: ${String(e)}`));
  }

  connection.onDidChangeWatchedFiles(
    ws.guard(
      'watched files',
      () => undefined,
      () => {
        ws.forgetProjects();
        recheckAll();
      },
    ),
  );

  // TextDocuments fires onDidChangeContent right after onDidOpen: that one is the opening itself,
  // which is checked at once, not debounced like an edit.
  const opening = new Set<string>();
  documents.onDidOpen((e) => {
    opening.add(e.document.uri);
    schedule(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => {
    if (opening.delete(e.document.uri)) return;
    schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    ws.forget(e.document.uri);
    checked.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.languages.diagnostics.on(
    ws.guard(
      'diagnostics',
      () => ({ kind: DocumentDiagnosticReportKind.Full, items: [] }),
      async (params) => {
        const result = await diagnosticsOf(params.textDocument.uri);
        return { kind: DocumentDiagnosticReportKind.Full, items: result ? result.diagnostics.map((d) => toDiagnostic(result.text, d)) : [] };
      },
    ),
  );

  return {
    diagnosticsOf,
    recheckAll,
    dispose() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
