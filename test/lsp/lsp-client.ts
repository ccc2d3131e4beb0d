/**
 * A real LSP client (vscode-languageserver-protocol over vscode-jsonrpc's node stream reader/writer)
 * driving the BUILT server, `node packages/language-server/dist/bin.cjs --stdio`, as an editor would.
 * Shared by the protocol, property-based and benchmark runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SERVER_BIN = `${REPO}packages/language-server/dist/bin.cjs`;

export function serverBuilt(): boolean {
  return existsSync(SERVER_BIN);
}

export const CAPABILITIES: ClientCapabilities = {
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: false },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true },
    diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
    definition: {},
    codeLens: {},
  },
  workspace: {
    workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
    didChangeWatchedFiles: { dynamicRegistration: true },
    configuration: true,
    diagnostics: { refreshSupport: true },
  },
};

export interface Server {
  connection: ProtocolConnection;
  process: ChildProcess;
  /** Everything the server logged (window/logMessage), and its stderr. */
  logs: string[];
  /** publishDiagnostics notifications in arrival order. */
  published: PublishDiagnosticsParams[];
  /** Registrations the server asked for (client/registerCapability). */
  registrations: { method: string; registerOptions?: unknown }[];
  initializeResult: InitializeResult;
  /** Resolves with the next publishDiagnostics for `uri` matching `accept`. */
  nextDiagnostics(uri: string, accept?: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams>;
  /** Resolves once the server has asked for (and been sent) its settings: workspace/configuration. */
  configured: Promise<void>;
  /** Resolves when a log line matching `pattern` arrives (or has arrived). */
  waitForLog(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  initializationOptions?: Record<string, unknown>;
  env?: Record<string, string>;
  capabilities?: ClientCapabilities;
  rootUri?: string;
  /** Answer to workspace/configuration. */
  settings?: unknown;
  /** Arguments to `node` that start the server; default: the built Skene server over stdio. Lets the benchmarks drive a peer server with the same client. */
  command?: string[];
}

export async function startServer(options: StartOptions = {}): Promise<Server> {
  const child = spawn(process.execPath, options.command ?? [SERVER_BIN, '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  const published: PublishDiagnosticsParams[] = [];
  const registrations: { method: string; registerOptions?: unknown }[] = [];
  const diagnosticWaiters: { uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const logWaiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const addLog = (line: string) => {
    logs.push(line);
    for (const w of [...logWaiters])
      if (w.pattern.test(line)) {
        logWaiters.splice(logWaiters.indexOf(w), 1);
        w.resolve(line);
      }
  };
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => addLog(chunk));
  connection.onNotification('window/logMessage', (p: { message: string }) => addLog(p.message));
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push(p);
    for (const w of [...diagnosticWaiters])
      if (w.uri === p.uri && w.accept(p)) {
        diagnosticWaiters.splice(diagnosticWaiters.indexOf(w), 1);
        w.resolve(p);
      }
  });
  connection.onRequest('client/registerCapability', (p: { registrations: { method: string; registerOptions?: unknown }[] }) => {
    registrations.push(...p.registrations);
    return null;
  });
  let configured!: () => void;
  const configuredPromise = new Promise<void>((resolve) => (configured = resolve));
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => {
    setImmediate(configured); // after the answer is written
    return p.items.map(() => options.settings ?? {});
  });
  connection.onRequest('workspace/diagnostic/refresh', () => null);
  connection.listen();

  const initializeResult = (await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: options.rootUri ?? pathToFileURL(REPO).href,
    capabilities: options.capabilities ?? CAPABILITIES,
    initializationOptions: options.initializationOptions ?? {},
  })) as InitializeResult;
  await connection.sendNotification('initialized', {});

  return {
    connection,
    process: child,
    logs,
    published,
    registrations,
    initializeResult,
    exited,
    configured: configuredPromise,
    nextDiagnostics: (uri, accept = () => true) => new Promise((resolve) => diagnosticWaiters.push({ uri, accept, resolve })),
    waitForLog: (pattern) => {
      const seen = logs.find((l) => pattern.test(l));
      return seen ? Promise.resolve(seen) : new Promise((resolve) => logWaiters.push({ pattern, resolve }));
    },
    async stop() {
      if (child.exitCode === null) {
        await connection.sendRequest('shutdown').catch(() => undefined);
        await connection.sendNotification('exit').catch(() => undefined);
      }
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}

/** Text with one `|` cursor marker → the text without it and the cursor's offset. */
export function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset === -1 || marked.indexOf('|', offset + 1) !== -1) throw new Error(`expected exactly one | in ${marked}`);
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

/** 0-based line/character of an offset (LSP positions; the fixtures are ASCII). */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function offsetAt(text: string, position: { line: number; character: number }): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < position.line && i < lines.length; i++) offset += lines[i].length + 1;
  return Math.min(offset + position.character, text.length);
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const spans = edits.map((e) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText }));
  spans.sort((a, b) => b.start - a.start);
  for (const s of spans) text = text.slice(0, s.start) + s.newText + text.slice(s.end);
  return text;
}

export function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code)).sort();
}
