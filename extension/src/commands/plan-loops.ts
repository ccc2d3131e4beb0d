/**
 * Skene: Plan Loops (and the code lens's Plan This Loop) — the plan runs in the worker, read-only,
 * against the configured database or the seeded embedded PostgreSQL; the panel shows its emails.
 */
import { dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import { findConfig } from '../folders.js';
import { PlanPanel, type PlanResult } from '../plan-panel.js';
import { describe, showError, type Session } from '../session.js';
import { runWorker } from '../worker-client.js';
import type { WorkerRequest } from '../worker-protocol.js';

/** `loop`: plan only this loop (the code lens), else every loop of the config. */
export async function planLoops(session: Session, args: unknown[], loop: string | undefined): Promise<PlanResult | undefined> {
  const { context, output } = session;
  if (!vscode.workspace.isTrusted) {
    // A plan compiles and renders the project's email templates: code of the workspace.
    void vscode.window.showWarningMessage("Skene: Plan Loops runs the project's email templates; trust this workspace first.");
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
  // Reports name paths relative to the workspace folder; `skene.seed` is resolved against the
  // config's folder (in a monorepo, apps/api/), as the language server resolves it.
  const base = (vscode.workspace.getWorkspaceFolder(config)?.uri ?? vscode.Uri.joinPath(config, '..')).fsPath;
  const configDir = dirname(config.fsPath);
  const seedSetting = settings.get<string | string[]>('seed') ?? [];
  const seeds = (Array.isArray(seedSetting) ? seedSetting : [seedSetting]).filter((s) => s.trim() !== '').map((s) => resolve(configDir, s));
  const databaseUrl = settings.get<string>('databaseUrl') || undefined;
  const dialect = settings.get<string>('dialect');
  // `skene.planAt` pins the clock (the README's and CI's `--at`); empty: now.
  const at = settings.get<string>('planAt')?.trim() || undefined;
  const panel = PlanPanel.show(context, config);
  const request: WorkerRequest = {
    kind: 'plan',
    cwd: base,
    config: config.fsPath,
    seeds,
    databaseUrl,
    dialect: dialect && dialect !== 'auto' ? dialect : undefined,
    loop,
    at,
  };
  const title = `Skene: planning ${loop ? `loop ${loop}` : 'the loops'} of ${vscode.workspace.asRelativePath(config)}`;
  const result = await vscode.window
    .withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) =>
      runWorker<PlanResult>(context, request, token, (l) => output.appendLine(l)),
    )
    .then(
      (r) => r,
      (error: unknown) => {
        output.appendLine(`skene: plan failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        panel.showError(describe(error));
        showError(session, `Skene: the plan failed: ${describe(error)}`);
        return undefined;
      },
    );
  if (result) {
    panel.showPlan(result);
    output.appendLine(`skene: plan of ${config.fsPath}: ${result.summary}`);
  }
  return result;
}
