/** Skene: Copy Skene Prompt for Cursor — the server builds the prompt; this copies and presents it. */
import * as vscode from 'vscode';
import { executeServerCommand } from '../client.js';
import { folderFor } from '../folders.js';
import { copiedMessage, cursorPromptLink, isCursor, type CopyPromptResult } from '../prompt.js';
import type { Session } from '../session.js';

/** `silent`: copy only, no notification (the API's copyPrompt, for tests and other extensions). */
export async function copyPrompt(session: Session, args: unknown[], options: { silent?: boolean } = {}): Promise<CopyPromptResult | undefined> {
  const folder = folderFor(args);
  if (!folder) {
    void vscode.window.showWarningMessage('Skene: open a folder first: the prompt is written for the stack the folder uses.');
    return undefined;
  }
  const client = await session.client.running();
  const result = await executeServerCommand<CopyPromptResult | null>(client, 'skene.copyPrompt', [{ folder: folder.toString() }]);
  if (!result) throw new Error('the language server could not build the prompt (see the Skene output)');
  if (!result.prompt) {
    void vscode.window.showWarningMessage(`Skene: ${result.message ?? 'no stack detected in this folder.'}`);
    return result;
  }
  await vscode.env.clipboard.writeText(result.prompt);
  session.output.appendLine(`skene: copied the prompt (${result.title}) for ${result.folder}`);
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
