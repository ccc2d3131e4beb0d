/**
 * Skene: Set Plan Clock — pins the instant Plan Loops plans at (`skene.planAt`, the CLI's `--at`),
 * so the editor's plan is the README's and CI's. Empty: plan at the current time.
 */
import { readInstant } from '@skene/core/instant';
import * as vscode from 'vscode';

/** Why `value` is not a plan clock, or undefined when it is one (empty clears it). */
export function planAtProblem(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const read = readInstant(value);
  if ('date' in read) return undefined;
  return read.problem ? `${value.trim()} does not exist: ${read.problem}` : 'An ISO 8601 instant, such as 2026-03-02T09:00:00Z (empty: the current time)';
}

export async function setPlanClock(): Promise<string | undefined> {
  const settings = vscode.workspace.getConfiguration('skene');
  const current = settings.get<string>('planAt') ?? '';
  const value = await vscode.window.showInputBox({
    title: 'Skene: Set Plan Clock',
    prompt: 'The instant Plan Loops plans at (ISO 8601, as `skene plan --at`); empty: the current time',
    placeHolder: '2026-03-02T09:00:00Z',
    value: current,
    ignoreFocusOut: true,
    validateInput: planAtProblem,
  });
  if (value === undefined) return undefined;
  const at = value.trim();
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await settings.update('planAt', at, target);
  // Not awaited: the command returns once the setting is written; the button plans again.
  void vscode.window
    .showInformationMessage(
      at ? `Skene: Plan Loops plans at ${at} (skene.planAt).` : 'Skene: Plan Loops plans at the current time (skene.planAt cleared).',
      'Plan Loops',
    )
    .then((choice) => (choice ? vscode.commands.executeCommand('skene.planLoops') : undefined));
  return at;
}
