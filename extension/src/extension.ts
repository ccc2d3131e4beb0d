/**
 * Skene for VS Code and Cursor: the language client for `skene.config.ts` (the bundled server,
 * node IPC), and the commands around it — Copy Skene Prompt for Cursor, Create skene.config.ts,
 * Plan Loops (a webview of the emails the loops would send), Restart Language Server — with a
 * status bar item, settings, snippets and a walkthrough.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DocumentSymbolRequest, State, type DocumentSymbol, type LanguageClient } from 'vscode-languageclient/node';
import { CONFIG_GLOB, createClient, executeServerCommand } from './client.js';
import { PlanPanel, type PlanResult } from './plan-panel.js';
import { copiedMessage, cursorPromptLink, isCursor, type CopyPromptResult } from './prompt.js';
import { runWorker } from './worker-client.js';
import type { StarterResult } from './worker-protocol.js';

let client: LanguageClient | undefined;
let starting: Promise<LanguageClient> | undefined;
let output: vscode.LogOutputChannel;
let ctx: vscode.ExtensionContext;
let status: StatusItem;

const isConfig = (uri: vscode.Uri | undefined) => !!uri && uri.scheme === 'file' && /(^|\/)skene\.config\.ts$/.test(uri.path);

export async function activate(context: vscode.ExtensionContext): Promise<SkeneApi> {
  ctx = context;
  output = vscode.window.createOutputChannel('Skene', { log: true });
  context.subscriptions.push(output);

  status = new StatusItem();
  context.subscriptions.push(status);

  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('skene.copyPrompt', (...args) => copyPrompt(args));
  reg('skene.createConfig', (...args) => createConfig(context, args));
  reg('skene.planLoops', (...args) => planLoops(context, args, undefined));
  // The code lens "Plan this loop": arguments [loopId, configUri].
  reg('skene.planLoop', (...args) => planLoops(context, args.slice(1), typeof args[0] === 'string' ? args[0] : undefined));
  reg('skene.restartServer', () => restartServer());
  reg('skene.showOutput', () => output.show(true));

  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(() => status.refresh()),
    vscode.window.onDidChangeActiveTextEditor(() => status.refresh()),
    vscode.workspace.onDidSaveTextDocument((d) => { if (isConfig(d.uri)) status.refresh(); }),
    { dispose: () => void client?.stop() },
  );

  void updateHasConfig();
  const watcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB, false, true, false);
  context.subscriptions.push(watcher, watcher.onDidCreate(() => updateHasConfig()), watcher.onDidDelete(() => updateHasConfig()));

  await startClient().catch((error: unknown) => {
    output.appendLine(`skene: the language server did not start: ${describe(error)}`);
    void vscode.window.showErrorMessage(`Skene: the language server did not start: ${describe(error)}`, 'Show Output').then((c) => c && output.show());
  });
  status.refresh();
  return { copyPrompt: (folder?: string) => copyPrompt(folder ? [folder] : [], { silent: true }), client: () => client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** What the extension returns from activate (tests and other extensions). */
export interface SkeneApi {
  copyPrompt(folder?: string): Promise<CopyPromptResult | undefined>;
  client(): LanguageClient | undefined;
}

/** The `skene.hasConfig` context key (the walkthrough's first step completes on it). */
async function updateHasConfig(): Promise<void> {
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 1);
  await vscode.commands.executeCommand('setContext', 'skene.hasConfig', found.length > 0);
}

async function startClient(): Promise<LanguageClient> {
  if (client && client.state === State.Running) return client;
  if (starting) return starting;
  starting = (async () => {
    const old = client;
    if (old) await old.dispose().catch(() => undefined); // a client that stopped for good
    const c = createClient(ctx, output);
    c.onDidChangeState(() => status.refresh());
    client = c;
    await c.start();
    output.appendLine(`skene: language server running (${ctx.asAbsolutePath('dist/server.mjs')})`);
    return c;
  })();
  try {
    return await starting;
  } finally {
    starting = undefined;
  }
}

async function restartServer(): Promise<void> {
  const old = client;
  client = undefined;
  if (old) await old.dispose().catch((e: unknown) => output.appendLine(`skene: stopping the server: ${describe(e)}`));
  await startClient();
  status.refresh();
  void vscode.window.showInformationMessage('Skene: language server restarted.');
}

// ---- Copy Skene Prompt for Cursor ------------------------------------------------------------

/** The folder a command is about: a URI argument (code lens), the active editor's folder, the first folder. */
function folderFor(args: unknown[]): vscode.Uri | undefined {
  const arg = args.find((a): a is string | vscode.Uri => typeof a === 'string' || a instanceof vscode.Uri);
  if (arg) {
    const uri = typeof arg === 'string' ? vscode.Uri.parse(arg) : arg;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (isConfig(uri)) return vscode.Uri.joinPath(uri, '..');
    return folder?.uri ?? uri;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isConfig(active)) return vscode.Uri.joinPath(active, '..');
  const folder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  return folder?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function copyPrompt(args: unknown[], options: { silent?: boolean } = {}): Promise<CopyPromptResult | undefined> {
  const folder = folderFor(args);
  if (!folder) {
    void vscode.window.showWarningMessage('Skene: open a folder first: the prompt is written for the stack the folder uses.');
    return undefined;
  }
  const c = client?.state === State.Running ? client : await startClient();
  const result = await executeServerCommand<CopyPromptResult | null>(c, 'skene.copyPrompt', [{ folder: folder.toString() }]);
  if (!result) throw new Error('the language server could not build the prompt (see the Skene output)');
  if (!result.prompt) {
    void vscode.window.showWarningMessage(`Skene: ${result.message ?? 'no stack detected in this folder.'}`);
    return result;
  }
  await vscode.env.clipboard.writeText(result.prompt);
  output.appendLine(`skene: copied the prompt (${result.title}) for ${result.folder}`);
  if (options.silent) return result;
  const cursor = isCursor(vscode.env.appName);
  const actions = cursor ? ['Open in Cursor Chat', 'Show Prompt'] : ['Show Prompt'];
  // Not awaited: the command answers as soon as the prompt is on the clipboard.
  void vscode.window.showInformationMessage(`Skene: ${copiedMessage(result)}`, ...actions).then(async (choice) => {
    if (choice === 'Open in Cursor Chat') {
      // A string, not a vscode.Uri: Uri.toString() would encode the query's `=` and re-encode `%xx`
      // (microsoft/vscode#85930); openExternal passes a string through unchanged.
      await vscode.env.openExternal(cursorPromptLink(result.prompt!) as unknown as vscode.Uri);
    } else if (choice === 'Show Prompt') {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.prompt! });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  });
  return result;
}

// ---- Create skene.config.ts -------------------------------------------------------------------

async function createConfig(context: vscode.ExtensionContext, args: unknown[]): Promise<vscode.Uri | undefined> {
  const folder = folderFor(args);
  if (!folder) {
    void vscode.window.showWarningMessage('Skene: open a folder first.');
    return undefined;
  }
  const target = vscode.Uri.joinPath(folder, 'skene.config.ts');
  if (existsSync(target.fsPath)) {
    await vscode.window.showTextDocument(target);
    void vscode.window.showInformationMessage('Skene: this folder already has a skene.config.ts.');
    return target;
  }
  const starter = await runWorker<StarterResult>(context, { kind: 'starter', cwd: folder.fsPath, folder: folder.fsPath }, undefined, (l) => output.appendLine(l));
  if (starter.blocked) {
    await vscode.window.showTextDocument(target);
    return target;
  }
  // Core chose the files (skene init's policy): the project's own files are kept, never overwritten.
  const written: string[] = [];
  for (const file of starter.files) {
    const uri = vscode.Uri.joinPath(folder, ...file.path.split('/'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(file.content, 'utf8'));
    written.push(file.path);
    output.appendLine(`skene: wrote ${file.path} (${file.description})`);
  }
  for (const kept of starter.kept ?? []) output.appendLine(`skene: kept ${kept.path} (${kept.reason})`);
  if (starter.seed && written.includes(starter.seed)) {
    const settings = vscode.workspace.getConfiguration('skene', folder);
    const seeds = settings.get<string | string[]>('seed');
    if (!seeds || (Array.isArray(seeds) && !seeds.length)) {
      await settings.update('seed', [starter.seed], vscode.workspace.getWorkspaceFolder(folder) ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace).then(undefined, () => undefined);
    }
  }
  await vscode.window.showTextDocument(target);
  void vscode.window.showInformationMessage(`Skene: created a ${starter.pattern} loop for ${starter.stack ?? 'a new project'}: ${written.join(', ')}. Next: "Skene: Plan Loops".`);
  if (!starter.stack && starter.message) output.appendLine(`skene: ${starter.message}`);
  return target;
}

// ---- Plan Loops --------------------------------------------------------------------------------

async function findConfig(args: unknown[]): Promise<vscode.Uri | undefined> {
  const arg = args.find((a): a is string | vscode.Uri => typeof a === 'string' || a instanceof vscode.Uri);
  if (arg) return typeof arg === 'string' ? vscode.Uri.parse(arg) : arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isConfig(active)) return active;
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 20);
  if (found.length <= 1) return found[0];
  const pick = await vscode.window.showQuickPick(found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { placeHolder: 'Which Skene config?' });
  return pick?.uri;
}

async function planLoops(context: vscode.ExtensionContext, args: unknown[], loop: string | undefined): Promise<PlanResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    // A plan compiles and renders the project's email templates: code of the workspace.
    void vscode.window.showWarningMessage('Skene: Plan Loops runs the project\'s email templates; trust this workspace first.');
    return undefined;
  }
  const config = await findConfig(args);
  if (!config) {
    const choice = await vscode.window.showWarningMessage('Skene: no skene.config.ts in this workspace.', 'Create skene.config.ts');
    if (choice) await vscode.commands.executeCommand('skene.createConfig');
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === config.toString());
  if (doc?.isDirty) await doc.save();
  const settings = vscode.workspace.getConfiguration('skene', config);
  const base = (vscode.workspace.getWorkspaceFolder(config)?.uri ?? vscode.Uri.joinPath(config, '..')).fsPath;
  const seedSetting = settings.get<string | string[]>('seed') ?? [];
  const seeds = (Array.isArray(seedSetting) ? seedSetting : [seedSetting]).filter(Boolean).map((s) => (s.startsWith('/') ? s : join(base, s)));
  const databaseUrl = settings.get<string>('databaseUrl') || undefined;
  const dialect = settings.get<string>('dialect');
  const panel = PlanPanel.show(context, config);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Skene: planning ${loop ? `loop ${loop}` : 'the loops'} of ${vscode.workspace.asRelativePath(config)}`, cancellable: true },
    (_progress, token) => runWorker<PlanResult>(context, {
      kind: 'plan', cwd: base, config: config.fsPath, seeds, databaseUrl, dialect: dialect && dialect !== 'auto' ? dialect : undefined, loop,
    }, token, (l) => output.appendLine(l)),
  ).then(
    (r) => r,
    (error: unknown) => {
      output.appendLine(`skene: plan failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      panel.showError(describe(error));
      void vscode.window.showErrorMessage(`Skene: the plan failed: ${describe(error)}`, 'Show Output').then((c) => c && output.show());
      return undefined;
    },
  );
  if (result) {
    panel.showPlan(result);
    output.appendLine(`skene: plan of ${config.fsPath}: ${result.summary}`);
  }
  return result;
}

// ---- Status bar --------------------------------------------------------------------------------

class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private pending: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor() {
    this.item = vscode.window.createStatusBarItem('skene.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Skene';
    this.item.command = 'skene.planLoops';
    this.item.text = '$(mail) Skene';
    this.item.show();
  }

  refresh(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.update(), 100);
  }

  private async update(): Promise<void> {
    const item = this.item;
    const generation = ++this.generation;
    const all = vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds.filter((d) => d.source === 'skene').map((d) => ({ uri, d })));
    const errors = all.filter((x) => x.d.severity === vscode.DiagnosticSeverity.Error).length;
    const warnings = all.filter((x) => x.d.severity === vscode.DiagnosticSeverity.Warning).length;
    const state = client?.state;
    const doc = [vscode.window.activeTextEditor?.document, ...vscode.workspace.textDocuments].find((d) => d && isConfig(d.uri));
    let loops: number | undefined;
    if (doc && client && state === State.Running) {
      const symbols = await client.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: doc.uri.toString() } }).catch(() => null);
      if (generation !== this.generation) return;
      loops = Array.isArray(symbols) ? (symbols as DocumentSymbol[]).length : undefined;
    }
    const parts = [loops !== undefined ? `${loops} loop${loops === 1 ? '' : 's'}` : undefined, `${errors} error${errors === 1 ? '' : 's'}`].filter(Boolean);
    const icon = state === State.Starting ? '$(sync~spin)' : errors ? '$(error)' : '$(mail)';
    item.text = `${icon} Skene: ${parts.join(', ')}`;
    item.backgroundColor = errors ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.tooltip = [
      `Skene language server: ${state === State.Running ? 'running' : state === State.Starting ? 'starting' : 'stopped'}`,
      doc ? `${vscode.workspace.asRelativePath(doc.uri)}: ${loops ?? '?'} loop(s)` : 'No skene.config.ts open',
      `${errors} error(s), ${warnings} warning(s) from Skene`,
      'Click to plan the loops',
    ].join('\n');
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.item.dispose();
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
