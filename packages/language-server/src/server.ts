/**
 * The Skene language server: a thin layer wiring core's plain language services to LSP.
 *
 * - It only ever parses the config (TypeScript parser): it never executes it, so opening a
 *   repository runs none of its code.
 * - It never goes down: every handler is guarded — a throw is logged (connection.console.error)
 *   and the request answered empty, and the server keeps serving.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
// The analysis and language entry points only: the server never loads the plan engine, data
// sources or email rendering (a faster start).
import {
  dialectForUrl, loadProjectContext, parseConfigDocument, prepareAnalysis, stringAt, validate, valueOf,
  type ConfigDocument, type Diagnostic as SkeneDiagnostic, type Dialect, type ProjectContext,
} from '@skene/core/analysis';
import { codeActions, codeLenses, complete, definition, hover, symbols } from '@skene/core/language';
import {
  CodeActionKind, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, DocumentDiagnosticReportKind, TextDocuments,
  TextDocumentSyncKind, type CodeAction, type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SERVER_COMMANDS } from './commands.js';
import { fromRange, toCodeAction, toCodeLens, toCompletionItem, toDiagnostic, toLocation, toRange, toSymbol, type EditSupport } from './convert.js';
import { DEFAULT_SETTINGS, isConfigFile, readSettings, type Settings } from './settings.js';

export const SERVER_NAME = 'skene-language-server';
export const SERVER_VERSION = '0.1.0';

/** The services the server calls; a test fault replaces one with a function that throws. */
const SERVICES = { complete, hover, codeActions, symbols, definition, codeLenses, validate };
type Services = typeof SERVICES;

/** Fault names (initializationOptions.skeneTestFault or SKENE_TEST_FAULT) → the service they break. */
const FAULTS: Record<string, keyof Services> = {
  completion: 'complete', hover: 'hover', codeAction: 'codeActions', symbols: 'symbols',
  definition: 'definition', codeLens: 'codeLenses', diagnostics: 'validate',
};

function withFault(fault: string | undefined): Services {
  const name = fault ? FAULTS[fault] : undefined;
  if (!name) return SERVICES;
  return { ...SERVICES, [name]: () => { throw new Error(`skeneTestFault: the ${fault} service failed on purpose`); } };
}

/** Watched files whose change re-checks every open config: schema SQL and email templates. */
export const WATCHED_GLOBS = ['**/*.sql', '**/emails/**'];

interface Parsed { version: number; doc: ConfigDocument }
interface Checked { version: number; generation: number; diagnostics: SkeneDiagnostic[] }

export interface ServerHooks {
  /** Called once, after the first config has been analysed (bin.ts writes its code cache then). */
  afterFirstAnalysis?: () => void;
  /** Called on the shutdown request. */
  beforeShutdown?: () => void;
}

export function startServer(connection: Connection, hooks: ServerHooks = {}): void {
  const documents = new TextDocuments(TextDocument);
  let settings: Settings = DEFAULT_SETTINGS;
  let initSettings: Settings = DEFAULT_SETTINGS;
  let services: Services = SERVICES;
  let snippets = false;
  let editSupport: EditSupport = { documentChanges: false, createFiles: false };
  let canPullConfiguration = false;
  let canRefreshPull = false;
  let dynamicWatchers = false;
  /** Bumped when settings or project files change: cached diagnostics of older generations are stale. */
  let generation = 0;

  let afterFirstAnalysis = hooks.afterFirstAnalysis;
  const parsed = new Map<string, Parsed>();
  const checked = new Map<string, Checked>();
  const projects = new Map<string, ProjectContext>();
  const timers = new Map<string, NodeJS.Timeout>();

  const log = (message: string) => connection.console.error(message);

  /** Runs a handler; a throw (or rejection) is logged and answered with `fallback`. */
  function guard<P, R>(name: string, fallback: () => R, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
    return async (params: P) => {
      try {
        return await handler(params);
      } catch (error) {
        log(`skene: ${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        return fallback();
      }
    };
  }

  function pathOf(uri: string): string {
    if (uri.startsWith('file:')) {
      try {
        return fileURLToPath(uri);
      } catch {
        return uri;
      }
    }
    return uri.replace(/^[a-z][\w+.-]*:/i, '');
  }

  /** The open document's parse, when it is a Skene config (cached per version). */
  function configOf(uri: string): { text: TextDocument; doc: ConfigDocument } | undefined {
    const text = documents.get(uri);
    if (!text || !isConfigFile(pathOf(uri), settings)) return undefined;
    const cached = parsed.get(uri);
    if (cached?.version === text.version) return { text, doc: cached.doc };
    const doc = parseConfigDocument(text.getText(), pathOf(uri));
    parsed.set(uri, { version: text.version, doc });
    return { text, doc };
  }

  function projectOf(uri: string): ProjectContext {
    if (!uri.startsWith('file:')) return {};
    const path = pathOf(uri);
    const dir = dirname(path);
    let project = projects.get(dir);
    if (!project) {
      project = loadProjectContext(path);
      projects.set(dir, project);
    }
    return project;
  }

  function dialectOf(doc: ConfigDocument): Dialect {
    return settings.dialect ?? dialectForUrl(stringAt(valueOf(doc.root, 'database'), 'url')?.value) ?? 'postgres';
  }

  const prepared = new Set<Dialect>(['postgres', 'redis']);
  /** Loads a dialect's SQL parser the first time a config needs it (MySQL's is loaded on demand). */
  async function prepare(dialect: Dialect): Promise<void> {
    if (prepared.has(dialect)) return;
    await prepareAnalysis({ dialect });
    prepared.add(dialect);
    projects.clear(); // MySQL schema files are only read once the MySQL parser is there
  }

  /** The config's diagnostics for its current version (computed once per version and generation). */
  async function diagnosticsOf(uri: string): Promise<{ text: TextDocument; doc: ConfigDocument; diagnostics: SkeneDiagnostic[] } | undefined> {
    let config = configOf(uri);
    if (!config) return undefined;
    const cached = checked.get(uri);
    if (cached && cached.version === config.text.version && cached.generation === generation) return { ...config, diagnostics: cached.diagnostics };
    const dialect = dialectOf(config.doc);
    if (!prepared.has(dialect)) {
      await prepare(dialect);
      config = configOf(uri); // the document may have changed meanwhile
      if (!config) return undefined;
    }
    const diagnostics = services.validate(config.doc, { fileName: config.doc.fileName, dialect, project: projectOf(uri) });
    checked.set(uri, { version: config.text.version, generation, diagnostics });
    if (afterFirstAnalysis) {
      const hook = afterFirstAnalysis;
      afterFirstAnalysis = undefined;
      try {
        hook();
      } catch (error) {
        log(`skene: ${String(error)}`);
      }
    }
    return { ...config, diagnostics };
  }

  const push = guard('diagnostics', () => undefined, async (uri: string) => {
    const result = await diagnosticsOf(uri);
    if (!result) return;
    await connection.sendDiagnostics({ uri, version: result.text.version, diagnostics: result.diagnostics.map((d) => toDiagnostic(result.text, d)) });
  });

  /** Pushes diagnostics after `delay` (the debounce while typing; none when a file is opened). */
  function schedule(uri: string, delay = settings.debounceMs): void {
    if (!settings.pushDiagnostics) return;
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      void push(uri);
    }, delay));
  }

  function recheckAll(): void {
    generation++;
    for (const doc of documents.all()) schedule(doc.uri);
    if (canRefreshPull) connection.languages.diagnostics.refresh().catch((e: unknown) => log(`skene: diagnostics refresh failed: ${String(e)}`));
  }

  async function pullSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    try {
      const section = await connection.workspace.getConfiguration('skene');
      settings = readSettings(section ?? {}, initSettings);
    } catch (error) {
      log(`skene: reading settings failed: ${String(error)}`);
    }
  }

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const caps = params.capabilities;
    const options = (params.initializationOptions ?? {}) as Record<string, unknown>;
    initSettings = settings = readSettings(options);
    services = withFault(typeof options.skeneTestFault === 'string' ? options.skeneTestFault : process.env.SKENE_TEST_FAULT);
    snippets = caps.textDocument?.completion?.completionItem?.snippetSupport === true;
    editSupport = {
      documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
      createFiles: caps.workspace?.workspaceEdit?.resourceOperations?.includes('create') === true,
    };
    canPullConfiguration = caps.workspace?.configuration === true;
    canRefreshPull = caps.workspace?.diagnostics?.refreshSupport === true;
    dynamicWatchers = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    await prepareAnalysis(); // PostgreSQL's parser (WebAssembly), once; MySQL's when a config needs it
    if (settings.dialect) await prepare(settings.dialect);
    const commands = Object.keys(SERVER_COMMANDS);
    return {
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['.', '{', "'", '"', '`'], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        definitionProvider: true,
        codeLensProvider: { resolveProvider: false },
        diagnosticProvider: { identifier: 'skene', interFileDependencies: true, workspaceDiagnostics: false },
        ...(commands.length ? { executeCommandProvider: { commands } } : {}),
      },
    };
  });

  connection.onInitialized(async () => {
    if (dynamicWatchers) {
      await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })) })
        .catch((e: unknown) => log(`skene: registering file watchers failed: ${String(e)}`));
    }
    if (canPullConfiguration) {
      await connection.client.register(DidChangeConfigurationNotification.type, { section: 'skene' }).catch(() => undefined);
      await pullSettings();
    }
  });

  connection.onDidChangeConfiguration(guard('configuration', () => undefined, async (params) => {
    if (canPullConfiguration) await pullSettings();
    else settings = readSettings(params.settings ?? {}, initSettings);
    recheckAll();
  }));

  connection.onDidChangeWatchedFiles(guard('watched files', () => undefined, () => {
    projects.clear();
    recheckAll();
  }));

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
    parsed.delete(e.document.uri);
    checked.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.languages.diagnostics.on(guard('diagnostics', () => ({ kind: DocumentDiagnosticReportKind.Full, items: [] }), async (params) => {
    const result = await diagnosticsOf(params.textDocument.uri);
    return { kind: DocumentDiagnosticReportKind.Full, items: result ? result.diagnostics.map((d) => toDiagnostic(result.text, d)) : [] };
  }));

  connection.onCompletion(guard('completion', () => ({ isIncomplete: false, items: [] }), (params) => {
    const config = configOf(params.textDocument.uri);
    if (!config) return { isIncomplete: false, items: [] };
    const result = services.complete(config.doc, config.text.offsetAt(params.position), projectOf(params.textDocument.uri));
    return { isIncomplete: false, items: result.items.map((item) => toCompletionItem(config.text, item, snippets)) };
  }));

  connection.onHover(guard('hover', () => null, (params) => {
    const config = configOf(params.textDocument.uri);
    if (!config) return null;
    const result = services.hover(config.doc, config.text.offsetAt(params.position), projectOf(params.textDocument.uri));
    return result ? { contents: { kind: 'markdown', value: result.contents }, range: toRange(config.text, result.range) } : null;
  }));

  connection.onCodeAction(guard('codeAction', () => [], async (params) => {
    if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
    const result = await diagnosticsOf(params.textDocument.uri);
    if (!result) return [];
    const actions = services.codeActions(result.doc, result.diagnostics, fromRange(result.text, params.range));
    return actions
      .map((a) => toCodeAction(result.text, a, toDiagnostic(result.text, a.diagnostic), editSupport))
      .filter((a): a is CodeAction => a !== undefined);
  }));

  connection.onDocumentSymbol(guard('symbols', () => [], (params) => {
    const config = configOf(params.textDocument.uri);
    return config ? services.symbols(config.doc).map((s) => toSymbol(config.text, s)) : [];
  }));

  connection.onDefinition(guard('definition', () => [], (params) => {
    const config = configOf(params.textDocument.uri);
    if (!config) return [];
    return services.definition(config.doc, config.text.offsetAt(params.position), projectOf(params.textDocument.uri)).map(toLocation);
  }));

  connection.onCodeLens(guard('codeLens', () => [], (params) => {
    const config = configOf(params.textDocument.uri);
    return config ? services.codeLenses(config.doc).map((lens) => toCodeLens(config.text, lens)) : [];
  }));

  // workspace/executeCommand: see ./commands.ts (empty until the Copy Skene Prompt issue adds server-side commands).
  connection.onExecuteCommand(guard('executeCommand', () => null, async (params) => {
    const command = SERVER_COMMANDS[params.command];
    if (!command) throw new Error(`unknown command ${params.command}`);
    return (await command(params.arguments ?? [])) ?? null;
  }));

  connection.onShutdown(() => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    try {
      hooks.beforeShutdown?.();
    } catch (error) {
      log(`skene: ${String(error)}`);
    }
  });

  documents.listen(connection);
  connection.listen();
}
