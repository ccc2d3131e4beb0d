/**
 * `workspace/executeCommand`. The code lenses name two commands — `skene.planLoop` (arguments:
 * loop id, config URI) and `skene.copyPrompt` (arguments: config URI) — which the VS Code extension
 * runs on the client side today. When the server itself should execute commands (the
 * Copy Skene Prompt issue), add them here: the server advertises `executeCommandProvider` with
 * the keys of SERVER_COMMANDS, and routes requests to them (see server.ts). Empty for now, so the
 * server does not claim command ids the extension registers.
 */
import { COPY_PROMPT_COMMAND, copyPrompt } from './commands/copy-prompt.js';

export type ServerCommand = (args: unknown[]) => Promise<unknown> | unknown;

export const SERVER_COMMANDS: Record<string, ServerCommand> = {
  [COPY_PROMPT_COMMAND]: copyPrompt, // the Copy Skene Prompt flow (extension/ copies and presents the result)
};
