/** Skene: Create skene.config.ts — `skene init`'s starter for the folder's stack, from the worker. */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { folderFor } from '../folders.js';
import type { Session } from '../session.js';
import { runWorker } from '../worker-client.js';
import type { StarterResult } from '../worker-protocol.js';

export async function createConfig(session: Session, args: unknown[]): Promise<vscode.Uri | undefined> {
  const { context, output } = session;
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
  const starter = await runWorker<StarterResult>(context, { kind: 'starter', cwd: folder.fsPath, folder: folder.fsPath }, undefined, (l) =>
    output.appendLine(l),
  );
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
  // Core's edit of package.json (skene and @skene/sdk in devDependencies): the config imports the sdk.
  const deps = starter.dependencies;
  if (deps?.write) {
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, deps.write.path), Buffer.from(deps.write.content, 'utf8'));
    written.push(deps.write.path);
    output.appendLine(`skene: wrote ${deps.write.path} (${deps.write.description})`);
  }
  if (deps?.install) output.appendLine(`skene: next, run \`${deps.install}\` (${deps.reason})`);
  // No skene.seed is set: Plan Loops, like check and completion, finds the seed beside the config
  // (the starter's, or the project's own, which Create keeps), so they all read the same tables.
  await vscode.window.showTextDocument(target);
  const created = `Skene: created a ${starter.pattern} loop for ${starter.stack ?? 'a new project'}: ${written.join(', ')}.`;
  if (deps?.install) offerInstall(folder, created, deps.install);
  else void vscode.window.showInformationMessage(`${created} Next: "Skene: Plan Loops".`);
  if (!starter.stack && starter.message) output.appendLine(`skene: ${starter.message}`);
  return target;
}

/** Says which install command to run next, and runs it in a terminal on request (not awaited: the command returns). */
function offerInstall(folder: vscode.Uri, created: string, install: string): void {
  // An untrusted folder gets the command only: installing runs the project's lifecycle scripts.
  const run = vscode.workspace.isTrusted ? [`Run ${install}`] : [];
  void vscode.window.showInformationMessage(`${created} Next: \`${install}\`, then "Skene: Plan Loops".`, ...run).then((choice) => {
    if (!choice) return;
    const terminal = vscode.window.createTerminal({ name: 'Skene: install', cwd: folder });
    terminal.show();
    terminal.sendText(install);
  });
}
