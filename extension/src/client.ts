/**
 * The language client for `skene.config.ts`: starts the BUNDLED server (dist/server.mjs) over node IPC.
 *
 * The server answers `workspace/executeCommand` for `skene.copyPrompt` (so Neovim, Zed, … get the
 * prompt flow too). vscode-languageclient would register a VS Code command of the same id that only
 * forwards to the server; the extension registers `skene.copyPrompt` itself (it copies and presents
 * the result, and the code lens runs it), so the client leaves server commands to the extension and
 * the extension sends the request (`executeServerCommand`).
 */
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type DynamicFeature,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import { ANALYSIS_V8_FLAGS } from '@skene/core/v8-flags';

export const CONFIG_GLOB = '**/skene.config.ts';

class SkeneLanguageClient extends LanguageClient {
  override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const method = (feature as { registrationType?: { method?: string } }).registrationType?.method;
    if (method === ExecuteCommandRequest.method) return;
    super.registerFeature(feature);
  }
}

export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.mjs');
  // Without these V8 (Node 22+) spends ~600 MB optimising the SQL parser's WebAssembly during the
  // first check (see v8-flags.ts); only the command line sets them.
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: ANALYSIS_V8_FLAGS } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...ANALYSIS_V8_FLAGS, '--nolazy', '--inspect=6010'] } },
  };
  const settings = vscode.workspace.getConfiguration('skene');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', pattern: CONFIG_GLOB }],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // VS Code pulls diagnostics (textDocument/diagnostic); pushed ones would show every problem twice.
    initializationOptions: { skene: { dialect: settings.get<string | null>('dialect') ?? undefined, pushDiagnostics: false } },
    markdown: { isTrusted: false, supportHtml: false },
  };
  return new SkeneLanguageClient('skene', 'Skene Language Server', serverOptions, clientOptions);
}

/** Sends `workspace/executeCommand` to the server (the client no longer maps it to a VS Code command). */
export function executeServerCommand<T>(client: LanguageClient, command: string, args: unknown[]): Promise<T> {
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }) as Promise<T>;
}

/**
 * The one language client of the extension: started on activation, started again on demand (a
 * command that needs the server), restarted by `skene.restartServer`. Starting twice at once
 * waits for the same start.
 */
export class SkeneClient {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    /** Called when the client's state changes (the status item shows it). */
    private readonly onStateChange: () => void,
  ) {}

  /** The client, running or not (undefined before the first start and during a restart). */
  get current(): LanguageClient | undefined {
    return this.client;
  }

  /** The running client, started (or started again, after it stopped for good) if need be. */
  async running(): Promise<LanguageClient> {
    if (this.client && this.client.state === State.Running) return this.client;
    if (this.starting) return this.starting;
    this.starting = (async () => {
      const old = this.client;
      if (old) await old.dispose().catch(() => undefined); // a client that stopped for good
      const c = createClient(this.context, this.output);
      c.onDidChangeState(() => this.onStateChange());
      this.client = c;
      await c.start();
      this.output.appendLine(`skene: language server running (${this.context.asAbsolutePath('dist/server.mjs')})`);
      return c;
    })();
    try {
      return await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  async restart(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    if (old) await old.dispose().catch((e: unknown) => this.output.appendLine(`skene: stopping the server: ${e instanceof Error ? e.message : String(e)}`));
    await this.running();
  }

  async stop(): Promise<void> {
    await this.client?.stop();
    this.client = undefined;
  }
}
