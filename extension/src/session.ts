/** What every command of the extension works with, and how it reports a failure. */
import * as vscode from 'vscode';
import type { SkeneClient } from './client.js';
import type { StatusItem } from './status.js';

export interface Session {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  client: SkeneClient;
  status: StatusItem;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error notification with a button to the Skene output, where the details are. */
export function showError(session: Session, message: string): void {
  void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => choice && session.output.show());
}
