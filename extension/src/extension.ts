/**
 * Skene for VS Code and Cursor: the language client for `skene.config.ts` (the bundled server,
 * node IPC), and the commands around it — Copy Skene Prompt for Cursor, Create skene.config.ts,
 * Plan Loops (a webview of the emails the loops would send), Set Plan Clock, Restart Language Server — with a
 * status bar item, settings, snippets and a walkthrough. This file wires them; each command is
 * in commands/, the status item in status.ts, the client's lifecycle in client.ts.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CONFIG_GLOB, SkeneClient } from './client.js';
import { copyPrompt } from './commands/copy-prompt.js';
import { createConfig } from './commands/create-config.js';
import { planLoops } from './commands/plan-loops.js';
import { restartServer } from './commands/restart-server.js';
import { setPlanClock } from './commands/set-plan-clock.js';
import { isConfig } from './folders.js';
import type { CopyPromptResult } from './prompt.js';
import { describe, showError, type Session } from './session.js';
import { StatusItem } from './status.js';

let session: Session | undefined;

/** What the extension returns from activate (tests and other extensions). */
export interface SkeneApi {
  copyPrompt(folder?: string): Promise<CopyPromptResult | undefined>;
  client(): LanguageClient | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<SkeneApi> {
  const output = vscode.window.createOutputChannel('Skene', { log: true });
  context.subscriptions.push(output);
  // The status item shows the client's state, and the client refreshes it when that changes.
  const status = new StatusItem(() => client.current);
  const client = new SkeneClient(context, output, () => status.refresh());
  context.subscriptions.push(status);
  const s: Session = { context, output, client, status };
  session = s;

  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('skene.copyPrompt', (...args) => copyPrompt(s, args));
  reg('skene.createConfig', (...args) => createConfig(s, args));
  reg('skene.planLoops', (...args) => planLoops(s, args, undefined));
  // The code lens "Plan this loop": arguments [loopId, configUri].
  reg('skene.planLoop', (...args) => planLoops(s, args.slice(1), typeof args[0] === 'string' ? args[0] : undefined));
  reg('skene.setPlanClock', () => setPlanClock());
  reg('skene.restartServer', () => restartServer(s));
  reg('skene.showOutput', () => output.show(true));

  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(() => status.refresh()),
    vscode.window.onDidChangeActiveTextEditor(() => status.refresh()),
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (isConfig(d.uri)) status.refresh();
    }),
    { dispose: () => void client.current?.stop() },
  );

  void updateHasConfig();
  const watcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB, false, true, false);
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(() => updateHasConfig()),
    watcher.onDidDelete(() => updateHasConfig()),
  );

  await client.running().catch((error: unknown) => {
    output.appendLine(`skene: the language server did not start: ${describe(error)}`);
    showError(s, `Skene: the language server did not start: ${describe(error)}`);
  });
  status.refresh();
  return { copyPrompt: (folder?: string) => copyPrompt(s, folder ? [folder] : [], { silent: true }), client: () => client.current };
}

export async function deactivate(): Promise<void> {
  await session?.client.stop();
}

/** The `skene.hasConfig` context key (the walkthrough's first step completes on it). */
async function updateHasConfig(): Promise<void> {
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 1);
  await vscode.commands.executeCommand('setContext', 'skene.hasConfig', found.length > 0);
}
