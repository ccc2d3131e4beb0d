/**
 * The status bar item: the loops of the open skene.config.ts, Skene's errors in the workspace,
 * the server's state; a click plans the loops. Refreshes are debounced (diagnostics arrive in bursts).
 */
import * as vscode from 'vscode';
import { DocumentSymbolRequest, State, type DocumentSymbol, type LanguageClient } from 'vscode-languageclient/node';
import { plural } from '@skene/core/report';
import { isConfig } from './folders.js';

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private pending: NodeJS.Timeout | undefined;
  private generation = 0;

  /** `client`: the language client now (it asks the server for the open config's loops). */
  constructor(private readonly client: () => LanguageClient | undefined) {
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
    const client = this.client();
    const state = client?.state;
    const doc = [vscode.window.activeTextEditor?.document, ...vscode.workspace.textDocuments].find((d) => d && isConfig(d.uri));
    let loops: number | undefined;
    if (doc && client && state === State.Running) {
      const symbols = await client.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: doc.uri.toString() } }).catch(() => null);
      if (generation !== this.generation) return;
      loops = Array.isArray(symbols) ? (symbols as DocumentSymbol[]).length : undefined;
    }
    const parts = [loops !== undefined ? plural(loops, 'loop') : undefined, plural(errors, 'error')].filter(Boolean);
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
