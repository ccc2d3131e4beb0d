/**
 * `workspace/executeCommand`. The code lenses name two commands — `skene.planLoop` (arguments:
 * loop id, config URI), run by the VS Code extension, and `skene.copyPrompt` (arguments: config
 * URI), answered here by the server. Server-side commands live in SERVER_COMMANDS: the server
 * advertises `executeCommandProvider` with its keys and routes requests to them (see handlers/commands.ts).
 */
export type ServerCommand = (args: unknown[]) => Promise<unknown> | unknown;

/**
 * Commands are loaded on first use: `skene.copyPrompt` needs stack detection, which the server's
 * start (and its first diagnostics) should not wait for.
 */
export const SERVER_COMMANDS: Record<string, ServerCommand> = {
  // the Copy Skene Prompt flow (extension/ copies and presents the result); id = COPY_PROMPT_COMMAND
  'skene.copyPrompt': async (args) => (await import('./commands/copy-prompt.js')).copyPrompt(args),
};
