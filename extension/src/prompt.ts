/** "Copy Skene Prompt for Cursor": the server builds the prompt; the extension copies and presents it. */

/** The answer of the server's `skene.copyPrompt` (packages/language-server/src/commands/copy-prompt.ts). */
export interface CopyPromptResult {
  folder: string;
  stack: string | null;
  pattern: string;
  reason: string;
  title: string | null;
  database: string | null;
  dialect: string | null;
  evidence: { kind: string; name: string; file: string; line: number; detail?: string }[];
  tables: { name: string; file: string; line: number; columns: string[] }[];
  prompt: string | null;
  message?: string;
}

/** Cursor's prompt deep link: opens a new chat with the text filled in (the user still presses Enter). */
export function cursorPromptLink(prompt: string): string {
  return `cursor://anysphere.cursor-deeplink/prompt?text=${encodeURIComponent(prompt)}`;
}

/** Cursor's desktop app names itself "Cursor" in vscode.env.appName. */
export function isCursor(appName: string): boolean {
  return /cursor/i.test(appName);
}

/** The notification text after a copy. */
export function copiedMessage(result: CopyPromptResult): string {
  return `Copied the Skene prompt (${result.title ?? result.pattern}) to the clipboard: paste it into Cursor's chat (Agent mode).`;
}
