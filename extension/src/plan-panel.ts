/** The "Skene Plan" webview panel (one, reused): no scripts, a strict CSP, no remote content. */
import * as vscode from 'vscode';
import { messageHtml, planHtml, SET_PLAN_CLOCK } from './plan-html.js';
import type { PlanResult } from './plan-model.js';

export type { PlanResult } from './plan-model.js';

export class PlanPanel {
  private static current: PlanPanel | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel) {
    panel.onDidDispose(() => {
      if (PlanPanel.current === this) PlanPanel.current = undefined;
    });
  }

  static show(context: vscode.ExtensionContext, config: vscode.Uri): PlanPanel {
    const title = `Skene Plan: ${vscode.workspace.asRelativePath(config)}`;
    let current = PlanPanel.current;
    if (current) {
      current.panel.title = title;
      current.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        'skene.plan',
        title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: false,
          // Only "Set Plan Clock" (the clock line's link): no other command runs from the panel.
          enableCommandUris: [SET_PLAN_CLOCK],
          localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media')],
          retainContextWhenHidden: false,
        },
      );
      panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
      current = PlanPanel.current = new PlanPanel(panel);
      context.subscriptions.push(panel);
    }
    current.panel.webview.html = messageHtml(current.panel.webview.cspSource, 'Skene plan', `Planning ${vscode.workspace.asRelativePath(config)}…`);
    return current;
  }

  showPlan(plan: PlanResult): void {
    this.panel.webview.html = planHtml(plan, this.panel.webview.cspSource);
  }

  showError(message: string): void {
    this.panel.webview.html = messageHtml(this.panel.webview.cspSource, 'Skene plan failed', message, true);
  }
}
