/** Skene: Restart Language Server. */
import * as vscode from 'vscode';
import type { Session } from '../session.js';

export async function restartServer(session: Session): Promise<void> {
  await session.client.restart();
  session.status.refresh();
  void vscode.window.showInformationMessage('Skene: language server restarted.');
}
