/** Which folder or config a command is about: its argument (a code lens, the explorer), the active editor, the workspace. */
import * as vscode from 'vscode';
import { CONFIG_GLOB } from './client.js';

export const isConfig = (uri: vscode.Uri | undefined) => !!uri && uri.scheme === 'file' && /(^|\/)skene\.config\.ts$/.test(uri.path);

const uriArgument = (args: unknown[]) => args.find((a): a is string | vscode.Uri => typeof a === 'string' || a instanceof vscode.Uri);

/** The folder a command is about: a URI argument (code lens), the active editor's folder, the first folder. */
export function folderFor(args: unknown[]): vscode.Uri | undefined {
  const arg = uriArgument(args);
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

/** The config a command is about: a URI argument, the active editor, the only one, or the one the user picks. */
export async function findConfig(args: unknown[]): Promise<vscode.Uri | undefined> {
  const arg = uriArgument(args);
  if (arg) return typeof arg === 'string' ? vscode.Uri.parse(arg) : arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isConfig(active)) return active;
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 20);
  if (found.length <= 1) return found[0];
  const pick = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: 'Which Skene config?' },
  );
  return pick?.uri;
}
