/**
 * The handshake and the settings: initialize (what the client supports → what the server offers),
 * initialized (file watchers and the `skene` configuration section registered), and configuration
 * changes (settings read again, every open config checked again).
 */
import { prepareAnalysis } from '@skene/core/analysis';
import { COMPLETION_TRIGGER_CHARACTERS } from '@skene/core/language';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { CodeActionKind, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, TextDocumentSyncKind } from '../lsp.js';
import { withFault } from '../services.js';
import { readSettings } from '../settings.js';
import type { Workspace } from '../workspace.js';
import { COMMAND_IDS } from './commands.js';
import type { DiagnosticsHandlers } from './diagnostics.js';

export const SERVER_NAME = 'skene-language-server';
export const SERVER_VERSION = '0.1.0';

/** Watched files whose change re-checks every open config: schema SQL and email templates. */
export const WATCHED_GLOBS = ['**/*.sql', '**/emails/**'];

export function registerInitialize(ws: Workspace, diagnostics: DiagnosticsHandlers): void {
  const { connection } = ws;

  async function pullSettings(): Promise<void> {
    if (!ws.client.pullConfiguration) return;
    try {
      const section = await connection.workspace.getConfiguration('skene');
      ws.settings = readSettings(section ?? {}, ws.initSettings);
    } catch (error) {
      ws.log(`skene: reading settings failed: ${String(error)}`);
    }
  }

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const caps = params.capabilities;
    const options = (params.initializationOptions ?? {}) as Record<string, unknown>;
    ws.initSettings = ws.settings = readSettings(options);
    ws.services = withFault(typeof options.skeneTestFault === 'string' ? options.skeneTestFault : process.env.SKENE_TEST_FAULT);
    ws.client = {
      snippets: caps.textDocument?.completion?.completionItem?.snippetSupport === true,
      edits: {
        documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
        createFiles: caps.workspace?.workspaceEdit?.resourceOperations?.includes('create') === true,
      },
      pullConfiguration: caps.workspace?.configuration === true,
      refreshPull: caps.workspace?.diagnostics?.refreshSupport === true,
      dynamicWatchers: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    };
    await prepareAnalysis(); // PostgreSQL's parser (WebAssembly), once; MySQL's when a config needs it
    if (ws.settings.dialect) await ws.prepare(ws.settings.dialect);
    return {
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        // `{` only answers for `{{` in a string: core's completesOnTrigger.
        completionProvider: { triggerCharacters: COMPLETION_TRIGGER_CHARACTERS, resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        definitionProvider: true,
        codeLensProvider: { resolveProvider: false },
        diagnosticProvider: { identifier: 'skene', interFileDependencies: true, workspaceDiagnostics: false },
        ...(COMMAND_IDS.length ? { executeCommandProvider: { commands: COMMAND_IDS } } : {}),
      },
    };
  });

  connection.onInitialized(async () => {
    if (ws.client.dynamicWatchers) {
      await connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })) })
        .catch((e: unknown) => ws.log(`skene: registering file watchers failed: ${String(e)}`));
    }
    if (ws.client.pullConfiguration) {
      await connection.client.register(DidChangeConfigurationNotification.type, { section: 'skene' }).catch(() => undefined);
      await pullSettings();
    }
  });

  connection.onDidChangeConfiguration(
    ws.guard(
      'configuration',
      () => undefined,
      async (params) => {
        if (ws.client.pullConfiguration) await pullSettings();
        else ws.settings = readSettings(params.settings ?? {}, ws.initSettings);
        diagnostics.recheckAll();
      },
    ),
  );
}
